import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation

from tests.factories import make_congress, make_venue

REPO = Path(__file__).resolve().parents[2]
# The pretalx exports live next to the repository: <repo>/../shared/imports/ (see the README).
SHARED_IMPORTS = REPO.parent / "shared" / "imports"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def pretalx_file():
    """A file of the pretalx export by name; skipped with the reason where absent, a failure in CI."""

    def find(name: str) -> Path:
        path = SHARED_IMPORTS / name
        if path.is_file():
            return path
        message = f"the pretalx export {name} is not at {SHARED_IMPORTS} (see the README, “Importing a programme”)"
        if in_ci():
            pytest.fail(f"CI must import the real pretalx export, but {message}")
        pytest.skip(message)

    return find


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def democon():
    """An empty edition on the dates of the pretalx demo event, in the congress's usual zone."""
    return make_congress(
        name="DemoCon",
        slug="democon",
        acronym="democon",
        start_date=dt.date(2026, 11, 28),
        end_date=dt.date(2026, 11, 30),
        time_zone="Europe/Berlin",
        venue=make_venue(name="Messe"),
    )


@pytest.fixture
def organiser():
    user = User.objects.create_user("organiser", "organiser@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client
