"""Rows a visitor can make the site write are bounded: agendas only for a real first star, per-address limits
(congress.ratelimit), the star cap enforced under concurrency, and `purge_agendas`."""

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congress.agenda import visitor as agenda
from congress.models import Agenda, RetiredAgendaToken, Session, Star
from tests.agenda.conftest import agenda_of, make_sessions, star
from tests.conftest import SAME_ORIGIN
from tests.factories import make_session

pytestmark = pytest.mark.django_db


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address, headers=SAME_ORIGIN)


def test_unstar_without_an_agenda_creates_none(client, session):
    response = star(client, session, starred="0")

    assert response.status_code == 302
    assert not Agenda.objects.exists()
    assert agenda.COOKIE_NAME not in response.cookies


def test_star_of_a_cancelled_session_creates_no_agenda(client, congress):
    cancelled = make_session(congress, slug="annulee", status=Session.Status.CANCELLED)

    star(client, cancelled, starred="1")

    assert not Agenda.objects.exists()


def test_default_limits_let_a_congress_wifi_through_and_stop_a_flood(session):
    answers = [star(from_address("203.0.113.9"), session).status_code for _visitor in range(1000)]

    assert answers[:300] == [302] * 300  # 300 attendees behind the venue's one address
    assert 429 in answers  # a flood from one address stops before 1,000 agendas
    assert Agenda.objects.count() < 1000
    assert Agenda.objects.count() == answers.index(429)


def test_new_agendas_past_the_limit_answer_429_with_retry_after(session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "agendas": "3/h"}
    for _visitor in range(3):
        assert star(from_address("203.0.113.9"), session).status_code == 302

    response = star(from_address("203.0.113.9"), session)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "no-store" in response["Cache-Control"]
    assert Agenda.objects.count() == 3
    assert star(from_address("198.51.100.4"), session).status_code == 302  # another address is not affected


def test_an_agenda_past_the_new_agenda_limit_still_stars(client, congress, session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "agendas": "1/h"}
    star(client, session)
    other = make_session(congress, slug="autre")

    response = star(client, other)

    assert response.status_code == 302
    assert Star.objects.filter(agenda=agenda_of(client)).count() == 2


def test_limits_follow_the_client_address_behind_the_proxy(session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "agendas": "1/h"}
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = {"REMOTE_ADDR": "10.0.0.1"}

    first = Client(**proxied, HTTP_X_FORWARDED_FOR="203.0.113.9", headers=SAME_ORIGIN)
    second = Client(**proxied, HTTP_X_FORWARDED_FOR="198.51.100.4", headers=SAME_ORIGIN)

    assert star(first, session).status_code == 302
    assert star(second, session).status_code == 302


def test_star_requests_are_limited_per_address(client, session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "stars": "4/m"}
    answers = [star(client, session).status_code for _press in range(5)]

    assert answers == [302, 302, 302, 302, 429]


def test_resets_are_limited_per_address(client, session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "resets": "2/h"}
    star(client, session)

    answers = [client.post(reverse("congress:agenda-reset")).status_code for _press in range(3)]

    assert answers == [302, 302, 429]
    assert RetiredAgendaToken.objects.count() == 2


def test_attach_is_limited_per_address(client, other_browser, session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "attaches": "2/h"}
    star(client, session)
    url = reverse("congress:agenda-attach", args=[client.cookies[agenda.COOKIE_NAME].value])

    answers = [other_browser.get(url).status_code, other_browser.post(url).status_code, other_browser.get(url)]

    assert answers[:2] == [200, 302]
    assert answers[2].status_code == 429


def test_limits_can_be_switched_off(session, settings):
    settings.CONGRESS_RATE_LIMITS = {**settings.CONGRESS_RATE_LIMITS, "agendas": "off"}

    answers = {star(from_address("203.0.113.9"), session).status_code for _visitor in range(20)}

    assert answers == {302}


@pytest.mark.django_db(transaction=True)
def test_concurrent_stars_never_pass_the_cap(client, congress):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency: run with DATABASE_URL pointing at PostgreSQL")
    sessions = make_sessions(congress, 299)
    star(client, sessions[0])
    token = client.cookies[agenda.COOKIE_NAME].value
    barrier = threading.Barrier(40)
    errors = []

    def press(share: list) -> None:
        browser = Client(headers=SAME_ORIGIN)
        browser.cookies[agenda.COOKIE_NAME] = token
        try:
            barrier.wait()
            for session in share:
                response = star(browser, session, starred="1")
                if response.status_code != 302:
                    errors.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(sessions[1 + index :: 40],)) for index in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Star.objects.count() == Agenda.MAX_STARS


def purge(*arguments: str) -> str:
    out = StringIO()
    call_command("purge_agendas", *arguments, stdout=out)
    return out.getvalue()


def test_purge_removes_empty_and_long_unvisited_agendas_and_expired_tokens(congress, session):
    now = timezone.now()
    empty_old = Agenda.objects.create(token_digest="a", changed_at=now - dt.timedelta(days=2))
    empty_new = Agenda.objects.create(token_digest="b", changed_at=now - dt.timedelta(hours=2))
    idle = Agenda.objects.create(token_digest="c", changed_at=now - dt.timedelta(days=500))
    visited = Agenda.objects.create(
        token_digest="d",
        changed_at=now - dt.timedelta(days=500),
        last_visited_at=now - dt.timedelta(days=3),
    )
    for kept in (idle, visited):
        Star.objects.create(agenda=kept, session=session)
    RetiredAgendaToken.objects.create(token_digest="old")
    RetiredAgendaToken.objects.filter(token_digest="old").update(retired_at=now - dt.timedelta(days=91))
    RetiredAgendaToken.objects.create(token_digest="recent")

    output = purge()

    assert set(Agenda.objects.values_list("pk", flat=True)) == {empty_new.pk, visited.pk}
    assert list(RetiredAgendaToken.objects.values_list("token_digest", flat=True)) == ["recent"]
    assert "2 agendas" in output
    assert "1 retired token" in output
    assert empty_old.pk not in Agenda.objects.values_list("pk", flat=True)


def test_purge_ages_are_configurable_and_dry_run_changes_nothing(congress):
    now = timezone.now()
    Agenda.objects.create(token_digest="a", changed_at=now - dt.timedelta(days=5))

    assert "0 agendas" in purge("--empty-days", "7")
    assert "1 agenda" in purge("--empty-days", "3", "--dry-run")
    assert Agenda.objects.count() == 1
    purge("--empty-days", "3")
    assert Agenda.objects.count() == 0
