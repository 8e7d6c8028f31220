"""The session row of the schedule, the home highlights and the agenda (schedule.html#session-row)."""

import datetime as dt

import pytest

from congress.models import Session
from speakers.models import SessionSpeaker
from tests.factories import (
    add_speaker,
    make_congress,
    make_organisation,
    make_room,
    make_session,
    make_speaker,
    make_track,
    paris,
)
from tests.pages.helpers import parse, text_of

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def row(response, session):
    return parse(response).xpath(f'//article[@id="session-{session.pk}"]')[0]


@pytest.fixture
def hostile(congress):
    """A highlighted session in which everything organisers typed holds markup and quotes."""
    room = make_room(congress.venue, name=f"Salle {HOSTILE}")
    track = make_track(congress, name=f"Piste {HOSTILE}")
    session = make_session(congress, title=f"Titre {HOSTILE}", room=room, track=track, is_highlighted=True)
    organisation = make_organisation(name=f"Labo {HOSTILE}")
    add_speaker(session, make_speaker(name=f"Nom {HOSTILE}", organisation=organisation))
    return session


@pytest.mark.parametrize("path", ["/schedule/", "/en/schedule/", "/schedule/?layout=list", "/"])
def test_organiser_text_in_a_row_is_shown_as_text(client, hostile, path):
    response = client.get(path)

    article = row(response, hostile)
    assert "<script>" not in response.content.decode()
    assert article.xpath('.//*[contains(@class, "session__title")]//a/text()') == [f"Titre {HOSTILE}"]
    assert article.xpath('.//*[@class="session__room"]/text()') == [f"Salle {HOSTILE}"]
    assert article.xpath('.//*[@class="session__track"]/text()') == [f" Piste {HOSTILE}"]
    assert article.xpath('.//ul[@class="session__speakers"]//a/text()') == [f"Nom {HOSTILE}"]
    assert article.xpath('.//*[@class="session__org"]/text()') == [f"Labo {HOSTILE}"]
    assert article.xpath('.//*[@class="star__title"]/text()') == [f": Titre {HOSTILE}"]


def test_row_title_is_marked_french_on_english_pages_only(client, programme):
    keynote = programme["keynote"]

    french = row(client.get("/schedule/"), keynote)
    english = row(client.get("/en/schedule/"), keynote)

    assert french.xpath('.//*[contains(@class, "session__title")]//a/@lang') == []
    assert english.xpath('.//*[contains(@class, "session__title")]//a/@lang') == ["fr"]
    assert english.xpath('.//*[contains(@class, "session__title")]//a/@href') == ["/en/sessions/moderniser/"]
    assert english.xpath(".//ul//a/@href") == ["/en/speakers/franck-leroux/"]
    # Without English versions, the title, the room and the track are the French texts.
    marked = english.xpath('.//*[contains(@class, "session__title")]//a | .//*[@class="session__room"]')
    marked += english.xpath('.//*[@class="session__track"] | .//*[@class="star__title"]')
    assert english.xpath(".//*[@lang]") == marked


def test_cancelled_row_is_struck_through_with_a_badge_and_cannot_be_added(client, programme):
    cancelled = programme["cancelled"]

    article = row(client.get("/en/schedule/"), cancelled)

    assert "is-cancelled" in article.get("class").split()
    assert article.xpath('.//h4/span[contains(@class, "badge--cancelled")]/text()') == ["Cancelled"]
    assert article.xpath(".//h4/s/a/text()") == ["Table ronde annulée"]
    assert article.xpath(".//form") == []  # a visitor without it in their agenda gets no "add" button


def test_cancelled_row_keeps_the_button_that_removes_it_from_an_agenda(client, programme):
    workshop = programme["workshop"]
    client.post(f"/en/sessions/{workshop.slug}/star/", {"starred": "1"})
    Session.objects.filter(pk=workshop.pk).update(status=Session.Status.CANCELLED)

    article = row(client.get("/en/agenda/"), workshop)

    assert article.xpath(".//form/@action") == [f"/en/sessions/{workshop.slug}/star/"]
    assert article.xpath(".//form//button/@aria-pressed") == ["true"]
    assert article.xpath('.//input[@name="starred"]/@value') == ["0"]


def test_time_to_be_confirmed_row_has_its_badge(client, programme):
    response = client.get("/en/schedule/")

    badge = './/*[@class="session__time"]/span[@class="badge badge--tbc"]/text()'
    assert row(response, programme["keynote"]).xpath(badge) == ["Time to be confirmed"]
    assert row(response, programme["workshop"]).xpath(badge) == []


def test_row_times_are_those_of_the_congress_zone_across_its_clock_change(client):
    # New York springs forward on 9 March 2025 at 02:00 (07:00 UTC), three weeks before the server's Paris.
    congress = make_congress(
        time_zone="America/New_York", start_date=dt.date(2025, 3, 8), end_date=dt.date(2025, 3, 10)
    )
    starts_at = dt.datetime(2025, 3, 9, 6, 30, tzinfo=dt.UTC)
    session = make_session(congress, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=1))

    response = client.get("/schedule/")

    assert text_of(response, f'//article[@id="session-{session.pk}"]/p[@class="session__time"]') == "01:30–03:30"
    assert row(response, session).xpath(".//time/@datetime") == [
        "2025-03-09T01:30:00-05:00",
        "2025-03-09T03:30:00-04:00",
    ]


def test_speaker_role_is_shown_unless_plain_speaker(client, programme):
    keynote = programme["keynote"]
    add_speaker(keynote, programme["claire"], role=SessionSpeaker.Role.MODERATOR, position=1)

    french = row(client.get("/schedule/"), keynote)
    english = row(client.get("/en/schedule/"), keynote)

    assert [" ".join(item.text_content().split()) for item in english.xpath(".//ul/li")] == [
        "Franck Leroux Sanofi",
        "Claire Dupont (moderator)",
    ]
    assert french.xpath('.//*[@class="session__role"]/text()') == ["(modérateur)"]


def test_grid_layout_places_the_row_and_the_list_layout_does_not(client, programme):
    keynote = programme["keynote"]

    grid = row(client.get("/schedule/"), keynote).get("class").split()
    listed = row(client.get("/schedule/?layout=list"), keynote).get("class").split()

    assert grid == ["session", "session--keynote", "is-highlighted", "gc-2", "grs-2", "gre-3"]
    assert listed == ["session", "session--keynote", "is-highlighted"]


def test_home_and_agenda_rows_are_level_3_headings_whose_stars_come_back_to_their_page(client, programme):
    keynote = programme["keynote"]
    client.post(f"/sessions/{keynote.slug}/star/", {"starred": "1"})

    schedule = row(client.get("/schedule/?day=2025-03-19"), keynote)
    home = row(client.get("/"), keynote)
    agenda = row(client.get("/agenda/"), keynote)

    assert schedule.xpath("./h4/@id") == [f"session-{keynote.pk}-title"]
    assert home.xpath("./h3/@id") == agenda.xpath("./h3/@id") == [f"session-{keynote.pk}-title"]
    # Public rows are the same on every page (a star comes back by its Referer); /agenda/ sends none.
    assert schedule.xpath('.//input[@name="next"]') == home.xpath('.//input[@name="next"]') == []
    assert agenda.xpath('.//input[@name="next"]/@value') == ["/agenda/"]


def test_a_session_without_room_track_or_speakers_has_a_short_row(client, congress):
    session = make_session(congress, room=None, kind=Session.Kind.BREAK, starts_at=paris(2025, 3, 19, 12))

    response = client.get("/en/schedule/")

    assert text_of(response, f'//article[@id="session-{session.pk}"]/p[@class="session__meta"]') == "Break"
    assert row(response, session).xpath(".//ul") == []
