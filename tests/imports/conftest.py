import datetime as dt
from pathlib import Path

import pytest

from tests.factories import make_congress, make_venue
from tests.feeds.helpers import in_ci
from tests.foundation.conftest import english, organiser, organiser_client, plain_http  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parents[2]
# The pretalx exports live next to the repository: <repo>/../shared/imports/ (see the README).
SHARED_IMPORTS = REPO.parent / "shared" / "imports"


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


@pytest.fixture
def democon():
    """An empty edition on the dates and in the time zone of the pretalx demo event."""
    return make_congress(
        name="DemoCon",
        slug="democon",
        acronym="democon",
        start_date=dt.date(2026, 11, 28),
        end_date=dt.date(2026, 11, 30),
        time_zone="Europe/Berlin",
        venue=make_venue(name="Messe"),
    )
