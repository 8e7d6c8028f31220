import datetime as dt
import re

import icalendar
import pytest
import time_machine
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from congress.agenda import visitor as agenda
from congress.models import Session, Star
from tests.agenda.conftest import agenda_of, make_sessions, star
from tests.factories import add_speaker, make_session, paris

pytestmark = pytest.mark.django_db


def feed_url(client) -> str:
    return reverse("feeds:agenda-calendar", args=[client.cookies[agenda.COOKIE_NAME].value])


def events(response) -> list:
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_feed_holds_the_starred_sessions_with_their_calendar_identity(client, congress, session):
    other = make_session(congress, title="Non retenue")
    star(client, session)

    response = client.get(feed_url(client))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{congress.acronym}-agenda.ics"'
    [event] = events(response)
    assert str(event["UID"]) == str(session.uid)  # the same UID as in /calendar.ics and /sessions/<slug>.ics
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Bioprocédés continus"
    assert event.decoded("DTSTART") == paris(2025, 3, 19, 10)
    assert str(other.uid) not in response.content.decode()


def test_feed_is_a_named_subscription(client, congress, session):
    star(client, session)

    calendar = icalendar.Calendar.from_ical(client.get(feed_url(client)).content)

    assert str(calendar["X-WR-CALNAME"]) == f"Mon agenda — {congress.name}"  # feeds speak the congress language
    assert "//agenda//" in str(calendar["PRODID"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_feed_follows_a_move_then_a_cancellation(client, session):
    add_speaker(session)
    star(client, session)
    url = feed_url(client)

    session.starts_at = paris(2025, 3, 19, 15)
    session.ends_at = paris(2025, 3, 19, 16)
    session.save()
    [moved] = events(client.get(url))
    session.status = Session.Status.CANCELLED
    session.save()
    [cancelled] = events(client.get(url))

    assert str(moved["UID"]) == str(cancelled["UID"]) == str(session.uid)
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART") == paris(2025, 3, 19, 15)
    assert str(moved["STATUS"]) == "CONFIRMED"
    assert cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"  # kept, so that calendar apps remove it


def test_feed_reads_with_an_independent_parser(client, congress, session):
    session.title_fr = "Virgules, points-virgules; et émojis 🧬"  # the personal feed is in French
    session.save()
    add_speaker(session)
    star(client, session)
    star(client, make_session(congress, starts_at=paris(2025, 3, 20, 9)))

    parsed = vobject.readOne(client.get(feed_url(client)).content.decode())

    summaries = sorted(event.summary.value for event in parsed.vevent_list)
    assert summaries[1] == "Virgules, points-virgules; et émojis 🧬"
    assert len(summaries) == 2


def test_feed_answers_304_to_its_etag_until_the_agenda_changes(client, congress, session):
    star(client, session)
    url = feed_url(client)
    first = client.get(url)

    same = client.get(url, headers={"If-None-Match": first["ETag"]})
    star(client, make_session(congress, starts_at=paris(2025, 3, 20, 9)))
    after_star = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert same.status_code == 304
    assert same.content == b""
    assert after_star.status_code == 200
    assert len(events(after_star)) == 2


def test_feed_answers_304_to_if_modified_since_until_the_programme_changes(client, congress, room):
    with time_machine.travel(paris(2025, 3, 1, 9), tick=False):
        session = make_session(congress, room=room)
        star(client, session)
    with time_machine.travel(paris(2025, 3, 1, 10), tick=False):
        url = feed_url(client)
        first = client.get(url)
        same = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        session.title_fr = "Titre modifié"
        session.save()
    with time_machine.travel(paris(2025, 3, 1, 11), tick=False):
        changed = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert first["Last-Modified"] == http_date(paris(2025, 3, 1, 9).timestamp())
    assert same.status_code == 304
    assert changed.status_code == 200
    assert changed["Last-Modified"] == http_date(paris(2025, 3, 1, 10).timestamp())
    assert str(events(changed)[0]["SUMMARY"]) == "Titre modifié"


def test_feed_has_no_last_modified_in_the_second_of_a_change(client, session):
    star(client, session)  # an If-Modified-Since of this second could miss a second change in it

    response = client.get(feed_url(client))

    assert "Last-Modified" not in response
    assert response["ETag"]


def test_feed_is_private_to_its_subscriber(client, session):
    star(client, session)

    response = client.get(feed_url(client))

    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"


def test_feed_needs_no_cookie(client, other_browser, session):
    star(client, session)

    response = other_browser.get(feed_url(client))  # a calendar app has only the address

    assert len(events(response)) == 1


def test_head_on_the_feed(client, session):
    star(client, session)

    response = client.head(feed_url(client))

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


@pytest.mark.parametrize(
    "token", ["inconnu", "x" * 43, "a" * 500, "%C3%A9t%C3%A9", "..", "Ks8bm-v9px8uAa24cRc7Pp0sCaW9NLJdiyYP7Tec12s"]
)
def test_unknown_or_malformed_token_is_404(client, session, token):
    star(client, session)

    response = client.get(f"/agenda/{token}.ics")

    assert response.status_code == 404


def test_malformed_token_takes_the_same_path_as_a_well_formed_one(client, session):
    star(client, session)

    def statements(token):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/agenda/{token}.ics")
        assert response.status_code == 404
        return [re.sub(r"'[0-9a-f]{64}'", "DIGEST", query["sql"]) for query in queries]

    # Hashed whatever its shape, then looked up: no early answer that would tell a well-formed token apart.
    assert statements("not-even-a-token!") == statements(agenda.new_token())


@pytest.mark.parametrize("count", [5, 60])
def test_feed_query_count_is_constant(client, django_assert_num_queries, congress, count):
    sessions = make_sessions(congress, count)
    for session in sessions[::3]:
        add_speaker(session)
    star(client, sessions[0])
    Star.objects.bulk_create(Star(agenda=agenda_of(client), session=session) for session in sessions[1:])
    url = feed_url(client)

    # agenda, programme version, congress, stars with sessions, speakers
    with django_assert_num_queries(5):
        response = client.get(url)
    # agenda, programme version: a calendar app's poll with nothing new
    with django_assert_num_queries(2):
        not_modified = client.get(url, headers={"If-None-Match": response["ETag"]})

    assert len(events(response)) == count
    assert not_modified.status_code == 304


def test_feed_of_another_browser_never_shows_in_this_one(client, other_browser, congress, session):
    star(client, session)
    star(other_browser, make_session(congress, title="Autre navigateur", starts_at=paris(2025, 3, 20, 9)))

    mine = client.get(feed_url(client)).content.decode()

    assert "Autre navigateur" not in mine
    assert dt.date(2025, 3, 20).strftime("%Y%m%d") not in mine.split("BEGIN:VEVENT", 1)[1]
