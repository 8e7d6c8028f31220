"""An attendee on a phone: the programme filtered in place (htmx) and without JavaScript, a session's calendar
file, and a personal agenda with its feed."""

import datetime as dt
import re
import zoneinfo
from urllib.parse import parse_qsl, urlsplit

import icalendar
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TRACK = "strategie-industrielle"
WORD = "Modulus"
ALL_SESSIONS = 6  # the Sanofi talk and five test sessions, one of them cancelled
IN_TRACK = 2  # the Sanofi talk and "double sourcing"


def query_of(url: str) -> dict[str, str]:
    """The filters in an address, empty ones left out (a plain GET form sends them all)."""
    return {name: value for name, value in parse_qsl(urlsplit(url).query) if value}


def wait_for_filters(page, **filters: str) -> None:
    page.wait_for_url(lambda url: urlsplit(url).path == "/schedule/" and query_of(url) == filters, timeout=10_000)


def session_rows(page):
    return page.locator("#schedule-results article.session")


def open_schedule_from_home(page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name=re.compile("principal|main", re.I)).locator("a[href='/schedule/']").click()
    expect(page).to_have_url(re.compile(r"/schedule/$"))
    expect(session_rows(page)).to_have_count(ALL_SESSIONS)


def calendar_events(data: bytes) -> list:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def assert_talk_calendar_file(path, talk) -> None:
    [event] = calendar_events(path.read_bytes())
    start = event.decoded("dtstart")
    assert str(event["uid"]) == str(talk.uid)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert start == dt.datetime(2025, 3, 19, 10, 30, tzinfo=PARIS)
    assert start.utcoffset() == dt.timedelta(hours=1)  # winter time on 19 March
    assert event.decoded("dtend") == dt.datetime(2025, 3, 19, 11, 15, tzinfo=PARIS)


def test_phone_filters_in_place_and_downloads_the_talk(page, programme, page_errors):
    talk = programme.sanofi_talk
    open_schedule_from_home(page)
    assert page.evaluate("typeof window.htmx") == "object"
    # A full page load would forget this; an htmx swap keeps it.
    page.evaluate("window.journeyMarker = 'no reload'")

    page.locator("#filter-track").select_option(TRACK)

    wait_for_filters(page, track=TRACK)
    assert urlsplit(page.url).query == f"track={TRACK}"  # empty filters are left out of the pushed address
    expect(session_rows(page)).to_have_count(IN_TRACK)

    page.locator("#filter-q").fill(WORD)

    wait_for_filters(page, track=TRACK, q=WORD)
    expect(session_rows(page)).to_have_count(1)
    expect(session_rows(page)).to_contain_text(talk.title)
    assert page.evaluate("window.journeyMarker") == "no reload"
    with page.expect_download() as view_calendar:  # the calendar of exactly the view shown
        page.locator(".schedule-tools__calendar a[download]").click()
    assert [str(event["uid"]) for event in calendar_events(view_calendar.value.path().read_bytes())] == [str(talk.uid)]

    page.go_back()

    wait_for_filters(page, track=TRACK)
    expect(session_rows(page)).to_have_count(IN_TRACK)
    expect(page.locator("#filter-track")).to_have_value(TRACK)
    expect(page.locator("#filter-q")).to_have_value("")
    assert page.evaluate("window.journeyMarker") == "no reload"

    session_rows(page).get_by_role("link", name=talk.title).click()

    expect(page).to_have_url(re.compile(rf"/sessions/{talk.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(talk.title)
    expect(page.locator(".facts")).to_contain_text("10:30")
    expect(page.locator(".facts")).to_contain_text("Europe/Paris")

    with page.expect_download() as download:
        page.locator(f"a[href='/sessions/{talk.slug}.ics']").click()

    assert download.value.suggested_filename.endswith(".ics")
    assert_talk_calendar_file(download.value.path(), talk)
    assert page_errors == []


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_phone_without_javascript_filters_by_full_page_loads(page, programme):
    talk = programme.sanofi_talk
    open_schedule_from_home(page)

    page.locator("#filter-track").select_option(TRACK)
    page.get_by_role("button", name=re.compile("Afficher|Show")).click()

    wait_for_filters(page, track=TRACK)
    expect(session_rows(page)).to_have_count(IN_TRACK)

    page.locator("#filter-q").fill(WORD)
    page.locator("#filter-q").press("Enter")

    wait_for_filters(page, track=TRACK, q=WORD)
    expect(session_rows(page)).to_have_count(1)
    expect(session_rows(page)).to_contain_text(talk.title)

    page.go_back()

    wait_for_filters(page, track=TRACK)
    expect(session_rows(page)).to_have_count(IN_TRACK)
    expect(page.locator("#filter-track")).to_have_value(TRACK)

    session_rows(page).get_by_role("link", name=talk.title).click()

    expect(page).to_have_url(re.compile(rf"/sessions/{talk.slug}/$"))
    expect(page.locator(".facts")).to_contain_text("10:30")

    with page.expect_download() as download:
        page.locator(f"a[href='/sessions/{talk.slug}.ics']").click()

    assert_talk_calendar_file(download.value.path(), talk)

    # The star is a plain form: it comes back to the same place on the page (the same for every visitor);
    # the agenda shows what it holds.
    page.locator(f"#star-{talk.pk} button").click()

    expect(page).to_have_url(re.compile(rf"/sessions/{talk.slug}/(#star-{talk.pk})?$"))
    page.locator("a.site-nav__agenda").click()
    expect(page.locator(f"#star-{talk.pk} button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#agenda-count")).to_have_text("1")


def test_phone_agenda_keeps_starred_sessions_and_its_feed_follows(page, programme, page_errors):
    talk = programme.sanofi_talk
    other = next(session for session in programme.companions if session.slug == "essai-jumeaux-numeriques")
    page.goto("/schedule/")

    for session in (talk, other):
        page.locator(f"#star-{session.pk} button").click()
        expect(page.locator(f"#star-{session.pk} button")).to_have_attribute("aria-pressed", "true")

    expect(page.locator("#agenda-count")).to_have_text("2")
    page.locator("a.site-nav__agenda").click()

    expect(page).to_have_url(re.compile(r"/agenda/$"))
    agenda_titles = page.locator(".agenda-entry .session__title")
    expect(agenda_titles).to_have_count(2)
    expect(agenda_titles).to_contain_text([talk.title, other.title])

    page.locator(f"#star-{other.pk} button").click()

    expect(page.locator(f"#star-{other.pk} button")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#agenda-count")).to_have_text("1")
    page.reload()
    expect(agenda_titles).to_have_count(1)
    expect(agenda_titles).to_have_text(talk.title)

    feed_link = page.locator(".agenda-links a[download]")
    expect(feed_link).to_have_attribute("href", re.compile(r"/agenda/[^/]+\.ics$"))
    with page.expect_download() as download:
        feed_link.click()

    assert [str(event["uid"]) for event in calendar_events(download.value.path().read_bytes())] == [str(talk.uid)]
    assert page_errors == []


def test_phone_typing_a_word_is_one_step_of_history(page, programme):
    page.goto(f"/schedule/?track={TRACK}")

    # Thumb pace: each pause outlasts the search field's debounce, so each letter asks the server.
    page.locator("#filter-q").press_sequentially("sourcing", delay=600)

    wait_for_filters(page, track=TRACK, q="sourcing")
    expect(session_rows(page)).to_have_count(1)

    page.go_back()

    wait_for_filters(page, track=TRACK)  # the filter before the word, not the word minus its last letter
    expect(session_rows(page)).to_have_count(IN_TRACK)

    page.locator("#filter-q").press_sequentially(WORD, delay=600)  # another word, typed after going back

    wait_for_filters(page, track=TRACK, q=WORD)
    page.go_back()
    wait_for_filters(page, track=TRACK)
    expect(page.locator("#filter-q")).to_have_value("")


def test_language_switch_keeps_the_filters_chosen_in_place(page, programme):
    page.goto("/schedule/")
    page.locator("#filter-track").select_option(TRACK)
    wait_for_filters(page, track=TRACK)

    page.get_by_role("navigation", name=re.compile("langue|language", re.I)).get_by_role("link").click()

    page.wait_for_url(lambda url: urlsplit(url).path == "/en/schedule/")
    assert query_of(page.url) == {"track": TRACK}
    expect(session_rows(page)).to_have_count(IN_TRACK)
