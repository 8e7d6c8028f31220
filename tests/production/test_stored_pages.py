"""StoredPageMiddleware: a stored public page is answered before the rest of the stack, exactly as the stack
would answer it."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.middleware.locale import LocaleMiddleware
from django.test import Client, RequestFactory

from congress import http
from congress.http import StoredPageMiddleware
from congress.models import Session
from tests.factories import make_programme
from tests.production.test_page_cache import FEEDS, SESSION, TOKEN_VALUE, without_csrf_tokens

pytestmark = pytest.mark.django_db

STORED = [
    "/schedule/",
    "/schedule/?day=2031-03-19",
    "/en/schedule/",
    f"/sessions/{SESSION}/",
    "/partners/",
    "/speakers/",
    *FEEDS,
]
# Recomputed for each answer (the CSRF cookie is set again by both paths for a new visitor).
PER_ANSWER_HEADERS = {"Date", "Set-Cookie"}


@pytest.fixture
def programme():
    return make_programme(5)


def headers_of(response) -> dict[str, str]:
    return {name: value for name, value in response.items() if name not in PER_ANSWER_HEADERS}


def through_the_whole_stack():
    return mock.patch.object(StoredPageMiddleware, "_stored_answer", return_value=None)


def counting_locale_middleware():
    return mock.patch.object(LocaleMiddleware, "process_request", autospec=True, side_effect=lambda self, request: None)


@pytest.mark.parametrize("path", STORED)
def test_a_stored_page_is_answered_as_the_whole_stack_answers_it(client, programme, path):
    client.get(path)  # renders and stores the page; the visitor now has a CSRF cookie

    with counting_locale_middleware() as locale:
        stored = client.get(path)
    with through_the_whole_stack():
        whole = client.get(path)

    assert locale.call_count == 0  # answered before LocaleMiddleware (and everything after it)
    assert (stored.status_code, whole.status_code) == (200, 200)
    assert headers_of(stored) == headers_of(whole)
    assert without_csrf_tokens(stored.content) == without_csrf_tokens(whole.content)


def test_a_new_visitor_of_a_stored_page_can_star_with_the_token_it_carries(programme):
    Client().get("/schedule/")  # stored by someone else's visit
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get("/schedule/")
    token = TOKEN_VALUE.search(page.content.decode())[1]
    starred = visitor.post(f"/sessions/{SESSION}/star/", {"starred": "1", "csrfmiddlewaretoken": token})
    agenda = visitor.get("/agenda/")

    assert "csrftoken" in page.cookies
    assert starred.status_code in (200, 302)
    assert Session.objects.get(slug=SESSION).title in agenda.content.decode()


def test_a_stored_page_shows_each_visitor_their_own_stars(programme):
    Client().get("/schedule/")
    visitor = Client()
    visitor.post(f"/sessions/{SESSION}/star/", {"starred": "1"})
    session = Session.objects.get(slug=SESSION)

    with counting_locale_middleware() as locale:
        page = visitor.get("/schedule/").content.decode()

    row = page[page.index(f'id="session-{session.pk}"') :]
    row = row[: row.index("</article>")]
    assert locale.call_count == 0
    assert 'aria-pressed="true"' in row
    assert page.count('aria-pressed="true"') == 1


def test_an_edit_is_seen_at_once_on_a_stored_page(client, programme):
    client.get("/schedule/")
    client.get("/schedule/")
    session = Session.objects.get(slug=SESSION)

    session.title = "Changement de dernière minute"
    session.save()

    assert "Changement de dernière minute" in client.get("/schedule/").content.decode()


def test_a_host_the_site_does_not_serve_is_refused_even_for_a_stored_page(client, programme):
    client.get("/schedule/")

    response = client.get("/schedule/", headers={"host": "attacker.example"})

    assert response.status_code == 400


@pytest.mark.parametrize("headers", [{"hx-request": "true", "hx-target": "schedule-results"}, {}])
def test_htmx_fragments_and_full_pages_are_stored_apart(client, programme, headers):
    client.get("/schedule/")
    client.get("/schedule/", headers={"hx-request": "true", "hx-target": "schedule-results"})

    page = client.get("/schedule/", headers=headers).content.decode()

    assert ("<html" in page) is not bool(headers)


def test_an_address_with_an_overlong_query_leaves_nothing_in_the_cache(client, programme):
    path = "/schedule/?utm_source=" + "x" * 600  # no link makes it: it must not fill the shared cache
    request = RequestFactory().get(path)
    key = http._cache_key(request, http._read_version(), None, language="fr")

    first, second = client.get(path), client.get(path)

    assert (first.status_code, second.status_code) == (200, 200)
    assert cache.get_many([key, f"{key}:stamp", f"{key}:answer"]) == {}
