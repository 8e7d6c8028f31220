import datetime as dt

import polib
import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from congress.models import Participation, Session
from tests.factories import (
    add_speaker,
    make_congress,
    make_organisation,
    make_participation,
    make_room,
    make_session,
    make_speaker,
    make_track,
    paris,
)


@pytest.fixture(autouse=True)
def before_the_congress():
    """The pages of these tests show an edition still to come (19–20 March 2025): the archive wording of a
    past edition has its own tests (tests/pages/test_editions.py). A test may travel elsewhere inside."""
    with time_machine.travel(paris(2025, 3, 1, 9), tick=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def compiled_french():
    """The pages are asserted in French: compile the catalogue when its .mo is missing or older than the .po
    (the README's commands do it before the suite; this keeps a bare `pytest` after an edit honest)."""
    po_path = settings.BASE_DIR / "congress" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        trans_real._translations = {}
        trans_real._default = None
        translation.deactivate()


@pytest.fixture
def congress():
    return make_congress(
        name="Congrès France Bioproduction", prefix="2025", short_description="Le rendez-vous de la bioproduction."
    )


@pytest.fixture
def programme(congress):
    """A small hand-made programme: two rooms, two tracks, two days, a draft, a cancelled and a TBC session."""
    grand, petit = (
        make_room(congress.venue, name="Grand amphi", slug="grand-amphi", position=1),
        make_room(congress.venue, name="Petite salle", slug="petite-salle", position=2),
    )
    procedes, qualite = (
        make_track(congress, name="Procédés", slug="procedes"),
        make_track(congress, name="Qualité", slug="qualite"),
    )
    sanofi = make_organisation(name="Sanofi", slug="sanofi")
    make_participation(congress, sanofi, role=Participation.Role.PARTNER, tier=Participation.Tier.PREMIUM)
    make_participation(congress, make_organisation(name="Polepharma", slug="polepharma"), role="co-organiser")
    franck = make_speaker(name="Franck Leroux", slug="franck-leroux", organisation=sanofi, job_title="Directeur")
    claire = make_speaker(name="Claire Dupont", slug="claire-dupont")
    keynote = make_session(
        congress,
        title="Moderniser le réseau industriel",
        slug="moderniser",
        kind=Session.Kind.KEYNOTE,
        room=grand,
        track=procedes,
        starts_at=paris(2025, 3, 19, 10, 30),
        is_highlighted=True,
        time_to_be_confirmed=True,
        abstract="Modulus, usage unique et IA.",
    )
    add_speaker(keynote, franck)
    workshop = make_session(
        congress,
        title="Atelier contrôle qualité",
        slug="atelier-qualite",
        kind=Session.Kind.WORKSHOP,
        room=petit,
        track=qualite,
        starts_at=paris(2025, 3, 19, 10, 30),
        abstract="Des analyses en ligne.",
    )
    add_speaker(workshop, claire)
    cancelled = make_session(
        congress,
        title="Table ronde annulée",
        slug="table-ronde",
        kind=Session.Kind.ROUND_TABLE,
        room=grand,
        track=qualite,
        starts_at=paris(2025, 3, 20, 9),
        status=Session.Status.CANCELLED,
    )
    draft = make_session(
        congress,
        title="Brouillon secret",
        slug="brouillon",
        room=petit,
        starts_at=paris(2025, 3, 20, 11),
        status=Session.Status.DRAFT,
        abstract="Ne doit pas paraître.",
    )
    late = make_session(
        congress,
        title="Clôture",
        slug="cloture",
        kind=Session.Kind.CEREMONY,
        room=grand,
        starts_at=paris(2025, 3, 20, 16),
        ends_at=paris(2025, 3, 20, 16) + dt.timedelta(minutes=30),
    )
    return {
        "congress": congress,
        "rooms": (grand, petit),
        "tracks": (procedes, qualite),
        "keynote": keynote,
        "workshop": workshop,
        "cancelled": cancelled,
        "draft": draft,
        "late": late,
        "franck": franck,
        "claire": claire,
    }
