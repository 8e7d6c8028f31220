"""Every public page through axe-core (WCAG 2.0/2.1/2.2 A and AA) and our own checks: one h1, headings in
order, a `lang` that matches the language, a name for every control; on a phone and a desktop, in French and
in English. Each page/viewport/language is its own test; the browser is shared, the page is not."""

import re

import pytest
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

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = {"fr": "", "en": "/en"}
FILTERED = "?track=strategie-industrielle&q=Modulus"
PAGES = {
    "home": "/",
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
    "agenda-empty": "/agenda/",
    "agenda-with-stars": "/agenda/",
}


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
def test_page_is_accessible(page, programme, name, viewport, language):
    prefix = LANGUAGES[language]
    page.set_viewport_size(VIEWPORTS[viewport])
    if name == "agenda-with-stars":
        star_sessions(page, prefix, 2)

    response = page.goto(prefix + PAGES[name].format(talk=programme.sanofi_talk.slug))
    if name == "schedule-filtered-in-place":
        filter_in_place(page)

    assert response.status == 200
    problems = []
    if (lang := page.locator("html").get_attribute("lang")) != language:
        problems.append(f"<html lang> is {lang!r}")
    problems += heading_problems(page)
    problems += [f"no accessible name: {control}" for control in unnamed_controls(page)]
    problems += axe_violations(page)
    assert problems == [], f"{page.url} ({viewport}, {language}):\n" + "\n".join(problems)


def test_filter_result_count_is_announced(page, programme):
    page.goto("/schedule/")
    live = page.locator("[aria-live], [role=status], [role=alert]").filter(has_text=re.compile(r"\d"))
    expect(live).to_have_count(1)
    before = live.inner_text()

    page.locator("#filter-track").select_option("strategie-industrielle")

    # Six sessions in all (one cancelled); two in the strategy track.
    expect(live).not_to_have_text(before)
    assert re.search(r"\b2\b", live.inner_text()), live.inner_text()
    assert re.search(r"\b6\b", before), before
    assert_no_axe_violations(page)
