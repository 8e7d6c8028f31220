"""HTTP behaviour shared by every public page and feed.

`programme_response` gives each public GET a validator built from the programme version (one small query),
answers conditional requests with 304, and keeps the rendered body in the configured cache under a key
that includes the version, so an organiser's edit is seen by every app process at once.

Cached pages are shared by all visitors, so they carry no personal data. What is personal (the CSRF token
of the star forms, whether a session is starred, the agenda count) is written into the page as markers
and filled in for each request by `personalise`, after the cache.
"""

import hashlib
import re
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.http import quote_etag
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import condition

from congress.models import ProgrammeVersion

CSRF_MARKER = "\x1ecsrf-token\x1e"
AGENDA_COUNT_MARKER = "<!--agenda-count-->"
STAR_BLOCK = re.compile(r"<!--star:(\d+)-->(.*?)<!--star-on-->(.*?)<!--/star-->", re.S)
# Headers that change the body of a page for the same URL (htmx fragments, history restore).
VARYING_REQUEST_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Target")
CACHED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Cache-Control", "Vary")


def csrf_field() -> SafeString:
    """A hidden CSRF input whose value is filled in per request (see `personalise`)."""
    return mark_safe(f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_MARKER}">')


def star_block(session_id: int, unstarred_html: str, starred_html: str) -> SafeString:
    """Both states of a star button; `personalise` keeps the one that is true for the visitor."""
    return mark_safe(f"<!--star:{session_id}-->{unstarred_html}<!--star-on-->{starred_html}<!--/star-->")


def personalise(body: str, request: HttpRequest, starred_ids: Iterable[int] = (), agenda_count: int = 0) -> str:
    starred = set(starred_ids)
    if CSRF_MARKER in body:
        body = body.replace(CSRF_MARKER, get_token(request))
    body = STAR_BLOCK.sub(lambda match: match[3] if int(match[1]) in starred else match[2], body)
    return body.replace(AGENDA_COUNT_MARKER, str(agenda_count) if agenda_count else "")


def visitor_stars(request: HttpRequest) -> tuple[set[int], int]:
    """The visitor's starred session ids and their count; no query when the visitor has no agenda."""
    from congress.agenda import visitor_stars as agenda_visitor_stars  # the agenda module imports this one

    return agenda_visitor_stars(request)


def _cache_key(request: HttpRequest, version: ProgrammeVersion) -> str:
    varying = "|".join(request.headers.get(name, "") for name in VARYING_REQUEST_HEADERS)
    raw = f"{version.number}|{get_language()}|{request.path}|{request.GET.urlencode()}|{varying}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _version(request: HttpRequest) -> ProgrammeVersion:
    if not hasattr(request, "_programme_version"):
        request._programme_version = ProgrammeVersion.current()
    return request._programme_version


def programme_response(view=None, *, personal: bool = True, cache_timeout: int | None = None):
    """Decorate a public GET view: ETag/Last-Modified/304 from the programme version, cached body.

    `personal=False` for feeds and exports, which carry no markers and may be cached by any client.
    """

    def decorator(view_func):
        @wraps(view_func)
        def cached_view(request, *args, **kwargs):
            key = _cache_key(request, _version(request))
            stored = cache.get(key)
            if stored is None:
                response = view_func(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                stored = (
                    response.content,
                    {name: response[name] for name in CACHED_HEADERS if name in response},
                )
                cache.set(key, stored, cache_timeout)
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return response

        conditional = condition(
            etag_func=lambda request, *args, **kwargs: quote_etag(request._programme_etag),
            # A personal page changes when the visitor stars a session, with no new programme version.
            last_modified_func=None if personal else lambda request, *args, **kwargs: _version(request).changed_at,
        )(cached_view)

        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view_func(request, *args, **kwargs)
            starred, count = visitor_stars(request) if personal else (set(), 0)
            state = f"{sorted(starred)}|{count}|{request.COOKIES.get(settings.CSRF_COOKIE_NAME, '')}"
            raw = _cache_key(request, _version(request)) + (state if personal else "")
            request._programme_etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
            response = conditional(request, *args, **kwargs)
            is_html = response.get("Content-Type", "").startswith("text/html")
            if personal and response.status_code == 200 and is_html:
                response.content = personalise(response.content.decode(), request, starred, count).encode()
            if response.status_code in (200, 304):
                response.setdefault(
                    "Cache-Control", "private, no-cache" if personal else "public, max-age=0, must-revalidate"
                )
                patch_vary_headers(response, ("Cookie", *VARYING_REQUEST_HEADERS) if personal else ())
            return response

        return wrapped

    return decorator(view) if view is not None else decorator
