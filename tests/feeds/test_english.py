"""Feeds in English (issue 14): /en/calendar.ics and /en/sessions/<slug>.ics carry the English text with the
same UIDs and SEQUENCE as the French ones; the frab schedule takes its text from ?lang=en."""

import json

import lxml.etree
import pytest

from tests.factories import add_speaker, make_room, make_session, make_track, paris
from tests.feeds.helpers import parse_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(congress):
    track = make_track(congress, name="Stratégie industrielle", name_en="Industrial strategy")
    room = make_room(congress.venue, name="Salle François-Iᵉʳ")
    translated = make_session(
        congress, slug="moderniser", title="Moderniser les usines", abstract="Trois axes.", room=room, track=track
    )
    translated.title_en, translated.abstract_en = "Modernising plants", "Three lines of investment."
    translated.save()
    add_speaker(translated)
    french_only = make_session(
        congress, slug="table-ronde", title="Table ronde qualité", starts_at=paris(2025, 3, 19, 14), room=room
    )
    return translated, french_only


def events(content: bytes) -> dict[str, dict]:
    return {
        str(event["UID"]): {"summary": str(event["SUMMARY"]), "sequence": int(event.get("SEQUENCE", 0))}
        for event in parse_calendar(content).walk("VEVENT")
    }


def test_english_calendar_has_the_english_text_and_the_same_identities(client, sessions):
    translated, french_only = sessions

    french = events(client.get("/calendar.ics").content)
    english = events(client.get("/en/calendar.ics").content)

    assert sorted(english) == sorted(french)  # same UIDs
    assert {uid: event["sequence"] for uid, event in english.items()} == {
        uid: event["sequence"] for uid, event in french.items()
    }
    assert english[str(translated.uid)]["summary"] == "Modernising plants"
    assert french[str(translated.uid)]["summary"] == "Moderniser les usines"
    assert english[str(french_only.uid)]["summary"] == "Table ronde qualité"  # no English: the French text


def test_english_session_calendar(client, sessions):
    translated, _french_only = sessions

    response = client.get("/en/sessions/moderniser.ics")

    assert response["Content-Language"] == "en"
    assert events(response.content) == events(client.get("/sessions/moderniser.ics").content) | {
        str(translated.uid): {"summary": "Modernising plants", "sequence": translated.revision}
    }


def test_an_english_title_change_bumps_the_sequence_in_both_languages(client, sessions):
    translated, _french_only = sessions
    before = translated.revision

    translated.title_en = "Modernising our plants"
    translated.save()

    assert events(client.get("/calendar.ics").content)[str(translated.uid)]["sequence"] == before + 1
    assert events(client.get("/en/calendar.ics").content)[str(translated.uid)]["sequence"] == before + 1


def test_pages_offer_the_feed_in_their_language(client, sessions):
    english_help = client.get("/en/calendar/").content.decode()
    english_session = client.get("/en/sessions/moderniser/").content.decode()

    assert "/en/calendar.ics" in english_help
    assert "/en/sessions/moderniser.ics" in english_session
    assert "/en/calendar.ics" not in client.get("/calendar/").content.decode()


def test_frab_xml_takes_its_text_from_lang(client, sessions):
    french = lxml.etree.fromstring(client.get("/schedule.xml").content)
    english = lxml.etree.fromstring(client.get("/schedule.xml", {"lang": "en"}).content)

    assert english.xpath("//event[contains(slug, 'moderniser')]/title/text()") == ["Modernising plants"]
    assert english.xpath("//event[contains(slug, 'moderniser')]/abstract/text()") == ["Three lines of investment."]
    assert english.xpath("//event[contains(slug, 'moderniser')]/track/text()") == ["Industrial strategy"]
    assert english.xpath("//conference/track/@name") == ["Industrial strategy"]
    assert french.xpath("//event[contains(slug, 'moderniser')]/title/text()") == ["Moderniser les usines"]
    assert english.xpath("//event/language/text()") == french.xpath("//event/language/text()") == ["fr", "fr"]
    assert english.xpath("//event/@guid") == french.xpath("//event/@guid")


def test_frab_json_takes_its_text_from_lang(client, sessions):
    def titles(response):
        days = json.loads(response.content)["schedule"]["conference"]["days"]
        return sorted(event["title"] for day in days for room in day["rooms"].values() for event in room)

    assert titles(client.get("/schedule.json", {"lang": "en"})) == ["Modernising plants", "Table ronde qualité"]
    assert titles(client.get("/schedule.json")) == ["Moderniser les usines", "Table ronde qualité"]


def test_frab_refuses_an_unknown_language(client, sessions):
    response = client.get("/schedule.xml", {"lang": "de"})

    assert response.status_code == 400
