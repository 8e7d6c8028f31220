"""congress.caching on the real pages: bounded keys, junk refused before any cache entry, ETag and 304."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from congress.models import Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "schedule-results"}


@pytest.fixture
def programme():
    return make_programme(5)


def cache_keys() -> int:
    if isinstance(cache._cache, dict):  # the local-memory cache
        return len(cache._cache)
    return len(cache._cache.get_client().keys(cache.make_key("*")))  # Redis (REDIS_URL)


def test_three_thousand_junk_addresses_add_no_cache_key(client, programme):
    client.get("/schedule/")
    client.get("/schedule/", headers=HTMX_RESULTS)
    keys = cache_keys()

    answers = set()
    for index in range(1000):
        answers.add(client.get(f"/schedule/?junk{index}={index}").status_code)
        answers.add(
            client.get("/schedule/", headers={"HX-Request": "true", "HX-Target": f"made-up-{index}"}).status_code
        )
        answers.add(client.get(f"/schedule/?day=2031-03-19&day=x{index}").status_code)

    assert answers == {301, 400}
    assert cache_keys() == keys


def test_an_unknown_parameter_is_dropped_by_a_redirect_to_the_canonical_address(client, programme):
    response = client.get("/schedule/?utm_source=newsletter&track=track-1&day=")

    assert response.status_code == 301
    assert response["Location"] == "/schedule/?track=track-1"


def test_an_unknown_htmx_target_is_refused(client, programme):
    response = client.get("/schedule/", headers={"HX-Request": "true", "HX-Target": "main"})

    assert response.status_code == 400


def test_equivalent_addresses_share_one_entry(client, programme):
    client.get("/schedule/?track=track-1&day=2031-03-19")
    keys = cache_keys()

    first = client.get("/schedule/?day=2031-03-19&track=track-1")
    second = client.get("/schedule/?day=2031-03-19&track=track-1&q=")

    assert cache_keys() == keys
    assert first["ETag"] == second["ETag"]


def test_searches_are_answered_and_validated_but_not_kept(client, programme):
    keys = cache_keys()

    first = client.get("/schedule/?q=culture")
    again = client.get("/schedule/?q=culture", headers={"If-None-Match": first["ETag"]})

    assert first.status_code == 200
    assert again.status_code == 304
    assert cache_keys() == keys


@pytest.mark.parametrize("path", ["/schedule/?track=nope", "/sessions/nulle-part/", "/now/?room=grenier"])
def test_error_answers_are_neither_kept_nor_validated(client, programme, path):
    keys = cache_keys()

    response = client.get(path)

    assert response.status_code in (400, 404)
    assert "ETag" not in response
    assert cache_keys() == keys


@pytest.mark.parametrize(
    "path",
    [
        "/schedule/?q=%00",
        "/en/schedule/?q=a%00b",
        "/schedule/?track=%00",
        "/schedule/?room=%00",
        "/calendar.ics?q=%00",
        "/calendar.ics?track=%00",
        "/calendar.ics?room=%00",
        "/now/?room=%00",
        "/schedule/?%00=1",
        "/en/agenda/?x=%00",
        "/admin/congress/session/?q=%00",
    ],
)
def test_a_nul_byte_in_any_parameter_answers_400_with_the_message(client, programme, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_an_edit_changes_the_etag_and_the_page_at_once(client, programme):
    first = client.get("/schedule/")
    Session.objects.filter(slug="session-fictive-3").update(title="Titre révisé")
    Session.objects.get(slug="session-fictive-3").save()  # a save bumps the programme version

    again = client.get("/schedule/", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Titre révisé" in again.content.decode()


def test_a_fragment_and_the_whole_page_are_kept_apart(client, programme):
    page = client.get("/schedule/")
    fragment = client.get("/schedule/", headers=HTMX_RESULTS)
    restore = client.get("/schedule/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert b"<html" in page.content and b"<html" not in fragment.content
    assert restore.content == page.content
    assert page["ETag"] != fragment["ETag"]
    assert {"HX-Request", "HX-Target"} <= {name.strip() for name in page["Vary"].split(",")}


def test_a_page_that_follows_the_clock_is_rendered_again_each_minute(client, programme):
    with time_machine.travel(dt.datetime(2031, 3, 19, 8, 0, 5, tzinfo=dt.UTC), tick=False):
        first = client.get("/now/")
    with time_machine.travel(dt.datetime(2031, 3, 19, 8, 1, 5, tzinfo=dt.UTC), tick=False):
        later = client.get("/now/")

    assert first["ETag"] != later["ETag"]
    assert "Last-Modified" not in first


def test_a_cache_that_keeps_nothing_still_answers_every_page(client, programme, monkeypatch):
    # What a failing cache looks like behind the settings' breaker: every read misses, every write is dropped.
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: None)

    first = client.get("/schedule/")
    again = client.get("/schedule/")

    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=10"


def test_a_row_rendered_for_one_page_is_reused_by_the_others(client, programme):
    client.get("/schedule/?layout=list")  # every row of the programme, and the page
    keys = cache_keys()

    response = client.get("/schedule/?layout=list&track=track-1")

    assert response.status_code == 200
    assert cache_keys() == keys + 1  # the new page only: its rows were kept
