"""Speakers in the organisers' admin, and the speakers of a session on the session's form.

The session's form is congress's (congress.admin.SessionAdmin); this app adds its speakers inline to it, since the
speakers app depends on congress and never the reverse."""

from django.contrib import admin
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congress import admin as congress_admin
from congress.admin_english import EnglishMissingFilter, TranslatedAdmin
from congress.admin_forms import EditConflictInline
from congress.imports.admin import SpeakerImportsMixin
from congress.models import Session
from speakers.models import SessionSpeaker, Speaker


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


class SessionSpeakerFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        session = self.instance
        if not (session.starts_at and session.ends_at) or session.ends_at <= session.starts_at:
            return  # the session's own form reports the times
        if session.status == Session.Status.CANCELLED:
            return
        forms_by_speaker = {
            form.cleaned_data["speaker"].pk: form
            for form in self.forms
            if form.cleaned_data.get("speaker") and not form.cleaned_data.get("DELETE")
        }
        if not forms_by_speaker:
            return
        elsewhere = (
            SessionSpeaker.objects.filter(speaker_id__in=forms_by_speaker)
            .filter(session__starts_at__lt=session.ends_at, session__ends_at__gt=session.starts_at)
            .exclude(session__status=Session.Status.CANCELLED)
            .select_related("speaker", "session__congress")
            .order_by("session__starts_at")
        )
        if session.pk:
            elsewhere = elsewhere.exclude(session_id=session.pk)
        for link in elsewhere:
            other = link.session
            forms_by_speaker[link.speaker_id].add_error(
                "speaker",
                gettext("%(speaker)s already speaks at that time in “%(title)s” (%(start)s–%(end)s).")
                % {
                    "speaker": link.speaker.name,
                    "title": other.title,
                    "start": other.congress.local(other.starts_at).strftime("%H:%M"),
                    "end": other.congress.local(other.ends_at).strftime("%H:%M"),
                },
            )


class SessionSpeakerInline(EditConflictInline, admin.TabularInline):
    model = SessionSpeaker
    formset = SessionSpeakerFormSet
    fields = ("speaker", "role", "position")
    autocomplete_fields = ("speaker",)
    ordering = ("position", "pk")
    extra = 1


admin.site.unregister(Session)


@admin.register(Session)
class SessionAdmin(congress_admin.SessionAdmin):
    inlines = [*congress_admin.SessionAdmin.inlines, SessionSpeakerInline]
