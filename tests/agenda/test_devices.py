"""The "use on another device" link and the reset of the private links."""

import pytest
from django.test import Client
from django.urls import reverse

from congress.agenda import visitor as agenda
from congress.models import Agenda, RetiredAgendaToken
from tests.agenda.conftest import sessions_of, star
from tests.factories import make_session, paris

pytestmark = pytest.mark.django_db


def token_of(client) -> str:
    return client.cookies[agenda.COOKIE_NAME].value


def attach_url(token: str) -> str:
    return reverse("congress:agenda-attach", args=[token])


def test_attach_page_asks_before_attaching(client, other_browser, session):
    star(client, session)

    response = other_browser.get(attach_url(token_of(client)))

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{attach_url(token_of(client))}">' in body
    assert "Use this agenda in this browser" in body
    assert agenda.COOKIE_NAME not in other_browser.cookies  # a GET changes nothing
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_second_browser_attached_by_link_shares_the_agenda(client, other_browser, congress, session):
    star(client, session)

    response = other_browser.post(attach_url(token_of(client)))
    star(other_browser, make_session(congress, title="Ajoutée ailleurs", starts_at=paris(2025, 3, 20, 9)))
    first_page = client.get(reverse("congress:agenda")).content.decode()

    assert response.status_code == 302
    assert response["Location"] == reverse("congress:agenda")
    assert token_of(other_browser) == token_of(client)
    assert Agenda.objects.count() == 1
    assert "Bioprocédés continus" in first_page
    assert "Ajoutée ailleurs" in first_page
    assert len(sessions_of(client)) == 2


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {}])
def test_cross_site_attach_is_refused(client, session, headers):
    star(client, session)
    browser = Client(headers=headers)

    response = browser.post(attach_url(token_of(client)))

    assert response.status_code == 403
    assert agenda.COOKIE_NAME not in browser.cookies


def test_attach_says_it_replaces_this_browsers_own_agenda(client, other_browser, congress, session):
    star(client, session)
    star(other_browser, make_session(congress, starts_at=paris(2025, 3, 20, 9)))

    body = other_browser.get(attach_url(token_of(client))).content.decode()

    assert "This browser already has its own agenda (1 session)" in body


def test_attach_link_of_this_browsers_own_agenda(client, session):
    star(client, session)

    body = client.get(attach_url(token_of(client))).content.decode()

    assert "This browser already uses this agenda." in body


@pytest.mark.parametrize("token", ["inconnu", "x" * 43, "é"])
def test_unknown_attach_link_is_404(client, token, congress):
    assert client.get(attach_url(token)).status_code == 404
    assert client.post(attach_url(token)).status_code == 404
    assert agenda.COOKIE_NAME not in client.cookies


def test_reset_retires_the_old_links(client, session):
    star(client, session)
    old = token_of(client)
    old_feed = reverse("feeds:agenda-calendar", args=[old])

    response = client.post(reverse("congress:agenda-reset"))

    new = token_of(client)
    assert response.status_code == 302
    assert new != old
    assert client.get(old_feed).status_code == 410
    assert client.get(reverse("feeds:agenda-calendar", args=[new])).status_code == 200
    assert client.get(attach_url(old)).status_code == 404
    assert client.post(attach_url(old)).status_code == 404
    assert sessions_of(client) == [session.pk]  # the sessions stay
    assert RetiredAgendaToken.objects.get().token_digest == agenda.token_digest(old)


def test_reset_says_what_happened(client, session):
    star(client, session)

    response = client.post(reverse("congress:agenda-reset"), follow=True)

    body = response.content.decode()
    assert "Your agenda has new private links." in body
    assert token_of(client) in body


def test_old_feed_is_gone_with_a_plain_message(client, session):
    star(client, session)
    old_feed = reverse("feeds:agenda-calendar", args=[token_of(client)])
    client.post(reverse("congress:agenda-reset"))

    response = client.get(old_feed)

    assert response.status_code == 410
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


def test_device_with_a_reset_token_starts_afresh(client, other_browser, session):
    star(client, session)
    other_browser.post(attach_url(token_of(client)))
    client.post(reverse("congress:agenda-reset"))

    response = other_browser.get(reverse("congress:agenda"))

    body = response.content.decode()
    assert "was given new private links on another device" in body
    assert "Your agenda is empty" in body
    assert other_browser.cookies[agenda.COOKIE_NAME].value == ""  # the stale cookie is removed


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {}])
def test_cross_site_reset_is_refused(client, session, headers):
    star(client, session)
    browser = Client(headers=headers)
    browser.cookies[agenda.COOKIE_NAME] = token_of(client)

    response = browser.post(reverse("congress:agenda-reset"))

    assert response.status_code == 403
    assert not RetiredAgendaToken.objects.exists()


def test_same_origin_reset_is_accepted_without_a_token(client, session):
    star(client, session)
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    browser.cookies[agenda.COOKIE_NAME] = token_of(client)

    response = browser.post(reverse("congress:agenda-reset"))

    assert response.status_code == 302
    assert RetiredAgendaToken.objects.count() == 1


def test_reset_without_an_agenda_changes_nothing(client, congress):
    response = client.post(reverse("congress:agenda-reset"))

    assert response.status_code == 302
    assert not RetiredAgendaToken.objects.exists()
    assert agenda.COOKIE_NAME not in client.cookies


def test_reset_is_post_only(client, session):
    star(client, session)

    assert client.get(reverse("congress:agenda-reset")).status_code == 405
