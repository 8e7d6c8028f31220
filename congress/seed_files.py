"""The seed files' format (congress.seeding loads them): YAML without surprises, fields and their conversions,
and errors that name the file, the entry and the field."""

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings
from django.db import models
from modeltranslation.translator import NotRegistered, translator

from congress.models import (
    Congress,
    Organisation,
    Venue,
)

MISSING = object()


class SeedError(Exception):
    """A problem in a seed file, placed by file, entry and field."""

    def __init__(self, file: str, entry: str | None, field_name: str | None, message: str):
        self.file, self.entry, self.field_name, self.message = file, entry, field_name, message
        where = ", ".join(part for part in (file, entry, field_name and f"field “{field_name}”") if part)
        super().__init__(f"{where}: {message}")


class _Deleted:
    """A seeded row an organiser deleted (its SeedRecord remains, the row does not)."""

    def __repr__(self) -> str:
        return "<deleted>"


DELETED = _Deleted()


# --- Reading the files -------------------------------------------------------------------------------


class SeedYamlLoader(yaml.SafeLoader):
    """YAML without the surprises of version 1.1.

    Dates stay text (checked here, with a message saying which entry is wrong, instead of a bare
    ValueError), `10:30` is not the number 630, `no` and `on` are not booleans, and a key written twice in
    one mapping is an error instead of silently keeping the last value.
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"the key “{key}” is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


SeedYamlLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
    ("float", r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]+$", list("-+0123456789")),
]:
    SeedYamlLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)


def text(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("expected text")
    return str(value)


def integer(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"“{value}” is not a whole number")
    return value


def boolean(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"“{value}” is not true or false")
    return value


def decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"“{value}” is not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"“{value}” is not a number") from None


def date(value) -> dt.date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"“{value}” is not a date (expected YYYY-MM-DD)")


DATETIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?")


def local_datetime(time_zone: str) -> Callable[[object], dt.datetime]:
    """A converter of "YYYY-MM-DD HH:MM" read in the congress's zone (an explicit UTC offset is kept)."""

    def convert(value) -> dt.datetime:
        expected = f"“{value}” is not a date and time (expected YYYY-MM-DD HH:MM, in {time_zone})"
        if not isinstance(value, str) or not DATETIME_PATTERN.fullmatch(value):
            raise ValueError(expected)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(expected) from None
        if moment.tzinfo is not None:
            return moment
        zone = zoneinfo.ZoneInfo(time_zone)
        aware = moment.replace(tzinfo=zone)
        if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != moment:
            raise ValueError(f"“{value}” does not exist in {time_zone} (the clocks skip it)")
        return aware

    return convert


@dataclass(frozen=True)
class Ref:
    """A reference to a row by natural key: seeded in this run, seeded before, or made in the admin."""

    model: type[models.Model]
    key: str
    lookup: dict  # natural-key fields → value or Ref, to find a row that has no SeedRecord
    text: str  # how the file names it, for messages


@dataclass
class Row:
    model: type[models.Model]
    key: str
    lookup: dict
    values: dict  # seeded field → value or Ref (the lookup fields included)
    file: str
    entry: str


class Entry:
    """One mapping of a seed file: checks its keys and converts its values, naming itself in errors."""

    def __init__(self, data, *, file: str, entry: str, fields: Iterable[str], children: Iterable[str] = ()):
        self.file, self.entry, self.data = file, entry, data
        if not isinstance(data, dict):
            raise SeedError(file, entry, None, "expected a mapping of “field: value” lines")
        known = [*fields, *children]
        for name in data:
            if name not in known:
                raise SeedError(file, entry, str(name), f"unknown field (known fields: {', '.join(known)})")

    def error(self, field_name: str | None, message: str) -> SeedError:
        return SeedError(self.file, self.entry, field_name, message)

    def get(self, name: str, convert: Callable, *, required: bool = False):
        if name not in self.data or (required and self.data[name] in (None, "")):
            if required:
                raise self.error(name, "this field is required")
            return MISSING
        if self.data[name] is None:  # `field:` with nothing after it
            return "" if convert is text else None
        try:
            return convert(self.data[name])
        except ValueError as exc:
            raise self.error(name, str(exc)) from None

    def values(self, spec: dict[str, tuple[Callable, bool]]) -> dict:
        converted = {name: self.get(name, convert, required=required) for name, (convert, required) in spec.items()}
        return {name: value for name, value in converted.items() if value is not MISSING}

    def children(self, name: str) -> list:
        items = self.data.get(name) or []
        if not isinstance(items, list):
            raise self.error(name, "expected a list of entries (lines starting with “- ”)")
        return items


def label(section: str, index: int, data, key_field: str) -> str:
    key = data.get(key_field) if isinstance(data, dict) else None
    return f"{section}[{index}]" + (f" “{key}”" if isinstance(key, str | int) and key != "" else "")


REQUIRED, OPTIONAL = True, False
# A field without suffix is the French text (the reference); `…_en` its optional English version.
VENUE_FIELDS = {
    "name": (text, REQUIRED),
    "name_en": (text, OPTIONAL),
    "street_address": (text, OPTIONAL),
    "postcode": (text, OPTIONAL),
    "city": (text, REQUIRED),
    "country": (text, OPTIONAL),
    "latitude": (decimal, OPTIONAL),
    "longitude": (decimal, OPTIONAL),
}
ROOM_FIELDS = {
    "slug": (text, REQUIRED),
    "name": (text, REQUIRED),
    "name_en": (text, OPTIONAL),
    "capacity": (integer, OPTIONAL),
}
ORGANISATION_FIELDS = {
    "slug": (text, REQUIRED),
    "name": (text, REQUIRED),
    "website": (text, OPTIONAL),
    "description": (text, OPTIONAL),
    "description_en": (text, OPTIONAL),
}
SPEAKER_FIELDS = {
    "slug": (text, REQUIRED),
    "name": (text, REQUIRED),
    "sort_name": (text, OPTIONAL),
    "job_title": (text, OPTIONAL),
    "job_title_en": (text, OPTIONAL),
    "biography": (text, OPTIONAL),
    "biography_en": (text, OPTIONAL),
}
CONGRESS_FIELDS = {
    "slug": (text, REQUIRED),
    "edition": (integer, REQUIRED),
    "name": (text, REQUIRED),
    "name_en": (text, OPTIONAL),
    "acronym": (text, REQUIRED),
    "start_date": (date, REQUIRED),
    "end_date": (date, REQUIRED),
    "time_zone": (text, OPTIONAL),
    "short_description": (text, OPTIONAL),
    "short_description_en": (text, OPTIONAL),
    "description": (text, OPTIONAL),
    "description_en": (text, OPTIONAL),
    "website": (text, OPTIONAL),
    "is_current": (boolean, OPTIONAL),
    "prefix": (text, OPTIONAL),
    "is_published": (boolean, OPTIONAL),
}
TRACK_FIELDS = {
    "slug": (text, REQUIRED),
    "name": (text, REQUIRED),
    "name_en": (text, OPTIONAL),
    "colour": (text, OPTIONAL),
}
PARTICIPATION_FIELDS = {"role": (text, REQUIRED), "tier": (text, OPTIONAL)}
SESSION_FIELDS = {
    "slug": (text, REQUIRED),
    "title": (text, REQUIRED),
    "title_en": (text, OPTIONAL),
    "kind": (text, OPTIONAL),
    "abstract": (text, OPTIONAL),
    "abstract_en": (text, OPTIONAL),
    "is_highlighted": (boolean, OPTIONAL),
    "time_to_be_confirmed": (boolean, OPTIONAL),
    "status": (text, OPTIONAL),
    "language": (text, OPTIONAL),
}
SESSION_SPEAKER_FIELDS = {"role": (text, OPTIONAL)}
POSITION = {"position": (integer, OPTIONAL)}
SECTIONS = ("venues", "organisations", "speakers", "congresses")
# Applied in this order, so that every reference to a seeded row finds it already saved.
MODEL_ORDER = [
    "Venue", "Room", "Organisation", "Speaker", "Congress", "Track", "Participation", "Session", "SessionSpeaker",
]  # fmt: skip


def french_names(model: type[models.Model], mapping: dict) -> dict:
    """A seed's `title` is the French text: the row names its column, `title_fr`, so that loading and matching
    do not depend on the active language (django-modeltranslation reads and writes `title` in that one)."""
    try:
        translated = translator.get_options_for_model(model).fields
    except NotRegistered:
        return dict(mapping)
    return {
        f"{name}_{settings.LANGUAGE_CODE}" if name in translated else name: value for name, value in mapping.items()
    }


def venue_ref(name: str) -> Ref:
    return Ref(Venue, name, french_names(Venue, {"name": name}), name)


def congress_ref(slug: str) -> Ref:
    return Ref(Congress, slug, {"slug": slug}, slug)


def organisation_ref(slug: str) -> Ref:
    return Ref(Organisation, slug, {"slug": slug}, slug)


def reference(entry: Entry, name: str, make: Callable[[str], Ref], *, required: bool = False):
    value = entry.get(name, text, required=required)
    if value is MISSING:
        return MISSING
    return make(value) if value else None


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_fields: int = 0
    deleted_rows: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged; "
            f"kept {self.kept_fields} field(s) changed by organisers and {self.deleted_rows} row(s) they deleted"
        )


def stored(model_field: models.Field, value):
    """The JSON form of a field's value, the same whether it comes from the seed file or the database."""
    if value is None:
        return None
    if model_field.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-model_field.decimal_places)))
    if isinstance(value, str):  # a text saved from a browser's textarea came with \r\n line ends
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value
