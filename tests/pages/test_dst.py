"""A congress on the last weekend of March: clocks in Europe/Paris go from 02:00 to 03:00 on Sunday 30 March 2025
(01:00 UTC). Every time shown must be the local time in force at that moment."""

import datetime as dt

import pytest

from tests.factories import make_congress, make_session
from tests.pages.helpers import parse, shown_slugs, text_of

pytestmark = pytest.mark.django_db


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def spring_forward():
    congress = make_congress(start_date=dt.date(2025, 3, 29), end_date=dt.date(2025, 3, 31))
    sessions = {
        "samedi": make_session(congress, slug="samedi", starts_at=utc(29, 2, 30), ends_at=utc(29, 3, 30)),
        "a-cheval": make_session(congress, slug="a-cheval", starts_at=utc(30, 0, 30), ends_at=utc(30, 1, 30)),
        "dimanche": make_session(congress, slug="dimanche", starts_at=utc(30, 2, 30), ends_at=utc(30, 3, 30)),
        "lundi": make_session(congress, slug="lundi", starts_at=utc(31, 2, 30), ends_at=utc(31, 3, 30)),
    }
    return congress, sessions


def row_time(response, session) -> str:
    return text_of(response, f'//article[@id="session-{session.pk}"]/p[@class="session__time"]')


def test_schedule_shows_local_times_on_each_side_of_the_change(client, spring_forward):
    _congress, sessions = spring_forward

    response = client.get("/schedule/")

    assert row_time(response, sessions["samedi"]) == "03:30–04:30"
    assert row_time(response, sessions["a-cheval"]) == "01:30–03:30"  # one hour long, across the change
    assert row_time(response, sessions["dimanche"]) == "04:30–05:30"
    assert row_time(response, sessions["lundi"]) == "04:30–05:30"
    datetimes = parse(response).xpath(f'//article[@id="session-{sessions["a-cheval"].pk}"]//time/@datetime')
    assert datetimes == ["2025-03-30T01:30:00+01:00", "2025-03-30T03:30:00+02:00"]


def test_sessions_fall_on_their_local_day_and_the_change_is_labelled(client, spring_forward):
    response = client.get("/schedule/")

    assert text_of(response, "//h2[contains(@class, 'day__title')]") == (
        "samedi 29 mars 2025 dimanche 30 mars 2025 lundi 31 mars 2025"
    )
    assert parse(response).xpath('//p[@class="day__zone"]/text()')[:3] == [
        "Europe/Paris, UTC+01:00",
        "Europe/Paris, UTC+01:00 → UTC+02:00 ",
        "Europe/Paris, UTC+02:00",
    ]
    assert "changement d’heure ce jour-là" in text_of(response, '//p[@class="day__zone"]')


def test_day_filter_uses_the_23_hour_local_day(client, spring_forward):
    assert shown_slugs(client.get("/schedule/", {"day": "2025-03-30"})) == ["a-cheval", "dimanche"]
    assert shown_slugs(client.get("/schedule/", {"day": "2025-03-29"})) == ["samedi"]


def test_session_page_names_the_offset_in_force(client, spring_forward):
    before = text_of(client.get("/sessions/samedi/"), "//dl")
    after = text_of(client.get("/sessions/dimanche/"), "//dl")

    assert "03:30–04:30 heure de Tours (Europe/Paris, UTC+01:00)" in before
    assert "04:30–05:30 heure de Tours (Europe/Paris, UTC+02:00)" in after
    assert "dimanche 30 mars 2025" in after


def test_add_to_calendar_links_carry_the_utc_instants(client, spring_forward):
    page = parse(client.get("/sessions/dimanche/"))

    google = page.xpath('//a[starts-with(@href, "https://calendar.google.com")]/@href')[0]
    assert "dates=20250330T023000Z%2F20250330T033000Z" in google


def test_a_congress_in_another_zone_is_shown_in_its_own_zone(client):
    congress = make_congress(time_zone="America/Montreal")
    make_session(congress, slug="montreal", starts_at=dt.datetime(2025, 3, 19, 14, 0, tzinfo=dt.UTC))

    response = client.get("/schedule/")

    assert text_of(response, '//p[@class="session__time"]') == "10:00–10:45"
    assert text_of(response, '//p[@class="day__zone"]') == "America/Montreal, UTC-04:00"
