"""Keyboard only: the schedule's filters, day tabs and star buttons are reached with Tab in a sensible order,
show where the focus is, and work with Enter and Space."""

import datetime as dt
import re
import zoneinfo
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, wait_for_htmx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILTER_IDS = ["filter-q", "filter-day", "filter-track", "filter-room", "filter-kind"]
# What a sighted keyboard user sees of the focused element: :focus-visible and an outline or a shadow.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    type: element.getAttribute("type") || "",
    text: (element.innerText || element.value || "").trim().replace(/\\s+/g, " ").slice(0, 60),
    inDayTabs: Boolean(element.closest(".day-tabs")),
    isStar: element.matches("form.star button"),
    current: element.getAttribute("aria-current"),
    visible: element.matches(":focus-visible")
      && ((style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none"),
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def describe(state: dict) -> str:
    return f"<{state['tag']}{' id=' + state['id'] if state['id'] else ''}> {state['text']!r}"


def tab_until(page, wanted, *, backwards: bool = False, limit: int = 80) -> list[dict]:
    """Press Tab (or Shift+Tab) until `wanted(state)`; the states passed through, the wanted one last."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = focused(page)
        passed.append(state)
        if wanted(state):
            return passed
    raise AssertionError(f"not reached in {limit} presses of Tab: " + ", ".join(map(describe, passed)))


def filters_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def schedule_rows(page):
    return page.locator("#schedule-results article.session")


@pytest.fixture
def schedule(page, programme):
    page.set_viewport_size(DESKTOP)
    page.goto("/schedule/")
    return page


def test_tab_reaches_filters_then_day_tabs_then_stars_with_visible_focus(schedule):
    passed = tab_until(schedule, lambda state: state["isStar"])

    order = ["day-tab" if state["inDayTabs"] else "star" if state["isStar"] else state["id"] for state in passed]
    first_tab = order.index("day-tab")
    submit = next(index for index, state in enumerate(passed) if state["type"] == "submit")
    assert "skip" in passed[0]["text"].lower() or "contenu" in passed[0]["text"].lower(), describe(passed[0])
    assert [name for name in order if name in FILTER_IDS] == FILTER_IDS
    assert max(order.index(name) for name in FILTER_IDS) < submit < first_tab < order.index("star")
    assert order.count("day-tab") == 3  # all days, Wednesday 19, Thursday 20
    assert [describe(state) for state in passed if not state["visible"]] == []


def test_skip_link_day_tab_and_star_work_with_enter_and_space(schedule):
    page = schedule
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"

    tab_until(page, lambda state: state["inDayTabs"] and "20" in state["text"])
    page.keyboard.press("Enter")

    page.wait_for_url(lambda url: "day=2025-03-20" in url)
    expect(schedule_rows(page)).to_have_count(3)
    wait_for_htmx(page)
    state = focused(page)
    assert state["inDayTabs"] and state["current"] == "true" and "20" in state["text"], describe(state)
    assert state["visible"]

    star = tab_until(page, lambda state: state["isStar"])[-1]
    # Every element that receives the focus from now on: a screen reader announces each of them.
    page.evaluate(
        "() => { window.focusTrail = []; document.addEventListener('focusin', event => "
        "window.focusTrail.push(event.target.id || event.target.tagName)); }"
    )
    page.keyboard.press(" ")

    expect(page.locator(f"#{star['id']}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#agenda-count")).to_have_text("1")
    wait_for_htmx(page)
    # The button is replaced by the answer: the focus must stay on it, not jump elsewhere in the page.
    assert focused(page)["id"] == star["id"], describe(focused(page))

    page.keyboard.press("Enter")

    expect(page.locator(f"#{star['id']}")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#agenda-count")).to_have_text("")
    wait_for_htmx(page)
    assert focused(page)["id"] == star["id"], describe(focused(page))
    # htmx moves the focus to the new button (same id); nothing else may take it, even for a moment.
    assert set(page.evaluate("window.focusTrail")) == {star["id"]}


def test_filters_work_from_the_keyboard(schedule):
    page = schedule
    tab_until(page, lambda state: state["id"] == "filter-track")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the second track: Procédés et technologies

    page.wait_for_url(lambda url: filters_of(url) == {"track": "procedes-et-technologies"})
    expect(schedule_rows(page)).to_have_count(2)

    tab_until(page, lambda state: state["id"] == "filter-q", backwards=True)
    page.keyboard.type("usage")
    page.keyboard.press("Enter")

    page.wait_for_url(lambda url: filters_of(url) == {"track": "procedes-et-technologies", "q": "usage"})
    expect(schedule_rows(page)).to_have_count(1)
    wait_for_htmx(page)
    assert focused(page)["id"] == "filter-q"

    tab_until(page, lambda state: state["type"] == "submit")
    page.keyboard.press(" ")

    expect(schedule_rows(page)).to_have_count(1)
    assert filters_of(page.url) == {"track": "procedes-et-technologies", "q": "usage"}


def test_now_refresh_keeps_the_focus_where_it_was(page, programme):
    talk_link = f"#now-link-{programme.sanofi_talk.pk}"
    # The server's clock (time-machine, whole process) and the page's (Playwright) move together.
    with time_machine.travel(
        dt.datetime(2025, 3, 19, 10, 40, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")), tick=False
    ) as clock:
        page.clock.install()
        page.goto("/now/")
        minutes_left = page.locator("li.now-room", has=page.locator(talk_link)).locator(".now-room__left")
        expect(minutes_left).to_contain_text(re.compile(r"\b35 minutes"))
        page.locator(talk_link).focus()

        clock.shift(60)
        page.clock.run_for(61_000)  # the board asks for itself again every 60 s

        expect(minutes_left).to_contain_text(re.compile(r"\b34 minutes"))
        assert focused(page)["id"] == talk_link[1:], describe(focused(page))
