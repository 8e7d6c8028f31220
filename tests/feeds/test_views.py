import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils.http import http_date

from congress import queries
from congress.models import Congress, Session
from tests.factories import (
    add_speaker,
    make_programme,
    make_room,
    make_session,
    make_speaker,
    make_track,
    paris,
)
from tests.feeds.helpers import events, parse_calendar

pytestmark = pytest.mark.django_db

FEEDS = ["feeds:calendar", "feeds:schedule-xml", "feeds:schedule-json"]


@pytest.fixture
def clock():
    """Frozen time, moved by hand: Last-Modified is only announced once a version is two seconds old."""
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def programme(congress):
    """Two days, two tracks, two rooms, a workshop, a speaker to search for."""
    processes, quality = make_track(congress, name="Procédés", slug="procedes"), make_track(congress, slug="qualite")
    room_a, room_b = make_room(congress.venue, slug="descartes"), make_room(congress.venue, slug="balzac")
    sessions = {
        "opening": make_session(congress, title="Ouverture", track=processes, room=room_a),
        "mrna": make_session(
            congress, title="Vaccins à ARNm", track=quality, room=room_b, starts_at=paris(2025, 3, 19, 11)
        ),
        "workshop": make_session(
            congress, kind=Session.Kind.WORKSHOP, track=processes, room=room_b, starts_at=paris(2025, 3, 20, 9)
        ),
        "closing": make_session(congress, title="Clôture", room=room_a, starts_at=paris(2025, 3, 20, 16)),
    }
    add_speaker(sessions["closing"], make_speaker(name="Hélène Sanofi-Durand"))
    return sessions


def uids(content: bytes) -> set[str]:
    return {str(event["uid"]) for event in events(content)}


def uids_of(*sessions: Session) -> set[str]:
    return {str(session.uid) for session in sessions}


def test_calendar_answers_with_calendar_headers(client, congress):
    make_session(congress)

    response = client.get(reverse("feeds:calendar"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fbp2025.ics"'
    assert response["Cache-Control"] == "public, max-age=300, s-maxage=10"
    assert response["ETag"]


def test_session_calendar_is_named_after_the_session(client, congress):
    session = make_session(congress, slug="ouverture")

    response = client.get(reverse("feeds:session-calendar", kwargs={"slug": "ouverture"}))

    assert response["Content-Disposition"] == 'attachment; filename="fbp2025-ouverture.ics"'
    assert uids(response.content) == uids_of(session)


@pytest.mark.parametrize("feed", [*FEEDS, "feeds:session-calendar"])
def test_feed_answers_304_to_its_etag_and_200_after_an_edit(client, congress, feed):
    session = make_session(congress, slug="ouverture")
    url = reverse(feed, kwargs={"slug": "ouverture"}) if feed == "feeds:session-calendar" else reverse(feed)
    etag = client.get(url)["ETag"]

    unchanged = client.get(url, headers={"If-None-Match": etag})
    session.title = "Ouverture officielle"
    session.save()
    changed = client.get(url, headers={"If-None-Match": etag})

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["Cache-Control"] == "public, max-age=300, s-maxage=10"
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_answers_304_to_if_modified_since(client, congress, clock, feed):
    make_session(congress)
    clock.shift(dt.timedelta(minutes=1))
    first = client.get(reverse(feed))

    clock.shift(dt.timedelta(hours=1))
    again = client.get(reverse(feed), headers={"If-Modified-Since": first["Last-Modified"]})

    assert first["Last-Modified"] == http_date(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC).timestamp())
    assert again.status_code == 304


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_answers_head_without_a_body(client, congress, feed):
    make_session(congress)
    get = client.get(reverse(feed))

    head = client.head(reverse(feed))

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_refuses_other_methods(client, congress, feed):
    assert client.post(reverse(feed)).status_code == 405


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["opening", "mrna", "workshop", "closing"]),
        ({"day": "2025-03-20"}, ["workshop", "closing"]),
        ({"track": "procedes"}, ["opening", "workshop"]),
        ({"room": "balzac"}, ["mrna", "workshop"]),
        ({"kind": "workshop"}, ["workshop"]),
        ({"q": "arnm"}, ["mrna"]),
        ({"q": "Sanofi"}, ["closing"]),  # a speaker's name
        ({"day": "2025-03-19", "track": "procedes"}, ["opening"]),
    ],
)
def test_calendar_keeps_what_the_filtered_schedule_shows(client, congress, programme, params, expected):
    content = client.get(reverse("feeds:calendar"), params).content

    assert uids(content) == uids_of(*(programme[name] for name in expected))
    page = queries.schedule_sessions(queries.ScheduleFilters.from_query(congress, params))
    assert uids(content) == uids_of(*page)


def test_filtered_calendar_says_what_it_holds(client, congress, programme):
    response = client.get(reverse("feeds:calendar"), {"day": "2025-03-20", "track": "procedes"})

    calendar = parse_calendar(response.content)
    assert (
        str(calendar["x-wr-calname"])
        == "Congrès France Bioproduction 2025 — jeudi 20 mars 2025 — Procédés (édition en cours)"
    )
    assert str(calendar["source"]) == "http://testserver/calendar.ics?day=2025-03-20&track=procedes"
    assert response["Content-Disposition"] == 'attachment; filename="fbp2025-2025-03-20-procedes.ics"'


@pytest.mark.parametrize(
    ("params", "mentioned"),
    [
        ({"day": "2025-03-21"}, "2025-03-21"),  # not a congress day
        ({"day": "20/03/2025"}, "20/03/2025"),
        ({"day": "2025-02-30"}, "2025-02-30"),
        ({"track": "inconnue"}, "inconnue"),
        ({"room": "grenier"}, "grenier"),
        ({"kind": "concert"}, "concert"),
        ({"q": "x" * 101}, "100"),
    ],
)
def test_calendar_refuses_bad_filters_in_plain_text(client, congress, programme, params, mentioned):
    response = client.get(reverse("feeds:calendar"), params)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert mentioned in response.content.decode()


def test_calendar_refuses_two_values_for_one_filter(client, congress, programme):
    response = client.get(reverse("feeds:calendar") + "?day=2025-03-19&day=2025-03-20")

    assert response.status_code == 400


@pytest.mark.parametrize("status", [Session.Status.DRAFT, None])
def test_session_calendar_of_a_draft_or_unknown_session_is_404(client, congress, status):
    if status:
        make_session(congress, slug="brouillon", status=status)

    response = client.get(reverse("feeds:session-calendar", kwargs={"slug": "brouillon"}))

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_cancelled_session_keeps_its_calendar(client, congress):
    session = make_session(congress, slug="annulee", status=Session.Status.CANCELLED)

    response = client.get(reverse("feeds:session-calendar", kwargs={"slug": "annulee"}))

    [event] = events(response.content)
    assert (str(event["uid"]), event["status"]) == (str(session.uid), "CANCELLED")


@pytest.mark.parametrize("feed", FEEDS)
def test_feeds_are_404_before_any_congress_is_current(client, feed):
    assert not Congress.objects.current().exists()

    assert client.get(reverse(feed)).status_code == 404


def test_feed_of_the_current_congress_only(client, congress):
    mine = make_session(congress)
    make_programme(5, make_current=False)

    assert uids(client.get(reverse("feeds:calendar")).content) == uids_of(mine)


# Literals from a first run; they must not grow with the programme. A cache miss reads the programme version,
# the congress (with its venue), the sessions (room, track joined) and their speakers (with organisations);
# the schedule exports also read the version number they print; a 304 or a cache hit reads the version only.
@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize(
    ("feed", "params", "queries_count"),
    [
        ("feeds:calendar", {}, 4),
        ("feeds:calendar", {"track": "track-1", "room": "salle-1"}, 6),  # one lookup per named filter
        ("feeds:schedule-xml", {}, 5),
        ("feeds:schedule-json", {}, 5),
    ],
)
def test_feed_query_count_does_not_grow_with_the_programme(
    client, django_assert_num_queries, size, feed, params, queries_count
):
    make_programme(size)

    with django_assert_num_queries(queries_count):
        response = client.get(reverse(feed), params)
    with django_assert_num_queries(1):
        cached = client.get(reverse(feed), params)
    with django_assert_num_queries(1):
        not_modified = client.get(reverse(feed), params, headers={"If-None-Match": response["ETag"]})

    assert response.status_code == cached.status_code == 200
    assert cached.content == response.content
    assert cached["Content-Disposition"] == response["Content-Disposition"]
    assert not_modified.status_code == 304


@pytest.mark.parametrize("size", [5, 60])
def test_session_calendar_query_count_does_not_grow_with_the_programme(client, django_assert_num_queries, size):
    make_programme(size)

    with django_assert_num_queries(4):
        response = client.get(reverse("feeds:session-calendar", kwargs={"slug": "session-fictive-1"}))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_calendar_holds_every_session_of_the_programme(client, size):
    congress = make_programme(size)

    content = client.get(reverse("feeds:calendar")).content

    assert uids(content) == {str(uid) for uid in congress.sessions.values_list("uid", flat=True)}


def test_an_edition_feed_is_named_after_its_edition_only(client, congress):
    """/calendar.ics follows the current edition and says so; the edition's own feed keeps its plain name."""
    current = parse_calendar(client.get("/calendar.ics").content)
    own = parse_calendar(client.get(f"/{congress.prefix}/calendar.ics").content)

    assert str(current["x-wr-calname"]) == f"{congress.name} (édition en cours)"
    assert str(own["x-wr-calname"]) == congress.name
