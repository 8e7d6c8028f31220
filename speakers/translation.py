"""Speakers' texts in French and English (see congress.translation)."""

from modeltranslation.translator import TranslationOptions, register

from speakers.models import Speaker


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("job_title", "biography")
    required_languages = ("fr",)
