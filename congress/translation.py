"""Organiser text in French and English (django-modeltranslation): `title_fr`, `title_en`, …

French is required and the reference; English is optional, and where it is empty the French text is shown.
"""

from modeltranslation.translator import TranslationOptions, register

from congress.models import Congress, Organisation, Room, Session, Track, Venue


class FrenchRequired(TranslationOptions):
    required_languages = ("fr",)


@register(Congress)
class CongressTranslation(FrenchRequired):
    fields = ("name", "short_description", "description")


@register(Venue)
class VenueTranslation(FrenchRequired):
    fields = ("name",)


@register(Room)
class RoomTranslation(FrenchRequired):
    fields = ("name",)


@register(Track)
class TrackTranslation(FrenchRequired):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslation(FrenchRequired):
    fields = ("description",)


@register(Session)
class SessionTranslation(FrenchRequired):
    fields = ("title", "abstract")
