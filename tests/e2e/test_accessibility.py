"""Every public page through axe-core (WCAG 2.0/2.1/2.2 A and AA) and our own checks: one h1, headings in
order, a `lang` that matches the language, a name for every control; on a phone and a desktop, in French and
in English. Each page/viewport/language is its own test; the browser is shared, the page is not."""

import contextlib
import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_no_axe_violations,
    axe_violations,
    heading_problems,
    unnamed_controls,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# While the Sanofi talk runs (19 March 2025, 10:30–11:15 in Tours): "now & next" shows rooms and sessions.
DURING_THE_TALK = dt.datetime(2025, 3, 19, 10, 40, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = {"fr": "", "en": "/en"}
FILTERED = "?track=strategie-industrielle&q=Modulus"
PAGES = {
    "home": "/",
    "home-during-the-congress": "/",
    "schedule": "/schedule/",
    "schedule-list": "/schedule/?layout=list",
    "schedule-filtered": f"/schedule/{FILTERED}",
    # The same filter applied through the form: the list swapped in by htmx is checked, not a fresh page.
    "schedule-filtered-in-place": "/schedule/",
    "session": "/sessions/{talk}/",
    "speakers": "/speakers/",
    "speaker": "/speakers/franck-leroux/",
    "partners": "/partners/",
    "venue": "/venue/",
    "calendar": "/calendar/",
    "now": "/now/",
    "now-during-the-congress": "/now/",
    "now-room-screen-during-the-congress": "/now/?room=francois-ier",
    "agenda-empty": "/agenda/",
    "agenda-with-stars": "/agenda/",
    "editions": "/editions/",
    "edition-home": "/2025/",
    "edition-session": "/2025/sessions/{talk}/",
    "unknown-session": "/sessions/no-such-session/",
    "unknown-filter": "/schedule/?track=no-such-track",
}
STATUS = {"unknown-session": 404, "unknown-filter": 400}


def star_sessions(page, prefix: str, count: int) -> None:
    page.goto(f"{prefix}/schedule/")
    buttons = page.locator("form.star button[aria-pressed='false']")
    for _ in range(count):
        button = buttons.first
        form_id = button.evaluate("button => button.form.id")
        button.click()
        expect(page.locator(f"#{form_id} button")).to_have_attribute("aria-pressed", "true")


def filter_in_place(page) -> None:
    status = page.locator("#schedule-status")
    before = status.inner_text()
    page.locator("#filter-track").select_option("strategie-industrielle")
    expect(status).not_to_have_text(before)
    before = status.inner_text()
    page.locator("#filter-q").fill("Modulus")
    expect(status).not_to_have_text(before)
    expect(page).to_have_url(re.compile(r"q=Modulus"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible(page, page_errors, programme, name, viewport, language):
    prefix = LANGUAGES[language]
    page.set_viewport_size(VIEWPORTS[viewport])
    if name == "agenda-with-stars":
        star_sessions(page, prefix, 2)
    # time-machine moves the clock of the whole process, the live server's thread included.
    clock = time_machine.travel(DURING_THE_TALK) if name.endswith("during-the-congress") else contextlib.nullcontext()

    with clock:
        response = page.goto(prefix + PAGES[name].format(talk=programme.sanofi_talk.slug))
        if name == "schedule-filtered-in-place":
            filter_in_place(page)
        if name.endswith("during-the-congress"):  # the clock did move: the running talk is on show
            talk = programme.sanofi_talk  # its title in the page's language
            expect(page.locator(".now-rooms")).to_contain_text(talk.title_en if language == "en" else talk.title_fr)
        # The browser logs the error status of the page itself; expected for the 404 and 400 pages.
        errors = [error for error in page_errors if not (name in STATUS and error.endswith(f"({page.url})"))]
        problems = page_problems(page, language) + [f"console: {error}" for error in errors]

    assert response.status == STATUS.get(name, 200)
    assert problems == [], f"{page.url} ({viewport}, {language}):\n" + "\n".join(problems)


def page_problems(page, language: str) -> list[str]:
    problems = []
    if (lang := page.locator("html").get_attribute("lang")) != language:
        problems.append(f"<html lang> is {lang!r}")
    if not page.evaluate("[...document.styleSheets].some(sheet => sheet.href && sheet.cssRules.length > 0)"):
        problems.append("no stylesheet loaded")
    if page.evaluate("typeof window.htmx") != "object":
        problems.append("htmx is not loaded")
    problems += heading_problems(page)
    problems += [f"no accessible name: {control}" for control in unnamed_controls(page)]
    return problems + axe_violations(page)


def test_filter_result_count_is_announced(page, programme):
    page.goto("/schedule/")
    live = page.locator("[aria-live], [role=status], [role=alert]").filter(has_text=re.compile(r"\d"))
    expect(live).to_have_count(1)
    # The same node must change: a live region replaced by a new one is often not announced at all.
    region = live.element_handle()
    before = region.inner_text()

    page.locator("#filter-track").select_option("strategie-industrielle")

    page.wait_for_function(
        "([region, before]) => region.isConnected && region.innerText !== before", arg=[region, before]
    )
    # Six sessions in all (one cancelled); two in the strategy track.
    assert re.search(r"\b6\b", before), before
    assert re.search(r"\b2\b", region.inner_text()), region.inner_text()
    assert_no_axe_violations(page)


# Every page once, in French: reflow at 320 CSS pixels (WCAG 1.4.10) and a visible focus on every stop of Tab.
ALL_PAGES = list(dict.fromkeys(path for name, path in PAGES.items() if "during" not in name and "in-place" not in name))
NARROW = {"width": 320, "height": 640}
# When the page scrolls sideways: the outermost elements that stick out of the viewport.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const sticksOut = element => element.getBoundingClientRect().right > width + 1;
  return [...document.querySelectorAll("body *")]
    .filter(element => sticksOut(element) && !sticksOut(element.parentElement) && element.checkVisibility())
    .slice(0, 5)
    .map(element => `${element.outerHTML.slice(0, 100)} (right edge: ${element.getBoundingClientRect().right} px)`);
}"""
FOCUS_SHOWN = """element => {
  const style = getComputedStyle(element);
  return element.matches(":focus-visible")
    && ((style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none");
}"""


def test_every_page_reflows_at_320_px(page, programme):
    page.set_viewport_size(NARROW)
    problems = {}

    for path in ALL_PAGES:
        page.goto(path.format(talk=programme.sanofi_talk.slug))
        if overflow := page.evaluate(OVERFLOW):
            problems[path] = overflow

    assert problems == {}, f"pages wider than 320 px (horizontal scrolling): {problems}"


def focus_stops(page, limit: int = 200) -> list[tuple[str, bool]]:
    """Each element Tab stops at, once round the page: its opening HTML and whether its focus is shown."""
    stops, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = page.evaluate_handle("document.activeElement")
        key = page.evaluate("element => element === document.body ? '' : element.outerHTML", element)
        if not key:
            continue  # between the last stop and the first
        if key in seen:
            break
        seen.add(key)
        stops.append((key[:120], page.evaluate(FOCUS_SHOWN, element)))
    return stops


def test_focus_is_visible_on_every_stop_of_every_page(page, programme):
    page.set_viewport_size(DESKTOP)
    star_sessions(page, "", 2)  # the agenda then has content, buttons and fields
    problems, counts = [], {}

    for path in ALL_PAGES:
        page.goto(path.format(talk=programme.sanofi_talk.slug))
        stops = focus_stops(page)
        counts[path] = len(stops)
        problems += [f"{path}: {html}" for html, shown in stops if not shown]

    assert min(counts.values()) >= 10, counts  # header, navigation and footer links at least
    assert problems == [], "focus not visible on:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_larger_generated_programme_is_accessible(page, page_errors, programme, viewport):
    programme.generated.make_current()  # 40 sessions over three days in two rooms: a dense grid
    page.set_viewport_size(VIEWPORTS[viewport])

    page.goto("/schedule/")

    expect(page.locator("#schedule-results article.session")).to_have_count(40)
    problems = page_problems(page, "fr") + [f"console: {error}" for error in page_errors]
    assert problems == [], f"{page.url} ({viewport}):\n" + "\n".join(problems)


def test_french_content_is_marked_french_on_english_pages(page, programme):
    # WCAG 3.1.2, language of parts: where organisers wrote no English, an English page shows the French text
    # and must say so, or screen readers read it with an English voice. The seeded talk, its speaker and the
    # congress have English versions (read as the page's English); the companion sessions are French only.
    talk, companion = programme.sanofi_talk, programme.companions[0]
    language_of = "element => element.closest('[lang]').getAttribute('lang')"
    parts = {
        "/en/": [(".hero__lede", "en")],
        "/en/schedule/": [(f"#session-{talk.pk}-title a", "en"), (f"#session-{companion.pk}-title a", "fr")],
        # The title sits in a span of its own in the h1, beside an English "Cancelled" badge when there is one.
        f"/en/sessions/{talk.slug}/": [("h1 > span", "en"), (".abstract .prose", "en")],
        f"/en/sessions/{companion.slug}/": [("h1 > span", "fr")],
        "/en/speakers/franck-leroux/": [(".person__job", "en"), ("#bio-title + .prose", "en")],
        "/en/speakers/camille-essai/": [(".person__job", "fr")],
    }
    unmarked = []

    for path, selectors in parts.items():
        page.goto(path)
        for selector, language in selectors:
            element = page.locator(selector).first
            if element.evaluate(language_of) != language:
                unmarked.append(f"{path} {selector} (should be {language}): {element.inner_text()[:60]!r}")

    assert unmarked == [], "Organiser text in the wrong language on English pages:\n" + "\n".join(unmarked)
