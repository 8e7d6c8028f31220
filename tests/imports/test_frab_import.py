"""Importing frab schedules with `import_schedule`: the real pretalx export, identity, idempotency, ownership."""

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from congress.models import ProgrammeVersion, Room, Session, Track
from speakers.models import Speaker
from tests.factories import make_congress, make_room, make_session, paris
from tests.imports.hostile import event, schedule_xml

pytestmark = pytest.mark.django_db


def run(path, congress, *args) -> str:
    out = StringIO()
    call_command("import_schedule", str(path), "--edition", congress.slug, *args, stdout=out)
    return out.getvalue()


def write(tmp_path, content: bytes, name: str = "schedule.xml"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", ["democon-schedule.xml", "democon-schedule.json"])
def test_the_pretalx_export_is_imported_whole(pretalx_file, democon, name):
    output = run(pretalx_file(name), democon)

    sessions = list(democon.sessions.select_related("room", "track").order_by("starts_at", "room__name"))
    first = Session.objects.get(uid=uuid.UUID("8c626d50-2286-5d9d-a60d-ec1589d3da70"))
    assert "36 session(s) in the file: 36 created, 0 updated, 0 unchanged, 0 skipped, 0 with errors" in output
    assert len(sessions) == 36
    assert sorted(Room.objects.filter(venue=democon.venue).values_list("name", flat=True)) == [
        "Dim Gray Room",
        "Light Sea Green Room",
    ]
    assert sorted(democon.tracks.values_list("name", "colour")) == [
        ("Cross-group", "#815ef7"),
        ("Reverse-engineered", "#07a0cb"),
    ]
    assert Speaker.objects.count() == 32
    assert sorted({session.kind for session in sessions}) == ["talk", "workshop"]
    assert (first.title, first.slug, first.room.name, first.track.name, first.language) == (
        "Adaptive cohesive array",
        "adaptive-cohesive-array",
        "Light Sea Green Room",
        "Reverse-engineered",
        "en",
    )
    assert first.local_start.isoformat() == "2026-11-28T09:00:00+01:00"
    assert first.duration == dt.timedelta(minutes=30)
    assert first.abstract.startswith("Empower wireless convergence!\n\nOnly military say attention")
    assert first.speakers_in_order[0].name == "Brent Abbott"
    assert first.status == Session.Status.PUBLISHED


def test_the_xml_and_the_json_export_give_the_same_programme(pretalx_file, democon):
    run(pretalx_file("democon-schedule.xml"), democon)

    output = run(pretalx_file("democon-schedule.json"), democon)

    assert output.splitlines()[1] == (
        "36 session(s) in the file: 0 created, 0 updated, 36 unchanged, 0 skipped, 0 with errors; 0 changed"
    )


def test_a_second_import_changes_nothing(pretalx_file, democon):
    run(pretalx_file("democon-schedule.xml"), democon)
    version = ProgrammeVersion.current().number
    revisions = list(democon.sessions.order_by("pk").values_list("revision", "modified_at"))

    output = run(pretalx_file("democon-schedule.xml"), democon)

    assert "; 0 changed" in output
    assert ProgrammeVersion.current().number == version
    assert list(democon.sessions.order_by("pk").values_list("revision", "modified_at")) == revisions


def test_a_dry_run_reports_and_writes_nothing(pretalx_file, democon):
    output = run(pretalx_file("democon-schedule.json"), democon, "--dry-run")

    assert "dry run, nothing written" in output
    assert "36 created" in output
    assert not Session.objects.exists()
    assert not Room.objects.filter(venue=democon.venue).exists()


def test_a_changed_time_or_room_bumps_the_revision_as_an_admin_edit_does(tmp_path):
    congress = make_congress()
    run(write(tmp_path, schedule_xml(event(1), event(2))), congress)
    moved = schedule_xml(event(1, date="2025-03-19T15:00:00+01:00"), event(2)).replace(
        b"<room>Salle Descartes</room>\n        <slug>essai-2", b"<room>Salle Pasteur</room>\n        <slug>essai-2"
    )
    version = ProgrammeVersion.current().number

    output = run(write(tmp_path, moved), congress)

    first, second = congress.sessions.order_by("slug")
    assert "0 created, 2 updated" in output
    assert "updated (starts_at, ends_at)" in output
    assert (first.revision, first.local_start.hour) == (1, 15)
    assert (second.revision, second.room.name) == (1, "Salle Pasteur")
    assert ProgrammeVersion.current().number > version


def test_a_changed_abstract_updates_without_a_new_revision(tmp_path):
    congress = make_congress()
    run(write(tmp_path, schedule_xml(event(1))), congress)
    changed = schedule_xml(event(1)).replace("Résumé.".encode(), "Nouveau résumé.".encode())

    run(write(tmp_path, changed), congress)

    session = congress.sessions.get()
    assert (session.abstract, session.revision) == ("Nouveau résumé.", 0)


def test_a_field_an_organiser_edited_is_kept_the_others_follow_the_file(tmp_path):
    congress = make_congress()
    run(write(tmp_path, schedule_xml(event(1))), congress)
    session = congress.sessions.get()
    session.title_fr = "Titre revu par l’équipe"  # as the admin form names it
    session.save()
    changed = schedule_xml(event(1, title="Titre du fichier", date="2025-03-19T16:00:00+01:00"))

    output = run(write(tmp_path, changed), congress)

    session.refresh_from_db()
    assert session.title == "Titre revu par l’équipe"
    assert session.local_start.hour == 16
    assert "kept as edited by an organiser: title" in output


def test_a_session_is_matched_by_guid_then_by_slug(tmp_path):
    congress = make_congress()
    by_slug = make_session(congress, slug="session-2", title="Faite à la main", starts_at=paris(2025, 3, 19, 11))

    run(write(tmp_path, schedule_xml(event(1), event(2))), congress)

    assert congress.sessions.count() == 2
    by_slug.refresh_from_db()
    assert by_slug.title == "Faite à la main"  # matched, never imported before: its own values are kept
    created = congress.sessions.get(slug="session-1")
    assert str(created.uid) == "00000000-0000-4000-8000-000000000001"


def test_a_guid_of_another_edition_is_refused(tmp_path):
    other = make_congress(is_current=False)
    make_session(other, uid=uuid.UUID("00000000-0000-4000-8000-000000000001"))
    congress = make_congress()

    with pytest.raises(CommandError, match="this guid already identifies a session of"):
        run(write(tmp_path, schedule_xml(event(1))), congress)


def test_missing_sessions_are_listed_and_only_cancelled_with_prune(tmp_path):
    congress = make_congress()
    run(write(tmp_path, schedule_xml(event(1), event(2))), congress)

    listed = run(write(tmp_path, schedule_xml(event(1))), congress)
    kept = congress.sessions.get(slug="session-2")
    pruned = run(write(tmp_path, schedule_xml(event(1))), congress, "--prune")

    assert "Missing from the file, kept (--prune cancels them): 1\n  session-2 “Session 2” (Published)" in listed
    assert kept.status == Session.Status.PUBLISHED
    assert "Missing from the file, cancelled (drafts deleted): 1" in pruned
    cancelled = congress.sessions.get(slug="session-2")
    assert (cancelled.status, cancelled.revision) == (Session.Status.CANCELLED, kept.revision + 1)


def test_a_session_an_organiser_deleted_is_not_recreated(tmp_path):
    congress = make_congress()
    path = write(tmp_path, schedule_xml(event(1), event(2)))
    run(path, congress)
    congress.sessions.get(slug="session-2").delete()

    output = run(path, congress)

    assert list(congress.sessions.values_list("slug", flat=True)) == ["session-1"]
    assert "1 skipped" in output
    assert "deleted by an organiser, not recreated" in output


def test_speakers_follow_the_file_in_its_order(tmp_path):
    congress = make_congress()
    run(write(tmp_path, schedule_xml(event(1))), congress)
    more = '<person id="2">Luc Martin</person>'
    changed = schedule_xml(event(1, more_persons=more)).replace("Zoé Lefèvre".encode(), b"Ana Silva")

    run(write(tmp_path, changed), congress)

    assert [speaker.name for speaker in congress.sessions.get().speakers_in_order] == ["Ana Silva", "Luc Martin"]


def test_a_room_of_the_venue_is_reused_and_new_tracks_belong_to_the_edition(tmp_path):
    congress = make_congress()
    room = make_room(congress.venue, name="Salle Descartes", slug="descartes")

    run(write(tmp_path, schedule_xml(event(1))), congress)

    assert congress.sessions.get().room == room
    assert list(Track.objects.values_list("congress", "name")) == [(congress.pk, "Procédés")]
