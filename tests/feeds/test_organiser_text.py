"""Whatever an organiser types in a text field, every feed stays valid: the iCalendar feeds parse with icalendar
and vobject, the frab XML validates against its XSD and the frab JSON against its schema."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congress.agenda import visitor as agenda
from congress.models import Congress, Organisation, ProgrammeVersion, Room, Session, Track, Venue
from speakers.models import Speaker
from tests.factories import add_speaker, make_organisation, make_room, make_session, make_speaker, make_track, paris
from tests.feeds.helpers import content_lines, parse_calendar, reference_schemas
from tests.feeds.test_frab import assert_valid_json, assert_valid_xml

pytestmark = pytest.mark.django_db

# Every text an organiser edits in the admin and a feed carries (slugs, colours, URLs and zones are validated).
ORGANISER_FIELDS = [
    (Congress, "name"),
    (Congress, "short_description"),
    (Congress, "description"),
    (Venue, "name"),
    (Venue, "street_address"),
    (Venue, "postcode"),
    (Venue, "city"),
    (Venue, "country"),
    (Room, "name"),
    (Track, "name"),
    (Session, "title"),
    (Session, "abstract"),
    (Speaker, "name"),
    (Speaker, "job_title"),
    (Speaker, "biography"),
    (Organisation, "name"),
    (Organisation, "description"),
]
# Line ends, control characters, and what is special in iCalendar (escapes, parameters, folding), XML and JSON.
SPECIAL = [
    "\r", "\n", "\r\n", "\t", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff",
    "\ufffe", "\uffff", ";", ",", "\\", "\\n", ":", '"', "'", "^", "<", ">", "&", "]]>", "&amp;", "{", "}", "/",
    "BEGIN:VEVENT", "\r\nEND:VCALENDAR\r\n", " " * 80, "é" * 40, "🧬",
]  # fmt: skip


def organiser_text():
    characters = st.characters(codec="utf-8", exclude_categories=["Cs"])
    pieces = st.one_of(st.text(characters, max_size=8), st.sampled_from(SPECIAL))
    return st.lists(pieces, min_size=1, max_size=12).map("".join)


@pytest.fixture
def programme(congress):
    track = make_track(congress, slug="procedes")
    room = make_room(congress.venue, slug="descartes")
    talk = make_session(congress, track=track, room=room, starts_at=paris(2025, 3, 19, 10))
    add_speaker(talk, make_speaker(organisation=make_organisation()))
    return {"talk": talk, "room": room, "track": track}


@pytest.fixture
def agenda_token(client, programme):
    client.post(reverse("congress:session-star", args=[programme["talk"].slug]))
    return client.cookies[agenda.COOKIE_NAME].value


def feed_urls(programme, token: str) -> list[str]:
    calendar = reverse("feeds:calendar")
    return [
        calendar,
        f"{calendar}?room={programme['room'].slug}",
        f"{calendar}?track={programme['track'].slug}",
        reverse("feeds:session-calendar", args=[programme["talk"].slug]),
        reverse("feeds:agenda-calendar", args=[token]),
    ]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(ORGANISER_FIELDS), value=organiser_text())
def test_any_organiser_text_keeps_every_feed_valid(client, programme, agenda_token, field, value):
    schemas = reference_schemas()
    model, name = field
    if connection.vendor == "postgresql":
        value = value.replace("\x00", "")  # PostgreSQL cannot store it; the admin form refuses it there
    value = value[: model._meta.get_field(name).max_length or None] or "x"
    original = model.objects.values_list(name, flat=True).first()
    model.objects.update(**{name: value})
    ProgrammeVersion.bump()  # a bulk update sends no signal: the stored feeds would be served again
    try:
        for url in feed_urls(programme, agenda_token):
            response = client.get(url)
            assert response.status_code == 200, url
            parse_calendar(response.content)
        assert_valid_xml(client.get(reverse("feeds:schedule-xml")).content, schemas)
        assert_valid_json(client.get(reverse("feeds:schedule-json")).content, schemas)
    finally:  # each example on its own: the next one starts from the plain programme
        model.objects.update(**{name: original})


def test_a_line_break_in_the_congress_name_is_escaped_in_the_calendar_name(client, programme, agenda_token):
    Congress.objects.update(name="Congrès\nFrance Bioproduction; 2025, Tours")
    cache.clear()

    for url in feed_urls(programme, agenda_token)[:3]:  # the programme, one room's, one track's
        response = client.get(url)
        lines = content_lines(response.content)
        parse_calendar(response.content)
        names = [line for line in lines if line.startswith((b"NAME:", b"X-WR-CALNAME:"))]
        assert len(names) == 2
        assert all("Congrès\\nFrance Bioproduction\\; 2025\\, Tours".encode() in line for line in names)


def test_the_calendar_description_is_escaped_like_description(client, programme):
    Congress.objects.update(short_description="Deux jours; à Tours,\nen mars")
    cache.clear()

    lines = content_lines(client.get(reverse("feeds:calendar")).content)

    assert "X-WR-CALDESC:Deux jours\\; à Tours\\,\\nen mars".encode() in lines
    assert "DESCRIPTION:Deux jours\\; à Tours\\,\\nen mars".encode() in lines


def test_the_time_zone_carries_no_english_comment(client, programme):
    calendar = parse_calendar(client.get(reverse("feeds:calendar")).content)

    assert [zone.get("COMMENT") for zone in calendar.walk("VTIMEZONE")] == [None]
