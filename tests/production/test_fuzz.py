"""Arbitrary paths and query strings against every public URL pattern: never a server error."""

import re
from urllib.parse import quote, urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congress.models import ProgrammeVersion, Session
from speakers.models import Speaker
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

ALLOWED = {200, 301, 302, 304, 400, 404, 405}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # nothing written into the working tree; a failure prints its example
)


def route_templates(resolver=None, prefix="") -> list[str]:
    """Every public route as a template such as "en/sessions/<slug:slug>/" (regex routes left out)."""
    resolver = resolver or get_resolver()
    templates = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":  # staff only (test_admin_access.py)
                continue
            if isinstance(entry.pattern, LocalePrefixPattern):
                prefixes = [prefix, prefix + "en/"]
            elif isinstance(entry.pattern, RoutePattern):
                prefixes = [prefix + str(entry.pattern)]
            else:
                continue
            for each in prefixes:
                templates += route_templates(entry, each)
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            templates.append(prefix + str(entry.pattern))
    return templates


TEMPLATES = route_templates()
# The routes that read their query string get half of the examples.
FILTERED_ROUTES = ["schedule/", "en/schedule/", "calendar.ics", "", "now/", "en/now/"]
QUERY_KEYS = ["day", "track", "room", "kind", "q", "layout", "next", "page", "starred", "lang", "format"]
QUERY_VALUES = ["2031-03-18", "2031-03-20", "2031-02-30", "track-1", "salle-2", "talk", "keynote", "grid", "-1", ""]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@pytest.fixture
def site():
    make_programme(8)
    Session.objects.filter(slug="session-fictive-2").update(status=Session.Status.CANCELLED)
    Session.objects.filter(slug="session-fictive-4").update(status=Session.Status.DRAFT)
    ProgrammeVersion.bump()
    slugs = [*Session.objects.values_list("slug", flat=True), *Speaker.objects.values_list("slug", flat=True)]
    return {"slug": slugs}


def fill(template: str, draw, site: dict) -> str:
    def segment(match: re.Match) -> str:
        kind = match[1] or "str"
        if kind == "slug":
            any_slug = st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True)
            value = draw(st.one_of(st.sampled_from(site["slug"]), any_slug))
        elif kind == "int":
            value = str(draw(st.integers(-10, 10**12)))
        else:
            value = draw(text.filter(bool))
        return quote(value, safe="" if kind != "path" else "/")

    return "/" + CONVERTER.sub(segment, template)


queries = st.one_of(
    st.lists(
        st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), text), st.one_of(st.sampled_from(QUERY_VALUES), text)),
        max_size=5,
    ).map(urlencode),
    text.map(lambda raw: quote(raw, safe="=&%+;/?")),  # broken escapes and separators included
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.just("true"),
        "HX-History-Restore-Request": st.just("true"),
        "HX-Target": text,
        "If-None-Match": st.one_of(st.just("*"), text),
        "Accept-Language": st.sampled_from(["en", "fr", "de", "*", ""]),
    },
)


def check(client, method: str, url: str, request_headers: dict):
    response = client.generic(method, url, headers=request_headers)
    assert response.status_code in ALLOWED, f"{method} {url} {request_headers} → {response.status_code}"


@FUZZ
@given(data=st.data())
def test_every_public_route_answers_without_a_server_error(client, site, data):
    template = data.draw(st.one_of(st.sampled_from(FILTERED_ROUTES), st.sampled_from(TEMPLATES)), label="route")
    path = fill(template, lambda strategy: data.draw(strategy), site)
    query = data.draw(queries, label="query")
    method = data.draw(st.sampled_from(["GET", "GET", "HEAD"]), label="method")

    check(client, method, f"{path}?{query}" if query else path, data.draw(headers, label="headers"))


@FUZZ
@given(path=st.lists(text, min_size=1, max_size=4), query=queries)
def test_any_path_at_all_answers_without_a_server_error(client, site, path, query):
    url = "/" + "/".join(quote(part, safe="") for part in path)

    check(client, "GET", f"{url}?{query}" if query else url, {})
