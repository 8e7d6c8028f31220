"""Editions: permanent addresses under each edition's prefix, the short addresses of the current edition, the
life of an edition on its pages (upcoming, ongoing, past) and the switch to the next edition."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from icalendar import Calendar

from congress.models import Congress
from tests.factories import make_congress, make_room, make_session, paris
from tests.pages.helpers import parse, shown_slugs, text_of

pytestmark = pytest.mark.django_db

BEFORE = paris(2025, 3, 1, 9)
DURING = paris(2025, 3, 19, 10, 40)
AFTER = paris(2026, 12, 1, 9)


@pytest.fixture
def editions(programme, congress):
    """The 2025 edition (current, from the pages' programme) and a 2026 one with a session of its own and one
    whose slug the 2025 edition also has."""
    following = make_congress(
        name="Congrès France Bioproduction 2026",
        edition=10,
        prefix="2026",
        is_current=False,
        start_date=dt.date(2026, 4, 15),
        end_date=dt.date(2026, 4, 16),
        venue=congress.venue,
    )
    room = make_room(congress.venue, name="Descartes", slug="descartes")
    make_session(following, slug="usine-2030", title="L'usine de 2030", room=room, starts_at=paris(2026, 4, 15, 10))
    return congress, following


def calendar_uids(response) -> set[str]:
    return {str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}


def organiser_client(client):
    user = User.objects.create_user("orga", password="x", is_staff=True)
    client.force_login(user)
    return client


# Permanent addresses


@pytest.mark.parametrize(
    "path",
    [
        "/2025/",
        "/2025/schedule/",
        "/2025/sessions/moderniser/",
        "/2025/speakers/",
        "/2025/partners/",
        "/2025/venue/",
        "/en/2025/",
        "/en/2025/schedule/",
        "/en/2025/sessions/moderniser/",
        "/en/2025/speakers/",
    ],
)
def test_edition_pages_answer_under_its_prefix_and_link_under_it(client, editions, path):
    response = client.get(path)

    assert response.status_code == 200
    assert parse(response).xpath('//link[@rel="canonical"]/@href')[0].endswith(path)
    main_links = parse(response).xpath("//main//a/@href")
    assert not any(href.startswith(("/sessions/", "/en/sessions/", "/schedule/")) for href in main_links)


def test_short_addresses_of_the_current_edition_point_to_the_permanent_ones(client, editions):
    page = parse(client.get("/en/schedule/"))

    assert page.xpath('//link[@rel="canonical"]/@href') == ["http://127.0.0.1:8000/en/2025/schedule/"]
    assert "/en/sessions/moderniser/" in page.xpath("//main//a/@href")  # short pages link short


def test_edition_schedule_fragment_and_feeds(client, editions):
    fragment = client.get(
        "/2025/schedule/", {"track": "qualite"}, headers={"HX-Request": "true", "HX-Target": "schedule-results"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    for path in ["/2025/calendar.ics", "/2025/schedule.xml", "/2025/schedule.json", "/2025/sessions/moderniser.ics"]:
        assert client.get(path).status_code == 200, path
    assert shown_slugs(client.get("/2026/schedule/")) == ["usine-2030"]


def test_unknown_prefix_is_the_styled_404(client, editions):
    response = client.get("/2019/schedule/")

    assert response.status_code == 404
    assert parse(response).xpath("//main//h1/text()") == ["Page introuvable"]
    assert client.get("/en/2019/").status_code == 404


def test_unpublished_edition_is_hidden_from_the_public_and_previewed_by_organisers(client, editions):
    _current, following = editions
    Congress.objects.filter(pk=following.pk).update(is_published=False)

    assert client.get("/2026/").status_code == 404
    assert client.get("/2026/calendar.ics").status_code == 404
    assert "2026" not in text_of(client.get("/editions/"), "//main")

    preview = organiser_client(client).get("/2026/schedule/")
    assert preview.status_code == 200
    assert shown_slugs(preview) == ["usine-2030"]
    assert preview["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get("/2026/schedule/").status_code == 404  # the preview was not kept for the public


# Switching the current edition


def test_after_the_switch_every_address_of_the_old_edition_still_answers(client, editions):
    _current, following = editions
    before_uids = calendar_uids(client.get("/calendar.ics"))
    assert before_uids == calendar_uids(client.get("/2025/calendar.ics"))

    following.make_current()

    for path in [
        "/2025/",
        "/2025/schedule/",
        "/2025/sessions/moderniser/",
        "/en/2025/sessions/moderniser/",
        "/2025/speakers/",
        "/2025/partners/",
        "/2025/venue/",
        "/2025/schedule.xml",
    ]:
        assert client.get(path).status_code == 200, path
    assert calendar_uids(client.get("/2025/calendar.ics")) == before_uids
    assert client.get("/sessions/moderniser/")["Location"] == "/2025/sessions/moderniser/"
    assert client.get("/sessions/moderniser/").status_code == 301
    assert client.get("/en/sessions/moderniser/")["Location"] == "/en/2025/sessions/moderniser/"
    assert client.get("/sessions/moderniser.ics")["Location"] == "/2025/sessions/moderniser.ics"
    assert shown_slugs(client.get("/schedule/")) == ["usine-2030"]


def test_current_calendar_says_it_is_the_current_edition(client, editions):
    calendar = Calendar.from_ical(client.get("/calendar.ics").content)

    assert "édition en cours" in str(calendar["X-WR-CALNAME"])


# The life of an edition


@pytest.mark.parametrize("language", ["", "/en"])
def test_home_before_during_and_after(client, editions, language):
    with time_machine.travel(BEFORE, tick=False):
        before = client.get(f"{language}/2025/")
    with time_machine.travel(DURING, tick=False):
        during = client.get(f"{language}/2025/")
    with time_machine.travel(AFTER, tick=False):
        after = client.get(f"{language}/2025/")

    assert "webcal://" in " ".join(parse(before).xpath("//main//a/@href"))
    assert parse(during).xpath('//*[contains(@class, "now-next")]')
    assert "webcal://" not in " ".join(parse(after).xpath("//main//a/@href"))
    after_text = text_of(after, '//p[@class="hero__state"]')
    assert ("a eu lieu" in after_text) if not language else ("took place" in after_text)
    assert "/2026/" in parse(after).xpath('//p[@class="hero__next"]//a/@href')[0]


@pytest.mark.parametrize("language", ["", "/en"])
def test_past_programme_is_an_archive(client, editions, language):
    with time_machine.travel(AFTER, tick=False):
        schedule = client.get(f"{language}/2025/schedule/")
        session = client.get(f"{language}/2025/sessions/moderniser/")

    for response in (schedule, session):
        assert not parse(response).xpath('//*[contains(@class, "badge--tbc")]')
        assert not any(href.startswith("webcal://") for href in parse(response).xpath("//main//a/@href"))
        assert any(href.endswith(".ics") for href in parse(response).xpath("//main//a/@href"))  # downloads kept
    assert parse(schedule).xpath('//p[@class="archive-note"]')


def test_before_the_congress_the_session_offers_to_subscribe(client, editions):
    with time_machine.travel(BEFORE, tick=False):
        session = client.get("/2025/sessions/moderniser/")

    assert any(href.startswith("webcal://") for href in parse(session).xpath("//main//a/@href"))


def test_editions_page_lists_every_published_edition(client, editions):
    response = client.get("/en/editions/")

    assert response.status_code == 200
    names = parse(response).xpath("//main//h2/a/text()")
    assert names == ["Congrès France Bioproduction 2026", "Congrès France Bioproduction"]
    assert "/en/editions/" in parse(response).xpath("//footer//a/@href")


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize(
    ("path", "queries"),
    # edition (middleware) + version, then what the short page reads (tests/pages/test_query_counts.py)
    [
        ("/{prefix}/", 10),
        ("/{prefix}/schedule/", 8),
        ("/{prefix}/sessions/{slug}/", 7),
        ("/editions/", 3),
        ("/sitemap.xml", 4),
    ],
)
def test_edition_pages_run_a_constant_number_of_queries(client, django_assert_num_queries, size, path, queries):
    from tests.factories import make_programme

    make_programme(size)
    other = make_programme(size, slug="autre-edition", make_current=False)
    slug = other.sessions.order_by("pk").values_list("slug", flat=True)[0]

    with django_assert_num_queries(queries):
        response = client.get(path.format(prefix=other.prefix, slug=slug))

    assert response.status_code == 200


def test_sitemap_lists_every_published_edition(client, editions):
    locations = client.get("/sitemap.xml").content.decode()

    assert "http://testserver/2026/sessions/usine-2030/" in locations
    assert "http://testserver/en/2025/sessions/moderniser/" in locations
    Congress.objects.filter(prefix="2026").update(is_published=False)
    cache.clear()  # a bulk update sends no signal: the programme version stays
    assert "/2026/" not in client.get("/sitemap.xml").content.decode()


# Before, during (the spring-forward weekend of tests/pages/test_dst.py) and after, in both languages

DST_MOMENTS = {
    "before": dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
    "during": dt.datetime(2025, 3, 30, 2, 45, tzinfo=dt.UTC),  # 04:45 in Paris, an hour after the change
    "after": dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
}


@pytest.fixture
def dst_edition():
    congress = make_congress(prefix="printemps", start_date=dt.date(2025, 3, 29), end_date=dt.date(2025, 3, 31))
    room = make_room(congress.venue, name="Ronsard", slug="ronsard")
    utc = dt.UTC
    make_session(
        congress, slug="dimanche", room=room, time_to_be_confirmed=True,
        starts_at=dt.datetime(2025, 3, 30, 2, 30, tzinfo=utc), ends_at=dt.datetime(2025, 3, 30, 3, 30, tzinfo=utc),
    )  # fmt: skip
    return congress


@pytest.mark.parametrize("language", ["", "/en"])
@pytest.mark.parametrize("moment", list(DST_MOMENTS))
def test_pages_follow_the_edition_s_life(client, dst_edition, language, moment):
    with time_machine.travel(DST_MOMENTS[moment], tick=False):
        responses = {
            page: client.get(f"{language}{path}")
            for page, path in {
                "home": "/",
                "edition-home": "/printemps/",
                "schedule": "/printemps/schedule/",
                "session": "/printemps/sessions/dimanche/",
                "now": "/now/",
            }.items()
        }

    assert {page: response.status_code for page, response in responses.items()} == dict.fromkeys(responses, 200)
    links = {page: " ".join(parse(response).xpath("//main//a/@href")) for page, response in responses.items()}
    tbc = {
        page: bool(parse(response).xpath('//*[contains(@class, "badge--tbc")]')) for page, response in responses.items()
    }
    if moment == "after":
        assert "webcal://" not in links["edition-home"] + links["schedule"] + links["session"]
        assert not tbc["schedule"] and not tbc["session"]
        assert parse(responses["now"]).xpath('//*[contains(@class, "now-next__over")]')
        assert parse(responses["schedule"]).xpath('//p[@class="archive-note"]')
    else:
        assert "webcal://" in links["edition-home"] and "webcal://" in links["session"]
        assert tbc["schedule"] and tbc["session"]
        assert not parse(responses["schedule"]).xpath('//p[@class="archive-note"]')
    if moment == "during":
        assert parse(responses["edition-home"]).xpath('//section[contains(@class, "now-next--during")]')
        assert "04:30" in text_of(responses["session"], "//main")  # local time after the change
    assert "printemps/" in parse(responses["home"]).xpath('//link[@rel="canonical"]/@href')[0]


def test_upcoming_home_can_tell_what_is_new_without_being_personal(client, editions):
    """The note is in every visitor's page, hidden: static/js/app.js shows it after a visit older than the
    programme's last change (the visit is remembered in the browser only)."""
    with time_machine.travel(BEFORE, tick=False):
        before = parse(client.get("/2025/"))
    with time_machine.travel(AFTER, tick=False):
        after = parse(client.get("/2025/"))

    note = before.xpath("//p[@data-programme-changed]")
    assert len(note) == 1 and note[0].get("hidden") is not None
    assert note[0].get("data-programme-changed").startswith("20")
    assert not after.xpath("//p[@data-programme-changed]")
