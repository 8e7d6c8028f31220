"""The frab schedule (XML and JSON) that conference apps read: Giggity, ConfClerk, EventFahrplan.

`build_schedule` shapes the programme once; `schedule_xml_bytes` and `schedule_json_bytes` write it in the two
forms of the family, which validate against the reference schemas of voc/schedule (see ../shared/schemas/).
No HTTP here (congress.feeds serves them), and no query beyond what the caller has loaded.

Choices the schemas leave open, made for the apps: days run from midnight to midnight in the congress zone;
an event's `id` is the session's primary key and its `guid` the session's calendar UID (the same UUID as in the
iCalendar feeds); `type` is the kind's key ("round-table"), `slug` follows the voc convention
"<acronym>-<id>-<slug>"; persons carry `id` and `public_name` only; a session without a room is listed under
the venue's name.
"""

import datetime as dt
import json
import math
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from congress.ical import clean_text, session_urls
from congress.models import Congress, Room, Session, Track, Venue
from congress.pieces import cached_pieces

GENERATOR = "france-bioproduction-companion"
JSON_SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
# Rooms have no UUID of their own; these namespaces give each a stable one (uuid5 of its primary key).
ROOM_NAMESPACE = uuid.UUID("4f0e6a52-2f5d-4c8e-9a44-6c1b3c7d9e01")
VENUE_NAMESPACE = uuid.UUID("9b7c1d2e-8a3f-4e5b-b6c7-d8e9f0a1b2c3")
# The JSON schema's slug pattern; the XML one for tracks is stricter (a letter first).
JSON_SLUG_CHARACTERS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True)
class ScheduleRoom:
    name: str
    guid: str
    slug: str = ""
    capacity: int | None = None
    sort_key: tuple = ()


@dataclass(frozen=True)
class ScheduleEvent:
    """A session in the schedule: its entry is written by the writers, once per change (congress.pieces)."""

    session: Session
    room: ScheduleRoom
    url: str


@dataclass
class ScheduleDay:
    index: int
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    rooms: dict[ScheduleRoom, list[ScheduleEvent]] = field(default_factory=dict)


@dataclass
class Schedule:
    version: str
    schedule_url: str
    base_url: str
    conference: dict
    tracks: list[Track]
    rooms: list[ScheduleRoom]
    days: list[ScheduleDay]
    congress: Congress | None = None


def duration_text(duration: dt.timedelta) -> str:
    """HH:MM, as both schemas want (a session of 25 hours is "25:00")."""
    minutes = int(duration.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def event_slug(congress: Congress, session: Session) -> str:
    return f"{congress.acronym}-{session.pk}-{session.slug.lower()}".rstrip("-_")


def _json_slug(value: str) -> str:
    value = value.lower()
    ok = value and set(value) <= JSON_SLUG_CHARACTERS and value[-1].isalnum() and len(value) >= 2
    return value if ok else ""


def _xml_track_slug(value: str) -> str:
    value = _json_slug(value)
    return value if value[:1].isalpha() and "_" not in value else ""


def _schedule_room(session: Session, venue: Venue) -> ScheduleRoom:
    room: Room | None = session.room if session.room_id else None
    if room is None:
        return ScheduleRoom(
            name=clean_text(venue.name),
            guid=str(uuid.uuid5(VENUE_NAMESPACE, str(venue.pk))),
            slug=_json_slug(f"venue-{venue.pk}"),
            sort_key=(1, 0, ""),
        )
    return ScheduleRoom(
        name=clean_text(room.name),
        guid=str(uuid.uuid5(ROOM_NAMESPACE, str(room.pk))),
        slug=_json_slug(room.slug),
        capacity=room.capacity,
        sort_key=(0, room.position, room.name),
    )


def _timeslot(sessions: list[Session], congress: Congress) -> str:
    """The largest step (at most an hour) on which every start and duration falls, e.g. 00:15."""
    steps = [60]
    for session in sessions:
        start = congress.local(session.starts_at)
        steps += [start.hour * 60 + start.minute, int(session.duration.total_seconds()) // 60]
    return duration_text(dt.timedelta(minutes=math.gcd(*steps)))


def _event(session: Session, congress: Congress, room: ScheduleRoom, url: str) -> dict:
    start = congress.local(session.starts_at)
    return {
        "guid": str(session.uid),
        "id": session.pk,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "end": congress.local(session.ends_at).isoformat(),
        "duration": duration_text(session.duration),
        "room": room.name,
        "slug": event_slug(congress, session),
        "url": url,
        "title": clean_text(session.title),
        "subtitle": "",
        "track": clean_text(session.track.name) if session.track_id else None,
        "type": session.kind,
        "language": session.language,
        "abstract": clean_text(session.abstract),
        "persons": [
            {"id": link.speaker.pk, "public_name": clean_text(link.speaker.name)}
            for link in session.speaker_links_in_order
        ],
        "links": [],
    }


def build_schedule(
    sessions: Iterable[Session],
    *,
    congress: Congress,
    site_url: str,
    version: str,
    schedule_url: str,
    language: str | None = None,
) -> Schedule:
    """The schedule of `sessions` (from `.for_listing()`, chronological). Every congress day is listed, even
    an empty one; a session outside the congress dates gets a day of its own rather than being dropped."""
    sessions = list(sessions)
    venue = congress.venue
    with translation.override(language or settings.LANGUAGE_CODE):
        by_day: dict[dt.date, dict[ScheduleRoom, list[ScheduleEvent]]] = {day: {} for day in congress.days}
        rooms: dict[int | None, ScheduleRoom] = {}
        tracks: dict[int, Track] = {}
        url_of = session_urls(site_url)
        for session in sessions:
            if session.room_id not in rooms:
                rooms[session.room_id] = _schedule_room(session, venue)
            room = rooms[session.room_id]
            if session.track_id:
                tracks[session.track_id] = session.track
            day = congress.local(session.starts_at).date()
            by_day.setdefault(day, {}).setdefault(room, []).append(ScheduleEvent(session, room, url_of(session)))
    days = []
    for index, day in enumerate(sorted(by_day), start=1):
        start, end = congress.day_bounds(day)
        day_rooms = dict(sorted(by_day[day].items(), key=lambda item: item[0].sort_key))
        days.append(ScheduleDay(index=index, date=day, start=start, end=end, rooms=day_rooms))
    conference = {
        "acronym": congress.acronym,
        "title": clean_text(congress.name),
        "start": congress.start_date.isoformat(),
        "end": congress.end_date.isoformat(),
        "daysCount": len(days),
        "timeslot_duration": _timeslot(sessions, congress),
        "time_zone_name": congress.time_zone,
        "url": site_url + "/",
    }
    if congress.short_description:
        conference["description"] = clean_text(congress.short_description)
    return Schedule(
        version=version,
        schedule_url=schedule_url,
        base_url=site_url + "/",
        conference=conference,
        tracks=sorted(tracks.values(), key=lambda track: (track.position, track.name)),
        rooms=sorted(rooms.values(), key=lambda room: room.sort_key),
        days=days,
        congress=congress,
    )


def _event_order(event: ScheduleEvent) -> tuple:
    return event.session.starts_at, event.session.pk


def _events_by_room_name(day: ScheduleDay) -> dict[str, list[ScheduleEvent]]:
    """JSON keys rooms by name: two rooms of one name (at two venues) share a list rather than lose events."""
    by_name: dict[str, list[ScheduleEvent]] = {}
    for room, events in day.rooms.items():
        if room.name in by_name:
            by_name[room.name] = sorted([*by_name[room.name], *events], key=_event_order)
        else:
            by_name[room.name] = events
    return by_name


def schedule_json_data(schedule: Schedule) -> dict:
    conference = dict(schedule.conference)
    conference["tracks"] = [
        {"name": clean_text(track.name), "color": track.colour}
        | ({"slug": slug} if (slug := _json_slug(track.slug)) else {})
        for track in schedule.tracks
    ]
    conference["rooms"] = [
        {"name": room.name, "guid": room.guid}
        | ({"slug": room.slug} if room.slug else {})
        | ({"capacity": room.capacity} if room.capacity is not None else {})
        for room in schedule.rooms
    ]
    conference["days"] = [
        {
            "index": day.index,
            "date": day.date.isoformat(),
            "day_start": day.start.isoformat(),
            "day_end": day.end.isoformat(),
            "rooms": {
                name: [f"{EVENT_MARK}{event.session.pk}" for event in events]
                for name, events in _events_by_room_name(day).items()
            },
        }
        for day in schedule.days
    ]
    return {
        "$schema": JSON_SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": schedule.version,
            "base_url": schedule.base_url,
            "url": schedule.schedule_url,
            "conference": conference,
        },
    }


def _all_events(schedule: Schedule) -> list[ScheduleEvent]:
    return [event for day in schedule.days for events in day.rooms.values() for event in events]


def _event_pieces(schedule: Schedule, kind: str, write) -> dict[int, str]:
    """Each event's entry written by `write(event)`, kept per session (congress.pieces): {session pk: text}."""
    events = _all_events(schedule)
    by_pk = {event.session.pk: event for event in events}
    congress = schedule.congress

    def variant(session: Session) -> tuple:
        event = by_pk[session.pk]
        return event.url, event.room, congress.acronym, congress.time_zone

    texts = cached_pieces(kind, [event.session for event in events], lambda s: write(by_pk[s.pk]), variant=variant)
    return {event.session.pk: text for event, text in zip(events, texts, strict=True)}


def _json_event(event: ScheduleEvent, congress: Congress) -> str:
    return json.dumps(_event(event.session, congress, event.room, event.url), ensure_ascii=False, separators=(",", ":"))


def schedule_json_bytes(schedule: Schedule) -> bytes:
    texts = _event_pieces(schedule, "frab-json", lambda event: _json_event(event, schedule.congress))
    text = json.dumps(schedule_json_data(schedule), ensure_ascii=False, separators=(",", ":"))
    return JSON_EVENT_MARK.sub(lambda match: texts[int(match.group(1))], text).encode()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: value for name, value in attributes.items() if value is not None})
    if text is not None:
        element.text = text
    return element


# Where each event's kept entry goes: a mark no organiser text can hold (clean_text removes \x01; XML escapes <).
EVENT_MARK = "\x01"
JSON_EVENT_MARK = re.compile(r'"\\u0001(\d+)"')
XML_EVENT_MARK = "event-piece"
XML_EVENT_PLACE = re.compile(r'<event-piece ref="(\d+)" />')
XML_EVENT_LEVEL = 3  # schedule > day > room > event

# The XML event carries these keys of the JSON event as elements of the same name.
XML_EVENT_FIELDS = ("date", "start", "duration", "room", "slug", "url", "title", "subtitle", "type", "language")


def schedule_xml_element(schedule: Schedule) -> ET.Element:
    root = ET.Element("schedule")
    _sub(root, "generator", name=GENERATOR)
    _sub(root, "url", schedule.schedule_url)
    _sub(root, "version", schedule.version)
    conference = _sub(root, "conference")
    info = schedule.conference
    for name in ("title", "acronym", "start", "end"):
        _sub(conference, name, info[name])
    _sub(conference, "days", str(info["daysCount"]))
    _sub(conference, "timeslot_duration", info["timeslot_duration"])
    _sub(conference, "base_url", schedule.base_url)
    _sub(conference, "url", info["url"])
    _sub(conference, "time_zone_name", info["time_zone_name"])
    for track in schedule.tracks:
        slug = _xml_track_slug(track.slug) or None
        _sub(conference, "track", clean_text(track.name), name=clean_text(track.name), color=track.colour, slug=slug)
    for day in schedule.days:
        day_element = _sub(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=day.start.isoformat(),
            end=day.end.isoformat(),
        )
        for room, events in day.rooms.items():
            room_element = _sub(day_element, "room", name=room.name, guid=room.guid)
            for event in events:
                _sub(room_element, XML_EVENT_MARK, ref=str(event.session.pk))
    return root


def _xml_event(event: ScheduleEvent, congress: Congress) -> str:
    data = _event(event.session, congress, event.room, event.url)
    element = ET.Element("event", {"id": str(data["id"]), "guid": data["guid"]})
    for name in XML_EVENT_FIELDS:
        _sub(element, name, data[name])
    _sub(element, "track", data["track"] or "")
    _sub(element, "abstract", data["abstract"])
    persons = _sub(element, "persons")
    for person in data["persons"]:
        _sub(persons, "person", person["public_name"], id=str(person["id"]))
    ET.indent(element, space=" ", level=XML_EVENT_LEVEL)
    return ET.tostring(element, encoding="unicode")


def schedule_xml_bytes(schedule: Schedule) -> bytes:
    texts = _event_pieces(schedule, "frab-xml", lambda event: _xml_event(event, schedule.congress))
    root = schedule_xml_element(schedule)
    ET.indent(root, space=" ")
    text = ET.tostring(root, encoding="unicode")
    text = XML_EVENT_PLACE.sub(lambda match: texts[int(match.group(1))], text)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + text.encode() + b"\n"
