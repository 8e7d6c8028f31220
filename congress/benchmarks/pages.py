"""In-process figures for the README's Benchmark section (`manage.py benchmark`): every public page and feed
cold (empty caches), right after one session is edited (the page rendered again, every other session's pieces
kept: congress.pieces), cached, and as a 304, with its SQL queries, bytes and gzipped bytes.

Everything runs in a temporary database (a SQLite file, or a PostgreSQL database named fbp_benchmark_… when
DATABASE_URL points at PostgreSQL) filled by congress.programme.generate_programme, and under a cache key
prefix of its own, so neither the site's data nor its cached pages are touched. Printed figures, not a test.
"""

import contextlib
import gc
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from congress.models import Session
from congress.programme import generate_programme

ENDPOINTS = [
    ("home", "/"),
    ("schedule", "/schedule/"),
    ("session page", "{session}/"),  # a session of the generated programme
    ("speaker page", "{speaker}"),
    ("session .ics", "{session}.ics"),
    ("speakers", "/speakers/"),
    ("calendar.ics", "/calendar.ics"),
    ("schedule.xml", "/schedule.xml"),
    ("schedule.json", "/schedule.json"),
]


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


@dataclass
class PageFigures:
    size: int
    name: str
    path: str
    status: int
    bytes: int = 0
    gzip_bytes: int = 0
    queries_cold: int = 0
    queries_cached: int = 0
    cold: Timing = field(default_factory=Timing)
    after_edit: Timing = field(default_factory=Timing)
    cached: Timing = field(default_factory=Timing)
    not_modified: Timing = field(default_factory=Timing)
    not_modified_status: int = 0


def _timed(
    call: Callable[[], object],
    *,
    at_least: int,
    at_most: int,
    budget_seconds: float,
    before_each: Callable[[], object] | None = None,
) -> Timing:
    """Times `call` (not `before_each`, which prepares each sample) until `budget_seconds` are spent."""
    timing = Timing()
    started = time.perf_counter()
    while len(timing.samples) < at_most:
        if before_each is not None:
            before_each()
        before = time.perf_counter()
        call()
        timing.samples.append(time.perf_counter() - before)
        if len(timing.samples) >= at_least and time.perf_counter() - started > budget_seconds:
            break
    return timing


@contextlib.contextmanager
def temporary_database() -> Iterator[str]:
    """Create, migrate and finally drop a database of its own; yields its DATABASE_URL for other processes."""
    settings_dict = connection.settings_dict
    directory = Path(tempfile.mkdtemp(prefix="fbp-benchmark-"))
    if connection.vendor == "sqlite":
        settings_dict["TEST"]["NAME"] = str(directory / "benchmark.sqlite3")
    else:
        settings_dict["TEST"]["NAME"] = f"fbp_benchmark_{secrets.token_hex(4)}"
    old_name = settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield _database_url(connection.settings_dict)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(directory, ignore_errors=True)


def _database_url(settings_dict: dict) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


def benchmark_cache_settings(prefix: str) -> dict:
    """The configured cache backend under a key prefix of its own, entries expiring soon after the run."""
    default = settings.CACHES["default"]
    return {"default": {**default, "KEY_PREFIX": prefix, "TIMEOUT": 15 * 60}}


def forget_cache_prefix(prefix: str) -> None:
    """Remove what the run stored under its prefix: in Redis by key pattern, elsewhere the cache is ours alone."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    else:
        with override_settings(CACHES=benchmark_cache_settings(prefix)):
            caches["default"].clear()


@dataclass(frozen=True)
class Subjects:
    """What the per-session endpoints show and which session the "after one edit" figures edit."""

    session_path: str  # /sessions/<slug>
    speaker_path: str
    edited_pk: int


def build_programme(size: int) -> Subjects:
    """Replace whatever the temporary database holds by a programme of `size` sessions."""
    call_command("flush", interactive=False, verbosity=0)
    generate_programme(size)
    sessions = list(Session.objects.published().order_by("pk").values_list("pk", "slug"))
    pk, slug = sessions[len(sessions) // 2]
    link_model = Session._meta.get_field("speaker_links").related_model  # congress never imports speakers
    links = link_model.objects.filter(session_id=pk) or link_model.objects.all()
    speaker_slug = links.order_by("pk").values_list("speaker__slug", flat=True).first()
    return Subjects(f"/sessions/{slug}", f"/speakers/{speaker_slug}/", pk)


def edit_session(pk: int) -> None:
    """An organiser's edit of one session (its title), through save(): revision and programme version go up."""
    session = Session.objects.get(pk=pk)
    session.title = session.title[:-2] if session.title.endswith(" ·") else session.title + " ·"
    session.save()


def measure_pages(size: int, subjects: Subjects, *, iterations: int, cache_prefix: str) -> list[PageFigures]:
    # As a gunicorn worker does once Django is loaded (congress/gunicorn.conf.py, post_worker_init).
    gc.collect()
    gc.freeze()
    figures = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    for name, path in ENDPOINTS:
        path = path.format(session=subjects.session_path, speaker=subjects.speaker_path)
        with override_settings(ALLOWED_HOSTS=hosts, CACHES=benchmark_cache_settings(cache_prefix)):
            figures.append(_measure_page(size, name, path, subjects, iterations=iterations, prefix=cache_prefix))
    return figures


def _measure_page(size: int, name: str, path: str, subjects: Subjects, *, iterations: int, prefix: str) -> PageFigures:
    # HTTPS as behind the production proxy (no redirect); the client keeps its cookies like a browser.
    client = Client(raise_request_exception=False)

    def get(**headers):
        return client.get(path, secure=True, headers=headers)

    def empty_caches():
        forget_cache_prefix(prefix)

    empty_caches()
    try:
        first = get()
    except Exception:  # a view not built yet whose error page fails too: reported, not measured
        return PageFigures(size, name, path, 500)
    figures = PageFigures(size, name, path, first.status_code)
    if first.status_code != 200:
        return figures
    empty_caches()
    with CaptureQueriesContext(connection) as queries:
        get()
    figures.queries_cold = len(queries)
    figures.cold = _timed(get, at_least=5, at_most=iterations, budget_seconds=5, before_each=empty_caches)

    get()  # every piece kept
    figures.after_edit = _timed(
        get, at_least=5, at_most=iterations, budget_seconds=5, before_each=lambda: edit_session(subjects.edited_pk)
    )

    get()  # stores the page
    response = get()
    figures.bytes = len(response.content)
    figures.gzip_bytes = len(get(accept_encoding="gzip").content)
    with CaptureQueriesContext(connection) as queries:
        get()
    figures.queries_cached = len(queries)
    figures.cached = _timed(get, at_least=20, at_most=iterations * 5, budget_seconds=2)
    etag = response["ETag"]
    figures.not_modified_status = get(if_none_match=etag).status_code
    figures.not_modified = _timed(
        lambda: get(if_none_match=etag), at_least=20, at_most=iterations * 5, budget_seconds=2
    )
    return figures


def format_page_table(figures: list[PageFigures]) -> str:
    header = (
        f"{'sessions':>8}  {'page':<13} {'status':>6} {'bytes':>9} {'gzip':>7} {'SQL':>4} {'SQL(c)':>6} "
        f"{'cold med/p95 ms':>16} {'1 edit med/p95 ms':>18} {'cached med/p95':>15} {'304 med':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in figures:
        if row.status != 200:
            lines.append(f"{row.size:>8}  {row.name:<13} {row.status:>6}  (not measured: {row.path})")
            continue
        lines.append(
            f"{row.size:>8}  {row.name:<13} {row.status:>6} {row.bytes:>9} {row.gzip_bytes:>7} "
            f"{row.queries_cold:>4} {row.queries_cached:>6} "
            f"{row.cold.median_ms:>7.1f} / {row.cold.p95_ms:<6.1f} "
            f"{row.after_edit.median_ms:>8.1f} / {row.after_edit.p95_ms:<7.1f} "
            f"{row.cached.median_ms:>6.2f} / {row.cached.p95_ms:<6.2f} "
            f"{row.not_modified.median_ms:>8.2f}"
            + ("" if row.not_modified_status == 304 else f"  (conditional GET answered {row.not_modified_status})")
        )
    return "\n".join(lines)
