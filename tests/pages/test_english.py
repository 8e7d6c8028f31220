"""Organiser text in English on /en/ pages (issue 14): the English version where there is one, else the
French text marked lang="fr" with a discreet note; search in both languages."""

import json

import pytest

from congress.models import Participation
from tests.factories import (
    add_speaker,
    make_congress,
    make_organisation,
    make_participation,
    make_room,
    make_session,
    make_speaker,
    make_track,
    make_venue,
)
from tests.pages.helpers import parse

pytestmark = pytest.mark.django_db

# (model key, field, French text, English text, the page that shows it)
FIELDS = [
    ("session", "title", "Moderniser les usines", "Modernising plants", "/sessions/moderniser/"),
    ("session", "abstract", "Trois axes d’investissement.", "Three lines of investment.", "/sessions/moderniser/"),
    ("congress", "name", "Congrès de la bioproduction", "Bioproduction congress", "/"),
    ("congress", "short_description", "Deux jours à Tours.", "Two days in Tours.", "/"),
    ("congress", "description", "La filière réunie.", "The sector together.", "/"),
    ("speaker", "job_title", "Responsable de la stratégie", "Head of strategy", "/speakers/franck-leroux/"),
    ("speaker", "biography", "Ingénieur de formation.", "An engineer by training.", "/speakers/franck-leroux/"),
    ("organisation", "description", "Groupe biopharmaceutique.", "Biopharmaceutical group.", "/partners/"),
    ("track", "name", "Stratégie industrielle", "Industrial strategy", "/schedule/"),
    ("room", "name", "Salle François-Iᵉʳ", "François I Hall", "/schedule/"),
    ("venue", "name", "Palais des Congrès", "Convention centre", "/venue/"),
]
IDS = [f"{model}.{field}" for model, field, *_ in FIELDS]


def make_edition(english: dict[tuple[str, str], str] | None = None) -> dict:
    """One edition with a text of each translated field in French; `english` gives English versions."""
    french = {(model, field): text for model, field, text, _english, _path in FIELDS}
    venue = make_venue(name=french["venue", "name"])
    congress = make_congress(
        venue=venue,
        **{name: french["congress", name] for name in ("name", "short_description", "description")},
    )
    room = make_room(venue, name=french["room", "name"])
    track = make_track(congress, name=french["track", "name"])
    organisation = make_organisation(description=french["organisation", "description"])
    make_participation(congress, organisation)
    speaker = make_speaker(
        name="Franck Leroux",
        slug="franck-leroux",
        organisation=organisation,
        job_title=french["speaker", "job_title"],
        biography=french["speaker", "biography"],
    )
    session = make_session(
        congress,
        slug="moderniser",
        title=french["session", "title"],
        abstract=french["session", "abstract"],
        room=room,
        track=track,
    )
    add_speaker(session, speaker)
    rows = {"congress": congress, "venue": venue, "room": room, "track": track}
    rows |= {"organisation": organisation, "speaker": speaker, "session": session}
    for (model, field), text in (english or {}).items():
        setattr(rows[model], f"{field}_en", text)
        rows[model].save()
    return rows


def language_of(node) -> str:
    """The language a screen reader uses for a node: its own lang, or the nearest ancestor's."""
    return (
        next(element.get("lang") for element in node.iterancestors(tag=None) if element.get("lang"))
        if (node.get("lang") is None)
        else node.get("lang")
    )


def nodes_with_text(response, text: str) -> list:
    main = parse(response).xpath("//main")[0]
    return [node for node in main.iter() if node.text and text in node.text]


@pytest.mark.parametrize(("model", "field", "french", "english", "path"), FIELDS, ids=IDS)
def test_english_version_is_shown_on_english_pages(client, model, field, french, english, path):
    make_edition({(model, field): english})

    english_page = client.get("/en" + path)
    french_page = client.get(path)

    shown = nodes_with_text(english_page, english)
    assert shown and all(language_of(node) == "en" for node in shown)
    assert nodes_with_text(english_page, french) == []
    assert nodes_with_text(french_page, english) == []
    assert all(language_of(node) == "fr" for node in nodes_with_text(french_page, french))


@pytest.mark.parametrize(("model", "field", "french", "english", "path"), FIELDS, ids=IDS)
def test_without_english_the_french_text_is_marked_french(client, model, field, french, english, path):
    make_edition()

    response = client.get("/en" + path)

    shown = nodes_with_text(response, french)
    assert shown and all(language_of(node) == "fr" for node in shown)
    assert parse(response).xpath("/html/@lang") == ["en"]


@pytest.mark.parametrize("path", ["/en/sessions/moderniser/", "/en/speakers/franck-leroux/", "/en/", "/en/partners/"])
def test_a_long_text_only_in_french_says_so_discreetly(client, path):
    make_edition()

    notes = parse(client.get(path)).xpath('//main//*[@class="lang-note"]/text()')

    assert notes and notes[0] == "This text is in French: there is no English version yet."


def test_no_note_where_the_english_text_exists(client):
    make_edition({(model, field): english for model, field, _french, english, _path in FIELDS})

    for path in ("/en/sessions/moderniser/", "/en/speakers/franck-leroux/", "/en/", "/en/partners/"):
        assert parse(client.get(path)).xpath('//*[@class="lang-note"]') == []


def test_schedule_fragment_shows_the_english_title(client):
    make_edition({("session", "title"): "Modernising plants"})

    response = client.get("/en/schedule/", headers={"HX-Request": "true", "HX-Target": "schedule-results"})

    assert "<html" not in response.content.decode()
    titles = parse(response).xpath('//*[contains(@class, "session__title")]//a')
    assert [(link.text, link.get("lang")) for link in titles] == [("Modernising plants", None)]


@pytest.mark.parametrize("query", ["Modernising", "Moderniser", "usines", "plants"])
def test_search_on_the_english_schedule_matches_both_languages(client, query):
    make_edition({("session", "title"): "Modernising plants"})

    response = client.get("/en/schedule/", {"q": query})

    assert parse(response).xpath('//*[contains(@class, "session__title")]//a/@href') == ["/en/sessions/moderniser/"]


def test_json_ld_follows_the_language(client):
    make_edition({("session", "title"): "Modernising plants", ("congress", "name"): "Bioproduction congress"})

    def event(path):
        blocks = parse(client.get(path)).xpath('//script[@type="application/ld+json"]/text()')
        return json.loads(blocks[0])

    assert event("/en/sessions/moderniser/")["name"] == "Modernising plants"
    assert event("/sessions/moderniser/")["name"] == "Moderniser les usines"
    assert (event("/en/")["name"], event("/en/")["inLanguage"]) == ("Bioproduction congress", "en")
    assert (event("/")["name"], event("/")["inLanguage"]) == ("Congrès de la bioproduction", "fr")


def test_session_page_names_the_talk_language_with_a_capital(client):
    rows = make_edition()
    rows["session"].language = "fr"
    rows["session"].save()

    kind = parse(client.get("/en/sessions/moderniser/")).xpath('//*[@class="session-page__kind"]')[0].text_content()

    assert "In French" in kind


def test_seat_counts_follow_each_language(client):
    make_edition()
    make_room(Participation.objects.get().congress.venue, name="François-Iᵉʳ", capacity=2000)

    assert "2,000 seats" in client.get("/en/venue/").content.decode()
    assert "2\xa0000 places" in client.get("/venue/").content.decode()


def test_filters_offer_only_the_tracks_rooms_and_kinds_in_use(client):
    rows = make_edition()
    make_track(rows["congress"], name="Piste vide", slug="piste-vide")
    make_room(rows["venue"], name="Salle vide", slug="salle-vide")

    page = parse(client.get("/en/schedule/"))

    assert page.xpath('//select[@id="filter-track"]/option/@value') == ["", rows["track"].slug]
    assert page.xpath('//select[@id="filter-room"]/option/@value') == ["", rows["room"].slug]
    assert page.xpath('//select[@id="filter-kind"]/option/@value') == ["", "talk"]
