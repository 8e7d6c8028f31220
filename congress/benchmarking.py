"""Figures for the README's Benchmark section: `python manage.py benchmark [--sizes 50,500,2000] [--load]`.

Everything runs in a temporary database (a SQLite file, or a PostgreSQL database named fbp_benchmark_… when
DATABASE_URL points at PostgreSQL) filled by congress.programme.generate_programme, and under a cache key
prefix of its own, so neither the site's data nor its cached pages are touched. Printed figures, not a test.
"""

import contextlib
import gc
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
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
    ("session page", None),  # filled with a session of the generated programme
    ("speakers", "/speakers/"),
    ("calendar.ics", "/calendar.ics"),
    ("schedule.xml", "/schedule.xml"),
    ("schedule.json", "/schedule.json"),
]
LOAD_PATHS = ["/schedule/", "/calendar.ics"]
WARM_UP_SECONDS = 5


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
    queries_uncached: int = 0
    queries_cached: int = 0
    uncached: Timing = field(default_factory=Timing)
    cached: Timing = field(default_factory=Timing)
    not_modified: Timing = field(default_factory=Timing)
    not_modified_status: int = 0


@dataclass
class LoadFigures:
    path: str
    bytes: int
    requests_per_second: float
    errors: int
    latency_p50: str
    latency_p99: str
    static_requests_per_second: float
    static_errors: int
    error_detail: str = ""

    @property
    def ratio(self) -> float:
        """How many times slower than the static file of the same size (1.0 = as fast)."""
        return self.static_requests_per_second / self.requests_per_second if self.requests_per_second else 0.0


def _timed(call: Callable[[], object], *, at_least: int, at_most: int, budget_seconds: float) -> Timing:
    timing = Timing()
    started = time.perf_counter()
    while len(timing.samples) < at_most:
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


def build_programme(size: int) -> str:
    """Replace whatever the temporary database holds by a programme of `size` sessions; a session page path."""
    call_command("flush", interactive=False, verbosity=0)
    generate_programme(size)
    sessions = list(Session.objects.published().order_by("pk").values_list("slug", flat=True))
    return f"/sessions/{sessions[len(sessions) // 2]}/"


def measure_pages(size: int, session_path: str, *, iterations: int, cache_prefix: str) -> list[PageFigures]:
    # As a gunicorn worker does once Django is loaded (congress/gunicorn.conf.py, post_worker_init).
    gc.collect()
    gc.freeze()
    figures = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    for name, path in ENDPOINTS:
        path = path or session_path
        with override_settings(ALLOWED_HOSTS=hosts):
            figures.append(_measure_page(size, name, path, iterations=iterations, cache_prefix=cache_prefix))
    return figures


def _measure_page(size: int, name: str, path: str, *, iterations: int, cache_prefix: str) -> PageFigures:
    # HTTPS as behind the production proxy (no redirect); the client keeps its cookies like a browser.
    client = Client(raise_request_exception=False)

    def get(**headers):
        return client.get(path, secure=True, headers=headers)

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        try:
            first = get()
        except Exception:  # a view not built yet whose error page fails too: reported, not measured
            return PageFigures(size, name, path, 500)
        figures = PageFigures(size, name, path, first.status_code)
        if first.status_code != 200:
            return figures
        with CaptureQueriesContext(connection) as queries:
            get()
        figures.queries_uncached = len(queries)
        figures.uncached = _timed(get, at_least=5, at_most=iterations, budget_seconds=5)

    with override_settings(CACHES=benchmark_cache_settings(cache_prefix)):
        get()  # stores the page
        response = get()
        figures.bytes = len(response.content)
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
        f"{'sessions':>8}  {'page':<14} {'status':>6} {'bytes':>9} {'SQL':>4} {'SQL(c)':>6} "
        f"{'uncached med/p95 ms':>20} {'cached med/p95 ms':>18} {'304 med/p95 ms':>15}"
    )
    lines = [header, "-" * len(header)]
    for row in figures:
        if row.status != 200:
            lines.append(f"{row.size:>8}  {row.name:<14} {row.status:>6}  (not measured: {row.path})")
            continue
        lines.append(
            f"{row.size:>8}  {row.name:<14} {row.status:>6} {row.bytes:>9} {row.queries_uncached:>4} "
            f"{row.queries_cached:>6} {row.uncached.median_ms:>10.1f} / {row.uncached.p95_ms:<7.1f} "
            f"{row.cached.median_ms:>8.2f} / {row.cached.p95_ms:<7.2f} "
            f"{row.not_modified.median_ms:>5.2f} / {row.not_modified.p95_ms:<5.2f}"
            + ("" if row.not_modified_status == 304 else f"  (conditional GET answered {row.not_modified_status})")
        )
    return "\n".join(lines)


# Load run ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, *, port: int, static_root: Path, cache_prefix: str) -> dict[str, str]:
    """The production profile (debug off, manifest static files) on plain HTTP at 127.0.0.1."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))} | {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "0",  # TLS and its redirect belong to the reverse proxy in front
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_CACHE_PREFIX": cache_prefix,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "off",
    }
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS"):
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


def collect_static(environment: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
    )


@contextlib.contextmanager
def gunicorn(
    environment: dict[str, str], port: int, log_path: Path, *, root: Path | None = None
) -> Iterator[subprocess.Popen]:
    """gunicorn serving the checkout at `root` (this one by default), stopped on leaving."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "congress/gunicorn.conf.py", "congress.wsgi"],
            cwd=root or settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with exit code {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


@dataclass
class WrkResult:
    requests_per_second: float
    errors: int
    latency_p50: str
    latency_p99: str
    output: str
    error_detail: str = ""
    requests: int = 0
    seconds: float = 0.0


def run_wrk(url: str, *, connections: int, duration: int, threads: int) -> WrkResult:
    completed = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(completed.stdout)


def parse_wrk(output: str) -> WrkResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    kinds = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True))
        if (socket_errors)
        else {}
    )
    kinds["non-2xx/3xx"] = int(non_2xx[1]) if non_2xx else 0
    detail = ", ".join(f"{kind} {count}" for kind, count in kinds.items() if count)
    return WrkResult(
        float(rate[1]) if rate else 0.0,
        sum(kinds.values()),
        latency.get("50", "?"),
        latency.get("99", "?"),
        output,
        detail,
        requests=int(total[1]) if total else 0,
        seconds=_seconds(total[2] + total[3]) if total else 0.0,
    )


WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    """wrk's durations: "834.00us", "46.20ms", "1.10s", "2.00m"; inf for anything else ("?")."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * WRK_UNITS[match[2]] if match else float("inf")


def combine_wrk(runs: list[WrkResult]) -> WrkResult:
    """Several slices of one measurement as one: requests over time, errors added up, the median of the
    slices' medians and the worst of their 99th percentiles."""
    requests = sum(run.requests for run in runs)
    seconds = sum(run.seconds for run in runs)
    p50s = sorted((run.latency_p50 for run in runs), key=_seconds)
    return WrkResult(
        requests / seconds if seconds else 0.0,
        sum(run.errors for run in runs),
        p50s[len(p50s) // 2],
        max((run.latency_p99 for run in runs), key=_seconds),
        "\n".join(run.output for run in runs),
        "; ".join(run.error_detail for run in runs if run.error_detail),
        requests=requests,
        seconds=seconds,
    )


def run_load(
    database_url: str, *, connections: int, duration: int, threads: int, slices: int = 4, log
) -> list[LoadFigures]:
    """gunicorn on 127.0.0.1 with the production profile; wrk against each path and a static file as big.

    Each measurement lasts `duration` seconds in all, cut into `slices` runs that alternate page and static
    file: on a shared 2-core machine, whatever else runs then weighs on both alike, not on one of them.
    """
    slice_seconds = max(1, round(duration / slices))
    workdir = Path(tempfile.mkdtemp(prefix="fbp-load-"))
    static_root = workdir / "static"
    port = free_port()
    cache_prefix = f"fbp-benchmark-{secrets.token_hex(4)}"
    environment = server_environment(database_url, port=port, static_root=static_root, cache_prefix=cache_prefix)
    base = f"http://127.0.0.1:{port}"
    try:
        collect_static(environment)
        # Same-size static twins of the measured answers, written before start-up (WhiteNoise indexes files then).
        connection.close()  # the server processes use the database on their own
        twins = {}
        with gunicorn(environment, port, workdir / "gunicorn.log"):
            for path in LOAD_PATHS:
                twins[path] = len(fetch(base + path))
        (static_root / "benchmark").mkdir(parents=True, exist_ok=True)
        for index, path in enumerate(LOAD_PATHS):
            (static_root / "benchmark" / f"twin-{index}.html").write_bytes(b"x" * twins[path])
        results = []
        with gunicorn(environment, port, workdir / "gunicorn.log"):
            for index, path in enumerate(LOAD_PATHS):
                static_url = f"{base}{settings.STATIC_URL}benchmark/twin-{index}.html"
                for url in (base + path, static_url):
                    # Warm up: every worker renders and stores the page once (per process without Redis).
                    run_wrk(url, connections=connections, duration=WARM_UP_SECONDS, threads=threads)
                log(
                    f"wrk {connections} connections, {duration} s each: {path} and a static file of {twins[path]} "
                    f"bytes, in {slices} alternating slices …"
                )
                page_runs, static_runs = [], []
                for _slice in range(slices):  # alternating, so that both see the same machine
                    for url, runs in ((base + path, page_runs), (static_url, static_runs)):
                        runs.append(run_wrk(url, connections=connections, duration=slice_seconds, threads=threads))
                page, static = combine_wrk(page_runs), combine_wrk(static_runs)
                results.append(
                    LoadFigures(
                        path=path,
                        bytes=twins[path],
                        requests_per_second=page.requests_per_second,
                        errors=page.errors,
                        latency_p50=page.latency_p50,
                        latency_p99=page.latency_p99,
                        static_requests_per_second=static.requests_per_second,
                        static_errors=static.errors,
                        error_detail="; ".join(
                            f"{name}: {result.error_detail}"
                            for name, result in (("page", page), ("static", static))
                            if result.error_detail
                        ),
                    )
                )
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def format_load_table(figures: list[LoadFigures]) -> str:
    header = (
        f"{'path':<14} {'bytes':>9} {'req/s':>9} {'errors':>6} {'p50':>8} {'p99':>8} "
        f"{'static req/s':>12} {'static err':>10} {'static/page':>11}"
    )
    lines = [header, "-" * len(header)]
    for row in figures:
        lines.append(
            f"{row.path:<14} {row.bytes:>9} {row.requests_per_second:>9.1f} {row.errors:>6} {row.latency_p50:>8} "
            f"{row.latency_p99:>8} {row.static_requests_per_second:>12.1f} {row.static_errors:>10} {row.ratio:>10.2f}×"
        )
    lines += [f"{row.path} errors — {row.error_detail}" for row in figures if row.error_detail]
    return "\n".join(lines)
