"""What importing a frab schedule into an edition would do, worked out without writing anything.

`plan_import` matches every event of the file to a session (the file's guid, then the slug), says for each one
whether it would be created, updated (and which fields), left unchanged or refused, and lists the sessions an
earlier import brought in that the file no longer has. congress.imports.writing applies a plan.

Which fields an import owns, and what happens to one an organiser has since changed (the `load_seeds` rule,
congress.seeding): for each session the values the import last wrote are remembered (a SeedRecord labelled
IMPORT_RECORD_LABEL); a field whose current value still equals the one last imported follows the file, a field
an organiser changed since is kept; a session matched for the first time keeps the values that differ from the
file; an imported session an organiser deleted is not recreated.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from congress.imports.french import column, names_of
from congress.imports.readers import ImportedEvent, ImportedSchedule, describe
from congress.models import Congress, Room, SeedRecord, Session, Track
from congress.seed_files import stored

IMPORT_RECORD_LABEL = "import:congress.Session"
# The fields an import owns; "speakers" is the ordered list of the session's speaker names.
OWNED_FIELDS = ("title", "abstract", "kind", "language", "starts_at", "ends_at", "room", "track", "status")
SPEAKERS = "speakers"
DEFAULT_TRACK_COLOUR = "#1f5f8b"


class Outcome:
    CREATED, UPDATED, UNCHANGED, ERROR, SKIPPED = "created", "updated", "unchanged", "error", "skipped"


@dataclass
class SessionLine:
    where: str
    title: str
    outcome: str = Outcome.UNCHANGED
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    session: Session | None = None
    speaker_names: list[str] = field(default_factory=list)
    speakers_change: bool = False
    record_key: str = ""
    record: SeedRecord | None = None
    followed: list[str] = field(default_factory=list)  # fields whose value is now the file's


@dataclass
class ImportPlan:
    schedule: ImportedSchedule
    congress: Congress
    prune: bool = False
    lines: list[SessionLine] = field(default_factory=list)
    missing: list[Session] = field(default_factory=list)
    new_rooms: list[Room] = field(default_factory=list)
    new_tracks: list[Track] = field(default_factory=list)
    naive_times: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def errors(self) -> list[str]:
        return [message for line in self.lines for message in line.errors]

    @property
    def changed(self) -> int:
        pruned = len(self.missing) if self.prune else 0
        return self.count(Outcome.CREATED) + self.count(Outcome.UPDATED) + pruned

    def summary(self) -> str:
        counts = {name: self.count(name) for name in ("created", "updated", "unchanged", "skipped", "error")}
        return _(
            "%(total)d session(s) in the file: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(skipped)d skipped, %(error)d with errors; %(changed)d changed"
        ) % {"total": len(self.lines), "changed": self.changed, **counts}


def kind_names() -> dict[str, str]:
    """Session kinds by their key and their English and French names, slugified ("Round table" → round-table)."""
    names = {}
    for kind in Session.Kind:
        names[kind.value] = kind.value
        for language in ("en", "fr"):
            with translation.override(language):
                names[slugify(str(kind.label))] = kind.value
    return names


def unique_slug(base: str, taken: set[str], *, max_length: int, fallback: str) -> str:
    base = (slugify(base) or fallback)[:max_length].strip("-") or fallback
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = base[: max_length - len(suffix)] + suffix, number + 1
    taken.add(slug)
    return slug


class Planner:
    def __init__(self, schedule: ImportedSchedule, congress: Congress, *, prune: bool):
        self.plan = ImportPlan(schedule=schedule, congress=congress, prune=prune)
        self.schedule, self.congress = schedule, congress
        self.kinds = kind_names()
        self.unknown_kinds: dict[str, int] = {}
        self.unknown_languages: dict[str, int] = {}
        self.rooms = list(congress.venue.rooms.all())
        self.tracks = list(congress.tracks.all())
        self.room_slugs = {room.slug for room in self.rooms}
        self.track_slugs = {track.slug for track in self.tracks}
        self.capacities = {room.name: room.capacity for room in schedule.rooms}
        self.track_info = {track.name: track for track in schedule.tracks}
        self.room_of: dict[str, Room | None] = {}
        self.track_of: dict[str, Track | None] = {}
        self.matched: dict[int, str] = {}  # session pk → where in the file it was matched
        self.records = {
            record.natural_key: record
            for record in SeedRecord.objects.filter(
                model_label=IMPORT_RECORD_LABEL, natural_key__startswith=f"{congress.pk}/"
            )
        }
        self.sessions = {
            session.pk: session
            for session in congress.sessions.select_related("room", "track").prefetch_related("speaker_links__speaker")
        }
        self.by_uid = {str(session.uid): session for session in self.sessions.values()}
        self.by_slug = {session.slug: session for session in self.sessions.values()}
        self.slugs = set(self.by_slug)
        guids = [event.guid for event in schedule.events if event.guid and event.guid not in self.by_uid]
        self.elsewhere = dict(
            Session.objects.filter(uid__in=guids).exclude(congress=congress).values_list("uid", "congress__name")
        )

    # --- rooms and tracks: found by name or slug, else planned for creation ---------------------------

    def room(self, name: str) -> Room | None:
        if name not in self.room_of:
            self.room_of[name] = self.find_or_plan_room(name)
        return self.room_of[name]

    def find_or_plan_room(self, name: str) -> Room | None:
        key, slug = name.casefold(), slugify(name)
        for room in self.rooms:
            if key in names_of(room) or room.slug == slug:
                return room
        if key == self.congress.venue.name.casefold():
            return None  # our own export lists a session without a room under the venue's name
        room = Room(
            venue=self.congress.venue,
            name_fr=name[: Room._meta.get_field("name").max_length],
            slug=unique_slug(name, self.room_slugs, max_length=100, fallback="room"),
            capacity=self.capacities.get(name),
            position=max([room.position for room in self.rooms] or [0]) + 1,
        )
        self.rooms.append(room)
        self.plan.new_rooms.append(room)
        return room

    def track(self, name: str) -> Track | None:
        if name not in self.track_of:
            self.track_of[name] = self.find_or_plan_track(name) if name else None
        return self.track_of[name]

    def find_or_plan_track(self, name: str) -> Track:
        key, slug = name.casefold(), slugify(name)
        for track in self.tracks:
            if key in names_of(track) or track.slug == slug:
                return track
        info = self.track_info.get(name)
        colour = info.colour if info and len(info.colour) == 7 and info.colour.startswith("#") else ""
        track = Track(
            congress=self.congress,
            name_fr=name[: Track._meta.get_field("name").max_length],
            slug=unique_slug(
                info.slug if info and info.slug else name, self.track_slugs, max_length=100, fallback="track"
            ),
            colour=colour or DEFAULT_TRACK_COLOUR,
            position=len(self.tracks),
        )
        self.tracks.append(track)
        self.plan.new_tracks.append(track)
        return track

    # --- one event -------------------------------------------------------------------------------------

    def values(self, event: ImportedEvent, line: SessionLine) -> dict | None:
        starts_at, zone = event.starts_at, self.congress.tzinfo
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=zone)
            self.plan.naive_times += 1
            if starts_at.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != event.starts_at:
                message = _("%(moment)s does not exist in %(zone)s (the clocks skip it)")
                self.error(line, event, "date", message % {"moment": event.starts_at, "zone": self.congress.time_zone})
                return None
        try:
            ends_at = starts_at + event.duration
        except OverflowError:
            self.error(line, event, "duration", _("the session would end after the year 9999"))
            return None
        if starts_at < self.congress.starts_at or ends_at > self.congress.ends_at:
            first, last = self.congress.start_date.isoformat(), self.congress.end_date.isoformat()
            message = _("%(moment)s is outside the edition’s dates (%(first)s – %(last)s)") % {
                "moment": f"{self.congress.local(starts_at):%Y-%m-%d %H:%M}",
                "first": first,
                "last": last,
            }
            self.error(line, event, "date", message)
            return None
        kind = self.kinds.get(slugify(event.kind)) if event.kind else Session.Kind.TALK
        if kind is None:
            self.unknown_kinds[event.kind] = self.unknown_kinds.get(event.kind, 0) + 1
            kind = Session.Kind.TALK
        language = event.language[:2] if event.language else Session.Language.FRENCH
        if language not in Session.Language.values:
            self.unknown_languages[event.language] = self.unknown_languages.get(event.language, 0) + 1
            language = Session.Language.FRENCH
        return {
            "title": event.title,
            "abstract": event.abstract,
            "kind": kind,
            "language": language,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "room": self.room(event.room),
            "track": self.track(event.track),
            "status": Session.Status.CANCELLED if event.cancelled else Session.Status.PUBLISHED,
        }

    def error(self, line: SessionLine, event: ImportedEvent, field_name: str | None, message: str) -> None:
        line.outcome = Outcome.ERROR
        line.errors.append(describe(self.schedule.file, event.where, field_name, message))

    def event_slug(self, event: ImportedEvent) -> str:
        slug = event.slug
        prefix = f"{self.schedule.acronym}-{event.event_id}-"
        if self.schedule.acronym and event.event_id and slug.startswith(prefix):
            slug = slug[len(prefix) :]  # the voc convention "<acronym>-<id>-<slug>", ours and pretalx's
        return slugify(slug or event.title)[:120].strip("-")

    def plan_event(self, event: ImportedEvent, seen_keys: set[str]) -> SessionLine:
        line = SessionLine(where=event.where, title=event.title, speaker_names=list(dict.fromkeys(event.persons)))
        for field_name, message in event.errors:
            self.error(line, event, field_name, message)
        slug = self.event_slug(event) or f"session-{uuid.uuid4().hex[:8]}"
        line.record_key = f"{self.congress.pk}/{event.guid or 'slug:' + slug}"
        if line.record_key in seen_keys:
            self.error(line, event, "guid" if event.guid else "slug", _("given twice in this file"))
        seen_keys.add(line.record_key)
        if line.outcome == Outcome.ERROR:
            return line
        values = self.values(event, line)
        if values is None:
            return line
        line.record = self.records.get(line.record_key)
        if line.record is not None:
            session = self.sessions.get(line.record.values.get("pk"))
            if session is None:
                line.outcome = Outcome.SKIPPED
                line.kept = []
                return line
        else:
            session = self.by_uid.get(event.guid) or self.by_slug.get(slug)
            if session is None and event.guid and uuid.UUID(event.guid) in self.elsewhere:
                other = self.elsewhere[uuid.UUID(event.guid)]
                self.error(
                    line,
                    event,
                    "guid",
                    _("this guid already identifies a session of “%(edition)s”") % {"edition": other},
                )
                return line
        if session is not None and session.pk in self.matched:
            message = _("this event and the one at %(where)s match the same session") % {
                "where": self.matched[session.pk]
            }
            self.error(line, event, "slug", message)
            return line
        if session is None:
            self.create(line, event, slug, values)
        else:
            self.matched[session.pk] = event.where
            self.update(line, session, values)
        self.check(line, event)
        return line

    def create(self, line: SessionLine, event: ImportedEvent, slug: str, values: dict) -> None:
        line.session = Session(
            congress=self.congress,
            uid=uuid.UUID(event.guid) if event.guid else uuid.uuid4(),
            slug=unique_slug(slug, self.slugs, max_length=120, fallback="session"),
            **{column(name): value for name, value in values.items()},
        )
        line.outcome = Outcome.CREATED
        line.speakers_change = bool(line.speaker_names)
        line.followed = [*OWNED_FIELDS, SPEAKERS]

    def update(self, line: SessionLine, session: Session, values: dict) -> None:
        last = line.record.values.get("fields", {}) if line.record is not None else {}
        current_values = {name: self.stored_value(name, getattr(session, column(name))) for name in OWNED_FIELDS}
        current_values[SPEAKERS] = [link.speaker.name for link in session.speaker_links_in_order]
        file_values = {name: self.stored_value(name, values[name]) for name in OWNED_FIELDS}
        file_values[SPEAKERS] = line.speaker_names
        for name, wanted in file_values.items():
            if current_values[name] == wanted:
                line.followed.append(name)
            elif name in last and current_values[name] == last[name]:
                line.followed.append(name)
                line.changes.append(name)
            else:
                line.kept.append(name)
        for name in line.changes:
            if name == SPEAKERS:
                line.speakers_change = True
            else:
                setattr(session, column(name), values[name])
        line.session = session
        line.outcome = Outcome.UPDATED if line.changes else Outcome.UNCHANGED

    @staticmethod
    def stored_value(name: str, value):
        if isinstance(value, Room | Track):
            return value.pk if value.pk is not None else f"new:{value.name}"
        return stored(Session._meta.get_field(name), value)

    def check(self, line: SessionLine, event: ImportedEvent) -> None:
        """Field checks of the values to write (lengths, choices), the admin form's own."""
        try:
            line.session.clean_fields(exclude={"congress", "room", "track", "uid"})
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.error(line, event, name, " ".join(messages))

    def run(self) -> ImportPlan:
        # New rooms and tracks take their places in the order the file lists them, not of first use.
        used_rooms = {event.room for event in self.schedule.events}
        used_tracks = {event.track for event in self.schedule.events}
        for room in self.schedule.rooms:
            if room.name in used_rooms:
                self.room(room.name)
        for track in self.schedule.tracks:
            if track.name in used_tracks:
                self.track(track.name)
        seen_keys: set[str] = set()
        self.plan.lines = [self.plan_event(event, seen_keys) for event in self.schedule.events]
        missing_keys = set(self.records) - seen_keys
        self.plan.missing = sorted(
            (
                session
                for key in missing_keys
                if (session := self.sessions.get(self.records[key].values.get("pk"))) is not None
                and session.status != Session.Status.CANCELLED
            ),
            key=lambda session: (session.starts_at, session.title),
        )
        self.notes()
        return self.plan

    def notes(self) -> None:
        notes, zone = self.plan.notes, self.congress.time_zone
        if self.plan.naive_times:
            notes.append(
                _("%(count)d time(s) without a time zone were read in the edition’s zone, %(zone)s.")
                % {"count": self.plan.naive_times, "zone": zone}
            )
        if self.schedule.time_zone and self.schedule.time_zone != zone:
            notes.append(
                _(
                    "The file’s time zone is %(file_zone)s, the edition’s %(zone)s: times with an offset keep "
                    "their instant and are shown in %(zone)s."
                )
                % {"file_zone": self.schedule.time_zone, "zone": zone}
            )
        for kind, count in self.unknown_kinds.items():
            notes.append(
                _("Type “%(kind)s” (%(count)d session(s)) is not one of ours: imported as a talk.")
                % {"kind": kind, "count": count}
            )
        for language, count in self.unknown_languages.items():
            notes.append(
                _("Language “%(language)s” (%(count)d session(s)) is not French or English: imported as French.")
                % {"language": language, "count": count}
            )


def plan_import(schedule: ImportedSchedule, congress: Congress, *, prune: bool = False) -> ImportPlan:
    """What importing `schedule` into `congress` would do; reads the database, writes nothing."""
    return Planner(schedule, congress, prune=prune).run()
