import lxml.etree
import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory

from congress import resilience, views
from tests.pages.helpers import parse, text_of

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/schedule/",
    "/schedule/?track=qualite",
    "/sessions/moderniser/",
    "/sessions/table-ronde/",
    "/speakers/",
    "/speakers/franck-leroux/",
    "/partners/",
    "/venue/",
    "/calendar/",
    "/en/",
    "/en/schedule/",
    "/en/sessions/moderniser/",
    "/sessions/inconnue/",
    "/schedule/?day=nope",
]


@pytest.mark.parametrize("url", PAGES)
def test_strict_csp_and_no_inline_script_or_style_in_any_page(client, programme, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page = parse(response)
    for script in page.xpath("//script"):
        # Only files from this site, or a JSON-LD data block (never executed, so not script for CSP).
        assert script.get("src", "").startswith("/static/") or script.get("type") == "application/ld+json"
        if script.get("src"):
            assert not (script.text or "").strip()
    assert page.xpath("//style") == []
    assert page.xpath("//*[@style]") == []
    assert not [name for element in page.iter() for name in element.attrib if name.startswith(("on", "hx-on"))]


def test_htmx_is_served_from_this_site_with_a_config_that_needs_no_inline_style(client, programme):
    page = parse(client.get("/"))

    # django-htmx's own copy, through {% htmx_script %}: a plain script tag, no nonce (pages are shared).
    assert page.xpath("//script/@src")[:2] == ["/static/django_htmx/htmx-2.min.js", "/static/js/app.js"]
    assert page.xpath("//script[@nonce]") == []
    assert '"includeIndicatorStyles":false' in page.xpath('//meta[@name="htmx-config"]/@content')[0]


def test_french_by_default_and_english_under_en(client, programme):
    french = client.get("/schedule/")
    english = client.get("/en/schedule/")

    assert parse(french).xpath("//html/@lang") == ["fr"]
    assert parse(english).xpath("//html/@lang") == ["en"]
    assert "Tous les jours" in french.content.decode()
    assert "All days" in english.content.decode()
    assert parse(english).xpath('//nav[@class="site-nav"]//a/@href')[1] == "/en/schedule/"
    assert text_of(english, "//h2[contains(@class, 'day__title')]") == "Wednesday 19 March 2025 Thursday 20 March 2025"


def test_an_english_browser_on_an_unprefixed_address_still_gets_french(client, programme):
    response = client.get("/schedule/", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert response.status_code == 200
    assert parse(response).xpath("//html/@lang") == ["fr"]
    assert "Tous les jours" in response.content.decode()


def test_language_switcher_is_plain_links_to_the_same_page(client, programme):
    french = parse(client.get("/schedule/?track=qualite"))
    english = parse(client.get("/en/sessions/moderniser/"))

    assert french.xpath('//nav[@class="languages"]//a/@href') == ["/en/schedule/?track=qualite"]
    assert french.xpath('//nav[@class="languages"]//a/@hreflang') == ["en"]
    assert english.xpath('//nav[@class="languages"]//a/@href') == ["/sessions/moderniser/"]
    assert english.xpath('//nav[@class="languages"]//a/text()') == ["Français"]
    assert french.xpath('//nav[@class="languages"]//form') == []


def test_edition_ordinal_in_english(client, programme):
    assert "9th edition" in text_of(client.get("/en/"), "//main")


def test_robots_txt_points_to_the_sitemap_and_keeps_out_admin_and_agendas(client, programme):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /agenda/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_public_pages_in_both_languages_and_never_drafts(client, programme):
    response = client.get("/sitemap.xml")

    tree = lxml.etree.fromstring(response.content)
    namespaces = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = tree.xpath("//s:loc/text()", namespaces=namespaces)
    assert response.status_code == 200
    # the permanent addresses of the edition (the canonical ones of its pages), and the site's own pages
    paths = ["/2025/", "/2025/schedule/", "/2025/speakers/", "/2025/partners/", "/2025/venue/", "/calendar/"]
    for path in [*paths, "/editions/", "/2025/sessions/moderniser/"]:
        assert f"http://testserver{path}" in locations
        assert f"http://testserver/en{path}" in locations
    assert "http://testserver/2025/speakers/franck-leroux/" in locations
    assert "http://testserver/2025/sessions/table-ronde/" in locations
    assert not [location for location in locations if "brouillon" in location or "agenda" in location]
    alternates = tree.xpath(
        '//s:url[s:loc="http://testserver/2025/sessions/moderniser/"]/x:link/@hreflang', namespaces=namespaces
    )
    assert alternates == ["fr", "en", "x-default"]


def test_unknown_address_gets_the_styled_404(client, programme):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    page = parse(response)
    assert page.xpath("//main//h1/text()") == ["Page introuvable"]
    assert page.xpath('//link[@rel="stylesheet"]/@href')[0] == "/static/css/app.css"
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]


def test_server_error_page_is_styled_and_touches_no_database(django_assert_num_queries):
    request = RequestFactory().get("/schedule/")

    with django_assert_num_queries(0):
        response = resilience.server_error(request)

    assert response.status_code == 500
    page = parse(response)
    assert page.xpath("//main//h1/text()") == ["Un problème est survenu"]
    assert page.xpath('//link[@rel="stylesheet"]/@href')[0] == "/static/css/app.css"


def test_server_error_page_renders_even_when_the_database_is_gone(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    response = resilience.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Un problème est survenu" in response.content.decode()


def test_not_found_page_survives_a_database_outage(monkeypatch, rf):
    def refuse(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    response = views.page_not_found(rf.get("/nulle-part/"), None)

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_pages_are_cached_and_answer_304_when_unchanged(client, programme):
    client.get("/schedule/")  # sets the CSRF cookie the star forms need (part of the validator)
    first = client.get("/schedule/")

    again = client.get("/schedule/", headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304


def test_an_organiser_edit_shows_at_once(client, programme):
    client.get("/schedule/")
    programme["workshop"].title = "Atelier renommé"
    programme["workshop"].save()

    assert "Atelier renommé" in client.get("/schedule/").content.decode()
