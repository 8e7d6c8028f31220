"""Many visitors starring at once on the embedded SQLite default (`manage.py benchmark --stars`).

gunicorn (production profile, 8 workers × 8 threads by default) on 127.0.0.1 with a temporary SQLite file and a
small synthetic programme; 100 client threads start together and each stars sessions one after another, as an
htmx button press does (its own agenda cookie, a CSRF cookie and header). Every answer other than 200 counts as
an error, by kind ("HTTP 500", "timeout", …); latencies are those of the star POSTs.

Everything runs in subprocesses from `root`, so the same measurement can be pointed at another checkout (the
code before a change) to compare.
"""

import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from congress.benchmarks import load

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class StarLoadResult:
    clients: int
    workers: int
    threads: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    stars_stored: int | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        errors = ", ".join(f"{count} {kind}" for kind, count in self.errors.most_common()) or "none"
        median = statistics.median(self.latencies) if self.latencies else 0.0
        return (
            f"{self.clients} clients starring against gunicorn {self.workers} workers × {self.threads} threads "
            f"(SQLite): {self.requests} star requests in {self.seconds:.1f} s, "
            f"{sum(self.errors.values())} errors ({errors}); latency p50 {median * 1000:.0f} ms, "
            f"p95 {self.percentile(0.95) * 1000:.0f} ms, p99 {self.percentile(0.99) * 1000:.0f} ms, "
            f"max {max(self.latencies, default=0) * 1000:.0f} ms; stars stored: {self.stars_stored}"
        )


def _manage(root: Path, environment: dict[str, str], *arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


def _star(url: str, csrf: str, agenda: str | None, timeout: float) -> tuple[str | None, str | None]:
    """One htmx star press: (the agenda cookie to keep, the error kind or None)."""
    cookies = f"csrftoken={csrf}" + (f"; agenda={agenda}" if agenda else "")
    request = urllib.request.Request(
        url,
        data=b"starred=1",
        method="POST",
        headers={
            "Cookie": cookies,
            "X-CSRFToken": csrf,
            "Sec-Fetch-Site": "same-origin",  # as a browser sends it: stars are checked by origin (agenda.visitor)
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            cookie = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie.load(header)
            return (cookie["agenda"].value if "agenda" in cookie else agenda), None
    except urllib.error.HTTPError as error:
        return agenda, f"HTTP {error.code}"
    except TimeoutError:
        return agenda, "timeout"
    except OSError as error:
        return agenda, type(error).__name__


def run_star_load(
    *,
    root: Path = ROOT,
    clients: int = 100,
    stars_per_client: int = 20,
    sessions: int = 60,
    workers: int = 8,
    threads: int = 8,
    request_timeout: float = 30,
    log: Callable[[str], object] = print,
) -> StarLoadResult:
    result = StarLoadResult(clients=clients, workers=workers, threads=threads)
    with tempfile.TemporaryDirectory(prefix="fbp-star-load-") as directory:
        workdir = Path(directory)
        port = load.free_port()
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "GUNICORN_", "CONGRESS_")) and key not in ("DATABASE_URL", "REDIS_URL")
        } | {
            "DATABASE_URL": f"sqlite:///{workdir / 'stars.sqlite3'}",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ENV_FILE": os.devnull,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_ACCESS_LOG": "off",
        }
        log(f"Preparing a programme of {sessions} sessions in {workdir} …")
        _manage(root, environment, "migrate", "--no-input", "-v", "0")
        _manage(root, environment, "generate_programme", "--sessions", str(sessions))
        script = (
            "import json; from congress.models import Session; "
            "print(json.dumps(list(Session.objects.published().values_list('slug', flat=True))))"
        )
        slugs = json.loads(_manage(root, environment, "shell", "-v", "0", "-c", script).strip().splitlines()[-1])
        with load.gunicorn(environment, port, workdir / "gunicorn.log", root=root):
            barrier = threading.Barrier(clients)
            lock = threading.Lock()

            def visitor(seed: int) -> None:
                chosen = random.Random(seed).sample(slugs, min(stars_per_client, len(slugs)))
                csrf, agenda = secrets.token_hex(16), None
                barrier.wait()
                for slug in chosen:
                    started = time.perf_counter()
                    agenda, error = _star(
                        f"http://127.0.0.1:{port}/sessions/{slug}/star/", csrf, agenda, request_timeout
                    )
                    elapsed = time.perf_counter() - started
                    with lock:
                        result.latencies.append(elapsed)
                        if error:
                            result.errors[error] += 1

            log(f"{clients} clients × {stars_per_client} stars against {workers} workers × {threads} threads …")
            started = time.perf_counter()
            pool = [threading.Thread(target=visitor, args=(index,)) for index in range(clients)]
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
            result.seconds = time.perf_counter() - started
        count = "from congress.models import Star; print(Star.objects.count())"
        result.stars_stored = int(_manage(root, environment, "shell", "-v", "0", "-c", count).split()[-1])
    return result
