"""How public pages and feeds are cached: the same bytes for every visitor, so any HTTP cache may keep them.

`public_page` wraps a GET view whose answer depends only on the programme, the language, the address and the
query parameters the view declares. Before the view runs, it refuses (400) a repeated query parameter and an
htmx target the view does not render, and drops an unknown parameter with a 301 to the address without it
(NUL characters never get this far: congress.middleware.RefuseNulMiddleware), so that no junk address reaches
the cache.
The rest of the address is made canonical (values trimmed, empty ones dropped, names sorted), and the key is
built from it: release, programme version, language, scheme and host, path, canonical query, the partial asked
for (htmx), and a time bucket for pages that follow the clock. The ETag is the key's digest (304 on a
conditional GET); the body is kept in Django's cache under the key, except for free-text searches, whose
number nobody bounds. A failing cache is a slow cache: pages are then rendered uncached.

Views under it find `request.content_version` (release and programme version): templates key fragments on it
(`{% cache … content_version … %}`, the programme rows), so that a row rendered for one page is reused by the
others until the next edit or deploy.
"""

import contextlib
import hashlib
import os
from collections.abc import Iterable
from functools import cache as cache_once
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from congress.models import ProgrammeVersion

# Shared caches in front (nginx proxy_cache, a CDN) keep a page ten seconds, then revalidate with the ETag: an
# organiser's edit reaches every visitor within those seconds. Browsers revalidate each time (a 304, one query).
PAGE_CACHE_CONTROL = "public, max-age=0, s-maxage=10"
# An organiser's preview of an unpublished edition: for them alone, never kept.
PREVIEW_CACHE_CONTROL = "private, no-store"
# An edition's pages change wording with its state (upcoming, ongoing, past), at midnight in its zone: keys
# carry the hour, so no page outlives the change by more than that.
STATE_BUCKET_SECONDS = 3600
# Headers that choose the body of a page that has htmx partials.
FRAGMENT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
# A version is announced in Last-Modified only once it is this old: HTTP dates have one-second precision, and
# an edit in the same second as the previous one must still look modified to If-Modified-Since.
LAST_MODIFIED_SETTLE_SECONDS = 2
# What the cache keeps with a body: the headers the view itself set (the middleware adds the rest each time).
STORED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Access-Control-Allow-Origin")
RELEASE_FILES = {".py", ".html", ".txt", ".xml", ".mo"}


def _release_digest() -> str:
    digest = hashlib.sha256()
    for root in (settings.BASE_DIR / "templates", settings.BASE_DIR / "congress", settings.BASE_DIR / "speakers"):
        for path in sorted(root.rglob("*")):
            if path.suffix in RELEASE_FILES:
                stat = path.stat()
                digest.update(f"{path.relative_to(settings.BASE_DIR)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


_production_release = cache_once(_release_digest)


def release() -> str:
    """The code, templates, translations and static manifest pages are rendered with: part of every key and
    ETag, so that no page of the previous deploy (linking static files that are gone) outlives it.
    CONGRESS_RELEASE (e.g. the git revision) names it; otherwise it is worked out once from the files (at each
    request in DEBUG, so that a template being edited shows at once)."""
    return os.environ.get("CONGRESS_RELEASE") or (_release_digest() if settings.DEBUG else _production_release())


def plain_bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")


def canonical_query(request: HttpRequest, allowed: Iterable[str]) -> str:
    values = {name: " ".join(request.GET.get(name, "").split()) for name in sorted(allowed)}
    return urlencode({name: value for name, value in values.items() if value})


def _partial(request: HttpRequest, targets: Iterable[str]) -> str | None:
    """Which partial the request asks for: "page", an htmx target the view renders, or None (unknown)."""
    htmx = getattr(request, "htmx", None)
    if not targets or not htmx or htmx.history_restore_request:
        return "page"
    return htmx.target if htmx.target in targets else None


def _last_modified(version: ProgrammeVersion) -> int | None:
    if (timezone.now() - version.changed_at).total_seconds() < LAST_MODIFIED_SETTLE_SECONDS:
        return None
    return int(version.changed_at.timestamp())


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # the cache backend logs its failures; a page is then rendered uncached
        return None


def _cache_set(key: str, value) -> None:
    with contextlib.suppress(Exception):
        cache.set(key, value)


def public_page(
    view=None,
    *,
    params: Iterable[str] = (),
    targets: Iterable[str] = (),
    refresh_every: int | None = None,
    daily: bool = False,
    cache_control: str = PAGE_CACHE_CONTROL,
    bad_request=plain_bad_request,
):
    """Decorate a public GET view (see the module's docstring).

    `params`: the query parameters it reads (any other is dropped by a 301 to the address without it);
    `targets`: the htmx targets (element ids) it renders a partial for; `refresh_every`: seconds, for a page
    that also follows the clock (rendered again each interval, no Last-Modified); `daily`: for a page that depends
    on the date (the schedule opens on today during the congress): the key holds it; `cache_control`: for shared
    caches in front; `bad_request(request, message)`: the 400 answer (plain text by default).
    """
    allowed, fragments = frozenset(params), frozenset(targets)

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view_func(request, *args, **kwargs)  # the view's own 405
            for name, values in request.GET.lists():
                if len(values) > 1:
                    return bad_request(request, _("Choose only one value for “%(name)s”.") % {"name": name})
            if any(name not in allowed for name in request.GET):
                query = canonical_query(request, allowed)
                return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
            edition = getattr(request, "edition", None)  # congress.editions.EditionMiddleware
            if edition is not None and not edition.is_published:
                response = view_func(request, *args, **kwargs)
                response["Cache-Control"] = PREVIEW_CACHE_CONTROL
                patch_vary_headers(response, ["Cookie"])
                return response
            partial = _partial(request, fragments)
            if partial is None:
                return bad_request(request, _("This part of the page does not exist."))
            version = ProgrammeVersion.current()
            # With the time: a database rebuilt from scratch counts from 1 again.
            content_version = f"{release()}|{version.number}.{version.changed_at.timestamp():.0f}"
            parts = [
                content_version,
                get_language() or "",
                request.scheme,
                request.get_host(),
                request.path,
                canonical_query(request, allowed),
                partial,
                str(int(timezone.now().timestamp()) // STATE_BUCKET_SECONDS),
            ]
            if refresh_every:
                parts.append(str(int(timezone.now().timestamp()) // refresh_every))
            if daily:
                parts.append(timezone.localdate().isoformat())
            key = "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            etag = quote_etag(key[-32:])
            last_modified = None if refresh_every else _last_modified(version)

            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is None:
                keep = not request.GET.get("q", "").strip()
                stored = _cache_get(key) if keep else None
                if stored is not None:
                    body, headers = stored
                    response = HttpResponse(body)
                    for name, value in headers:
                        response[name] = value
                else:
                    request.programme_changed_at = version.changed_at  # "what is new" on an edition's home
                    if keep:  # fragments of a page that is kept; a search's are as unbounded as searches
                        request.content_version = content_version
                    response = view_func(request, *args, **kwargs)
                    if response.status_code != 200 or response.streaming:
                        return response  # 400, 404, redirects: neither kept nor validated
                    if keep and not response.cookies:
                        headers = [(name, response[name]) for name in STORED_HEADERS if name in response]
                        _cache_set(key, (response.content, headers))
            elif response.status_code != 304:
                return response  # 412 for a failed If-Match
            response["ETag"] = etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            response["Cache-Control"] = cache_control
            if fragments:
                patch_vary_headers(response, FRAGMENT_HEADERS)
            return response

        return wrapped

    return decorator(view) if view is not None else decorator
