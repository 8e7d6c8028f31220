"""Every page and fragment runs the same number of queries for 5 sessions as for 60 (no N+1).

The figures include the programme version read by `caching.public_page` (one query per request)."""

import datetime as dt

import pytest
import time_machine

from congress.models import Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

SIZES = [5, 60]
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "schedule-results"}
HTMX_PAGE = {"HX-Request": "true", "HX-Target": "schedule-page"}


def first_session_slug() -> str:
    return Session.objects.order_by("starts_at", "pk").values_list("slug", flat=True)[2]


def first_speaker_slug() -> str:
    from speakers.models import Speaker

    return Speaker.objects.filter(session_links__isnull=False).order_by("pk").values_list("slug", flat=True)[0]


# (name, path, query, headers, queries): version + congress, then what the page itself reads.
CASES = [
    # + participations, public sessions (JSON-LD), highlights + their speakers, footer organisers,
    # the two of the "now & next" block (congress.now), which asks even outside the congress, and the next
    # edition (announced on the page of a past one)
    ("home", "/", {}, {}, 10),
    # + tracks, rooms and kinds the edition uses, sessions + their speakers, footer organisers
    ("schedule", "/schedule/", {}, {}, 8),
    ("schedule-filtered", "/schedule/", {"track": "track-1", "q": "culture", "day": "2031-03-18"}, {}, 8),
    ("schedule-fragment", "/schedule/", {"track": "track-2"}, HTMX_RESULTS, 7),
    ("schedule-page-fragment", "/schedule/", {"day": "2031-03-18"}, HTMX_PAGE, 7),
    ("schedule-history-restore", "/schedule/", {}, {"HX-Request": "true", "HX-History-Restore-Request": "true"}, 8),
    # + session with room/track/speakers, previous, next, footer organisers
    ("session", "/sessions/{session}/", {}, {}, 7),
    # + speakers, footer organisers
    ("speakers", "/speakers/", {}, {}, 4),
    # + speaker with their sessions, footer organisers
    ("speaker", "/speakers/{speaker}/", {}, {}, 5),
    # + participations, speaker links of their organisations, footer organisers
    ("partners", "/partners/", {}, {}, 5),
    # + rooms with their session counts, footer organisers
    ("venue", "/venue/", {}, {}, 4),
    ("calendar-help", "/calendar/", {}, {}, 3),
    # + session not found, the edition that has it (none), footer organisers
    ("not-found", "/sessions/nulle-part/", {}, {}, 5),
    # + published editions, their sessions, their speakers
    ("sitemap", "/sitemap.xml", {}, {}, 4),
    ("robots", "/robots.txt", {}, {}, 1),
    ("bad-filter", "/schedule/", {"track": "nope"}, {}, 5),
]


UNPREFIXED = ("/sitemap.xml", "/robots.txt")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("prefix", ["", "/en"], ids=["fr", "en"])  # English text comes from the same rows
@pytest.mark.parametrize(("name", "path", "query", "headers", "queries"), CASES, ids=[case[0] for case in CASES])
def test_query_count_does_not_grow_with_the_programme(
    client, django_assert_num_queries, size, prefix, name, path, query, headers, queries
):
    make_programme(size)
    path = path.format(session=first_session_slug(), speaker=first_speaker_slug())
    path = path if path in UNPREFIXED else prefix + path

    with django_assert_num_queries(queries):
        response = client.get(path, query, headers=headers)

    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize("size", SIZES)
def test_home_during_the_congress_has_a_constant_query_count(client, django_assert_num_queries, size):
    make_programme(size)

    during = dt.datetime(2031, 3, 18, 7, 40, tzinfo=dt.UTC)  # 08:40 in Paris: sessions running in two rooms

    with time_machine.travel(during, tick=False), django_assert_num_queries(HOME_DURING_CONGRESS):
        response = client.get("/")

    assert "now-next" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_a_cached_page_costs_only_the_version_query(client, django_assert_num_queries, size):
    make_programme(size)
    client.get("/schedule/")

    with django_assert_num_queries(1):
        client.get("/schedule/")


HOME_DURING_CONGRESS = 10
