"""In the hall without a network: the site installs, and after one online visit the programme, the venue and the
visitor's agenda open offline (static/js/sw.js); what is missing says so, stars are never lost silently, and an
organiser's edit reaches the visitor once the network is back."""

import re
import time

import icalendar
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS, PHONE, assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFLINE_NOTE = re.compile(r"^hors connexion — mis à jour à \d\d:\d\d$")
NOT_AVAILABLE = "Indisponible hors connexion"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "service_workers": "allow"}


def visit_online(page, path: str = "/") -> None:
    """Open `path` and wait until the worker controls the page and has kept this language's pages."""
    page.goto(path)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_selector("html[data-offline-version]", state="attached", timeout=30_000)


def wait_until_kept(page, path: str, containing: str = "") -> None:
    """Until the worker holds a copy of `path` (holding `containing`): it keeps pages in the background."""
    script = """async ([path, containing]) => {
      const kept = await caches.match(new URL(path, location.href).href, {ignoreVary: true});
      return !!kept && (await kept.text()).includes(containing);
    }"""
    deadline = time.monotonic() + 15
    while not page.evaluate(script, [path, containing]):
        assert time.monotonic() < deadline, f"{path} was not kept" + (f" with {containing!r}" if containing else "")
        page.wait_for_timeout(200)


def expect_offline_copy(page) -> None:
    expect(page.locator("main .offline-note")).to_have_text(OFFLINE_NOTE)


def star_in_schedule(page, session) -> None:
    button = page.locator(f"#star-{session.pk} button")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def test_installable(playwright, live_site, programme, tmp_path):
    # Chromium never offers to install from an incognito window, and each new context is one: a profile on disk.
    context = playwright.chromium.launch_persistent_context(
        tmp_path,
        executable_path=str(CHROMIUM),
        args=LAUNCH_ARGS,
        headless=True,
        base_url=live_site.url,
        viewport=PHONE,
        locale="fr-FR",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        visit_online(page)

        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        icons = page.evaluate(
            """async () => {
              const manifest = await (await fetch(document.querySelector("link[rel=manifest]").href)).json();
              return Promise.all(manifest.icons.map(async (icon) => (await fetch(icon.src)).status));
            }"""
        )
    finally:
        context.close()

    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    assert errors == []
    assert icons == [200] * 4


def test_offline_after_one_visit(page, context, programme, page_errors):
    talk, unvisited = programme.sanofi_talk, programme.companions[1]
    visit_online(page, "/schedule/")
    star_in_schedule(page, talk)  # from the programme: the talk's own page was never opened
    wait_until_kept(page, f"/sessions/{talk.slug}/")
    wait_until_kept(page, f"/sessions/{talk.slug}.ics")
    wait_until_kept(page, "/schedule/")  # the page starred from (the same for everyone)
    wait_until_kept(page, "/agenda/state/", f"[{talk.pk}]")  # the visitor's stars, as the star left them

    context.set_offline(True)

    page.goto("/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    expect_offline_copy(page)
    expect(page.locator(f"#star-{talk.pk} button")).to_have_attribute("aria-pressed", "true")
    page.locator(".day-tabs a").nth(2).click()  # an htmx tab: without a network, the day's page kept
    expect(page).to_have_url(re.compile(r"/schedule/\?day=2025-03-20"))
    expect(page.locator("main")).to_contain_text("jumeaux numériques")
    page.locator("#filter-day").select_option("2025-03-19")  # a filter: the page kept for that day
    expect(page).to_have_url(re.compile(r"/schedule/\?day=2025-03-19$"))
    expect_offline_copy(page)
    page.goto("/schedule/?layout=list&day=2025-03-19")  # either order of the parameters
    expect(page.locator("#schedule-page")).to_have_class(re.compile(r"\blayout-list\b"))
    expect_offline_copy(page)

    page.goto(f"/sessions/{talk.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(talk.title)
    expect_offline_copy(page)
    with page.expect_download() as download:
        page.locator(f"a[href='/sessions/{talk.slug}.ics']").first.click()
    [event] = icalendar.Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")
    assert str(event["uid"]) == str(talk.uid)

    page.goto("/agenda/")
    expect(page.locator("main")).to_contain_text(talk.title)
    expect_offline_copy(page)
    with page.expect_download() as download:  # the whole programme's calendar, from the footer
        page.locator("footer a[href='/calendar.ics']").click()
    assert len(icalendar.Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")) == 6

    page.goto("/venue/")
    expect(page.locator("main")).to_contain_text("Palais des Congrès")
    expect_offline_copy(page)
    assert_no_axe_violations(page)  # with the note the worker adds
    page.goto("/speakers/")
    expect_offline_copy(page)

    page.goto(f"/sessions/{unvisited.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_AVAILABLE)
    expect(page.locator("main .offline-links a[href='/schedule/']")).to_have_text("Programme")
    assert_no_axe_violations(page)
    # Failed requests are logged while offline (htmx too); no script error, nothing refused by the CSP.
    assert [error for error in page_errors if "Content Security Policy" in error or "page error" in error] == []


def test_star_offline_is_refused_visibly_then_sent_online(page, context, programme):
    session = programme.companions[0]
    visit_online(page, f"/sessions/{session.slug}/")
    button = page.locator(f"#star-{session.pk} button")

    context.set_offline(True)
    page.reload()
    button.click()

    expect(page.locator(f"#star-{session.pk} [role=alert]")).to_contain_text("Pas de réseau")
    expect(button).to_have_attribute("aria-pressed", "false")

    context.set_offline(False)
    button.click()

    expect(button).to_have_attribute("aria-pressed", "true")
    page.goto("/agenda/")
    expect(page.locator("main")).to_contain_text(session.title)


def test_star_offline_without_javascript_says_it_was_not_sent(page, context, programme):
    session = programme.companions[0]
    visit_online(page, f"/sessions/{session.slug}/")
    context.set_offline(True)
    page.reload()
    # The page as without JavaScript (the worker, installed before, still answers): a plain form POST.
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.reload()

    page.locator(f"#star-{session.pk} button").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Non envoyé : pas de réseau")
    context.set_offline(False)
    page.goto("/agenda/")
    expect(page.locator("main")).not_to_contain_text(session.title)


def test_organiser_edit_shown_after_reconnecting(page, context, programme):
    session = programme.companions[2]
    visit_online(page, f"/sessions/{session.slug}/")
    version = page.locator("html").get_attribute("data-offline-version")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)

    session.title = "Jumeaux numériques : titre corrigé"
    session.save()  # as the admin does: the programme version changes
    context.set_offline(False)
    visit_online(page, f"/sessions/{session.slug}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)
    expect(page.locator("main .offline-note")).to_have_count(0)
    page.wait_for_function(
        "(old) => document.documentElement.dataset.offlineVersion !== old", arg=version, timeout=15_000
    )
    # The programme, kept for the older version, was fetched again: offline it shows the edit too.
    context.set_offline(True)
    page.goto("/schedule/")
    expect_offline_copy(page)
    expect(page.locator("main")).to_contain_text(session.title)
