"""Public pages are the same bytes for everybody; each visitor's stars and count come from /agenda/state/."""

import json

import pytest
import time_machine
from django.urls import reverse

from congress.agenda.visitor import COOKIE_NAME
from tests.agenda.conftest import star
from tests.factories import make_session, paris

pytestmark = pytest.mark.django_db

HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "schedule-results"}


def state(client) -> dict:
    return json.loads(client.get(reverse("congress:agenda-state")).content)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/en/", {}),
        ("/en/schedule/", {}),
        ("/en/schedule/?day=2025-03-19", HTMX_RESULTS),
        ("/en/sessions/{slug}/", {}),
        ("/en/speakers/", {}),
        ("/en/partners/", {}),
        ("/en/venue/", {}),
        ("/en/calendar/", {}),
        ("/en/now/", {}),
        ("/en/{prefix}/", {}),
        ("/{prefix}/schedule/", {}),
        ("/en/{prefix}/schedule/?day=2025-03-19", HTMX_RESULTS),
        ("/{prefix}/sessions/{slug}/", {}),
        ("/en/{prefix}/speakers/", {}),
        ("/editions/", {}),
    ],
)
def test_two_visitors_with_different_stars_get_the_same_bytes(
    client, other_browser, congress, session, room, path, headers
):
    other = make_session(congress, room=room, title="Non étoilée", starts_at=paris(2025, 3, 19, 11))
    star(client, session)
    star(other_browser, other)
    path = path.format(slug=session.slug, prefix=congress.prefix)

    with time_machine.travel(paris(2025, 3, 19, 10, 20), tick=False):  # /now/ and home follow the clock
        mine = client.get(path, headers=headers)
        theirs = other_browser.get(path, headers=headers)

    assert mine.status_code == theirs.status_code == 200
    assert mine.content == theirs.content
    assert mine["Cache-Control"] == "public, max-age=0, s-maxage=10"
    assert "Cookie" not in mine.get("Vary", "")
    assert not mine.cookies and not theirs.cookies
    assert b"csrfmiddlewaretoken" not in mine.content


def test_public_stars_are_all_in_their_add_state(client, session):
    star(client, session)

    html = client.get(reverse("congress:session-detail", args=[session.slug])).content.decode()

    assert 'aria-pressed="false"' in html and 'aria-pressed="true"' not in html
    assert '<input type="hidden" name="starred" value="1">' in html


def test_state_tells_the_visitor_their_stars_and_count(client, other_browser, congress, session, room):
    other = make_session(congress, room=room, title="Autre", starts_at=paris(2025, 3, 19, 11))
    star(client, session)
    star(client, other)

    response = client.get(reverse("congress:agenda-state"))

    assert json.loads(response.content) == {"starred": sorted([session.pk, other.pk]), "count": 2}
    assert response["Cache-Control"] == "private, no-store"
    assert state(other_browser) == {"starred": [], "count": 0}


def test_state_follows_a_star_at_once(client, session):
    star(client, session, htmx=True)
    assert state(client)["starred"] == [session.pk]

    star(client, session, starred="0")
    assert state(client) == {"starred": [], "count": 0}


def test_state_costs_no_query_without_the_cookie_and_one_with_it(
    client, other_browser, session, django_assert_num_queries
):
    star(client, session)

    with django_assert_num_queries(0):
        other_browser.get(reverse("congress:agenda-state"))
    with django_assert_num_queries(1):
        client.get(reverse("congress:agenda-state"))


def test_second_visitor_is_served_from_the_cache(client, other_browser, session, django_assert_max_num_queries):
    star(client, session)
    client.get(reverse("congress:schedule"))

    with django_assert_max_num_queries(1):  # the programme version; nothing about the visitor
        other_browser.get(reverse("congress:schedule"))


def test_a_star_leaves_the_public_page_valid(client, session):
    first = client.get(reverse("congress:session-detail", args=[session.slug]))

    star(client, session)
    again = client.get(
        reverse("congress:session-detail", args=[session.slug]), headers={"If-None-Match": first["ETag"]}
    )

    assert again.status_code == 304  # the page holds nothing personal: the browser's copy is still right


def test_a_cancelled_session_has_no_star_on_public_pages_but_is_in_the_state(client, session):
    star(client, session)
    session.status = session.Status.CANCELLED
    session.save()

    html = client.get(reverse("congress:session-detail", args=[session.slug])).content.decode()

    assert f'<form id="star-{session.pk}"' not in html
    assert state(client)["starred"] == [session.pk]
    assert COOKIE_NAME in client.cookies
