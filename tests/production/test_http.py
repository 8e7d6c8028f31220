"""congress.http.programme_response, on small views of its own (the real pages: test_page_cache.py)."""

import datetime as dt
import pickle
from unittest import mock

import pytest
from django.http import HttpResponse, HttpResponseNotFound
from django.middleware.csrf import _unmask_cipher_token
from django.test import RequestFactory
from django.utils.http import http_date
from django.views.decorators.http import require_GET
from hypothesis import given, settings
from hypothesis import strategies as st

from congress import http
from congress.middleware import SecurityHeadersMiddleware
from congress.models import ProgrammeVersion, Session
from tests.factories import make_session

pytestmark = pytest.mark.django_db


def counting_view(*, personal: bool, body=None, **options):
    """A decorated view that lists the session titles and counts how often it really runs."""
    calls = []

    def view(request):
        calls.append(request.method)
        titles = ", ".join(Session.objects.order_by("title").values_list("title", flat=True))
        content = body(request) if body else f"titles: {titles}"
        response = HttpResponse(content, content_type="text/html; charset=utf-8" if personal else "text/calendar")
        if not personal:
            response["Cache-Control"] = "public, max-age=300"
            response["Access-Control-Allow-Origin"] = "*"
        return response

    return http.programme_response(view, personal=personal, **options), calls


def test_second_answer_comes_from_the_cache_with_only_the_version_query(rf, django_assert_num_queries):
    make_session(title="Bioréacteurs")
    view, calls = counting_view(personal=False)
    view(rf.get("/calendar.ics"))

    with django_assert_num_queries(1):  # the programme version, nothing else
        response = view(rf.get("/calendar.ics"))

    assert (response.status_code, response.content, calls) == (200, b"titles: Bior\xc3\xa9acteurs", ["GET"])
    assert response["Access-Control-Allow-Origin"] == "*"  # the view's own headers are kept with the body


def test_an_edit_is_seen_at_once(rf):
    session = make_session(title="Ancien titre")
    view, _calls = counting_view(personal=False)
    view(rf.get("/calendar.ics"))

    session.title = "Nouveau titre"
    session.save()
    response = view(rf.get("/calendar.ics"))

    assert response.content == b"titles: Nouveau titre"


def test_a_bulk_change_that_bumps_the_version_is_seen_at_once(rf):
    make_session(title="Atelier")
    view, _calls = counting_view(personal=False)
    view(rf.get("/calendar.ics"))

    Session.objects.bump_revision(title="Atelier annulé")  # an admin action: update() sends no signal
    ProgrammeVersion.bump()
    response = view(rf.get("/calendar.ics"))

    assert response.content.decode() == "titles: Atelier annulé"


def test_a_database_counting_versions_from_scratch_again_is_not_served_old_pages(rf):
    make_session(title="Première base")
    view, calls = counting_view(personal=False)
    view(rf.get("/calendar.ics"))
    version = ProgrammeVersion.current()

    # Same version number, another change time: what a recreated database looks like to a shared cache.
    ProgrammeVersion.objects.filter(pk=1).update(changed_at=version.changed_at - dt.timedelta(days=3))
    view(rf.get("/calendar.ics"))

    assert calls == ["GET", "GET"]


def test_conditional_get_answers_304_with_the_headers_of_the_200(rf, django_assert_num_queries):
    make_session()
    view, calls = counting_view(personal=False)
    etag = view(rf.get("/calendar.ics"))["ETag"]

    with django_assert_num_queries(1):
        response = view(rf.get("/calendar.ics", headers={"if-none-match": etag}))

    assert response.status_code == 304
    assert (response["ETag"], response["Cache-Control"]) == (etag, "public, max-age=300")
    assert calls == ["GET"]


def test_an_edit_makes_the_old_etag_fail(rf):
    session = make_session()
    view, _calls = counting_view(personal=False)
    etag = view(rf.get("/calendar.ics"))["ETag"]

    session.title = "Déplacée"
    session.save()
    response = view(rf.get("/calendar.ics", headers={"if-none-match": etag}))

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_head_is_answered_like_get_even_by_a_get_only_view(rf):
    make_session(title="Tête")

    @require_GET
    def get_only(request):
        return HttpResponse("corps", content_type="text/calendar")

    view = http.programme_response(get_only, personal=False)

    head = view(rf.head("/calendar.ics"))
    get = view(rf.get("/calendar.ics"))

    assert (head.status_code, head["ETag"], head["Content-Type"]) == (200, get["ETag"], get["Content-Type"])


def test_head_answers_leave_the_body_out_but_keep_its_length(rf):
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse("x" * 1234))

    response = middleware(rf.head("/schedule/"))

    assert (response.content, response["Content-Length"]) == (b"", "1234")


def test_error_answers_are_neither_stored_nor_validated(rf):
    calls = []

    def missing(request):
        calls.append(1)
        return HttpResponseNotFound("absent")

    view = http.programme_response(missing, personal=False)

    first, second = view(rf.get("/sessions/x.ics")), view(rf.get("/sessions/x.ics"))

    assert (first.status_code, second.status_code, len(calls)) == (404, 404, 2)
    assert not first.has_header("ETag")
    assert not first.has_header("Last-Modified")


def test_htmx_fragment_and_whole_page_are_stored_apart(rf):
    make_session()
    view, calls = counting_view(
        personal=True, body=lambda request: "fragment" if request.headers.get("HX-Request") else "page"
    )

    answers = [
        view(rf.get("/schedule/")).content,
        view(rf.get("/schedule/", headers={"HX-Request": "true"})).content,
        view(rf.get("/schedule/")).content,
        view(rf.get("/schedule/", headers={"HX-Request": "true"})).content,
    ]

    assert answers == [b"page", b"fragment", b"page", b"fragment"]
    assert len(calls) == 2


def test_pages_of_two_host_names_are_stored_apart(rf, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    make_session()
    view, _calls = counting_view(personal=False, body=lambda request: request.build_absolute_uri("/"))

    a = view(rf.get("/calendar.ics", HTTP_HOST="a.example")).content
    b = view(rf.get("/calendar.ics", HTTP_HOST="b.example")).content

    assert (a, b) == (b"http://a.example/", b"http://b.example/")


STAR_PAGE = "".join(
    [
        '<form method="post">',
        http.csrf_field(),
        "</form>",
        http.star_block(1, "☆ one", "★ one"),
        http.star_block(2, "☆ two", "★ two"),
        "<span>",
        http.AGENDA_COUNT_MARKER,
        "</span>",
    ]
)


@pytest.fixture
def stars_by_cookie(monkeypatch):
    """Stand-in for the agenda: the visitor's stars are whatever their `agenda` cookie lists."""

    def visitor_stars(request):
        starred = {int(part) for part in request.COOKIES.get("agenda", "").split(",") if part}
        return starred, len(starred)

    monkeypatch.setattr("congress.agenda.visitor_stars", visitor_stars)


def test_a_shared_page_is_personalised_for_each_visitor(rf, stars_by_cookie):
    make_session()
    view, calls = counting_view(personal=True, body=lambda request: STAR_PAGE)

    anonymous = rf.get("/schedule/")
    starred = rf.get("/schedule/")
    starred.COOKIES["agenda"] = "2"
    anonymous_page = view(anonymous).content.decode()
    starred_page = view(starred).content.decode()

    assert len(calls) == 1
    assert "☆ one" in anonymous_page and "☆ two" in anonymous_page and "<span></span>" in anonymous_page
    assert "☆ one" in starred_page and "★ two" in starred_page and "<span>1</span>" in starred_page
    assert http.CSRF_MARKER not in starred_page
    token = starred_page.split('value="')[1].split('"')[0]
    assert _unmask_cipher_token(token) == starred.META["CSRF_COOKIE"]  # the token of this visitor


def test_a_personal_page_is_private_and_its_etag_follows_the_stars(rf, stars_by_cookie):
    make_session()
    view, _calls = counting_view(personal=True, body=lambda request: STAR_PAGE)
    starred = rf.get("/schedule/")
    starred.COOKIES["agenda"] = "2"

    anonymous_answer, starred_answer = view(rf.get("/schedule/")), view(starred)

    assert set(anonymous_answer["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert {"Cookie", "HX-Request"} <= {part.strip() for part in anonymous_answer["Vary"].split(",")}
    assert anonymous_answer["ETag"].startswith('W/"')
    assert anonymous_answer["ETag"] != starred_answer["ETag"]
    assert not anonymous_answer.has_header("Last-Modified")


def test_personal_addresses_are_never_served_from_the_cache(rf):
    make_session()
    view, calls = counting_view(personal=True)

    for _ in range(2):
        response = view(rf.get("/agenda/"))

    assert len(calls) == 2
    assert not response.has_header("ETag")


def test_a_failing_cache_still_answers_the_page(rf, monkeypatch):
    class BrokenCache:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Redis is restarting")

            return fail

    make_session(title="Sans cache")
    monkeypatch.setattr(http, "cache", BrokenCache())
    view, _calls = counting_view(personal=False)

    response = view(rf.get("/calendar.ics"))

    assert (response.status_code, response.content) == (200, b"titles: Sans cache")


def test_last_modified_is_announced_once_the_version_has_settled(rf, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 19, 8, 55, tzinfo=dt.UTC), tick=False)
    make_session()
    view, _calls = counting_view(personal=False)
    fresh = view(rf.get("/calendar.ics"))
    time_machine.shift(dt.timedelta(seconds=3))

    settled = view(rf.get("/calendar.ics"))
    not_modified = view(rf.get("/calendar.ics", headers={"if-modified-since": settled["Last-Modified"]}))

    assert not fresh.has_header("Last-Modified")  # an edit in this very second would not change it
    assert settled["Last-Modified"] == http_date(dt.datetime(2025, 3, 19, 8, 55, tzinfo=dt.UTC).timestamp())
    assert not_modified.status_code == 304


def test_an_edit_in_the_same_second_is_not_hidden_by_if_modified_since(rf, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 19, 8, 55, 0, 200000, tzinfo=dt.UTC), tick=False)
    session = make_session(title="Avant")
    view, _calls = counting_view(personal=False)
    time_machine.shift(dt.timedelta(seconds=0.3))
    view(rf.get("/calendar.ics"))
    # The change time has one-second precision: this edit, 0.6 s later, is stamped with the same second.
    time_machine.shift(dt.timedelta(seconds=0.3))
    session.title = "Après"
    session.save()

    response = view(rf.get("/calendar.ics", headers={"if-modified-since": "Wed, 19 Mar 2025 08:55:00 GMT"}))

    assert (response.status_code, response.content.decode()) == (200, "titles: Après")


def test_a_page_that_follows_the_clock_is_rendered_again_each_interval(rf, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 19, 9, 0, 10, tzinfo=dt.UTC), tick=False)
    make_session()
    view, calls = counting_view(personal=True, refresh_every=60)

    view(rf.get("/"))
    time_machine.shift(dt.timedelta(seconds=20))
    view(rf.get("/"))
    time_machine.shift(dt.timedelta(seconds=40))
    view(rf.get("/"))

    assert len(calls) == 2


def test_long_query_strings_are_answered_but_not_stored(rf):
    make_session()
    view, calls = counting_view(personal=False)
    path = "/calendar.ics?q=" + "x" * 600

    view(rf.get(path))
    view(rf.get(path))

    assert len(calls) == 2


def test_a_page_another_process_is_rendering_is_awaited(rf, monkeypatch):
    make_session()
    view, calls = counting_view(personal=False)
    keys = []
    load = http._load
    monkeypatch.setattr(http, "_load", lambda key: keys.append(key) or load(key))
    monkeypatch.setattr(http, "_cache_add", lambda key, value, timeout: False)  # someone else holds the lock
    # While this process waits, the other one stores its answer.
    their_answer = (b"their answer", [("Content-Type", "text/plain")])
    monkeypatch.setattr(http.time, "sleep", lambda seconds: http._save(keys[0], their_answer, None))

    response = view(rf.get("/calendar.ics"))

    assert (response.content, calls) == (b"their answer", [])


def test_copies_kept_by_a_process_are_dropped_with_the_shared_cache(rf):
    make_session(title="Avant le vidage")
    view, calls = counting_view(personal=False)
    view(rf.get("/calendar.ics"))

    http.cache.clear()
    view(rf.get("/calendar.ics"))

    assert len(calls) == 2


def test_a_page_is_rendered_anyway_when_the_other_process_takes_too_long(rf, monkeypatch):
    make_session(title="Patience")
    view, calls = counting_view(personal=False)
    monkeypatch.setattr(http, "_cache_add", lambda key, value, timeout: False)
    monkeypatch.setattr(http, "RENDER_WAIT_SECONDS", 0)

    response = view(rf.get("/calendar.ics"))

    assert (response.content, calls) == (b"titles: Patience", ["GET"])


page_text = st.text(st.characters(codec="utf-8", exclude_characters="\x1e<"), max_size=20)
page_parts = st.lists(
    st.one_of(
        page_text,
        st.just(http.csrf_field()),
        st.just(http.AGENDA_COUNT_MARKER),
        st.builds(
            lambda number, off, on: http.star_block(number, off + http.csrf_field(), on),
            st.integers(1, 6),
            page_text,
            page_text,
        ),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(parts=page_parts, starred=st.sets(st.integers(1, 6)), count=st.integers(0, 3))
def test_a_stored_page_is_personalised_exactly_like_personalise(parts, starred, count):
    page = "".join(parts)
    request = RequestFactory().get("/schedule/")

    with mock.patch.object(http, "get_token", lambda request: "TOKEN"):  # the same token for both
        compiled = http.CompiledPage(page.encode())
        expected = http.personalise(page, request, starred, count)
        rendered = compiled.render(request, starred, count)
        from_shared_cache = pickle.loads(pickle.dumps(compiled)).render(request, starred, count)

    assert rendered.decode() == from_shared_cache.decode() == expected


def test_the_version_read_on_every_answer_is_the_stored_one():
    make_session()
    ProgrammeVersion.bump()
    stored = ProgrammeVersion.objects.get(pk=1)

    read = http._read_version()

    assert (read.number, read.changed_at) == (stored.number, stored.changed_at)


def test_a_database_without_a_version_yet_reads_as_version_one():
    ProgrammeVersion.objects.all().delete()

    assert http._read_version().number == 1
