"""The load run of `manage.py benchmark --load`: gunicorn with the production profile on 127.0.0.1, wrk against
each page and against a static file of the same size from the same server, alternating (congress.benchmarks.nginx
adds the same through nginx)."""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

LOAD_PATHS = ["/schedule/", "/calendar.ics"]
WARM_UP_SECONDS = 5


@dataclass
class LoadFigures:
    front: str
    path: str
    bytes: int
    requests_per_second: float
    errors: int
    latency_p50: str
    latency_p99: str
    static_requests_per_second: float
    static_errors: int
    error_detail: str = ""

    @classmethod
    def of(cls, front: str, path: str, size: int, page: "WrkResult", static: "WrkResult") -> "LoadFigures":
        return cls(
            front=front,
            path=path,
            bytes=size,
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

    @property
    def ratio(self) -> float:
        """How many times slower than the static file of the same size (1.0 = as fast)."""
        return self.static_requests_per_second / self.requests_per_second if self.requests_per_second else 0.0


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


def measure_pair(page_url: str, static_url: str, *, connections: int, duration: int, threads: int, slices: int, log):
    """wrk against a page and a static file as big, in alternating slices, after a warm-up of both."""
    slice_seconds = max(1, round(duration / slices))
    for url in (page_url, static_url):
        # Warm up: every worker renders and stores the page once (per process without Redis).
        run_wrk(url, connections=connections, duration=WARM_UP_SECONDS, threads=threads)
    log(f"wrk {connections} connections, {duration} s each: {page_url} and {static_url}, {slices} alternating slices …")
    page_runs, static_runs = [], []
    for _slice in range(slices):  # alternating, so that both see the same machine
        for url, runs in ((page_url, page_runs), (static_url, static_runs)):
            runs.append(run_wrk(url, connections=connections, duration=slice_seconds, threads=threads))
    return combine_wrk(page_runs), combine_wrk(static_runs)


def run_load(
    database_url: str, *, connections: int, duration: int, threads: int, slices: int = 4, log, through_nginx: bool
) -> list[LoadFigures]:
    """gunicorn on 127.0.0.1 with the production profile; wrk against each path and a static file as big, from
    gunicorn alone and, with `through_nginx`, through nginx configured as in production.

    Each measurement lasts `duration` seconds in all, cut into `slices` runs that alternate page and static
    file: on a shared 2-core machine, whatever else runs then weighs on both alike, not on one of them.
    """
    from congress.benchmarks import nginx

    workdir = Path(tempfile.mkdtemp(prefix="fbp-load-"))
    static_root = workdir / "static"
    port = free_port()
    cache_prefix = f"fbp-benchmark-{secrets.token_hex(4)}"
    environment = server_environment(database_url, port=port, static_root=static_root, cache_prefix=cache_prefix)
    if through_nginx:
        environment["DJANGO_TRUSTED_PROXY_COUNT"] = "1"
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
        with gunicorn(environment, port, workdir / "gunicorn.log"), contextlib.ExitStack() as fronts:
            bases = {"gunicorn": base}
            if through_nginx:
                bases["nginx"] = fronts.enter_context(
                    nginx.nginx(port=free_port(), app_port=port, static_root=static_root, workdir=workdir / "nginx")
                )
            for front, front_base in bases.items():
                for index, path in enumerate(LOAD_PATHS):
                    page, static = measure_pair(
                        front_base + path,
                        f"{front_base}{settings.STATIC_URL}benchmark/twin-{index}.html",
                        connections=connections,
                        duration=duration,
                        threads=threads,
                        slices=slices,
                        log=log,
                    )
                    results.append(LoadFigures.of(front, path, twins[path], page, static))
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def format_load_table(figures: list[LoadFigures]) -> str:
    header = (
        f"{'front':<9} {'path':<14} {'bytes':>9} {'req/s':>9} {'errors':>6} {'p50':>8} {'p99':>8} "
        f"{'static req/s':>12} {'static err':>10} {'static/page':>11}"
    )
    lines = [header, "-" * len(header)]
    for row in figures:
        lines.append(
            f"{row.front:<9} {row.path:<14} {row.bytes:>9} {row.requests_per_second:>9.1f} {row.errors:>6} "
            f"{row.latency_p50:>8} {row.latency_p99:>8} {row.static_requests_per_second:>12.1f} "
            f"{row.static_errors:>10} {row.ratio:>10.2f}×"
        )
    lines += [f"{row.front} {row.path} errors — {row.error_detail}" for row in figures if row.error_detail]
    return "\n".join(lines)
