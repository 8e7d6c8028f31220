import pytest
from django.urls import reverse

from tests.pages.helpers import parse, shown_slugs, text_of

pytestmark = pytest.mark.django_db

SCHEDULE = "/schedule/"
PUBLIC_IN_ORDER = ["moderniser", "atelier-qualite", "table-ronde", "cloture"]


def test_schedule_lists_public_sessions_in_time_order_and_never_drafts(client, programme):
    response = client.get(SCHEDULE)

    assert response.status_code == 200
    assert shown_slugs(response) == PUBLIC_IN_ORDER
    assert "Brouillon secret" not in response.content.decode()
    assert "Ne doit pas paraître" not in response.content.decode()


def test_schedule_groups_sessions_by_day_with_room_track_kind_speakers_and_organisation(client, programme):
    response = client.get(SCHEDULE)

    assert text_of(response, "//h2[contains(@class, 'day__title')]") == "mercredi 19 mars 2025 jeudi 20 mars 2025"
    row = text_of(response, f'//article[@id="session-{programme["keynote"].pk}"]')
    assert "10:30–11:15" in row
    assert "Conférence plénière" in row
    assert "Grand amphi" in row
    assert "Procédés" in row
    assert "Franck Leroux Sanofi" in row


def test_cancelled_session_stays_visible_struck_through_and_labelled(client, programme):
    response = client.get(SCHEDULE)

    article = parse(response).xpath(f'//article[@id="session-{programme["cancelled"].pk}"]')[0]
    assert "is-cancelled" in article.get("class")
    assert article.xpath(".//s//a/text()") == ["Table ronde annulée"]
    assert article.xpath('.//*[contains(@class, "badge--cancelled")]/text()') == ["Annulée"]


def test_time_to_be_confirmed_is_said_as_such(client, programme):
    response = client.get(SCHEDULE)

    row = text_of(response, f'//article[@id="session-{programme["keynote"].pk}"]')
    other = text_of(response, f'//article[@id="session-{programme["workshop"].pk}"]')
    assert "Horaire à confirmer" in row
    assert "Horaire à confirmer" not in other


def test_times_are_labelled_with_the_congress_zone(client, programme):
    response = client.get(SCHEDULE)

    assert "Toutes les heures sont celles de Tours (Europe/Paris)." in text_of(response, "//p[@class='zone-note']")
    assert text_of(response, "//p[@class='day__zone']") == "Europe/Paris, UTC+01:00 Europe/Paris, UTC+01:00"
    assert parse(response).xpath("//article//time/@datetime")[0] == "2025-03-19T10:30:00+01:00"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"day": "2025-03-19"}, ["moderniser", "atelier-qualite"]),
        ({"day": "2025-03-20"}, ["table-ronde", "cloture"]),
        ({"track": "qualite"}, ["atelier-qualite", "table-ronde"]),
        ({"room": "petite-salle"}, ["atelier-qualite"]),
        ({"kind": "keynote"}, ["moderniser"]),
        ({"q": "réseau"}, ["moderniser"]),  # title
        ({"q": "analyses"}, ["atelier-qualite"]),  # abstract
        ({"q": "dupont"}, ["atelier-qualite"]),  # speaker name, any case
        ({"q": "modulus franck"}, ["moderniser"]),  # every word, in any field
        ({"q": "modulus claire"}, []),
        ({"q": "RÉSEAU"}, ["moderniser"]),  # accented capitals, whatever the database
        ({"q": "100%"}, []),  # LIKE wildcards are plain text
    ],
)
def test_each_filter_alone(client, programme, params, expected):
    response = client.get(SCHEDULE, params)

    assert response.status_code == 200
    assert shown_slugs(response) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"day": "2025-03-20", "track": "qualite"}, ["table-ronde"]),
        ({"day": "2025-03-19", "room": "grand-amphi", "kind": "keynote"}, ["moderniser"]),
        ({"track": "qualite", "q": "atelier"}, ["atelier-qualite"]),
        ({"day": "2025-03-20", "room": "petite-salle"}, []),
    ],
)
def test_filters_combined(client, programme, params, expected):
    response = client.get(SCHEDULE, params)

    assert shown_slugs(response) == expected


def test_plain_form_submission_with_empty_fields_gives_the_same_result(client, programme):
    submitted = client.get(SCHEDULE, {"q": "", "day": "", "track": "qualite", "room": "", "kind": ""})
    clean = client.get(SCHEDULE, {"track": "qualite"})

    assert shown_slugs(submitted) == shown_slugs(clean) == ["atelier-qualite", "table-ronde"]


def test_filter_form_keeps_the_chosen_values(client, programme):
    response = client.get(SCHEDULE, {"track": "qualite", "q": "atelier"})

    page = parse(response)
    assert page.xpath('//select[@name="track"]/option[@selected]/@value') == ["qualite"]
    assert page.xpath('//input[@name="q"]/@value') == ["atelier"]
    assert page.xpath('//form[contains(@class, "filters")]/@method') == ["get"]


def test_empty_result_says_so_and_offers_the_whole_programme(client, programme):
    response = client.get(SCHEDULE, {"q": "introuvable"})

    assert "Aucune session ne correspond à ces filtres." in response.content.decode()
    assert parse(response).xpath('//a[contains(@class, "filters__clear")]/@href') == ["/schedule/"]


def test_live_region_announces_the_number_of_sessions(client, programme):
    response = client.get(SCHEDULE, {"day": "2025-03-20"})

    status = parse(response).xpath('//*[@id="schedule-status"]')[0]
    assert status.get("role") == "status"
    assert " ".join(status.text_content().split()) == "2 sessions affichées (dont 1 annulée) · filtré"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"day": "2025-13-45"}, "Jour inconnu : « 2025-13-45 »"),
        ({"day": "2025-03-21"}, "Indiquez un jour du congrès, écrit AAAA-MM-JJ : 2025-03-19, 2025-03-20."),
        ({"day": "19/03/2025"}, "Jour inconnu"),
        ({"track": "nope"}, "Thématique inconnue : « nope ». Thématiques possibles : procedes, qualite."),
        ({"room": "cave"}, "Salle inconnue : « cave »"),
        ({"kind": "concert"}, "Type inconnu : « concert »"),
        ({"q": "x" * 101}, "Le texte recherché est trop long : 100 caractères au plus."),
        ({"day": ["2025-03-19", "2025-03-20"]}, "Choisissez une seule valeur pour « day »."),
        ({"layout": "mosaic"}, "Affichage inconnu : « mosaic »"),
    ],
)
def test_bad_filter_values_answer_400_with_a_message_in_a_page(client, programme, params, message):
    response = client.get(SCHEDULE, params)

    assert response.status_code == 400
    assert message in " ".join(parse(response).text_content().split())
    assert parse(response).xpath("//main//h1/text()") == ["Cette sélection ne peut pas être affichée"]


def test_bad_filter_in_an_htmx_request_answers_the_results_fragment_with_the_message(client, programme):
    response = client.get(SCHEDULE, {"track": "nope"}, headers={"HX-Request": "true", "HX-Target": "schedule-results"})

    assert response.status_code == 400
    assert "<html" not in response.content.decode()
    assert "Thématique inconnue" in text_of(response, '//*[@role="alert"]')


def test_htmx_request_from_the_form_gets_the_results_fragment_only(client, programme):
    response = client.get(
        SCHEDULE, {"track": "qualite"}, headers={"HX-Request": "true", "HX-Target": "schedule-results"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="schedule-results"')
    assert "<form" not in body.split("<article", 1)[0]  # no filter form, star forms only in rows
    assert shown_slugs(response) == ["atelier-qualite", "table-ronde"]
    # The live region outside the fragment is updated out of band, so the new count is announced.
    oob = parse(response).xpath('//*[@hx-swap-oob="innerHTML"]')[0]
    assert oob.get("id") == "schedule-status"
    assert " ".join(oob.text_content().split()) == "2 sessions affichées (dont 1 annulée) · filtré"


def test_htmx_request_from_a_day_tab_gets_the_form_and_results(client, programme):
    response = client.get(SCHEDULE, {"day": "2025-03-19"}, headers={"HX-Request": "true", "HX-Target": "schedule-page"})

    page = parse(response)
    assert "<html" not in response.content.decode()
    assert page.get("id") == "schedule-page"
    assert page.xpath('//select[@name="day"]/option[@selected]/@value') == ["2025-03-19"]
    assert shown_slugs(response) == ["moderniser", "atelier-qualite"]


def test_history_restore_request_gets_the_whole_page(client, programme):
    response = client.get(
        SCHEDULE, {"track": "qualite"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert response.content.decode().lstrip().startswith("<!doctype html>")
    assert shown_slugs(response) == ["atelier-qualite", "table-ronde"]


def test_full_page_and_fragment_vary_on_the_htmx_headers(client, programme):
    full = client.get(SCHEDULE)
    fragment = client.get(SCHEDULE, headers={"HX-Request": "true", "HX-Target": "schedule-results"})

    for response in (full, fragment):
        vary = {part.strip() for part in response["Vary"].split(",")}
        assert {"HX-Request", "HX-History-Restore-Request", "HX-Target"} <= vary
    assert full["ETag"] != fragment["ETag"]


def test_htmx_attributes_enhance_links_and_form_that_work_without_javascript(client, programme):
    page = parse(client.get(SCHEDULE, {"track": "qualite"}))

    form = page.xpath('//form[contains(@class, "filters")]')[0]
    assert form.get("action") == "/schedule/"
    assert (form.get("hx-get"), form.get("hx-target"), form.get("hx-push-url")) == (
        "/schedule/",
        "#schedule-results",
        "true",
    )
    tabs = page.xpath('//nav[contains(@class, "day-tabs")]//a')
    assert [tab.get("href") for tab in tabs] == [
        "/schedule/?track=qualite",
        "/schedule/?day=2025-03-19&track=qualite",
        "/schedule/?day=2025-03-20&track=qualite",
    ]
    assert all(tab.get("hx-get") == tab.get("href") and tab.get("hx-push-url") == "true" for tab in tabs)
    assert [tab.get("aria-current") for tab in tabs] == ["true", None, None]


def test_calendar_links_are_for_exactly_the_filtered_view(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    page = parse(client.get(SCHEDULE, {"q": "atelier", "track": "qualite", "room": ""}))

    links = page.xpath('//p[contains(@class, "schedule-tools__calendar")]/a/@href')
    assert links == [
        "webcal://programme.example.org/2025/calendar.ics?track=qualite&q=atelier",
        "/calendar.ics?track=qualite&q=atelier",
        reverse("congress:calendar-help"),
    ]


def test_unfiltered_schedule_links_to_the_whole_calendar(client, programme, settings):
    settings.SITE_URL = "https://programme.example.org"

    page = parse(client.get(SCHEDULE))

    assert page.xpath('//p[contains(@class, "schedule-tools__calendar")]/a/@href')[:2] == [
        "webcal://programme.example.org/2025/calendar.ics",
        "/calendar.ics",
    ]


def test_every_open_session_row_carries_a_star_button(client, programme):
    page = parse(client.get(SCHEDULE))

    rows = page.xpath('//article[contains(@class, "session ")][not(contains(@class, "is-cancelled"))]')
    assert len(rows) == 3
    assert all(row.xpath('.//form[@method="post"][contains(@action, "/star/")]') for row in rows)


def test_grid_places_sessions_in_room_columns_and_time_rows(client, programme):
    page = parse(client.get(SCHEDULE, {"day": "2025-03-19"}))

    grid = page.xpath('//div[contains(@class, "day-grid")]')[0]
    assert "gcols-2" in grid.get("class").split()
    assert grid.xpath('.//span[contains(@class, "day-grid__room")]/text()') == ["Grand amphi", "Petite salle"]
    keynote = page.xpath(f'//article[@id="session-{programme["keynote"].pk}"]')[0].get("class").split()
    workshop = page.xpath(f'//article[@id="session-{programme["workshop"].pk}"]')[0].get("class").split()
    assert {"gc-2", "grs-2", "gre-3"} <= set(keynote)
    assert {"gc-3", "grs-2", "gre-3"} <= set(workshop)


def test_list_layout_has_no_grid_placement_and_keeps_the_choice_in_links(client, programme):
    page = parse(client.get(SCHEDULE, {"layout": "list", "track": "qualite"}))

    assert page.xpath('//div[contains(@class, "day-grid")]') == []
    assert page.xpath('//input[@name="layout"]/@value') == ["list"]
    assert (
        page.xpath('//nav[contains(@class, "day-tabs")]//a/@href')[1]
        == "/schedule/?day=2025-03-19&track=qualite&layout=list"
    )


def test_a_cancelled_session_and_its_replacement_in_one_room_fall_back_to_the_list(client, programme):
    from tests.factories import make_session

    make_session(
        programme["congress"],
        title="Remplaçante",
        slug="remplacante",
        room=programme["rooms"][0],
        starts_at=programme["cancelled"].starts_at,
    )

    page = parse(client.get(SCHEDULE, {"day": "2025-03-20"}))

    assert page.xpath('//div[contains(@class, "day-grid")]') == []
    assert shown_slugs(client.get(SCHEDULE, {"day": "2025-03-20"})) == ["remplacante", "table-ronde", "cloture"]
