import secrets
import statistics
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from congress.benchmarks import load, pages
from congress.offline import CHROMIUM

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# What the worker holds, each body measured raw and gzip-compressed (CompressionStream) inside the browser.
STORED_BYTES = """async () => {
  let raw = 0, compressed = 0, entries = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).arrayBuffer();
      const gzip = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
      raw += body.byteLength;
      compressed += (await new Response(gzip).arrayBuffer()).byteLength;
      entries += 1;
    }
  }
  return {raw, compressed, entries};
}"""
LOAD_TIME = "() => performance.getEntriesByType('navigation')[0].loadEventEnd"
# Milliseconds from the start of the navigation: answer complete, first paint of content, DOM ready, load event.
OFFLINE_TIMES = """() => {
  const [navigation] = performance.getEntriesByType("navigation");
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return [navigation.responseEnd, paint ? paint.startTime : NaN, navigation.domContentLoadedEventEnd,
          navigation.loadEventEnd];
}"""


class Command(BaseCommand):
    help = (
        "Measure the offline budgets on a synthetic programme (production profile under gunicorn, headless "
        f"Chromium at {CHROMIUM}): the first visit's load time with and without the service worker, what the "
        "worker stores after it (raw and gzip), and how long a kept /schedule/ takes to open offline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=500)
        parser.add_argument("--runs", type=int, default=5, help="first visits and offline openings measured")
        parser.add_argument("--path", default="/schedule/", help="the page of the first visit and of the offline one")

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright  # a test dependency: only this command needs it

        if not CHROMIUM.exists():
            raise CommandError(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
        prefix = f"fbp-benchmark-{secrets.token_hex(4)}"
        with pages.temporary_database() as database_url, tempfile.TemporaryDirectory() as folder:
            try:
                pages.build_programme(options["sessions"])
                port = load.free_port()
                environment = load.server_environment(
                    database_url, port=port, static_root=Path(folder) / "static", cache_prefix=prefix
                )
                load.collect_static(environment)
                with load.gunicorn(environment, port, Path(folder) / "gunicorn.log"), sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
                    try:
                        self.measure(browser, f"http://127.0.0.1:{port}", options)
                    finally:
                        browser.close()
            finally:
                pages.forget_cache_prefix(prefix)

    def measure(self, browser, base_url: str, options: dict) -> None:
        path, runs = options["path"], options["runs"]
        url = base_url + path
        browser.new_page().goto(url)  # the server's own cache warmed: both series compare the browser's side

        without, with_worker, offline, stored, kept_in = [], [], [], None, []
        for run in range(runs):
            if run % 2:  # each series goes first in half the runs: neither gets the quieter moment
                without.append(self.first_visit_without_worker(browser, url))
            context = browser.new_context()
            page = context.new_page()
            started = time.monotonic()
            page.goto(url)
            with_worker.append(page.evaluate(LOAD_TIME))
            page.wait_for_selector("html[data-offline-version]", state="attached", timeout=120_000)
            kept_in.append(time.monotonic() - started)
            stored = page.evaluate(STORED_BYTES)
            context.set_offline(True)
            page.goto(url)
            page.wait_for_selector("main .offline-note")
            page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
            offline.append(page.evaluate(OFFLINE_TIMES))
            context.close()
            if not run % 2:
                without.append(self.first_visit_without_worker(browser, url))

        def figures(values):
            return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms"

        self.stdout.write(f"{options['sessions']} sessions, {path}, {runs} runs each, fresh browser context per run")
        self.stdout.write(f"first visit, load event, without the worker: {figures(without)}")
        self.stdout.write(f"first visit, load event, with the worker:    {figures(with_worker)}")
        self.stdout.write(f"worker done keeping its pages after:         median {statistics.median(kept_in):.1f} s")
        self.stdout.write(
            f"stored by the worker: {stored['entries']} answers, {stored['raw'] / 1e6:.2f} MB raw, "
            f"{stored['compressed'] / 1e6:.2f} MB gzip"
        )
        for index, name in enumerate(["answer from the worker", "first contentful paint", "DOM ready", "load event"]):
            self.stdout.write(f"kept {path} opened offline, {name}: {figures([times[index] for times in offline])}")

    @staticmethod
    def first_visit_without_worker(browser, url: str) -> float:
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        page.goto(url)
        load = page.evaluate(LOAD_TIME)
        context.close()
        return load
