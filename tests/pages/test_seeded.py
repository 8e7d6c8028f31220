"""The pages with the real seed data (`python manage.py load_seeds`): the facts attendees look for."""

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import paris
from tests.pages.helpers import parse, text_of

pytestmark = pytest.mark.django_db

TALK = "/sessions/moderniser-le-reseau-industriel-de-sanofi/"


@pytest.fixture
def seeded():
    call_command("load_seeds", verbosity=0)


def test_home_shows_the_seeded_edition(client, seeded):
    response = client.get("/")

    main = text_of(response, "//main")
    assert response.status_code == 200
    assert "9e édition" in main
    assert "19–20 mars 2025" in main
    assert "Tours" in main and "Palais des Congrès de Tours" in main
    assert "Polepharma" in main and "Medicen" in main
    assert "Sanofi Partenaire premium" in main
    highlights = parse(response).xpath('//section[@class="highlights"]//h3//a')
    assert [link.get("href") for link in highlights] == [TALK]
    assert "Franck Leroux" in text_of(response, '//section[@class="highlights"]')


def test_every_page_answers_with_the_seeded_data(client, seeded):
    for url in [
        "/",
        "/schedule/",
        TALK,
        "/speakers/",
        "/speakers/franck-leroux/",
        "/partners/",
        "/venue/",
        "/calendar/",
    ]:
        assert client.get(url).status_code == 200, url
        assert client.get("/en" + url).status_code == 200, url


def test_the_sanofi_talk_page(client, seeded):
    response = client.get(TALK)

    main = text_of(response, "//main")
    assert "Franck Leroux" in main and "Sanofi" in main
    assert "mercredi 19 mars 2025" in main
    assert "Horaire à confirmer" in main
    assert "heure de Tours (Europe/Paris, UTC+01:00)" in main
    assert "Modulus" in main


def test_the_seeded_venue_has_its_rooms(client, seeded):
    response = client.get("/venue/")

    assert "26 boulevard Heurteloup" in text_of(response, "//address")
    rooms = parse(response).xpath('//table//th[@scope="row"]/text()')
    assert len(rooms) == 4
    assert "2 000 places" in text_of(response, "//table")  # localised: 2,000 seats in English


def test_partners_page_puts_the_co_organisers_first_then_sanofi_premium(client, seeded):
    page = parse(client.get("/partners/"))

    assert page.xpath("//main//h2/text()") == ["Coorganisateurs", "Partenaire premium"]
    assert page.xpath('//li[@id="sanofi"]//ul[@class="inline-list"]//a/text()') == ["Franck Leroux"]


def test_seeded_editions_read_right_today(client, seeded):
    """1 December 2026, after both editions: the 9th (current) as an archive, the 10th announced under /2026/."""
    with time_machine.travel(paris(2026, 12, 1, 9), tick=False):
        home = client.get("/")
        tenth = client.get("/2026/")
        editions = client.get("/editions/")
        talk = client.get("/2025" + TALK)

    assert "Le congrès a eu lieu les 19–20 mars 2025 à Tours" in text_of(home, "//main")
    assert "S’abonner" not in text_of(home, "//main") and "S'abonner" not in text_of(home, "//main")
    assert not parse(talk).xpath('//*[contains(@class, "badge--tbc")]')
    assert "Le congrès a eu lieu les 15–16 avril 2026 à Tours" in text_of(tenth, "//main")
    assert text_of(editions, "//main//h2") == "Congrès France Bioproduction 2026 Congrès France Bioproduction 2025"
    assert "Palais des Congrès de Tours" in text_of(editions, "//main")
    assert "réunit" not in text_of(home, "//main")  # the seed text itself speaks in no tense
