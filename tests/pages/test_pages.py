import json
from urllib.parse import parse_qs, urlsplit

import pytest

from congress.models import Congress, Participation
from tests.factories import add_speaker, make_organisation, make_participation, make_session, make_speaker, paris
from tests.pages.helpers import parse, text_of

pytestmark = pytest.mark.django_db


def jsonld(response) -> dict:
    blocks = parse(response).xpath('//script[@type="application/ld+json"]/text()')
    assert len(blocks) == 1
    return json.loads(blocks[0])


# Drafts


def test_a_draft_never_appears_on_any_public_page(client, programme):
    draft = programme["draft"]
    draft.is_highlighted = True
    draft.save()
    add_speaker(draft, programme["franck"])
    add_speaker(draft, make_speaker(name="Zoé Cachée", slug="zoe-cachee"))

    for url in [
        "/",
        "/schedule/",
        "/schedule/?q=secret",
        "/speakers/",
        "/speakers/franck-leroux/",
        "/partners/",
        "/venue/",
        "/sitemap.xml",
        "/en/",
        "/en/schedule/",
    ]:
        body = client.get(url).content.decode()
        assert "Brouillon secret" not in body, url
        assert "Zoé Cachée" not in body, url
        assert "/sessions/brouillon/" not in body, url


# Home


def test_home_presents_the_edition_dates_place_organisers_and_highlights(client, programme):
    response = client.get("/")

    main = text_of(response, "//main")
    assert response.status_code == 200
    assert "9e édition" in main
    assert "19–20 mars 2025" in main
    assert "Tours, Palais des Congrès de Tours" in main
    assert "Polepharma Coorganisateur" in main
    assert "Sanofi Partenaire premium" in main
    assert parse(response).xpath('//section[@class="highlights"]//h3//a/text()') == ["Moderniser le réseau industriel"]
    assert "Atelier contrôle qualité" not in text_of(response, '//section[@class="highlights"]')


def test_home_links_to_the_schedule_and_the_calendar_subscription(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    page = parse(client.get("/"))

    hrefs = page.xpath('//section[@class="hero"]//a/@href')
    assert hrefs == ["/schedule/", "webcal://programme.example.org/2025/calendar.ics", "/calendar/"]


def test_home_json_ld_describes_the_congress_with_its_highlights_as_sub_events(client, programme):
    data = jsonld(client.get("/"))

    assert data["@type"] == "Event"
    assert (data["startDate"], data["endDate"]) == ("2025-03-19", "2025-03-20")
    assert data["location"]["address"]["addressLocality"] == "Tours"
    # The highlights only (issue 17): the home page does not grow with the programme.
    assert [event["name"] for event in data["subEvent"]] == ["Moderniser le réseau industriel"]
    assert data["subEvent"][0]["startDate"] == "2025-03-19T10:30:00+01:00"
    assert data["subEvent"][0]["eventStatus"] == "https://schema.org/EventScheduled"
    assert [org["name"] for org in data["organizer"]] == ["Polepharma"]
    assert [org["name"] for org in data["sponsor"]] == ["Sanofi"]


def test_json_ld_cannot_break_out_of_its_script_element(client, programme):
    programme["keynote"].title = "</script><script>alert(1)</script>"
    programme["keynote"].save()

    response = client.get("/")

    assert "</script><script>" not in response.content.decode()
    assert jsonld(response)["subEvent"][0]["name"] == "</script><script>alert(1)</script>"


def test_footer_names_the_organisers(client, programme):
    response = client.get("/")

    assert text_of(response, '//footer//section[contains(@class, "organisers")]//li') == "Polepharma"


def test_pages_have_title_description_and_open_graph_tags(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    page = parse(client.get("/sessions/moderniser/"))

    assert page.xpath("//title/text()") == ["Moderniser le réseau industriel · Congrès France Bioproduction"]
    assert page.xpath('//meta[@name="description"]/@content')[0].startswith(
        "mercredi 19 mars 2025, 10:30, Grand amphi."
    )
    assert page.xpath('//meta[@property="og:title"]/@content') == ["Moderniser le réseau industriel"]
    # The permanent address of the page: the edition's, not the short one of the current edition.
    assert page.xpath('//meta[@property="og:url"]/@content') == [
        "https://programme.example.org/2025/sessions/moderniser/"
    ]
    assert page.xpath('//meta[@property="og:locale"]/@content') == ["fr_FR"]
    assert page.xpath('//link[@rel="alternate"]/@hreflang') == ["fr", "en"]


def test_home_without_a_current_congress_is_a_friendly_page(client):
    response = client.get("/")

    assert response.status_code == 200
    assert parse(response).xpath("//main//h1/text()") == ["Le programme arrive bientôt"]


@pytest.mark.parametrize("url", ["/schedule/", "/sessions/x/", "/partners/", "/venue/", "/speakers/", "/speakers/x/"])
def test_other_pages_without_a_current_congress_are_friendly_not_errors(client, url):
    Congress.objects.all().delete()

    response = client.get(url)

    assert response.status_code == 404
    assert parse(response).xpath("//main//h1/text()") == ["Le programme arrive bientôt"]


def test_calendar_help_page_without_a_congress_still_answers(client):
    assert client.get("/calendar/").status_code == 200


# Session page


def test_session_page_shows_everything_about_the_session(client, programme):
    response = client.get("/sessions/moderniser/")

    main = text_of(response, "//main")
    assert response.status_code == 200
    assert text_of(response, "//h1") == "Moderniser le réseau industriel"
    assert "Conférence plénière" in main
    assert "mercredi 19 mars 2025" in main
    assert "10:30–11:15 heure de Tours (Europe/Paris, UTC+01:00) Horaire à confirmer" in main
    assert "Grand amphi, Palais des Congrès de Tours" in main
    assert "Procédés" in main
    assert "FL Franck Leroux Directeur Sanofi" in text_of(response, '//ul[@class="people"]')
    assert "Modulus, usage unique et IA." in text_of(response, '//section[@class="abstract"]')


def test_session_page_speaker_photo_or_initials(client, programme):
    programme["franck"].photo = "speakers/franck.jpg"
    programme["franck"].save()

    page = parse(client.get("/sessions/moderniser/"))

    assert page.xpath('//ul[@class="people"]//img/@src') == ["/media/speakers/franck.jpg"]
    assert page.xpath('//ul[@class="people"]//*[contains(@class, "face--initials")]') == []


def test_session_page_offers_every_calendar_link_with_utc_times(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    page = parse(client.get("/sessions/moderniser/"))

    download, google, outlook, subscribe = page.xpath('//section[@class="calendar-links"]//ul//a/@href')
    assert download == "/sessions/moderniser.ics"
    assert subscribe == "webcal://programme.example.org/2025/calendar.ics"
    google_query = parse_qs(urlsplit(google).query)
    assert google.startswith("https://calendar.google.com/calendar/render?")
    assert google_query["action"] == ["TEMPLATE"]
    assert google_query["dates"] == ["20250319T093000Z/20250319T101500Z"]
    assert google_query["text"] == ["Moderniser le réseau industriel"]
    assert "Franck Leroux (Sanofi)" in google_query["details"][0]
    assert "https://programme.example.org/2025/sessions/moderniser/" in google_query["details"][0]
    outlook_query = parse_qs(urlsplit(outlook).query)
    assert outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert (outlook_query["startdt"], outlook_query["enddt"]) == (["2025-03-19T09:30:00Z"], ["2025-03-19T10:15:00Z"])
    # The same place as in the calendar feeds (congress.ical.session_location).
    place = "Grand amphi, Palais des Congrès de Tours, 26 boulevard Heurteloup, 37000 Tours, France"
    assert outlook_query["location"] == [place]
    assert page.xpath('//section[@class="calendar-links"]//p/a/@href') == ["/calendar/"]


def test_session_page_links_to_previous_and_next_session_in_the_same_room(client, programme):
    page = parse(client.get("/sessions/table-ronde/"))

    assert page.xpath('//a[@rel="prev"]/@href') == ["/sessions/moderniser/"]
    assert page.xpath('//a[@rel="next"]/@href') == ["/sessions/cloture/"]


def test_session_page_of_a_cancelled_session_says_so(client, programme):
    response = client.get("/sessions/table-ronde/")

    assert "Cette session est annulée." in text_of(response, "//main")
    assert parse(response).xpath("//h1/s/text()") == ["Table ronde annulée"]


def test_session_page_json_ld_is_an_event_of_the_congress(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    data = jsonld(client.get("/sessions/moderniser/"))

    assert data["@type"] == "Event"
    assert data["name"] == "Moderniser le réseau industriel"
    assert (data["startDate"], data["endDate"]) == ("2025-03-19T10:30:00+01:00", "2025-03-19T11:15:00+01:00")
    assert data["location"]["name"] == "Grand amphi, Palais des Congrès de Tours"
    assert data["performer"] == [
        {
            "@type": "Person",
            "name": "Franck Leroux",
            "url": "https://programme.example.org/speakers/franck-leroux/",
            "jobTitle": "Directeur",
            "affiliation": {"@type": "Organization", "name": "Sanofi"},
        }
    ]
    assert data["superEvent"]["name"] == "Congrès France Bioproduction"


@pytest.mark.parametrize("slug", ["brouillon", "inconnue"])
def test_draft_and_unknown_sessions_are_styled_404s(client, programme, slug):
    response = client.get(f"/sessions/{slug}/")

    assert response.status_code == 404
    assert parse(response).xpath("//main//h1/text()") == ["Page introuvable"]
    assert "Brouillon secret" not in response.content.decode()


def test_session_of_another_edition_is_not_found(client, programme):
    other = Congress.objects.create(
        edition=8,
        name="Édition 2024",
        slug="edition-2024",
        acronym="e2024",
        venue=programme["congress"].venue,
        start_date="2024-03-20",
        end_date="2024-03-21",
    )
    make_session(other, slug="ancienne", starts_at=paris(2024, 3, 20, 10))

    assert client.get("/sessions/ancienne/").status_code == 404


# Speakers


def test_speaker_list_is_alphabetical_with_organisations_and_without_draft_only_speakers(client, programme):
    add_speaker(programme["draft"], make_speaker(name="Zoé Cachée", slug="zoe-cachee"))
    add_speaker(programme["late"], make_speaker(name="Élodie Martin", slug="elodie-martin"))

    response = client.get("/speakers/")

    assert parse(response).xpath('//a[@class="person__name"]/text()') == [
        "Claire Dupont",
        "Franck Leroux",
        "Élodie Martin",
    ]
    assert parse(response).xpath('//h2[contains(@class, "letter-group__letter")]/text()') == ["D", "L", "M"]
    assert "Franck Leroux Directeur Sanofi" in text_of(response, "//main")
    assert "Zoé" not in response.content.decode()


def test_speaker_page_shows_biography_and_public_sessions(client, programme):
    franck = programme["franck"]
    franck.biography = "Ingénieur.\n\nChez Sanofi depuis 2002."
    franck.save()
    add_speaker(programme["draft"], franck)
    add_speaker(programme["cancelled"], franck, role="moderator")

    response = client.get("/speakers/franck-leroux/")

    assert parse(response).xpath("//h1/text()") == ["Franck Leroux"]
    assert parse(response).xpath('//div[@class="prose"]/p/text()') == ["Ingénieur.", "Chez Sanofi depuis 2002."]
    sessions = text_of(response, '//ul[contains(@class, "speaker-sessions")]/li')
    assert "Moderniser le réseau industriel" in sessions
    assert "mercredi 19 mars, 10:30–11:15 · Grand amphi · Horaire à confirmer" in sessions
    assert "Annulée Table ronde annulée (modérateur)" in sessions
    assert "Brouillon secret" not in response.content.decode()


def test_speaker_with_only_draft_sessions_is_not_found(client, programme):
    add_speaker(programme["draft"], make_speaker(name="Zoé Cachée", slug="zoe-cachee"))

    assert client.get("/speakers/zoe-cachee/").status_code == 404
    assert client.get("/speakers/personne/").status_code == 404


# Partners


def test_partners_page_lists_organisers_then_partners_by_tier_premium_first(client, programme):
    congress = programme["congress"]
    make_participation(congress, make_organisation(name="Bronze SA", slug="bronze-sa"), tier=Participation.Tier.BRONZE)
    make_participation(congress, make_organisation(name="Or SA", slug="or-sa"), tier=Participation.Tier.GOLD)
    make_participation(congress, make_organisation(name="Medicen", slug="medicen"), role="co-organiser")

    response = client.get("/partners/")

    page = parse(response)
    assert page.xpath("//main//h2/text()") == [
        "Coorganisateurs",
        "Partenaire premium",
        "Partenaire or",
        "Partenaire bronze",
    ]
    assert page.xpath('//h3[@class="partner__name"]//text()') == [
        "Medicen",
        "Polepharma",
        "Sanofi",
        "Or SA",
        "Bronze SA",
    ]


def test_partner_shows_logo_or_a_text_mark_and_its_speakers_and_sessions(client, programme):
    programme["franck"].organisation.logo = "logos/sanofi.png"
    programme["franck"].organisation.save()

    response = client.get("/partners/")

    sanofi = parse(response).xpath('//li[@id="sanofi"]')[0]
    assert sanofi.xpath(".//img/@src") == ["/media/logos/sanofi.png"]
    assert sanofi.xpath(".//img/@alt") == ["Sanofi"]
    assert sanofi.xpath('.//ul[@class="inline-list"]//a/text()') == ["Franck Leroux"]
    assert sanofi.xpath('.//ul[@class="plain-list"]//a/text()') == ["Moderniser le réseau industriel"]
    polepharma = parse(response).xpath('//li[@id="polepharma"]')[0]
    assert polepharma.xpath('.//span[@class="org-mark"]/text()') == ["P"]


# Venue


def test_venue_page_has_address_rooms_with_capacity_and_map_links_without_third_party_embeds(client, programme):
    response = client.get("/venue/")

    page = parse(response)
    assert page.xpath("//h1/text()") == ["Palais des Congrès de Tours"]
    assert text_of(response, "//address") == "26 boulevard Heurteloup37000 ToursFrance"
    assert page.xpath('//table//th[@scope="row"]/text()') == ["Grand amphi", "Petite salle"]
    assert "100 places" in text_of(response, "//table")
    hrefs = page.xpath('//section[@class="venue"]//a/@href')
    assert hrefs == [
        "geo:47.391900,0.693300",
        "https://www.openstreetmap.org/?mlat=47.391900&mlon=0.693300#map=17/47.391900/0.693300",
    ]
    assert page.xpath("//iframe") == []


# Calendar help


def test_calendar_help_explains_every_calendar_and_its_refresh(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    response = client.get("/calendar/")

    page = parse(response)
    assert page.xpath("//main//h2/text()")[1:5] == [
        "Google Calendar",
        "Apple Calendar (iPhone, iPad, Mac)",
        "Outlook",
        "Thunderbird",
    ]
    assert len(page.xpath('//p[@class="refresh"]')) == 4
    assert "jusqu’à 24 heures" in text_of(response, '//p[@class="refresh"]')
    assert page.xpath('//input[@id="calendar-address"]/@value') == ["https://programme.example.org/2025/calendar.ics"]
    assert "webcal://programme.example.org/2025/calendar.ics" in page.xpath("//main//a/@href")


def test_every_subscribe_link_has_the_help_link_next_to_it(client, programme):
    for url in ["/", "/schedule/", "/sessions/moderniser/"]:
        page = parse(client.get(url))
        for link in page.xpath('//main//a[starts-with(@href, "webcal:")]'):
            container = link.getparent()
            while container.tag not in ("p", "section"):
                container = container.getparent()
            assert "/calendar/" in container.xpath(".//a/@href"), url


# Navigation


def test_navigation_marks_the_current_page_and_section(client, programme):
    schedule = parse(client.get("/schedule/"))
    session = parse(client.get("/sessions/moderniser/"))

    assert schedule.xpath('//nav[@class="site-nav"]//a[@aria-current]/@href') == ["/schedule/"]
    assert schedule.xpath('//nav[@class="site-nav"]//a[@aria-current]/@aria-current') == ["page"]
    assert session.xpath('//nav[@class="site-nav"]//a[@aria-current]/@aria-current') == ["true"]
    assert schedule.xpath('//nav[@class="site-nav"]//a/@href') == [
        "/",
        "/schedule/",
        "/now/",
        "/speakers/",
        "/partners/",
        "/venue/",
        "/agenda/",
    ]
    assert schedule.xpath('//a[@href="/agenda/"]/span/@id') == ["agenda-count"]


def test_layout_has_skip_link_and_landmarks(client, programme):
    page = parse(client.get("/schedule/"))

    assert page.xpath("//body/a[1]/@href") == ["#main"]
    assert page.xpath("//main/@id") == ["main"]
    assert len(page.xpath("//header")) >= 1 and len(page.xpath("//footer")) == 1
    assert page.xpath("//html/@lang") == ["fr"]
