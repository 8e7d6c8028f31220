"""Reading frab schedules (`schedule.xml`, C3VOC `schedule.json`) into plain data, without the database.

What pretalx, frab and our own feeds (congress.frab) write. A problem with the file as a whole (size, syntax,
forbidden XML entities, missing structure) raises ScheduleFileError naming the file and the line or path; a
problem with one event (a missing title, a start that is not a time) is kept on that event, so that a preview
lists every faulty line at once. XML is parsed by defusedxml: no DTD entities, no external references, so
neither XXE nor entity expansion ("billion laughs") can happen.
"""

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils.translation import gettext as _

from congress.ical import clean_text

# Files above this size are refused before parsing (README, "Importing a programme"). A 2,000-session frab
# XML of ours weighs 1.3 MB; pretalx writes about 1.4 KB per session.
MAX_FILE_BYTES = 10 * 1024 * 1024
DURATION_PATTERN = re.compile(r"(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?::(\d{2}))?")


class ScheduleFileError(Exception):
    """A file that cannot be read at all; nothing of it is imported."""

    def __init__(self, file: str, where: str | None, field_name: str | None, message: str):
        self.file, self.where, self.field_name, self.message = file, where, field_name, message
        super().__init__(describe(file, where, field_name, message))


def describe(file: str, where: str | None, field_name: str | None, message: str) -> str:
    parts = [file, where, _("field “%(name)s”") % {"name": field_name} if field_name else None]
    return ", ".join(part for part in parts if part) + f": {message}"


def required() -> str:
    return _("this field is required")


def line_column(line: int, column: int) -> str:
    return _("line %(line)d, column %(column)d") % {"line": line, "column": column}


def line_label(line: int) -> str:
    return _("line %(line)d") % {"line": line}


@dataclass
class ImportedRoom:
    name: str
    capacity: int | None = None


@dataclass
class ImportedTrack:
    name: str
    slug: str = ""
    colour: str = ""


@dataclass
class ImportedEvent:
    where: str  # "line 42" (XML) or a path such as "days[0] › Salle 1 › [3]" (JSON)
    guid: str = ""
    event_id: str = ""
    slug: str = ""
    title: str = ""
    abstract: str = ""
    starts_at: dt.datetime | None = None  # naive when the file gives no offset
    duration: dt.timedelta | None = None
    room: str = ""
    track: str = ""
    kind: str = ""
    language: str = ""
    persons: list[str] = field(default_factory=list)
    cancelled: bool = False
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (field, message)

    def error(self, field_name: str | None, message: str) -> None:
        self.errors.append((field_name, message))


@dataclass
class ImportedSchedule:
    file: str
    format: str  # "xml" or "json"
    acronym: str = ""
    time_zone: str = ""
    rooms: list[ImportedRoom] = field(default_factory=list)
    tracks: list[ImportedTrack] = field(default_factory=list)
    events: list[ImportedEvent] = field(default_factory=list)


def read_schedule(name: str, content: bytes) -> ImportedSchedule:
    """The schedule in `content` (the bytes of the file called `name`), XML or JSON by its first character."""
    file = PurePath(name).name or "schedule"
    if len(content) > MAX_FILE_BYTES:
        raise ScheduleFileError(
            file,
            None,
            None,
            _("the file is larger than %(limit)d MB, the import limit") % {"limit": MAX_FILE_BYTES // 2**20},
        )
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        return read_xml(file, content)
    if start == b"{":
        return read_json(file, content)
    raise ScheduleFileError(file, None, None, _("neither a frab schedule.xml nor a schedule.json"))


# --- Values --------------------------------------------------------------------------------------------


def parse_moment(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        message = _("“%(value)s” is not a date and time such as 2025-03-19T10:30:00+01:00")
        raise ValueError(message % {"value": value}) from None


def parse_duration(value: str) -> dt.timedelta:
    match = DURATION_PATTERN.fullmatch(str(value).strip())
    if not match:
        raise ValueError(_("“%(value)s” is not a duration such as 00:45") % {"value": value})
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    duration = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if duration <= dt.timedelta(0):
        raise ValueError(_("“%(value)s”: a session must last more than zero minutes") % {"value": value})
    return duration


def check_guid(value: str) -> str:
    value = value.strip()
    if value:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError(_("“%(value)s” is not a UUID") % {"value": value}) from None
    return ""


def fill_event(event: ImportedEvent, values: dict, day_date: str | None) -> None:
    """Set the event's fields from text values, noting each faulty one on the event."""
    # Plain \n line ends and no control characters, as the admin saves text and our feeds write it.
    values = {name: clean_text(value) for name, value in values.items()}
    for name in ("title", "room"):
        if not values.get(name, "").strip():
            event.error(name, required())
    event.title = values.get("title", "").strip()
    event.room = values.get("room", "").strip()
    abstract, description = values.get("abstract", "").strip(), values.get("description", "").strip()
    event.abstract = "\n\n".join(part for part in (abstract, description) if part)
    event.track = values.get("track", "").strip()
    event.kind = values.get("type", "").strip()
    event.language = values.get("language", "").strip().lower()
    event.slug = values.get("slug", "").strip()
    event.event_id = values.get("id", "").strip()
    event.cancelled = values.get("status", "").strip().lower() in {"cancelled", "canceled"}
    try:
        event.guid = check_guid(values.get("guid", ""))
    except ValueError as exc:
        event.error("guid", str(exc))
    date, start = values.get("date", "").strip(), values.get("start", "").strip()
    if date and ("T" in date or " " in date):  # frab's full date and time, with or without an offset
        try:
            event.starts_at = parse_moment(date)
        except ValueError as exc:
            event.error("date", str(exc))
    elif not (date or day_date):
        event.error("date", required())
    elif not start:
        event.error("start", required())
    else:
        try:
            day = dt.date.fromisoformat(date or day_date)
        except ValueError:
            event.error("date", _("“%(value)s” is not a date such as 2025-03-19") % {"value": date or day_date})
        else:
            try:
                event.starts_at = dt.datetime.combine(day, dt.time.fromisoformat(start))
            except ValueError:
                event.error("start", _("“%(value)s” is not a time such as 10:30") % {"value": start})
    if not values.get("duration", "").strip():
        event.error("duration", required())
    else:
        try:
            event.duration = parse_duration(values["duration"])
        except ValueError as exc:
            event.error("duration", str(exc))


# --- XML -----------------------------------------------------------------------------------------------


class LineNumberingParser(DefusedXMLParser):
    """defusedxml's parser (pure Python ElementTree underneath), remembering the line each element starts on."""

    def _start(self, *args):
        element = super()._start(*args)
        element.sourceline = self.parser.CurrentLineNumber
        return element


def _text(element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "") if child is not None else ""


def read_xml(file: str, content: bytes) -> ImportedSchedule:
    parser = LineNumberingParser()
    try:
        parser.feed(content)
        root = parser.close()
    except DefusedXmlException as exc:
        message = _("XML entities and external references are not accepted (%(reason)s)")
        raise ScheduleFileError(file, None, None, message % {"reason": type(exc).__name__}) from None
    except ParseError as exc:
        line, column = exc.position
        where = line_column(line, column + 1)
        raise ScheduleFileError(
            file, where, None, _("XML syntax error: %(error)s") % {"error": ErrorString(exc.code)}
        ) from None
    if root.tag != "schedule":
        raise ScheduleFileError(file, line_label(root.sourceline), None, _("the root element is not <schedule>"))
    schedule = ImportedSchedule(file=file, format="xml")
    conference = root.find("conference")
    if conference is None:
        raise ScheduleFileError(file, line_label(root.sourceline), "conference", _("this element is required"))
    schedule.acronym = _text(conference, "acronym").strip()
    schedule.time_zone = _text(conference, "time_zone_name").strip()
    for track in conference.findall("track"):
        name = (track.get("name") or track.text or "").strip()
        if name:
            schedule.tracks.append(ImportedTrack(name, track.get("slug", ""), track.get("color", "")))
    seen_rooms: set[str] = set()
    for day in root.findall("day"):
        for room in day.findall("room"):
            room_name = (room.get("name") or "").strip()
            if room_name and room_name not in seen_rooms:
                seen_rooms.add(room_name)
                schedule.rooms.append(ImportedRoom(room_name))
            for element in room.findall("event"):
                schedule.events.append(_xml_event(element, day.get("date"), room_name))
    return schedule


XML_EVENT_TEXT = ("title", "abstract", "description", "date", "start", "duration", "room", "slug", "track", "type")
XML_EVENT_TEXT += ("language", "status")


def _xml_event(element, day_date: str | None, room_name: str) -> ImportedEvent:
    event = ImportedEvent(where=line_label(element.sourceline))
    values = {name: _text(element, name) for name in XML_EVENT_TEXT}
    values |= {"guid": element.get("guid", ""), "id": element.get("id", "")}
    values["room"] = values["room"] or room_name
    fill_event(event, values, day_date)
    persons = element.find("persons")
    if persons is not None:
        event.persons = [name[:200] for person in persons.findall("person") if (name := (person.text or "").strip())]
    return event


# --- JSON ----------------------------------------------------------------------------------------------


def _mapping(value, file: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise ScheduleFileError(file, where, None, _("expected a JSON object"))
    return value


def _list(value) -> list:
    """A list where the file should have one; anything else is read as an empty list."""
    return value if isinstance(value, list) else []


def _string(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, str | int | float) else ""


def read_json(file: str, content: bytes) -> ImportedSchedule:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScheduleFileError(file, None, None, _("not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        where = line_column(exc.lineno, exc.colno)
        raise ScheduleFileError(file, where, None, _("JSON syntax error: %(error)s") % {"error": exc.msg}) from None
    except RecursionError:
        raise ScheduleFileError(file, None, None, _("JSON nested too deeply")) from None
    root = _mapping(data, file, "top level")
    if "schedule" not in root:
        raise ScheduleFileError(file, "top level", "schedule", required())
    conference = _mapping(_mapping(root["schedule"], file, "schedule").get("conference"), file, "schedule.conference")
    schedule = ImportedSchedule(file=file, format="json")
    schedule.acronym = _string(conference.get("acronym")).strip()
    schedule.time_zone = _string(conference.get("time_zone_name")).strip()
    for room in _list(conference.get("rooms")):
        if isinstance(room, dict) and _string(room.get("name")).strip():
            capacity = room.get("capacity")
            capacity = (
                capacity if isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 0 else None
            )
            schedule.rooms.append(ImportedRoom(_string(room["name"]).strip(), capacity))
    for track in _list(conference.get("tracks")):
        if isinstance(track, dict) and _string(track.get("name")).strip():
            schedule.tracks.append(
                ImportedTrack(_string(track["name"]).strip(), _string(track.get("slug")), _string(track.get("color")))
            )
    days = conference.get("days")
    if not isinstance(days, list):
        raise ScheduleFileError(file, "schedule.conference", "days", _("expected a list of days"))
    known_rooms = {room.name for room in schedule.rooms}
    for day_index, day in enumerate(days):
        day = _mapping(day, file, f"days[{day_index}]")
        rooms = _mapping(day.get("rooms") or {}, file, f"days[{day_index}].rooms")
        for room_name, events in rooms.items():
            if room_name not in known_rooms:
                known_rooms.add(room_name)
                schedule.rooms.append(ImportedRoom(room_name))
            if not isinstance(events, list):
                raise ScheduleFileError(file, f"days[{day_index}] › {room_name}", None, _("expected a list of events"))
            for index, data in enumerate(events):
                where = f"days[{day_index}] › {room_name} › [{index}]"
                event = _json_event(_mapping(data, file, where), where, _string(day.get("date")), room_name)
                schedule.events.append(event)
    return schedule


JSON_EVENT_TEXT = ("guid", "id", "title", "abstract", "description", "date", "start", "duration", "room", "slug")
JSON_EVENT_TEXT += ("track", "type", "language", "status")


def _json_event(data: dict, where: str, day_date: str, room_name: str) -> ImportedEvent:
    title = _string(data.get("title")).strip()
    event = ImportedEvent(where=f"{where} “{title}”" if title else where)
    values = {name: _string(data.get(name)) for name in JSON_EVENT_TEXT}
    values["room"] = values["room"] or room_name
    fill_event(event, values, day_date or None)
    for person in _list(data.get("persons")):
        if isinstance(person, dict):
            name = _string(person.get("public_name") or person.get("name")).strip()
        else:
            name = _string(person).strip()
        if name:
            event.persons.append(name[:200])  # the length of Speaker.name
    return event
