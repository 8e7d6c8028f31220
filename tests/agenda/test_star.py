import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from congress.agenda import visitor as agenda
from congress.models import Agenda, Session, Star
from tests.agenda.conftest import agenda_of, make_sessions, sessions_of, star
from tests.factories import make_congress, make_session

pytestmark = pytest.mark.django_db


def test_star_without_javascript_comes_back_to_the_page_it_was_sent_from(client, session):
    response = client.post(
        reverse("congress:session-star", args=[session.slug]),
        {"starred": "1"},
        headers={"Referer": "http://testserver/en/schedule/?day=2025-03-19"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"http://testserver/en/schedule/?day=2025-03-19#star-{session.pk}"
    assert len(sessions_of(client)) == 1


def test_star_without_javascript_or_referer_comes_back_to_the_session(client, session):
    response = star(client, session)

    assert response["Location"] == f"{session.get_absolute_url()}#star-{session.pk}"


def test_star_without_javascript_comes_back_to_the_page(client, session):
    response = star(client, session, next="/schedule/?track=qualite")

    assert response.status_code == 302
    assert response["Location"] == f"/schedule/?track=qualite#star-{session.pk}"
    assert sessions_of(client) == [session.pk]


def test_unstar_without_javascript(client, session):
    star(client, session)

    response = star(client, session, starred="0", next=session.get_absolute_url())

    assert response.status_code == 302
    assert sessions_of(client) == []


def test_star_with_htmx_answers_the_new_button_and_the_count(client, session):
    response = star(client, session, htmx=True, next="/schedule/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.startswith(f'<form id="star-{session.pk}" class="star star--on"')
    assert 'aria-pressed="true"' in body
    assert 'aria-pressed="false"' not in body
    assert '<input type="hidden" name="starred" value="0">' in body  # the next press removes it
    assert '<input type="hidden" name="next" value="/schedule/">' in body
    assert '<span id="agenda-count" class="count" hx-swap-oob="innerHTML">1</span>' in body
    assert "Bioprocédés continus" in body  # in the button's name for screen readers
    assert "csrfmiddlewaretoken" not in body  # checked by its origin (test_cross_site_star_is_refused)
    assert '"count": 1' in response["HX-Trigger"]


def test_unstar_with_htmx(client, session):
    star(client, session, htmx=True)

    response = star(client, session, htmx=True)  # no `starred` field: toggles

    body = response.content.decode()
    assert 'aria-pressed="false"' in body
    assert 'aria-pressed="true"' not in body
    assert '<span id="agenda-count" class="count" hx-swap-oob="innerHTML"></span>' in body
    assert sessions_of(client) == []


def test_star_sent_twice_stays_starred(client, session):
    star(client, session, starred="1")

    star(client, session, starred="1")  # a retried request, or a stale page

    assert sessions_of(client) == [session.pk]


def test_first_star_creates_the_agenda_and_a_long_lived_private_cookie(client, session):
    response = star(client, session)

    cookie = response.cookies[agenda.COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True  # DEBUG is off in the tests, as in production
    assert cookie["max-age"] == 400 * 24 * 60 * 60
    assert cookie["path"] == "/"
    assert len(cookie.value) >= 43  # 256 random bits, URL-safe
    assert list(Agenda.objects.get().sessions.all()) == [session]


def test_cookie_not_secure_in_debug_over_plain_http(client, session, settings):
    settings.SESSION_COOKIE_SECURE = False

    response = star(client, session)

    assert response.cookies[agenda.COOKIE_NAME]["secure"] == ""


def test_only_the_digest_of_the_token_is_stored(client, session):
    star(client, session)

    token = client.cookies[agenda.COOKIE_NAME].value
    stored = Agenda.objects.get()
    assert stored.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_digest


def test_two_browsers_get_two_agendas(client, other_browser, session):
    star(client, session)
    star(other_browser, session)

    assert Agenda.objects.count() == 2
    assert client.cookies[agenda.COOKIE_NAME].value != other_browser.cookies[agenda.COOKIE_NAME].value


def test_star_remembers_the_revision_it_saw(client, session):
    session.title = "Nouveau titre"
    session.save()

    star(client, session)

    assert Star.objects.get().seen_revision == session.revision == 1


def test_cap_with_htmx_says_the_agenda_is_full(client, congress, session):
    sessions = make_sessions(congress, Agenda.MAX_STARS)
    star(client, sessions[0])
    Star.objects.bulk_create(Star(agenda=agenda_of(client), session=other) for other in sessions[1:])

    response = star(client, session, htmx=True)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body
    assert "already holds 200 sessions" in body
    assert 'aria-pressed="false"' in body
    assert agenda_of(client).stars.count() == Agenda.MAX_STARS


def test_cap_without_javascript_shows_the_message_on_the_agenda(client, congress, session):
    sessions = make_sessions(congress, Agenda.MAX_STARS)
    star(client, sessions[0])
    Star.objects.bulk_create(Star(agenda=agenda_of(client), session=other) for other in sessions[1:])

    response = star(client, session, follow=False)
    page = client.get(response["Location"])

    assert response["Location"] == reverse("congress:agenda")
    assert "already holds 200 sessions" in page.content.decode()
    assert agenda_of(client).stars.count() == Agenda.MAX_STARS


def test_cap_still_lets_a_session_be_removed(client, congress):
    sessions = make_sessions(congress, Agenda.MAX_STARS)
    star(client, sessions[0])
    Star.objects.bulk_create(Star(agenda=agenda_of(client), session=other) for other in sessions[1:])

    star(client, sessions[5], starred="0")

    assert agenda_of(client).stars.count() == Agenda.MAX_STARS - 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site for this purpose
        {"Origin": "https://evil.example"},
        {},  # neither header: every browser sends one of them with a POST
    ],
    ids=["cross-site", "same-site", "foreign-origin", "no-header"],
)
def test_cross_site_star_is_refused(session, headers):
    browser = Client(headers=headers)

    response = star(browser, session)

    assert response.status_code == 403
    assert not Star.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://testserver"}],
    ids=["sec-fetch-site", "origin"],
)
def test_same_origin_star_is_accepted_without_a_token(session, headers):
    browser = Client(enforce_csrf_checks=True, headers=headers)

    response = star(browser, session)

    assert response.status_code == 302
    assert Star.objects.count() == 1


def test_star_is_post_only(client, session):
    response = client.get(reverse("congress:session-star", args=[session.slug]))

    assert response.status_code == 405


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "http://testserver.evil/"]
)
def test_next_to_another_site_is_ignored(client, session, next_url):
    response = star(client, session, next=next_url)

    assert response["Location"] == f"{session.get_absolute_url()}#star-{session.pk}"


def test_drafts_and_other_editions_cannot_be_starred(client, congress):
    draft = make_session(congress, status=Session.Status.DRAFT)
    old = make_session(make_congress(is_current=False), slug="ancienne")

    assert star(client, draft).status_code == 404
    assert star(client, old).status_code == 404
    assert not Agenda.objects.exists()


def test_cancelled_session_can_be_removed_not_added(client, congress, session):
    star(client, session)
    session.status = Session.Status.CANCELLED
    session.save()
    other = make_session(congress, status=Session.Status.CANCELLED)

    star(client, other, starred="1")
    star(client, session, starred="0")

    assert sessions_of(client) == []


def test_star_answer_is_never_cached(client, session):
    response = star(client, session, htmx=True)

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
