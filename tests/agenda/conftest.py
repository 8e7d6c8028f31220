"""Helpers of the agenda tests: a visitor's browser is a test client, its agenda cookie the only state it has."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congress.agenda import visitor as agenda
from congress.models import Agenda, ProgrammeVersion, Session
from tests.conftest import SAME_ORIGIN
from tests.factories import make_congress, make_room, make_session, paris


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The test client speaks plain HTTP; production redirects it to HTTPS (tested with the settings).
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def english():
    """Addresses reversed in English (/en/…): the tests read the source wording, whatever the translation."""
    with translation.override("en"):
        yield


@pytest.fixture
def congress():
    return make_congress()


@pytest.fixture
def room(congress):
    return make_room(congress.venue, name="Salle Ronsard", slug="ronsard", position=1)


@pytest.fixture
def session(congress, room):
    return make_session(congress, title="Bioprocédés continus", room=room, starts_at=paris(2025, 3, 19, 10))


@pytest.fixture
def other_browser():
    return Client(headers=SAME_ORIGIN)


def star(client: Client, session, *, htmx: bool = False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("congress:session-star", args=[session.slug]), data, headers=headers)


def agenda_of(client: Client) -> Agenda:
    return Agenda.objects.get(token_digest=agenda.token_digest(client.cookies[agenda.COOKIE_NAME].value))


def sessions_of(client: Client) -> list:
    return sorted(agenda_of(client).stars.values_list("session_id", flat=True))


def make_sessions(congress, count: int, room=None) -> list:
    """`count` published sessions of 45 minutes over the two days, in one room, without overlaps (bulk)."""
    room = room or make_room(congress.venue)
    sessions = Session.objects.bulk_create(
        Session(
            congress=congress,
            title=f"Session en nombre {index + 1}",
            slug=f"en-nombre-{index + 1}",
            starts_at=paris(2025, 3, 19 + index % 2, 8) + dt.timedelta(hours=index // 2),
            ends_at=paris(2025, 3, 19 + index % 2, 8) + dt.timedelta(hours=index // 2, minutes=45),
            room=room,
            status=Session.Status.PUBLISHED,
        )
        for index in range(count)
    )
    ProgrammeVersion.bump()  # bulk_create sends no signal
    return sessions
