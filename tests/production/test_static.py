"""WhiteNoise: hashed, compressed static files with far-future caching after collectstatic."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path  # the storage is rebuilt for the new root (setting_changed)
    call_command("collectstatic", interactive=False, verbosity=0)
    return tmp_path


def static_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_collectstatic_writes_a_manifest_and_compressed_copies(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())

    hashed = manifest["paths"]["css/app.css"]
    assert re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    assert (collected / (hashed + ".gz")).exists()


def test_pages_link_hashed_names_served_with_far_future_caching(collected):
    make_programme(5)
    client = Client()  # a new client loads the middleware again: WhiteNoise indexes the collected files
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]

    links = static_links(client.get(reverse("congress:home")).content.decode())
    asset = client.get(links[0])

    assert links
    assert all(link.removeprefix("/static/") in manifest.values() for link in links)
    assert asset.status_code == 200
    assert asset["Cache-Control"] == "max-age=315360000, public, immutable"


def test_compressed_copy_for_a_client_that_accepts_gzip(collected):
    make_programme(5)
    client = Client()
    link = next(
        link for link in static_links(client.get(reverse("congress:home")).content.decode()) if link.endswith(".css")
    )

    response = client.get(link, headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_without_any_collectstatic_pages_still_render_with_plain_names(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "never-collected"
    make_programme(5)

    response = client.get(reverse("congress:home"))

    assert response.status_code == 200
    assert "/static/css/" in response.content.decode()
