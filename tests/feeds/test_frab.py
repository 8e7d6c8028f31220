import datetime as dt
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from lxml import etree

from congress import frab
from congress.models import Session
from speakers.models import SessionSpeaker
from tests.factories import (
    add_speaker,
    make_organisation,
    make_programme,
    make_room,
    make_session,
    make_speaker,
    make_track,
    make_venue,
    paris,
)
from tests.feeds.helpers import events, reference_schemas

pytestmark = pytest.mark.django_db

ORGANISER_TEXT = "Bioproduction, ARNm; « qualité » <b>&</b> 🧬\nligne deux\r\nligne trois"


@pytest.fixture
def programme(congress):
    track = make_track(congress, name="Procédés & qualité", slug="procedes")
    room = make_room(congress.venue, name="Salle « Descartes »", slug="descartes", position=2)
    first = make_room(congress.venue, name="Auditorium", slug="auditorium", position=1)
    talk = make_session(
        congress,
        title=ORGANISER_TEXT,
        abstract=ORGANISER_TEXT,
        track=track,
        room=room,
        kind=Session.Kind.ROUND_TABLE,
        language=Session.Language.ENGLISH,
        starts_at=paris(2025, 3, 19, 10),
        ends_at=paris(2025, 3, 19, 11, 30),
    )
    add_speaker(talk, make_speaker(name="Zoé Lefèvre", organisation=make_organisation(name="Sanofi")))
    add_speaker(talk, make_speaker(name="Luc Martin"), role=SessionSpeaker.Role.MODERATOR, position=1)
    return {
        "talk": talk,
        "keynote": make_session(
            congress, kind=Session.Kind.KEYNOTE, room=first, starts_at=paris(2025, 3, 19, 9), time_to_be_confirmed=True
        ),
        "lunch": make_session(congress, kind=Session.Kind.BREAK, room=None, starts_at=paris(2025, 3, 19, 12, 30)),
        "cancelled": make_session(congress, room=first, status=Session.Status.CANCELLED),
        "draft": make_session(congress, room=first, status=Session.Status.DRAFT, starts_at=paris(2025, 3, 19, 14)),
    }


def get_xml(client) -> etree._Element:
    response = client.get(reverse("feeds:schedule-xml"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(response.content)


def get_json(client) -> dict:
    response = client.get(reverse("feeds:schedule-json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def json_events(data: dict) -> list[dict]:
    return [
        event
        for day in data["schedule"]["conference"]["days"]
        for room_events in day["rooms"].values()
        for event in room_events
    ]


def assert_valid_xml(content: bytes, schemas: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(schemas / "schedule.xml.xsd")))
    document = etree.fromstring(content)
    assert schema.validate(document), schema.error_log


def assert_valid_json(content: bytes, schemas: Path) -> None:
    schema = json.loads((schemas / "schedule.schema.json").read_text())
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
    data = json.loads(content)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(data)]
    assert errors == []
    # jsonschema checks "uuid", "date-time" and "uri" only with optional packages: checked here instead.
    conference = data["schedule"]["conference"]
    dt.date.fromisoformat(conference["start"]), dt.date.fromisoformat(conference["end"])
    for room in conference["rooms"]:
        uuid.UUID(room["guid"])
    for day in conference["days"]:
        assert dt.datetime.fromisoformat(day["day_start"]).tzinfo and dt.datetime.fromisoformat(day["day_end"]).tzinfo
    for event in json_events(data):
        uuid.UUID(event["guid"])
        assert dt.datetime.fromisoformat(event["date"]).tzinfo and dt.datetime.fromisoformat(event["end"]).tzinfo
        assert event["url"].startswith(("http://", "https://"))


def test_schedule_xml_validates_against_the_reference_schema(client, programme, schemas):
    make_programme(60, make_current=False)  # another edition: not in this schedule

    content = client.get(reverse("feeds:schedule-xml")).content

    assert_valid_xml(content, schemas)


def test_schedule_json_validates_against_the_reference_schema(client, programme, schemas):
    content = client.get(reverse("feeds:schedule-json")).content

    assert_valid_json(content, schemas)


@pytest.mark.parametrize("size", [5, 60])
def test_generated_programmes_validate(client, schemas, size):
    make_programme(size)

    assert_valid_xml(client.get(reverse("feeds:schedule-xml")).content, schemas)
    assert_valid_json(client.get(reverse("feeds:schedule-json")).content, schemas)


def test_xml_event_carries_the_session(client, congress, programme):
    talk = programme["talk"]

    root = get_xml(client)

    [event] = root.findall(f".//event[@guid='{talk.uid}']")
    assert event.get("id") == str(talk.pk)
    fields = {child.tag: child.text or "" for child in event if child.tag != "persons"}
    assert fields == {
        "date": "2025-03-19T10:00:00+01:00",
        "start": "10:00",
        "duration": "01:30",
        "room": "Salle « Descartes »",
        "slug": f"fbp2025-{talk.pk}-{talk.slug}",
        "url": f"http://testserver/sessions/{talk.slug}/",
        "title": ORGANISER_TEXT.replace("\r\n", "\n"),
        "subtitle": "",
        "type": "round-table",
        "language": "en",
        "track": "Procédés & qualité",
        "abstract": ORGANISER_TEXT.replace("\r\n", "\n"),
    }
    persons = [(person.get("id"), person.text, sorted(person.attrib)) for person in event.find("persons")]
    assert persons == [(str(link.speaker.pk), link.speaker.name, ["id"]) for link in talk.speaker_links.all()]
    assert event.getparent().get("name") == "Salle « Descartes »"


def test_json_event_carries_the_session(client, congress, programme):
    talk = programme["talk"]

    data = get_json(client)

    [event] = [event for event in json_events(data) if event["guid"] == str(talk.uid)]
    assert event == {
        "guid": str(talk.uid),
        "id": talk.pk,
        "date": "2025-03-19T10:00:00+01:00",
        "start": "10:00",
        "end": "2025-03-19T11:30:00+01:00",
        "duration": "01:30",
        "room": "Salle « Descartes »",
        "slug": f"fbp2025-{talk.pk}-{talk.slug}",
        "url": f"http://testserver/sessions/{talk.slug}/",
        "title": ORGANISER_TEXT.replace("\r\n", "\n"),
        "subtitle": "",
        "track": "Procédés & qualité",
        "type": "round-table",
        "language": "en",
        "abstract": ORGANISER_TEXT.replace("\r\n", "\n"),
        "persons": [{"id": link.speaker.pk, "public_name": link.speaker.name} for link in talk.speaker_links.all()],
        "links": [],
    }


def test_guids_are_the_calendar_uids(client, programme):
    data = get_json(client)
    xml_guids = {event.get("guid") for event in get_xml(client).iter("event")}

    calendar = events(client.get(reverse("feeds:calendar")).content)
    calendar_uids = {str(event["uid"]) for event in calendar if event["status"] != "CANCELLED"}
    assert {event["guid"] for event in json_events(data)} == xml_guids == calendar_uids
    assert all(uuid.UUID(guid) for guid in xml_guids)


def test_schedule_has_published_sessions_only(client, programme):
    """Drafts are never public; cancelled sessions leave the schedule (apps read a vanished event as cancelled)."""
    expected = {str(programme[name].uid) for name in ("talk", "keynote", "lunch")}

    assert {event["guid"] for event in json_events(get_json(client))} == expected
    assert {event.get("guid") for event in get_xml(client).iter("event")} == expected


def test_days_run_midnight_to_midnight_in_the_congress_zone(client, programme):
    data = get_json(client)
    root = get_xml(client)

    days = [(d["index"], d["date"], d["day_start"], d["day_end"]) for d in data["schedule"]["conference"]["days"]]
    expected = [
        (1, "2025-03-19", "2025-03-19T00:00:00+01:00", "2025-03-20T00:00:00+01:00"),
        (2, "2025-03-20", "2025-03-20T00:00:00+01:00", "2025-03-21T00:00:00+01:00"),  # empty, still listed
    ]
    assert days == expected
    assert [(int(d.get("index")), d.get("date"), d.get("start"), d.get("end")) for d in root.iter("day")] == expected


def test_rooms_in_display_order_and_roomless_sessions_at_the_venue(client, congress, programme):
    data = get_json(client)

    first_day = data["schedule"]["conference"]["days"][0]
    assert list(first_day["rooms"]) == ["Auditorium", "Salle « Descartes »", "Palais des Congrès de Tours"]
    [lunch] = first_day["rooms"]["Palais des Congrès de Tours"]
    assert (lunch["guid"], lunch["type"], lunch["track"]) == (str(programme["lunch"].uid), "break", None)
    rooms = data["schedule"]["conference"]["rooms"]
    assert [room["name"] for room in rooms] == list(first_day["rooms"])
    assert len({room["guid"] for room in rooms}) == 3


def test_rooms_of_the_same_name_keep_all_their_events(client, congress, schemas):
    here = make_session(congress, room=make_room(congress.venue, name="Salle 1"), starts_at=paris(2025, 3, 19, 11))
    there = make_session(congress, room=make_room(make_venue(), name="Salle 1"), starts_at=paris(2025, 3, 19, 9))

    content = client.get(reverse("feeds:schedule-json")).content

    assert_valid_json(content, schemas)
    [day, _empty] = json.loads(content)["schedule"]["conference"]["days"]
    assert [event["guid"] for event in day["rooms"]["Salle 1"]] == [str(there.uid), str(here.uid)]


def test_conference_header(client, congress, programme):
    conference = get_json(client)["schedule"]["conference"]
    header = get_xml(client).find("conference")

    assert {key: conference[key] for key in ("acronym", "title", "start", "end", "daysCount", "time_zone_name")} == {
        "acronym": "fbp2025",
        "title": "Congrès France Bioproduction 2025",
        "start": "2025-03-19",
        "end": "2025-03-20",
        "daysCount": 2,
        "time_zone_name": "Europe/Paris",
    }
    assert conference["timeslot_duration"] == header.findtext("timeslot_duration") == "00:15"  # 45-minute sessions
    assert conference["tracks"] == [{"name": "Procédés & qualité", "color": "#1f5f8b", "slug": "procedes"}]
    assert header.findtext("acronym") == "fbp2025"
    assert header.findtext("days") == "2"


def test_room_guids_are_stable_between_exports(client, programme):
    first = get_json(client)["schedule"]["conference"]["rooms"]
    programme["talk"].title = "Nouveau titre"
    programme["talk"].save()

    assert get_json(client)["schedule"]["conference"]["rooms"] == first


def test_moved_session_keeps_guid_and_id(client, programme):
    talk = programme["talk"]
    talk.starts_at, talk.ends_at = paris(2025, 3, 20, 15), paris(2025, 3, 20, 16)
    talk.save()

    data = get_json(client)

    second_day = data["schedule"]["conference"]["days"][1]
    [moved] = [event for events in second_day["rooms"].values() for event in events]
    assert (moved["guid"], moved["id"], moved["date"]) == (str(talk.uid), talk.pk, "2025-03-20T15:00:00+01:00")


@pytest.mark.parametrize(("minutes", "text"), [(45, "00:45"), (90, "01:30"), (600, "10:00"), (25 * 60, "25:00")])
def test_durations_are_hours_and_minutes(minutes, text):
    assert frab.duration_text(dt.timedelta(minutes=minutes)) == text


def test_schemas_are_skipped_with_a_reason_where_absent(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="not at"):
        reference_schemas(tmp_path / "absent")


def test_schemas_missing_in_ci_fail_instead_of_skipping(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI must validate"):
        reference_schemas(tmp_path / "absent")
