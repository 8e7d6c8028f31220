"""Public pages are cached once for everybody; each visitor still sees their own stars and count."""

import re

import pytest
from django.urls import reverse

from congress import http
from tests.agenda.conftest import star
from tests.factories import make_session, paris

pytestmark = pytest.mark.django_db


def star_state(html: str, session) -> str:
    form = re.search(rf'<form id="star-{session.pk}" .*?</form>', html, re.S)
    return re.search(r'aria-pressed="(true|false)"', form[0])[1]


def count(html: str) -> str:
    return re.search(r'<span id="agenda-count" class="count">([^<]*)</span>', html)[1]


def test_cached_schedule_shows_each_visitor_their_own_stars(client, other_browser, congress, session, room):
    other = make_session(congress, room=room, title="Non étoilée", starts_at=paris(2025, 3, 19, 11))
    star(client, session)

    mine = client.get(reverse("congress:schedule")).content.decode()
    theirs = other_browser.get(reverse("congress:schedule")).content.decode()  # from the shared cache

    assert (star_state(mine, session), star_state(mine, other), count(mine)) == ("true", "false", "1")
    assert (star_state(theirs, session), star_state(theirs, other), count(theirs)) == ("false", "false", "")
    assert http.CSRF_MARKER not in mine and http.CSRF_MARKER not in theirs
    assert "<!--star:" not in mine and "<!--star:" not in theirs


def test_second_visitor_is_served_from_the_cache(client, other_browser, session, django_assert_max_num_queries):
    star(client, session)
    client.get(reverse("congress:schedule"))

    with django_assert_max_num_queries(1):  # the programme version; no agenda cookie, no agenda query
        other_browser.get(reverse("congress:schedule"))


def test_a_star_shows_at_once_on_the_cached_page(client, other_browser, session):
    client.get(reverse("congress:session-detail", args=[session.slug]))
    other_browser.get(reverse("congress:session-detail", args=[session.slug]))

    star(client, session, htmx=True)
    mine = client.get(reverse("congress:session-detail", args=[session.slug])).content.decode()
    theirs = other_browser.get(reverse("congress:session-detail", args=[session.slug])).content.decode()

    assert star_state(mine, session) == "true"
    assert star_state(theirs, session) == "false"


def test_conditional_request_sees_a_new_star(client, session):
    first = client.get(reverse("congress:session-detail", args=[session.slug]))

    star(client, session)
    again = client.get(
        reverse("congress:session-detail", args=[session.slug]), headers={"If-None-Match": first["ETag"]}
    )

    assert again.status_code == 200
    assert star_state(again.content.decode(), session) == "true"


def test_visitor_stars_costs_no_query_without_the_cookie(rf, django_assert_num_queries):
    from congress.agenda import visitor_stars

    with django_assert_num_queries(0):
        assert visitor_stars(rf.get("/")) == (set(), 0)


def test_visitor_stars_costs_one_query_with_the_cookie(client, rf, session, django_assert_num_queries):
    from congress.agenda import COOKIE_NAME, visitor_stars

    star(client, session)
    request = rf.get("/")
    request.COOKIES[COOKIE_NAME] = client.cookies[COOKIE_NAME].value

    with django_assert_num_queries(1):
        first = visitor_stars(request)
        second = visitor_stars(request)

    assert first == second == ({session.pk}, 1)


def test_cancelled_session_shows_only_the_remove_state(client, other_browser, congress, session):
    star(client, session)
    session.status = session.Status.CANCELLED
    session.save()

    mine = client.get(reverse("congress:session-detail", args=[session.slug])).content.decode()
    theirs = other_browser.get(reverse("congress:session-detail", args=[session.slug])).content.decode()

    assert star_state(mine, session) == "true"
    assert f'<form id="star-{session.pk}"' not in theirs
