"""An agenda keeps the stars of every edition: the page groups them by edition, the feed holds them all."""

import datetime as dt

import pytest
from icalendar import Calendar
from lxml import html

from tests.agenda.conftest import sessions_of, star
from tests.factories import make_congress, make_session, paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_edition(congress):
    return make_congress(
        name="Édition suivante", prefix="suivante", is_current=False,
        start_date=dt.date(2026, 4, 15), end_date=dt.date(2026, 4, 16), venue=congress.venue,
    )  # fmt: skip


def test_stars_of_the_old_edition_stay_after_the_switch(client, congress, session, next_edition):
    star(client, session)
    later = make_session(
        next_edition, slug=session.slug, title="Même adresse, autre année", starts_at=paris(2026, 4, 15, 10)
    )

    next_edition.make_current()
    star(client, later)  # the short address now names the new edition's session

    assert sessions_of(client) == sorted([session.pk, later.pk])
    page = html.fromstring(client.get("/en/agenda/").content.decode())
    assert [" ".join(h.text_content().split()) for h in page.xpath('//h2[@class="agenda-edition"]')] == [
        f"{congress.name} · 19–20 March 2025",
        "Édition suivante · 15–16 April 2026",
    ]
    feed_path = page.xpath("//a[@download]/@href")[0].split("testserver", 1)[1]
    events = Calendar.from_ical(client.get(feed_path).content).walk("VEVENT")
    assert {str(event["UID"]) for event in events} == {str(session.uid), str(later.uid)}


def test_a_star_under_an_edition_prefix_stars_that_edition_s_session(client, congress, session, next_edition):
    other = make_session(next_edition, slug=session.slug, starts_at=paris(2026, 4, 15, 10))

    response = client.post(f"/en/{next_edition.prefix}/sessions/{session.slug}/star/")

    assert response.status_code in (200, 302, 303)
    assert sessions_of(client) == [other.pk]
    assert response["Cache-Control"] == "private, no-store" or "no-store" in response["Cache-Control"]
