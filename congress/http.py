"""HTTP behaviour shared by every public page and feed.

`programme_response` gives each public GET a validator built from the programme version (one small query),
answers conditional requests with 304, and keeps the rendered body in the configured cache under a key that
includes the version, so an organiser's edit is seen by every app process at once. The key also names the
deployed release, the language, the host and the htmx headers; a page that follows the clock gets a time
bucket too (`refresh_every`). When the cache fails, pages are rendered uncached.

Cached pages are shared by all visitors, so they carry no personal data. What is personal (the CSRF token
of the star forms, whether a session is starred, the agenda count) is written into the page as markers
and filled in for each request by `personalise`, after the cache. Views under the decorator must not read
`request.user` or messages, nor set cookies (cookies set by the view are not kept).
"""

import datetime as dt
import hashlib
import logging
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache as cache_once
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_from_path

from congress.middleware import is_personal_path
from congress.models import ProgrammeVersion

logger = logging.getLogger(__name__)

CSRF_MARKER = "\x1ecsrf-token\x1e"
AGENDA_COUNT_MARKER = "<!--agenda-count-->"
STAR_BLOCK = re.compile(r"<!--star:(\d+)-->(.*?)<!--star-on-->(.*?)<!--/star-->", re.S)
STAR_BLOCK_BYTES = re.compile(STAR_BLOCK.pattern.encode(), re.S)
# Headers that change the body of a page for the same URL (htmx fragments, history restore).
VARYING_REQUEST_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Target", "HX-Boosted")
VARYING_REQUEST_META = tuple("HTTP_" + name.upper().replace("-", "_") for name in VARYING_REQUEST_HEADERS)
# Recomputed for every answer, never stored with a body.
UNSTORED_HEADERS = {"content-length", "etag", "last-modified", "date", "expires"}
# Longer query strings are answered but not stored: no link produces them, and they could fill the cache.
MAX_STORED_QUERY_LENGTH = 512
# A version is announced in Last-Modified only once it is this old. HTTP dates have one-second precision:
# an edit in the same second as a previous one (or on a server whose clock lags a little) must still
# look modified to a client that revalidates with If-Modified-Since alone.
LAST_MODIFIED_SETTLE_SECONDS = 2
# When a new version makes every page stale at once, one process renders a page while the others wait
# for its result this long at most (then render it themselves).
RENDER_WAIT_SECONDS = 2.0
# Memory each process keeps for copies of the pages it served last (see RecentPages).
RECENT_PAGES_BYTES = 32 * 1024 * 1024


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
    if "<!--star:" in body:
        body = STAR_BLOCK.sub(lambda match: match[3] if int(match[1]) in starred else match[2], body)
    return body.replace(AGENDA_COUNT_MARKER, str(agenda_count) if agenda_count else "")


# In a compiled page, these stand for the visitor's CSRF token and agenda count.
TOKEN_PIECE, COUNT_PIECE = -1, -2


def _marker_pieces(chunk: bytes) -> list:
    pieces = []
    for index, part in enumerate(chunk.split(CSRF_MARKER.encode())):
        if index:
            pieces.append(TOKEN_PIECE)
        for inner, text in enumerate(part.split(AGENDA_COUNT_MARKER.encode())):
            if inner:
                pieces.append(COUNT_PIECE)
            if text:
                pieces.append(text)
    return pieces


class CompiledPage:
    """A shared page cut at its markers once, when it is stored, so that each answer only joins pieces.

    `pieces` is the page as a visitor without stars sees it: bytes, TOKEN_PIECE and COUNT_PIECE; `plain` is the
    same cut only at the markers (runs between agenda counts, each a list of the bytes between tokens), so that
    such a visitor's page is two joins. `starred` gives, for each session with a star block, where its unstarred
    pieces lie and what replaces them when it is starred. Searching a 1 MB schedule for markers on every answer,
    or walking it piece by piece, would cost more than everything else a cached answer does.
    """

    __slots__ = ("needs_token", "pieces", "plain", "size", "starred")

    def __init__(self, content: bytes):
        self.pieces, self.starred = [], {}
        parts = STAR_BLOCK_BYTES.split(content)  # literal, (id, unstarred, starred, literal)*
        self.pieces += _marker_pieces(parts[0])
        for start in range(1, len(parts), 4):
            number, unstarred, starred, literal = parts[start : start + 4]
            off = _marker_pieces(unstarred)
            self.starred.setdefault(int(number), []).append(
                (len(self.pieces), len(self.pieces) + len(off), _marker_pieces(starred))
            )
            self.pieces += off
            self.pieces += _marker_pieces(literal)
        self.plain = None  # worked out by each process on first use: not stored in the shared cache twice
        self.needs_token = TOKEN_PIECE in self.pieces or any(
            TOKEN_PIECE in on for blocks in self.starred.values() for _start, _end, on in blocks
        )
        self.size = len(content)

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__ if name != "plain"}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)
        self.plain = None

    def _plain_runs(self) -> list[list[bytes]]:
        runs, texts, text = [], [], []
        for piece in self.pieces:
            if piece.__class__ is bytes:
                text.append(piece)
                continue
            texts.append(b"".join(text))
            text = []
            if piece == COUNT_PIECE:
                runs.append(texts)
                texts = []
        texts.append(b"".join(text))
        runs.append(texts)
        self.plain = runs
        return runs

    def render(self, request: HttpRequest, starred_ids: set[int], agenda_count: int) -> bytes:
        """What `personalise` makes of the page for this visitor."""
        # One token per page, and only if a form needs it (get_token sets the CSRF cookie).
        token = get_token(request).encode() if self.needs_token else b""
        count = str(agenda_count).encode() if agenda_count else b""
        swaps = [block for number in starred_ids for block in self.starred.get(number, ())]
        if not swaps:
            return count.join([token.join(texts) for texts in self.plain or self._plain_runs()])
        pieces = self.pieces.copy()
        for start, end, on in sorted(swaps, reverse=True):  # from the end: earlier positions stay valid
            pieces[start:end] = on
        return b"".join(
            [piece if piece.__class__ is bytes else token if piece == TOKEN_PIECE else count for piece in pieces]
        )


def visitor_stars(request: HttpRequest) -> tuple[set[int], int]:
    """The visitor's starred session ids and their count; no query when the visitor has no agenda."""
    from congress.agenda import visitor_stars as agenda_visitor_stars  # the agenda module imports this one

    return agenda_visitor_stars(request)


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
    """The code, templates, translations and static manifest pages are rendered with.

    Part of every key and ETag: after a deploy, no page rendered by the previous code (linking static files
    that no longer exist) is served, although the programme has not changed. CONGRESS_RELEASE (e.g. the git
    revision) names it outright; otherwise it is worked out once from the files (at each request in DEBUG,
    so that a template being edited shows at once).
    """
    return os.environ.get("CONGRESS_RELEASE") or (_release_digest() if settings.DEBUG else _production_release())


def _read_version() -> ProgrammeVersion:
    """ProgrammeVersion.current() without the ORM's query building: it runs on every public answer, cached or
    not, and building the query cost a third of a cached answer."""
    table = connection.ops.quote_name(ProgrammeVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, changed_at FROM {table} WHERE id = %s", [1])
        row = cursor.fetchone()
    if row is None:
        return ProgrammeVersion.current()
    number, changed_at = row
    if isinstance(changed_at, str):  # SQLite
        changed_at = parse_datetime(changed_at)
    if timezone.is_naive(changed_at):  # stored in UTC (USE_TZ)
        changed_at = timezone.make_aware(changed_at, dt.UTC)
    return ProgrammeVersion(pk=1, number=number, changed_at=changed_at)


def _version(request: HttpRequest) -> ProgrammeVersion:
    if not hasattr(request, "_programme_version"):
        request._programme_version = _read_version()
    return request._programme_version


def _cache_key(
    request: HttpRequest, version: ProgrammeVersion, refresh_every: int | None, *, language: str | None = None
) -> str:
    # The change time is in the key with the number: a database recreated from scratch counts from 1 again,
    # and must not be served the pages another database left in a shared cache.
    parts = [
        release(),
        f"{version.number}.{version.changed_at.timestamp():.0f}",
        language or get_language() or "",
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
        *(request.META.get(name, "") for name in VARYING_REQUEST_META),
    ]
    if refresh_every:
        parts.append(str(int(timezone.now().timestamp()) // refresh_every))
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _etag(key: str, personal_state: str | None) -> str:
    if personal_state is None:
        return quote_etag(key[-32:])
    # Weak: the body of a personal page differs per answer (each CSRF token is masked afresh), not its meaning.
    digest = hashlib.sha256(f"{key}|{personal_state}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _settled_change_time(version: ProgrammeVersion) -> int | None:
    age = timezone.now() - version.changed_at
    if age.total_seconds() < LAST_MODIFIED_SETTLE_SECONDS:
        return None
    return int(version.changed_at.timestamp())


# The cache is an accelerator: when it fails (Redis restarting), pages are rendered uncached, not 500.
def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:
        logger.warning("Page cache unavailable (get)", exc_info=True)
        return None


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("Page cache unavailable (get)", exc_info=True)
        return {}


def _cache_add(key: str, value, timeout: float) -> bool:
    try:
        return cache.add(key, value, timeout)
    except Exception:
        logger.warning("Page cache unavailable (add)", exc_info=True)
        return True


def _cache_set_many(values: dict, timeout) -> None:
    try:
        cache.set_many(values, timeout)
    except Exception:
        logger.warning("Page cache unavailable (set)", exc_info=True)


def _cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Page cache unavailable (delete)", exc_info=True)


class RecentPages:
    """This process's copies of the pages it served last, in front of the shared cache.

    A copy is used only while the shared cache still holds the same stamp for its key (a few bytes to fetch
    instead of a page of up to a megabyte to fetch and unpickle); clearing the shared cache clears them all.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[str, tuple[str, tuple, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str, stamp: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != stamp:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, stamp: str, stored: tuple) -> None:
        body = stored[0]
        size = len(body) if isinstance(body, bytes) else body.size
        if size > self.max_bytes // 4:
            return
        with self.lock:
            if (previous := self.entries.pop(key, None)) is not None:
                self.size -= previous[2]
            self.entries[key] = (stamp, stored, size)
            self.size += size
            while self.size > self.max_bytes:
                _key, (_stamp, _stored, evicted) = self.entries.popitem(last=False)
                self.size -= evicted


recent_pages = RecentPages(RECENT_PAGES_BYTES)


def _load(key: str, stamp: str | None = None):
    """The stored (body, headers) for `key`, from this process's copy when the shared cache vouches for it
    (with its stamp, read here unless the caller has just read it)."""
    stamp = stamp or _cache_get(f"{key}:stamp")
    if stamp is None:
        return None
    stored = recent_pages.get(key, stamp)
    if stored is None:
        entry = _cache_get(key)
        if entry is None or entry[0] != stamp:
            return None
        stored = entry[1]
        recent_pages.put(key, stamp, stored)
    return stored


def _save(key: str, stored: tuple, timeout) -> None:
    stamp = uuid.uuid4().hex
    _cache_set_many({key: (stamp, stored), f"{key}:stamp": stamp}, timeout)
    recent_pages.put(key, stamp, stored)


def _call_as_get(view_func: Callable, request: HttpRequest, args, kwargs) -> HttpResponse:
    """HEAD is GET without the body: the view renders as for GET (even under require_GET)."""
    method = request.method
    request.method = "GET"
    try:
        response = view_func(request, *args, **kwargs)
    finally:
        request.method = method
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def _is_storable(request: HttpRequest) -> bool:
    return len(request.META.get("QUERY_STRING", "")) <= MAX_STORED_QUERY_LENGTH


def _stored_or_rendered(request: HttpRequest, key: str, view_func: Callable, args, kwargs, *, personal: bool, timeout):
    """The stored (body, headers) of the page, rendering and storing it on a miss; a non-200 answer as is.

    The body is bytes, or for a personal HTML page a CompiledPage."""
    stored = _load(key)
    if stored is not None:
        return stored
    storable = _is_storable(request)
    lock = f"{key}:rendering"
    holds_lock = storable and _cache_add(lock, 1, RENDER_WAIT_SECONDS * 5)
    if storable and not holds_lock:
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            stored = _load(key)
            if stored is not None:
                return stored
    try:
        response = _call_as_get(view_func, request, args, kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
        is_html = response.get("Content-Type", "").startswith("text/html")
        stored = (CompiledPage(response.content) if personal and is_html else response.content, headers)
        if storable:
            _save(key, stored, timeout)
        return stored
    finally:
        if holds_lock:
            _cache_delete(lock)


def _answer(
    request: HttpRequest,
    key: str,
    version: ProgrammeVersion,
    *,
    personal: bool,
    produce: Callable,
    replayed_headers: list[tuple[str, str]] | None = None,
):
    """The answer to a public GET or HEAD: 304 when the visitor's copy is current, else the stored page
    (`produce()` gives its (body, headers), or the view's own answer when it is not a 200) made personal.
    `replayed_headers`: the final headers the whole stack gave the page (StoredPageMiddleware), which already
    hold what this function adds."""
    if personal:
        starred, count = visitor_stars(request)
        # The page embeds a token derived from the CSRF cookie: a new cookie is a new page.
        csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
        etag = _etag(key, f"{sorted(starred)}|{count}|{csrf_cookie}")
        last_modified = None
    else:
        etag = _etag(key, None)
        last_modified = _settled_change_time(version)

    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        stored = produce()
        if isinstance(stored, HttpResponse):  # 404, redirect…: neither stored nor validated
            return stored
        body, headers = stored
        if isinstance(body, CompiledPage):
            body = body.render(request, starred, count)
        response = HttpResponse(body)
        for name, value in replayed_headers or headers:
            response[name] = value
    elif response.status_code == 304:
        # RFC 9110 §15.4.5: a 304 repeats the Cache-Control and Vary the 200 would carry.
        stored = _load(key)
        for name, value in stored[1] if stored else ():
            if name.lower() in ("cache-control", "vary"):
                response[name] = value
    else:  # 412 for a failed If-Match
        return response

    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    if replayed_headers is not None:
        return response
    if personal:
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Cookie", *VARYING_REQUEST_HEADERS))
    else:
        response.headers.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
    return response


def programme_response(
    view=None,
    *,
    personal: bool = True,
    cache_timeout=DEFAULT_TIMEOUT,
    refresh_every: int | None = None,
):
    """Decorate a public GET view: ETag/304 from the programme version, body kept in the shared cache.

    `personal=False` for feeds and exports, which carry no markers: they may be cached by any client and
    also get Last-Modified. `refresh_every=60` for a page that also depends on the clock (what is on now):
    it is then rendered again at least once a minute. `cache_timeout` as for Django's cache (default: the
    cache's own); the key changes with the version, so the timeout only bounds memory, never staleness.
    Personal addresses (/agenda/…) are never answered from the cache, even if decorated by mistake.
    Once a page is stored, StoredPageMiddleware answers it without going through the rest of the stack.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or is_personal_path(request.path_info):
                return view_func(request, *args, **kwargs)
            version = _version(request)
            key = _cache_key(request, version, refresh_every)
            response = _answer(
                request,
                key,
                version,
                personal=personal,
                produce=lambda: _stored_or_rendered(
                    request, key, view_func, args, kwargs, personal=personal, timeout=cache_timeout
                ),
            )
            if (
                request.method == "GET"
                and response.status_code == 200
                and refresh_every is None
                and _is_storable(request)
            ):
                request._stored_page = (key, personal)  # for StoredPageMiddleware, on the way out
            return response

        return wrapped

    return decorator(view) if view is not None else decorator


# Addresses this process has seen answered by programme_response: no other request (admin, agenda, a 404)
# pays for reading the programme version in StoredPageMiddleware. Bounded, as addresses come from visitors.
stored_page_paths: set[str] = set()
MAX_STORED_PAGE_PATHS = 20_000
# Recomputed for every answer or personal: never replayed by StoredPageMiddleware.
UNREPLAYED_HEADERS = UNSTORED_HEADERS | {"set-cookie"}


class StoredPageMiddleware:
    """Answers a stored public page right after the static files, before the rest of the middleware stack.

    A cached schedule is a megabyte joined from memory; going through sessions, locale, CSRF, messages, CSP,
    URL resolution and the view's decorators cost as much again. Here the page is answered as
    `programme_response` would, with the headers the rest of the stack gave the same page when it was
    rendered: they are kept with the page, under the same key, on the way out of that first answer.
    Only what that first answer proved is replayed: the key holds the host (validated then, and again by
    get_host here), the language, the path, the query and the htmx headers. Conditional requests, HEAD,
    pages that follow the clock and anything not stored go through the whole stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._stored_answer(request)
        if response is None:
            response = self.get_response(request)
            self._keep_headers(request, response)
        return response

    def _stored_answer(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET" or request.path not in stored_page_paths:
            return None
        if "if-none-match" in request.headers or "if-modified-since" in request.headers:
            return None  # 304s are cheap already, and their headers differ
        version = _version(request)
        # As LocaleMiddleware decides under i18n_patterns(prefix_default_language=False): by the path alone.
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        key = _cache_key(request, version, None, language=language)
        found = _cache_get_many([f"{key}:answer", f"{key}:stamp"])  # one round trip to Redis
        kept, stamp = found.get(f"{key}:answer"), found.get(f"{key}:stamp")
        if kept is None or stamp is None:
            return None
        personal, headers = kept
        stored = _load(key, stamp)
        if stored is None:
            return None
        self.csrf.process_request(request)  # the visitor's CSRF secret, for the token of the star forms
        response = _answer(request, key, version, personal=personal, produce=lambda: stored, replayed_headers=headers)
        if response.status_code != 200:
            return None
        response["Content-Length"] = str(len(response.content))
        return self.csrf.process_response(request, response)  # sets the CSRF cookie of a new visitor

    def _keep_headers(self, request: HttpRequest, response: HttpResponse) -> None:
        page = getattr(request, "_stored_page", None)
        if page is None or response.status_code != 200 or response.streaming:
            return
        key, personal = page
        if len(stored_page_paths) >= MAX_STORED_PAGE_PATHS:
            stored_page_paths.clear()
        stored_page_paths.add(request.path)
        headers = [(name, value) for name, value in response.items() if name.lower() not in UNREPLAYED_HEADERS]
        _cache_set_many({f"{key}:answer": (personal, headers)}, DEFAULT_TIMEOUT)
