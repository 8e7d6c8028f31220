"""Organiser text in French and English in the admin: both side by side, the rows whose English is missing."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.translator import translator

from congress.admin_forms import EditConflictAdmin


class TranslatedAdmin(EditConflictAdmin, TranslationAdmin):
    """French and English side by side: a fieldset line ("title",) becomes ("title_fr", "title_en").
    (modeltranslation's tabs need jQuery UI from a CDN, which the admin's CSP refuses.)"""


class EnglishMissingFilter(admin.SimpleListFilter):
    """Rows with a French text and no English one, among `english_fields`."""

    title = _("English")
    parameter_name = "english"

    def lookups(self, request, model_admin):
        return [("missing", _("English missing")), ("complete", _("English complete"))]

    def queryset(self, request, queryset):
        missing = english_missing(queryset.model)
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "complete":
            return queryset.exclude(missing)
        return queryset


def missing_texts(queryset) -> int:
    """How many translated texts of these rows are in French only (one query)."""
    counts = {
        name: Count("pk", filter=english_missing_field(name), distinct=True)
        for name in translator.get_options_for_model(queryset.model).fields
    }
    return sum(queryset.order_by().aggregate(**counts).values())


def english_missing_field(name: str) -> Q:
    french = ~Q(**{f"{name}_fr": ""}) & Q(**{f"{name}_fr__isnull": False})
    english = Q(**{f"{name}_en": ""}) | Q(**{f"{name}_en__isnull": True})
    return french & english


def english_missing(model) -> Q:
    """A row whose French text has no English version, for each translated field of `model`."""
    missing = Q()
    for name in translator.get_options_for_model(model).fields:
        missing |= english_missing_field(name)
    return missing
