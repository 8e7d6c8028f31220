"""Two organisers editing one row: the second save never silently overwrites the first (congress.admin_forms)."""

import html

import lxml.html
import pytest
from django.urls import reverse
from django.utils.text import capfirst

from congress.models import Congress, Organisation, Participation, Room, Session, Track, Venue
from speakers.models import Speaker
from tests.factories import (
    add_speaker,
    make_congress,
    make_organisation,
    make_participation,
    make_room,
    make_session,
    make_speaker,
    make_track,
)
from tests.foundation.browser import open_form, organiser_browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisers():
    return organiser_browser("alice"), organiser_browser("bruno")


def edit_rows():
    """(model, a row, the field Alice changes, the field Bruno changes), for each form organisers use."""
    congress = make_congress(description="Deux jours.")
    session = make_session(congress, title="Titre provisoire", abstract="Résumé.\nSuite.")
    speaker = make_speaker(biography="Ingénieure.")
    add_speaker(session, speaker)
    return {
        Session: (session, "title_fr", "abstract_fr"),
        Congress: (congress, "name_fr", "description_fr"),
        Speaker: (speaker, "name", "biography_fr"),
        Organisation: (make_organisation(description="Pôle."), "name", "description_fr"),
        Room: (make_room(congress.venue), "name_fr", "capacity"),
        Track: (make_track(congress), "name_fr", "colour"),
        Venue: (congress.venue, "name_fr", "city"),
        Participation: (make_participation(congress), "position", "tier"),
    }


NEW_VALUES = {
    "title_fr": "Titre définitif",
    "abstract_fr": "Résumé réécrit.",
    "name": "Nouveau nom",
    "name_fr": "Nouveau nom",
    "description_fr": "Autre description.",
    "biography_fr": "Directrice.",
    "capacity": "321",
    "colour": "#123456",
    "city": "Orléans",
    "position": "7",
    "tier": "gold",
}


@pytest.mark.parametrize(
    "model", [Session, Congress, Speaker, Organisation, Room, Track, Venue, Participation], ids=lambda m: m.__name__
)
def test_second_save_of_a_stale_form_is_refused_and_names_the_change(organisers, model):
    alice, bruno = organisers
    row, alice_field, bruno_field = edit_rows()[model]
    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
    alice_form, bruno_form = open_form(alice, url), open_form(bruno, url)
    alice_form[alice_field] = [NEW_VALUES[alice_field]]
    bruno_form[bruno_field] = [NEW_VALUES[bruno_field]]

    assert alice.post(url, alice_form).status_code == 302
    response = bruno.post(url, bruno_form)

    row.refresh_from_db()
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert str(getattr(row, alice_field)) == NEW_VALUES[alice_field]  # Alice's change stands
    assert str(getattr(row, bruno_field)) != NEW_VALUES[bruno_field]  # nothing of Bruno's was saved
    assert "Someone else saved this" in page
    label = capfirst(model._meta.get_field(alice_field).verbose_name)
    assert f"{label} (now “{NEW_VALUES[alice_field]}" in page
    assert NEW_VALUES[bruno_field] in page  # Bruno's input is still in the form


def test_saving_again_after_the_warning_keeps_the_second_version(organisers):
    alice, bruno = organisers
    session = make_session(title="Titre provisoire")
    url = reverse("admin:congress_session_change", args=[session.pk])
    alice_form, bruno_form = open_form(alice, url), open_form(bruno, url)
    alice.post(url, {**alice_form, "title_fr": ["Titre d'Alice"]})
    warned = bruno.post(url, {**bruno_form, "title_fr": ["Titre de Bruno"]})
    assert warned.status_code == 200

    document = lxml.html.fromstring(warned.content.decode())
    state = document.xpath("//input[@name='loaded_state']/@value")[0]
    response = bruno.post(url, {**bruno_form, "title_fr": ["Titre de Bruno"], "loaded_state": [state]})

    session.refresh_from_db()
    assert response.status_code == 302
    assert session.title == "Titre de Bruno"


def test_saves_one_after_the_other_do_not_conflict(organisers):
    alice, _bruno = organisers
    session = make_session(title="Titre provisoire")
    url = reverse("admin:congress_session_change", args=[session.pk])

    assert alice.post(url, {**open_form(alice, url), "title_fr": ["Premier"]}).status_code == 302
    assert alice.post(url, {**open_form(alice, url), "title_fr": ["Second"]}).status_code == 302

    session.refresh_from_db()
    assert session.title == "Second"


def test_stale_inline_row_is_refused(organisers):
    alice, bruno = organisers
    room = make_room(name="Salle Ronsard")
    url = reverse("admin:congress_venue_change", args=[room.venue.pk])
    alice_form, bruno_form = open_form(alice, url), open_form(bruno, url)
    alice_form["rooms-0-name_fr"] = ["Salle Balzac"]
    bruno_form["rooms-0-capacity"] = ["999"]

    assert alice.post(url, alice_form).status_code == 302
    response = bruno.post(url, bruno_form)

    room.refresh_from_db()
    assert response.status_code == 200
    assert "Someone else saved this room" in response.content.decode()
    assert (room.name, room.capacity) == ("Salle Balzac", 100)


def test_a_tampered_state_is_a_conflict_not_an_overwrite(organisers):
    alice, _bruno = organisers
    session = make_session(title="Titre provisoire")
    url = reverse("admin:congress_session_change", args=[session.pk])

    response = alice.post(url, {**open_form(alice, url), "title_fr": ["Autre"], "loaded_state": ["forged"]})

    session.refresh_from_db()
    assert response.status_code == 200
    assert session.title == "Titre provisoire"


def test_saving_an_untouched_text_keeps_its_line_ends(organisers):
    alice, _bruno = organisers
    session = make_session(abstract="Premier paragraphe.\n\nSecond paragraphe.")
    url = reverse("admin:congress_session_change", args=[session.pk])
    form = open_form(alice, url)
    assert "\r\n" in form["abstract_fr"][0]  # as a browser sends a textarea

    assert alice.post(url, {**form, "title_fr": ["Nouveau titre"]}).status_code == 302

    session.refresh_from_db()
    assert session.abstract == "Premier paragraphe.\n\nSecond paragraphe."
