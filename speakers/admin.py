from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from congress.admin_english import EnglishMissingFilter, TranslatedAdmin
from congress.imports.admin import SpeakerImportsMixin
from speakers.models import Speaker


@admin.register(Speaker)
class SpeakerAdmin(SpeakerImportsMixin, TranslatedAdmin):
    list_display = ("name", "job_title", "organisation", "session_count")
    list_select_related = ("organisation",)
    list_filter = ("organisation", EnglishMissingFilter)
    search_fields = ("name", "sort_name", "job_title_fr", "job_title_en", "organisation__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("organisation",)
    fields = ("name", "sort_name", "slug", ("job_title",), "organisation", ("biography",), "photo")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=Count("session_links", distinct=True))

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, speaker: Speaker) -> int:
        return speaker.session_count
