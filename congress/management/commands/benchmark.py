import os
import platform
import secrets
import shutil

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from congress.benchmarks import faults, load, nginx, pages, stars
from congress.imports import benchmark as import_benchmark


def sizes(value: str) -> list[int]:
    try:
        parsed = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as error:
        raise CommandError(f"--sizes takes numbers separated by commas, e.g. 50,500,2000 (got {value!r})") from error
    if not parsed or min(parsed) < 1:
        raise CommandError("--sizes needs at least one positive number of sessions")
    return parsed


class Command(BaseCommand):
    help = (
        "Measure the public pages and feeds on synthetic programmes in a temporary database: SQL queries, "
        "median and p95 time uncached and cached, bytes, the 304 path; with --load, requests per second "
        "under wrk against gunicorn, next to a static file of the same size. Figures, not a test."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=sizes, default=[50, 500, 2000], help="sessions per programme")
        parser.add_argument("--iterations", type=int, default=30, help="uncached requests per page (at most)")
        parser.add_argument("--load", action="store_true", help="also run wrk against gunicorn on 127.0.0.1")
        parser.add_argument("--load-size", type=int, default=500, help="sessions of the programme under load")
        parser.add_argument("--connections", type=int, default=50)
        parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per measured URL")
        parser.add_argument(
            "--slices", type=int, default=4, help="alternating wrk runs of page and static file the duration is cut in"
        )
        parser.add_argument("--wrk-threads", type=int, default=2)
        parser.add_argument(
            "--faults",
            action="store_true",
            help="also measure pages while Redis hangs, and 3,000 junk addresses against the cache",
        )
        parser.add_argument(
            "--import", dest="imports", action="store_true", help="measure the frab import instead of the pages"
        )
        parser.add_argument(
            "--stars",
            action="store_true",
            help="instead: many visitors starring at once on SQLite under gunicorn (congress/benchmarks/stars.py)",
        )
        parser.add_argument("--star-clients", type=int, default=100, help="concurrent visitors of --stars")
        parser.add_argument("--star-workers", type=int, default=8, help="gunicorn workers of --stars")
        parser.add_argument("--star-threads", type=int, default=8, help="threads per worker of --stars")

    def handle(self, *args, **options):
        if options["stars"]:
            result = stars.run_star_load(
                clients=options["star_clients"],
                workers=options["star_workers"],
                threads=options["star_threads"],
                log=self.stdout.write,
            )
            self.stdout.write(result.summary())
            return
        if settings.DEBUG:
            self.stderr.write("DJANGO_DEBUG is on: figures would not be those of production.")
        if options["load"] and not shutil.which("wrk"):
            self.stderr.write("wrk is not installed (Debian: apt-get install -y wrk): the load run is skipped.")
            options["load"] = False
        if options["load"] and not nginx.available():
            self.stderr.write(
                "nginx is not installed (Debian: apt-get install -y nginx): measured behind gunicorn only."
            )
        self.stdout.write(
            f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), database {connection.vendor}, "
            f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        cache_prefix = f"fbp-benchmark-{secrets.token_hex(4)}"
        if options["imports"]:
            with pages.temporary_database():
                figures = [import_benchmark.measure_import(size) for size in options["sizes"]]
            self.stdout.write(import_benchmark.format_import_table(figures))
            return
        with pages.temporary_database() as database_url:
            try:
                self.measure(options, database_url, cache_prefix)
            finally:
                pages.forget_cache_prefix(cache_prefix)

    def measure(self, options: dict, database_url: str, cache_prefix: str) -> None:
        figures = []
        for size in options["sizes"]:
            self.stdout.write(f"Programme of {size} sessions …")
            subjects = pages.build_programme(size)
            figures += pages.measure_pages(size, subjects, iterations=options["iterations"], cache_prefix=cache_prefix)
        self.stdout.write("")
        self.stdout.write(pages.format_page_table(figures))
        self.stdout.write(
            "\nSQL = queries of a cold answer (empty caches), SQL(c) = of a cached one; 1 edit = the first answer "
            "after one session is edited (every other session's pieces kept); gzip = bytes sent to a client that "
            "accepts gzip; times in-process (Django test client over the whole middleware stack), 304 = "
            "conditional GET with the page's ETag."
        )
        if options["load"]:
            size = options["load_size"]
            self.stdout.write(f"\nLoad run on a programme of {size} sessions (gunicorn, production profile) …")
            pages.build_programme(size)
            results = load.run_load(
                database_url,
                connections=options["connections"],
                duration=options["duration"],
                slices=max(1, options["slices"]),
                threads=options["wrk_threads"],
                log=self.stdout.write,
                through_nginx=nginx.available(),
            )
            self.stdout.write("")
            self.stdout.write(load.format_load_table(results))
            self.stdout.write(
                "\nstatic/page = static-file throughput ÷ page throughput from the same front "
                "(targets: gunicorn ≤ 2.0×, nginx ≤ 1.2×); "
                "errors = socket errors + non-2xx/3xx answers."
            )
        if options["faults"]:
            size = options["load_size"]
            self.stdout.write(f"\nFaults on a programme of {size} sessions …")
            pages.build_programme(size)
            hung = faults.hung_redis("/schedule/")
            junk = faults.junk_addresses(pages.benchmark_cache_settings(cache_prefix))
            self.stdout.write(faults.format_faults(hung, junk))
