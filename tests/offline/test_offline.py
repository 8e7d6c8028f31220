"""The manifest, the service worker's answer, the offline page and the list of pages the worker keeps."""

import json
import re
import struct
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings

from congress.models import Star
from tests.agenda.conftest import star
from tests.factories import make_programme

pytestmark = pytest.mark.django_db


def kept_page(address: str) -> tuple[str, tuple]:
    """An address as the worker keys it: parameters in any order, empty ones dropped (sw.js pageKey)."""
    parts = urlsplit(address)
    return parts.path, tuple(sorted((name, value) for name, value in parse_qsl(parts.query) if value))


# The manifest ---------------------------------------------------------------------------------------------


def test_manifest_in_french(client, congress):
    response = client.get("/manifest.webmanifest")

    manifest = json.loads(response.content)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    assert (manifest["name"], manifest["lang"], manifest["start_url"]) == ("Congrès France Bioproduction", "fr", "/")
    assert (manifest["display"], manifest["scope"], manifest["id"]) == ("standalone", "/", "/")
    assert (manifest["theme_color"], manifest["background_color"]) == ("#0b4f6c", "#ffffff")


def test_manifest_in_english(client, congress):
    manifest = json.loads(client.get("/en/manifest.webmanifest").content)

    assert manifest["name"] == "France Bioproduction congress"
    assert (manifest["lang"], manifest["start_url"]) == ("en", "/en/")
    assert manifest["id"] == "/"  # one app, whichever language installed it


def test_manifest_icons_exist_in_their_sizes(client, congress):
    icons = json.loads(client.get("/manifest.webmanifest").content)["icons"]

    declared = {(icon["type"], icon["sizes"], icon.get("purpose", "any")) for icon in icons}
    assert declared == {
        ("image/svg+xml", "any", "any"),
        ("image/svg+xml", "any", "maskable"),
        ("image/png", "192x192", "any"),
        ("image/png", "512x512", "any"),
    }
    for icon in icons:
        path = settings.BASE_DIR / "static" / icon["src"].removeprefix(settings.STATIC_URL)
        if icon["type"] == "image/png":
            width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the PNG's IHDR chunk
            assert f"{width}x{height}" == icon["sizes"]
        else:
            assert path.read_text().startswith("<svg")


def test_pages_link_the_manifest_and_the_worker_script(client, congress):
    french = client.get("/").content.decode()
    english = client.get("/en/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in french
    assert '<link rel="manifest" href="/en/manifest.webmanifest">' in english
    script = re.search(r'<script src="/static/js/offline\.js" defer ([^>]*)>', english).group(1)
    assert 'data-worker="/sw.js"' in script
    assert 'data-pages="/en/offline/pages.json"' in script


# The service worker ---------------------------------------------------------------------------------------


def test_worker_served_from_the_root_as_javascript(client, congress):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.content == (settings.BASE_DIR / "static" / "js" / "sw.js").read_bytes()
    assert "Service-Worker-Allowed" not in response  # /sw.js already covers the whole site


def test_worker_is_never_kept_longer_than_the_pages(client, congress):
    worker = client.get("/sw.js")
    page = client.get("/schedule/")

    assert "no-cache" in worker["Cache-Control"] and "max-age=0" in worker["Cache-Control"]
    assert re.search(r"max-age=0|no-cache", page["Cache-Control"])


def test_worker_revalidated_with_its_etag(client, congress):
    etag = client.get("/sw.js")["ETag"]

    response = client.get("/sw.js", headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_worker_refuses_post(client, congress):
    assert client.post("/sw.js").status_code == 405


# The offline page -----------------------------------------------------------------------------------------


def test_offline_page_links_what_is_kept(client, congress):
    response = client.get("/offline/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Indisponible hors connexion</h1>" in body
    for address in ("/schedule/", "/agenda/", "/speakers/", "/venue/"):
        assert f'<a class="button" href="{address}">' in body
    assert "notice--error" not in body


def test_offline_page_after_an_unsent_form(client, congress):
    body = client.get("/offline/", {"unsent": "1"}).content.decode()

    assert "<h1>Non envoyé : pas de réseau</h1>" in body
    assert "votre modification n’a pas été envoyée" in body


def test_offline_page_in_english(client, congress):
    body = client.get("/en/offline/").content.decode()

    assert "<h1>Not available offline</h1>" in body
    assert '<a class="button" href="/en/schedule/">Programme</a>' in body


def test_offline_page_has_no_inline_script(client, congress):
    body = client.get("/offline/").content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)", body) == []
    assert " style=" not in body


# The pages the worker keeps -------------------------------------------------------------------------------


def test_pages_list_every_day_in_both_layouts(client):
    make_programme(5)

    data = client.get("/offline/pages.json").json()

    schedule = [page for page in data["pages"] if page.startswith("/schedule/")]
    days = ["2031-03-18", "2031-03-19", "2031-03-20"]
    assert sorted(schedule) == sorted(
        ["/schedule/", "/schedule/?layout=list"]
        + [f"/schedule/?day={day}" for day in days]
        + [f"/schedule/?day={day}&layout=list" for day in days]
    )
    for address in ("/", "/venue/", "/calendar/", "/speakers/", "/agenda/", "/calendar.ics"):
        assert address in data["pages"]
    assert (data["offline"], data["unsent"], data["language"]) == ("/offline/", "/offline/?unsent=1", "fr")
    assert data["note"] == "hors connexion — mis à jour à %(time)s"


def test_pages_list_holds_the_links_of_the_day_tabs_and_layouts(client):
    make_programme(5)
    grid = client.get("/schedule/").content.decode()
    listed = client.get("/schedule/", {"layout": "list"}).content.decode()

    linked = {
        kept_page(address.replace("&amp;", "&")) for address in re.findall(r'href="(/schedule/[^"#]*)"', grid + listed)
    }
    kept = {kept_page(page) for page in client.get("/offline/pages.json").json()["pages"]}
    assert len(linked) == 8  # the whole programme and its three days, in both layouts
    assert linked <= kept


def test_pages_list_in_english(client):
    make_programme(5)

    data = client.get("/en/offline/pages.json").json()

    assert "/en/schedule/?day=2031-03-18&layout=list" in data["pages"]
    assert (data["home"], data["offline"], data["language"]) == ("/en/", "/en/offline/", "en")
    assert data["note"] == "offline — updated at %(time)s"


def test_pages_list_version_follows_an_organiser_edit(client):
    congress = make_programme(5)
    first = client.get("/offline/pages.json")

    session = congress.sessions.first()
    session.title = "Titre modifié"
    session.save()
    second = client.get("/offline/pages.json", headers={"If-None-Match": first["ETag"]})

    assert second.status_code == 200
    assert second.json()["version"] != first.json()["version"]


def test_pages_list_revalidated_with_its_etag(client):
    make_programme(5)
    first = client.get("/offline/pages.json")

    second = client.get("/offline/pages.json", headers={"If-None-Match": first["ETag"]})

    assert second.status_code == 304
    assert "no-cache" in first["Cache-Control"]


@pytest.mark.parametrize("size", [5, 60])
def test_pages_list_query_count_is_constant(client, django_assert_num_queries, size):
    make_programme(size)

    with django_assert_num_queries(2):  # the programme version, the current congress
        client.get("/offline/pages.json")


@pytest.mark.parametrize("size", [5, 60])
def test_offline_page_query_count_is_constant(client, django_assert_num_queries, size):
    make_programme(size)

    with django_assert_num_queries(1):  # the current congress with its venue
        client.get("/offline/")


def test_background_copy_of_the_agenda_does_not_mark_changes_as_seen(client):
    congress = make_programme(5)
    session = congress.sessions.order_by("starts_at").first()
    star(client, session)
    client.get("/agenda/")
    session.title = "Titre corrigé"
    session.save()

    copy = client.get("/agenda/", headers={"X-Offline-Copy": "1"}).content.decode()
    visit = client.get("/agenda/").content.decode()

    assert "Modifié depuis votre dernière visite" in copy
    assert "Modifié depuis votre dernière visite" in visit  # the visitor's own first look at it
    assert Star.objects.get().seen_revision == session.revision
