"""A file's or a spreadsheet's texts are the French versions (django-modeltranslation's `title_fr`)."""

from django.conf import settings

# A file's title and abstract are the French texts: read and written as title_fr and abstract_fr, as
# django-modeltranslation would take `title` in the active language (an English admin page, say).
FRENCH_COLUMNS = {name: f"{name}_{settings.LANGUAGE_CODE}" for name in ("title", "abstract")}


def column(name: str) -> str:
    return FRENCH_COLUMNS.get(name, name)


def names_of(room_or_track) -> set[str]:
    """A room's or track's names in both languages, case-folded: a file may use either."""
    return {name.casefold() for name in (room_or_track.name_fr, room_or_track.name_en) if name}
