from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from congress.offline import CHROMIUM, ICON_SIZES, ICON_SOURCE


class Command(BaseCommand):
    help = (
        "Draw the app icons' PNGs (static/icons/icon-192.png, icon-512.png) from their one source, "
        f"static/{ICON_SOURCE}, with Playwright and Debian's Chromium ({CHROMIUM}); commit the PNGs."
    )

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright  # a test dependency: only this command needs it

        if not CHROMIUM.exists():
            raise CommandError(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
        source = Path(settings.BASE_DIR) / "static" / ICON_SOURCE
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
            try:
                for size in ICON_SIZES:
                    page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
                    page.goto(source.as_uri())
                    target = source.with_name(f"icon-{size}.png")
                    page.screenshot(path=str(target), omit_background=True)
                    page.close()
                    self.stdout.write(f"{target.relative_to(settings.BASE_DIR)}: {size}×{size}")
            finally:
                browser.close()
