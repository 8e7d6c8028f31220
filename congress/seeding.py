"""Loading the seed files of seeds/ into the database (`python manage.py load_seeds`).

How a reload treats what organisers changed in the admin:

- Rows are identified by natural keys: a venue by its name, a room by its venue and slug, an organisation,
  a speaker or a congress by its slug, a track or a session by its congress and slug, a participation by
  its congress and organisation, a speaker's link to a session by the session and the speaker. Once
  loaded, a row is remembered (SeedRecord), so it is still found after an organiser renames it.
- Only the fields written in the seed files are managed. For each one, the value the seed last wrote is
  remembered: a field whose current value still equals it follows the seed file; a field an organiser
  has changed since is kept as it is.
- A seeded row that an organiser deleted is not recreated (nor the rows that belonged to it). A row found
  by its natural key but never loaded from the seeds keeps its current values.
- A seed congress marked current takes the flag from any other edition when it is written.
- Running it twice changes nothing the second time; rows removed from the seed files stay in the database.
- Everything happens in one transaction: a malformed file (YAML syntax, unknown key, missing required
  field, bad value, unknown reference) stops the load with a message naming the file, the entry and the
  field, and nothing is changed.
"""

import zoneinfo
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from congress.models import (
    Congress,
    Organisation,
    Participation,
    Room,
    SeedRecord,
    Session,
    Track,
    Venue,
)
from congress.seed_files import (
    CONGRESS_FIELDS,
    DELETED,
    MISSING,
    MODEL_ORDER,
    ORGANISATION_FIELDS,
    PARTICIPATION_FIELDS,
    POSITION,
    ROOM_FIELDS,
    SECTIONS,
    SESSION_FIELDS,
    SESSION_SPEAKER_FIELDS,
    SPEAKER_FIELDS,
    TRACK_FIELDS,
    VENUE_FIELDS,
    Entry,
    Ref,
    Row,
    SeedError,
    SeedYamlLoader,
    Summary,
    congress_ref,
    display_path,
    french_names,
    label,
    local_datetime,
    organisation_ref,
    reference,
    stored,
    venue_ref,
)

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "seeds"
SEEDED_CONGRESS_SLUG = "france-bioproduction-2025"


class SeedReader:
    """Turns the files of a directory into rows, checking everything that needs no database."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.seen: dict[tuple[type, str], Row] = {}

    def read_directory(self, directory: Path) -> list[Row]:
        if not directory.is_dir():
            raise SeedError(display_path(directory), None, None, "no such directory")
        paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        if not paths:
            raise SeedError(display_path(directory), None, None, "no seed files (*.yaml) in this directory")
        for path in paths:
            self.read_file(path)
        order = {name: index for index, name in enumerate(MODEL_ORDER)}
        return sorted(self.rows, key=lambda row: order.get(row.model.__name__, len(order)))

    def read_file(self, path: Path) -> None:
        file = display_path(path)
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=SeedYamlLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
            raise SeedError(file, where, None, f"YAML syntax error: {getattr(exc, 'problem', None) or exc}") from None
        except UnicodeDecodeError:
            raise SeedError(file, None, None, "not UTF-8 text") from None
        if document is None:
            return
        if not isinstance(document, dict):
            raise SeedError(file, None, None, f"expected sections at the top level ({', '.join(SECTIONS)})")
        for section, entries in document.items():
            if section not in SECTIONS:
                raise SeedError(file, str(section), None, f"unknown section (known sections: {', '.join(SECTIONS)})")
            if not isinstance(entries, list):
                raise SeedError(file, str(section), None, "expected a list of entries (lines starting with “- ”)")
            read = getattr(self, f"read_{section}")
            for index, data in enumerate(entries):
                read(data, file, label(section, index, data, "name" if section == "venues" else "slug"))

    def add(self, model, key: str, lookup: dict, values: dict, entry: Entry) -> None:
        earlier = self.seen.get((model, key))
        if earlier is not None:
            raise entry.error(None, f"duplicate entry: already given in {earlier.file}, {earlier.entry}")
        row = Row(model, key, french_names(model, lookup), french_names(model, values), entry.file, entry.entry)
        self.seen[(model, key)] = row
        self.rows.append(row)

    def read_venues(self, data, file: str, where: str) -> None:
        entry = Entry(data, file=file, entry=where, fields=VENUE_FIELDS, children=["rooms"])
        values = entry.values(VENUE_FIELDS)
        name = values["name"]
        self.add(Venue, name, {"name": name}, values, entry)
        for index, room_data in enumerate(entry.children("rooms")):
            room = Entry(
                room_data, file=file, entry=f"{where} › {label('rooms', index, room_data, 'slug')}",
                fields=[*ROOM_FIELDS, *POSITION],
            )  # fmt: skip
            room_values = {"venue": venue_ref(name), "position": index} | room.values(ROOM_FIELDS | POSITION)
            lookup = {"venue": venue_ref(name), "slug": room_values["slug"]}
            self.add(Room, f"{name}/{room_values['slug']}", lookup, room_values, room)

    def read_organisations(self, data, file: str, where: str) -> None:
        entry = Entry(data, file=file, entry=where, fields=ORGANISATION_FIELDS)
        values = entry.values(ORGANISATION_FIELDS)
        self.add(Organisation, values["slug"], {"slug": values["slug"]}, values, entry)

    def read_speakers(self, data, file: str, where: str) -> None:
        Speaker = apps.get_model("speakers", "Speaker")  # the speakers app depends on congress, not the reverse
        entry = Entry(data, file=file, entry=where, fields=[*SPEAKER_FIELDS, "organisation"])
        values = entry.values(SPEAKER_FIELDS)
        organisation = reference(entry, "organisation", organisation_ref)
        if organisation is not MISSING:
            values["organisation"] = organisation
        self.add(Speaker, values["slug"], {"slug": values["slug"]}, values, entry)

    def read_congresses(self, data, file: str, where: str) -> None:
        entry = Entry(
            data, file=file, entry=where, fields=[*CONGRESS_FIELDS, "venue"],
            children=["tracks", "participations", "sessions"],
        )  # fmt: skip
        values = entry.values(CONGRESS_FIELDS)
        venue = reference(entry, "venue", venue_ref, required=True)
        values["venue"] = venue
        slug = values["slug"]
        if values["end_date"] < values["start_date"]:
            raise entry.error("end_date", "the last day is before the first day")
        time_zone = values.get("time_zone") or Congress._meta.get_field("time_zone").default
        if time_zone not in zoneinfo.available_timezones():
            raise entry.error("time_zone", f"“{time_zone}” is not an IANA time zone such as Europe/Paris")
        self.add(Congress, slug, {"slug": slug}, values, entry)

        for index, track_data in enumerate(entry.children("tracks")):
            track = Entry(
                track_data, file=file, entry=f"{where} › {label('tracks', index, track_data, 'slug')}",
                fields=[*TRACK_FIELDS, *POSITION],
            )  # fmt: skip
            track_values = {"congress": congress_ref(slug), "position": index} | track.values(TRACK_FIELDS | POSITION)
            lookup = {"congress": congress_ref(slug), "slug": track_values["slug"]}
            self.add(Track, f"{slug}/{track_values['slug']}", lookup, track_values, track)

        for index, participation_data in enumerate(entry.children("participations")):
            participation = Entry(
                participation_data, file=file,
                entry=f"{where} › {label('participations', index, participation_data, 'organisation')}",
                fields=[*PARTICIPATION_FIELDS, *POSITION, "organisation"],
            )  # fmt: skip
            organisation = reference(participation, "organisation", organisation_ref, required=True)
            participation_values = {"congress": congress_ref(slug), "organisation": organisation, "position": index}
            participation_values |= participation.values(PARTICIPATION_FIELDS | POSITION)
            participation_values.setdefault("tier", "")
            if participation_values["tier"] is None:
                participation_values["tier"] = ""
            lookup = {"congress": congress_ref(slug), "organisation": organisation}
            self.add(Participation, f"{slug}/{organisation.key}", lookup, participation_values, participation)

        for index, session_data in enumerate(entry.children("sessions")):
            self.read_session(
                session_data, file, f"{where} › {label('sessions', index, session_data, 'slug')}",
                congress=slug, venue=venue.key, time_zone=time_zone,
            )  # fmt: skip

    def read_session(self, data, file: str, where: str, *, congress: str, venue: str, time_zone: str) -> None:
        SessionSpeaker, Speaker = apps.get_model("speakers", "SessionSpeaker"), apps.get_model("speakers", "Speaker")
        entry = Entry(
            data, file=file, entry=where, fields=[*SESSION_FIELDS, "starts_at", "ends_at", "room", "track"],
            children=["speakers"],
        )  # fmt: skip
        values = {"congress": congress_ref(congress)} | entry.values(SESSION_FIELDS)
        when = local_datetime(time_zone)
        values["starts_at"] = entry.get("starts_at", when, required=True)
        values["ends_at"] = entry.get("ends_at", when, required=True)
        if values["ends_at"] <= values["starts_at"]:
            raise entry.error("ends_at", "the end must be after the start")
        room = reference(
            entry, "room", lambda slug: Ref(Room, f"{venue}/{slug}", {"venue": venue_ref(venue), "slug": slug}, slug)
        )
        track = reference(
            entry,
            "track",
            lambda slug: Ref(Track, f"{congress}/{slug}", {"congress": congress_ref(congress), "slug": slug}, slug),
        )
        for name, value in (("room", room), ("track", track)):
            if value is not MISSING:
                values[name] = value
        slug = values["slug"]
        session = Ref(Session, f"{congress}/{slug}", {"congress": congress_ref(congress), "slug": slug}, slug)
        self.add(Session, session.key, session.lookup, values, entry)

        for index, link_data in enumerate(entry.children("speakers")):
            link = Entry(
                link_data, file=file, entry=f"{where} › {label('speakers', index, link_data, 'speaker')}",
                fields=[*SESSION_SPEAKER_FIELDS, *POSITION, "speaker"],
            )  # fmt: skip
            speaker = reference(link, "speaker", lambda slug: Ref(Speaker, slug, {"slug": slug}, slug), required=True)
            link_values = {"session": session, "speaker": speaker, "position": index}
            link_values |= link.values(SESSION_SPEAKER_FIELDS | POSITION)
            lookup = {"session": session, "speaker": speaker}
            self.add(SessionSpeaker, f"{session.key}/{speaker.key}", lookup, link_values, link)


MISSING_VALUE = object()  # never equal to a stored value


class SeedWriter:
    def __init__(self) -> None:
        self.records = {(record.model_label, record.natural_key): record for record in SeedRecord.objects.all()}
        self.done: dict[tuple[type, str], object] = {}
        self.summary = Summary()

    def resolve(self, ref: Ref):
        """The row a reference names, DELETED if an organiser deleted it, None if there is no such row."""
        if (ref.model, ref.key) in self.done:
            return self.done[(ref.model, ref.key)]
        record = self.records.get((ref.model._meta.label, ref.key))
        if record is not None:
            return ref.model.objects.filter(pk=record.values.get("pk")).first() or DELETED
        lookup = {}
        for name, value in ref.lookup.items():
            value = self.resolve(value) if isinstance(value, Ref) else value
            if value is None or value is DELETED:
                return value
            lookup[name] = value
        return ref.model.objects.filter(**lookup).first()

    def resolved_values(self, row: Row) -> dict:
        values = {}
        for name, value in row.values.items():
            if isinstance(value, Ref):
                target = self.resolve(value)
                if target is None:
                    kind = value.model._meta.verbose_name
                    raise SeedError(row.file, row.entry, name, f"unknown {kind} “{value.text}”")
                value = target
            values[name] = value
        return values

    def apply(self, row: Row) -> None:
        model, opts = row.model, row.model._meta
        values = self.resolved_values(row)
        self.check_values(row, values)
        record = self.records.get((opts.label, row.key))
        if record is not None:
            instance = model.objects.filter(pk=record.values.get("pk")).first()
            if instance is None:  # an organiser deleted it: not brought back
                self.skip_deleted(row)
                return
        else:
            lookup = {name: values[name] for name in row.lookup}
            if DELETED in lookup.values():  # it belonged to a deleted row
                self.skip_deleted(row)
                return
            instance = model.objects.filter(**lookup).first()
        if instance is None and any(
            value is DELETED and not opts.get_field(name).null for name, value in values.items()
        ):
            self.skip_deleted(row)
            return
        last = record.values.get("fields", {}) if record is not None else {}
        seeded_fields = dict(last)
        if instance is None:
            instance = model(**{name: None if value is DELETED else value for name, value in values.items()})
            changed = list(values)
            seeded_fields = {name: stored(opts.get_field(name), getattr(instance, name)) for name in values}
            self.summary.created += 1
        else:
            changed = []
            for name, value in values.items():
                model_field = opts.get_field(name)
                current = stored(model_field, getattr(instance, model_field.attname))
                if value is DELETED:
                    self.summary.kept_fields += 1
                    continue
                seeded = stored(model_field, value)
                if current == seeded:
                    seeded_fields[name] = seeded
                elif current == self.last_seeded(last, name):
                    setattr(instance, name, value)
                    seeded_fields[name] = seeded
                    changed.append(name)
                else:
                    self.summary.kept_fields += 1
            if changed:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
        if changed:
            self.save(row, instance)
        self.done[(model, row.key)] = instance
        new_values = {"pk": instance.pk, "fields": seeded_fields}
        if record is None:
            self.records[(opts.label, row.key)] = SeedRecord.objects.create(
                model_label=opts.label, natural_key=row.key, values=new_values
            )
        elif record.values != new_values:
            record.values = new_values
            record.save()

    @staticmethod
    def last_seeded(last: dict, name: str):
        """What the seed last wrote in a field; records made before English existed name `title_fr` `title`."""
        if name in last:
            return last[name]
        french_suffix = f"_{settings.LANGUAGE_CODE}"
        if name.endswith(french_suffix) and name.removesuffix(french_suffix) in last:
            return last[name.removesuffix(french_suffix)]
        return MISSING_VALUE

    def skip_deleted(self, row: Row) -> None:
        self.summary.deleted_rows += 1
        self.done[(row.model, row.key)] = DELETED

    def check_values(self, row: Row, values: dict) -> None:
        """Field-level checks (choices, lengths, formats) of the seed's values, even those an organiser overrides."""
        for name, value in values.items():
            if value is None and not row.model._meta.get_field(name).null:
                raise SeedError(row.file, row.entry, name, "this field cannot be empty")
        candidate = row.model(**{name: value for name, value in values.items() if value is not DELETED})
        exclude = {model_field.name for model_field in row.model._meta.fields if model_field.name not in values}
        # Relations are resolved already; checking them again would cost a query each.
        exclude |= {name for name in values if row.model._meta.get_field(name).is_relation}
        try:
            candidate.clean_fields(exclude=exclude)
        except ValidationError as exc:
            raise self.seed_error(row, exc) from None

    def save(self, row: Row, instance: models.Model) -> None:
        if isinstance(instance, Congress) and instance.is_current:
            # One current edition: the seeded one takes the flag (bulk update: the save below bumps the version).
            Congress.objects.current().exclude(pk=instance.pk).update(is_current=False)
        try:
            instance.full_clean()
        except ValidationError as exc:
            raise self.seed_error(row, exc) from None
        instance.save()  # through save(): signals bump the programme version, Session counts its revision

    @staticmethod
    def seed_error(row: Row, exc: ValidationError) -> SeedError:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        name, messages = next(iter(errors.items()))
        return SeedError(row.file, row.entry, None if name == NON_FIELD_ERRORS else name, " ".join(messages))


def load_seeds(directory: Path = DEFAULT_DIRECTORY) -> Summary:
    """Read every seed file of `directory`, then write them in one transaction (see the module docstring)."""
    rows = SeedReader().read_directory(Path(directory))
    with transaction.atomic():
        writer = SeedWriter()
        for row in rows:
            writer.apply(row)
    return writer.summary


def database_has_seeds() -> bool:
    return SeedRecord.objects.exists() or Congress.objects.filter(slug=SEEDED_CONGRESS_SLUG).exists()
