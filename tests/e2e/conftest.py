"""Real-browser journeys: Debian's Chromium, driven by Playwright, against Django's live server.

One browser for the whole run (pytest-playwright's session `browser`), a fresh context and page per test.
The server is a live server thread of our own, started once for this package with the settings a plain-HTTP
test server needs. Tests are transactional (the server thread sees their rows, and the database is emptied
after each): the first one seeds it, the others get a copy of that seeded database back.
"""

import copy
import datetime as dt
import io
import itertools
import os
import sqlite3
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls beside one unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Roles a person operates: each must have an accessible name.
CONTROL_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "menuitem",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "tab",
    "textbox",
}


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def pytest_collection_modifyitems(config, items):
    # Without Chromium the journeys are reported as skipped, with the reason, except in CI where they must run
    # (the browser fixture then fails them with the same reason).
    if CHROMIUM.exists() or running_in_ci():
        return
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


# --- the server ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def live_site(django_db_setup, django_db_blocker):
    """Django's live server thread, built after the overrides so that its middleware sees them.

    With debug off the settings redirect to HTTPS and mark cookies Secure; the test server speaks plain HTTP.
    Static files are served by the live server's static handler from the finders, unhashed (no collectstatic).
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    assert_test_database()
    overrides = override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    overrides.enable()
    server = LiveServer("localhost")
    # A redirect here would mean that the server's middleware was built with the HTTPS settings.
    with django_db_blocker.unblock(), urllib.request.urlopen(f"{server.url}/admin/login/") as answer:
        assert answer.url == f"{server.url}/admin/login/", f"the live server redirected to {answer.url}"
    # Absolute links (feeds, webcal://, the agenda's private addresses) are built from the public address.
    site_url = override_settings(SITE_URL=server.url)
    site_url.enable()
    yield server
    site_url.disable()
    server.stop()
    overrides.disable()


@dataclass
class Programme:
    congress: object
    generated: object
    sanofi_talk: object
    companions: list


# Test sessions added to the seeded congress (whose only session is the Sanofi talk) so that the filters,
# the day tabs and the grid have something to narrow: (slug, title, track, room, day, start, minutes, kind).
# fmt: off
COMPANIONS = [
    ("essai-double-sourcing", "Essai : double sourcing et résilience des approvisionnements",
     "strategie-industrielle", "pierre-de-ronsard", 19, "11:30", 45, "talk"),
    ("essai-purification-continue", "Essai : purification continue des anticorps",
     "procedes-et-technologies", "descartes", 19, "14:00", 60, "workshop"),
    ("essai-jumeaux-numeriques", "Essai : jumeaux numériques en production",
     "numerique-et-ia", "francois-ier", 20, "09:30", 45, "talk"),
    ("essai-usage-unique", "Essai : usage unique, retours d'expérience",
     "procedes-et-technologies", "pierre-de-ronsard", 20, "11:00", 60, "round-table"),
    ("essai-documentation-ia", "Essai : l'IA pour la documentation qualité",
     "numerique-et-ia", "descartes", 20, "14:30", 45, "talk"),
]
# fmt: on
CANCELLED_COMPANION = "essai-documentation-ia"


def sanofi_talk(congress):
    from congress.models import Session

    talks = (
        Session.objects.of_congress(congress)
        .public()
        .filter(speaker_links__speaker__organisation__name__icontains="sanofi")
        .distinct()
        .order_by("starts_at")
    )
    talk = talks.first()
    assert talk is not None, "the seeds hold no session given by a Sanofi speaker"
    return talk


def add_companion_sessions(congress) -> list:
    from congress.models import Room, Session, Track
    from tests.factories import add_speaker, make_speaker

    speaker = make_speaker(name="Camille Essai", slug="camille-essai", job_title="Ingénieure procédés")
    sessions = []
    for slug, title, track, room, day, start, minutes, kind in COMPANIONS:
        hour, minute = map(int, start.split(":"))
        starts_at = dt.datetime(2025, 3, day, hour, minute, tzinfo=congress.tzinfo)
        session = Session.objects.create(
            congress=congress,
            slug=slug,
            title=title,
            kind=kind,
            abstract=f"Session d'essai ajoutée par les tests de bout en bout ({title}).",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=minutes),
            room=Room.objects.get(venue=congress.venue, slug=room),
            track=Track.objects.get(congress=congress, slug=track),
            status=Session.Status.CANCELLED if slug == CANCELLED_COMPANION else Session.Status.PUBLISHED,
        )
        add_speaker(session, speaker)
        sessions.append(session)
    return sessions


def assert_test_database() -> None:
    # pytest-django sets up the test database only when a selected test asks for one (a django_db mark):
    # without it, seeding would write into the development database.
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    assert in_memory or Path(name).name.startswith("test_"), f"{name} is not a test database"


def seed_programme() -> Programme:
    from django.core.management import call_command

    from congress.models import Congress
    from congress.programme import generate_programme

    assert_test_database()
    call_command("load_seeds", stdout=io.StringIO(), stderr=io.StringIO())
    # A larger fictitious edition beside the seeded one: the seeded congress must stay the one shown.
    generated = generate_programme(40, make_current=False)
    congress = Congress.objects.current().get()
    return Programme(
        congress=congress,
        generated=generated,
        sanofi_talk=sanofi_talk(congress),
        companions=add_companion_sessions(congress),
    )


_seeded: dict = {}  # the first seeded database, copied whole (SQLite's backup API), and its Programme


def restore_or_seed() -> Programme:
    """Seed once; later, copy the seeded database back (a few milliseconds instead of loading it again)."""
    from django.db import connection

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return seed_programme()
    assert_test_database()
    connection.ensure_connection()
    if not _seeded:
        programme = seed_programme()
        _seeded["database"] = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_seeded["database"])
        _seeded["programme"] = programme
    else:
        _seeded["database"].backup(connection.connection)
    return copy.deepcopy(_seeded["programme"])  # a test may change its objects


@pytest.fixture
def programme(live_site, transactional_db) -> Programme:
    """The seeded congress (current, with five test sessions added) and a generated 40-session edition beside
    it, in a database the server thread shares; emptied after the test."""
    return restore_or_seed()


# --- the browser (pytest-playwright's fixtures, pointed at Debian's Chromium) --------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); CI must run the journeys")
    # Never a downloaded browser: Playwright drives the system's Chromium.
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS, "headless": True}


@pytest.fixture(scope="session")
def base_url():
    # Replaces pytest-playwright's fallback fixture, a method on a plugin object that pytest 9 deprecates
    # (an error under our warning filter); the live server's address is set per context below.
    return None


@pytest.fixture
def browser_context_args(browser_context_args, live_site):
    return {
        **browser_context_args,
        "base_url": live_site.url,
        "viewport": PHONE,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "accept_downloads": True,
        # The offline journeys (test_offline.py) allow the service worker; elsewhere its background copies
        # would query the live server's shared in-memory SQLite connection from a second thread.
        "service_workers": "block",
    }


@pytest.fixture
def page_errors(page) -> list[str]:
    """Script errors and console errors (a CSP refusal is one) seen by `page` during the test."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({(message.location or {}).get('url', '')})")

    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", on_console)
    return errors


# --- checks shared by the tests ------------------------------------------------------------------------------


def wait_for_htmx(page) -> None:
    """Until no htmx request, swap or settle is under way (the site's afterSettle handlers have then run)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def axe_violations(page) -> list[str]:
    """axe-core (bundled with axe-playwright-python, injected from its local file) on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{violation['id']} ({violation['impact']}) at {' '.join(map(str, node['target']))}\n"
        f"    {node['failureSummary']}\n    {violation['helpUrl']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core violations on {page.url}:\n" + "\n".join(violations)


def heading_levels(page) -> list[tuple[int, str]]:
    """Levels and texts of the headings a screen reader lists (hidden ones left out)."""
    return [
        (level, text)
        for level, text in page.eval_on_selector_all(
            "h1, h2, h3, h4, h5, h6",
            "els => els.filter(e => e.checkVisibility()).map(e => [Number(e.tagName[1]), e.textContent.trim()])",
        )
    ]


def heading_problems(page) -> list[str]:
    levels = heading_levels(page)
    problems = []
    h1_count = sum(1 for level, _text in levels if level == 1)
    if h1_count != 1:
        problems.append(f"{h1_count} h1 elements instead of one: {levels}")
    if levels and levels[0][0] != 1:
        problems.append(f"the first heading is not the h1: {levels[0]}")
    for (previous, _), (level, text) in itertools.pairwise(levels):
        if level > previous + 1:
            problems.append(f"h{previous} followed by h{level} ({text!r}): a level is skipped")
    return problems


def unnamed_controls(page) -> list[str]:
    """Controls without an accessible name, from Chromium's own accessibility tree (as a screen reader gets it)."""
    cdp = page.context.new_cdp_session(page)
    try:
        missing = []
        for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
            role = (node.get("role") or {}).get("value")
            if node.get("ignored") or role not in CONTROL_ROLES:
                continue
            if ((node.get("name") or {}).get("value") or "").strip():
                continue
            element = cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})["object"]
            html = cdp.send(
                "Runtime.callFunctionOn",
                {"objectId": element["objectId"], "functionDeclaration": "function () { return this.outerHTML; }"},
            )["result"].get("value", "")
            missing.append(f"{role}: {html[:200]}")
        return missing
    finally:
        cdp.detach()
