import datetime as dt
import io
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from congress.models import Congress, Participation, ProgrammeVersion, Room, SeedRecord, Session, Track, Venue
from congress.seeding import load_seeds
from speakers.models import SessionSpeaker, Speaker
from tests.foundation.browser import open_form, organiser_browser

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TALK = "moderniser-le-reseau-industriel-de-sanofi"
CONGRESS_FILE = "france-bioproduction-2025.yaml"


@pytest.fixture
def french():
    """The seeded texts as French pages show them (title, name…: the French fields; *_en the English ones)."""
    with translation.override("fr"):
        yield


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", "congress", "speakers", "auth.group", indent=1, stdout=out)
    return out.getvalue()


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load(directory) -> str:
    out = io.StringIO()
    call_command("load_seeds", "--path", str(directory), stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("french")
def test_seeded_congress_is_the_current_ninth_edition_in_tours(seeded):
    congress = Congress.objects.current().select_related("venue").get()

    assert (congress.edition, congress.slug, congress.acronym) == (9, "france-bioproduction-2025", "fbp2025")
    assert (congress.start_date, congress.end_date) == (dt.date(2025, 3, 19), dt.date(2025, 3, 20))
    assert (congress.time_zone, congress.website) == ("Europe/Paris", "https://www.france-bioproduction.com")
    assert (congress.venue.name, congress.venue.city, congress.venue.postcode) == (
        "Palais des Congrès de Tours",
        "Tours",
        "37000",
    )
    assert congress.short_description and congress.description


@pytest.mark.usefixtures("french")
def test_seeded_rooms_are_the_palais_auditoriums_and_exhibition_hall(seeded):
    rooms = Room.objects.filter(venue__name="Palais des Congrès de Tours").order_by("position")

    assert [(room.name, room.capacity) for room in rooms] == [
        ("François-Iᵉʳ", 2000),
        ("Pierre-de-Ronsard", 700),
        ("Descartes", 350),
        ("Salon Agnès-Sorel", None),
    ]


def test_seeded_participations_are_two_co_organisers_and_sanofi_premium(seeded):
    participations = Participation.objects.filter(congress__slug="france-bioproduction-2025").order_by("position")

    assert [(p.organisation.name, p.role, p.tier) for p in participations] == [
        ("Polepharma", "co-organiser", ""),
        ("Medicen Paris Région", "co-organiser", ""),
        ("Sanofi", "partner", "premium"),
    ]


@pytest.mark.usefixtures("french")
def test_seeded_talk_is_franck_leroux_keynote_on_19_march_to_be_confirmed(seeded):
    talk = Session.objects.select_related("room", "track", "congress").get(slug=TALK)

    assert [speaker.name for speaker in talk.speakers_in_order] == ["Franck Leroux"]
    assert (talk.kind, talk.status, talk.language) == ("keynote", "published", "fr")
    assert talk.is_highlighted and talk.time_to_be_confirmed
    assert talk.local_start.date() == dt.date(2025, 3, 19)
    assert talk.room.name == "François-Iᵉʳ"
    assert talk.track.name == "Stratégie industrielle"
    facts = ["quarantaine de sites", "2030", "immunologie", "40\u00a0%", "Modulus", "Neuville-sur-Saône", "Singapour"]
    assert [fact for fact in facts if fact not in talk.abstract] == []


@pytest.mark.usefixtures("french")
def test_seeded_speaker_is_sanofi_with_his_job_title_and_career(seeded):
    speaker = Speaker.objects.select_related("organisation").get(slug="franck-leroux")

    assert speaker.organisation.name == "Sanofi"
    assert speaker.job_title == "Responsable de la stratégie industrielle et de l’excellence opérationnelle"
    for fact in ("Renault", "2002", "supply chain"):
        assert fact in speaker.biography


def test_tenth_edition_is_seeded_but_not_current_and_has_no_sessions(seeded):
    congress = Congress.objects.get(slug="france-bioproduction-2026")

    assert (congress.edition, congress.start_date, congress.is_current) == (10, dt.date(2026, 4, 15), False)
    assert congress.sessions.count() == 0
    assert congress.venue.name == "Palais des Congrès de Tours"


def test_load_seeds_prints_a_one_line_summary():
    first = load(settings.BASE_DIR / "seeds")
    second = load(settings.BASE_DIR / "seeds")

    assert first.strip().splitlines() == [
        "Seeds from seeds: 19 created, 0 updated, 0 unchanged; "
        "kept 0 field(s) changed by organisers and 0 row(s) they deleted."
    ]
    assert "0 created, 0 updated, 19 unchanged" in second


def test_loading_twice_leaves_an_identical_database(seeded):
    before = dump()

    load_seeds()

    assert dump() == before


def test_seed_change_is_applied_to_fields_nobody_edited(seed_dir):
    load(seed_dir)
    edit(seed_dir / CONGRESS_FILE, 'starts_at: "2025-03-19 10:30"', 'starts_at: "2025-03-19 10:15"')
    version = ProgrammeVersion.current().number

    summary = load(seed_dir)

    talk = Session.objects.get(slug=TALK)
    assert talk.local_start.time() == dt.time(10, 15)
    assert talk.revision == 1  # calendars see the move
    assert ProgrammeVersion.current().number > version
    assert "1 updated" in summary


def test_organiser_change_is_kept_on_reload(seed_dir):
    load(seed_dir)
    talk = Session.objects.get(slug=TALK)
    talk.title = "Titre choisi par les organisateurs"
    talk.save()
    edit(seed_dir / CONGRESS_FILE, 'title: "Moderniser', 'title: "Transformer')
    edit(seed_dir / CONGRESS_FILE, 'ends_at: "2025-03-19 11:15"', 'ends_at: "2025-03-19 11:30"')

    summary = load(seed_dir)

    talk = Session.objects.get(slug=TALK)
    assert talk.title == "Titre choisi par les organisateurs"
    assert talk.local_end.time() == dt.time(11, 30)  # a field nobody edited still follows the seed
    assert "kept 1 field(s) changed by organisers" in summary


def test_organiser_change_is_kept_when_the_seed_file_does_not_change(seeded):
    room = Room.objects.get(slug="descartes")
    room.capacity = 320
    room.save()

    load_seeds()

    assert Room.objects.get(slug="descartes").capacity == 320


@pytest.mark.usefixtures("french")
def test_change_made_in_the_admin_survives_load_seeds(seeded, organiser_client):
    room = Room.objects.get(slug="descartes")
    organiser_client.post(
        reverse("admin:congress_room_change", args=[room.pk]),
        {"venue": room.venue_id, "name_fr": "Auditorium Descartes", "slug": "descartes", "capacity": 340}
        | {"position": 2},
    )

    load_seeds()

    room = Room.objects.get(pk=room.pk)
    assert (room.name, room.capacity) == ("Auditorium Descartes", 340)


def test_renamed_row_is_still_found_by_what_was_loaded(seeded):
    talk = Session.objects.get(slug=TALK)
    talk.slug = "keynote-sanofi"
    talk.save()

    load_seeds()

    assert list(Session.objects.values_list("slug", flat=True)) == ["keynote-sanofi"]


def test_row_deleted_by_an_organiser_is_not_recreated(seeded):
    Session.objects.get(slug=TALK).delete()
    Room.objects.get(slug="descartes").delete()

    load_seeds()

    assert not Session.objects.filter(slug=TALK).exists()
    assert not SessionSpeaker.objects.exists()
    assert not Room.objects.filter(slug="descartes").exists()


def test_deleted_track_is_left_out_of_a_session_loaded_later(seed_dir):
    load(seed_dir)
    Session.objects.get(slug=TALK).delete()
    SeedRecord.objects.filter(natural_key__endswith=TALK).delete()  # as if the talk were new in the files
    Track.objects.get(slug="strategie-industrielle").delete()

    load(seed_dir)

    assert Session.objects.get(slug=TALK).track is None


def test_existing_row_without_seed_record_keeps_its_values():
    load_seeds()
    Room.objects.filter(slug="descartes").update(capacity=300)
    SeedRecord.objects.all().delete()

    load_seeds()

    assert Room.objects.get(slug="descartes").capacity == 300
    assert Venue.objects.count() == 1


def test_seeded_congress_takes_the_current_flag_from_another_edition():
    from tests.factories import make_programme

    make_programme(3)

    load_seeds()

    assert list(Congress.objects.current().values_list("slug", flat=True)) == ["france-bioproduction-2025"]


def test_organiser_making_another_edition_current_is_kept(seeded):
    Congress.objects.filter(is_current=True).update(is_current=False)
    Congress.objects.get(slug="france-bioproduction-2026").make_current()

    load_seeds()

    assert list(Congress.objects.current().values_list("slug", flat=True)) == ["france-bioproduction-2026"]


BAD_FILES = [
    pytest.param(
        CONGRESS_FILE,
        "    tracks:\n",
        "    tracks:\n  - [unclosed\n",
        ["YAML syntax error", "line "],
        id="yaml-syntax",
    ),
    pytest.param(
        CONGRESS_FILE,
        "        kind: keynote\n",
        "        kind: keynote\n        speaker_notes: x\n",
        [f"sessions[0] “{TALK}”", "field “speaker_notes”", "unknown field"],
        id="unknown-key",
    ),
    pytest.param(
        CONGRESS_FILE,
        '        title: "Moderniser',
        '        # title: "Moderniser',
        [f"sessions[0] “{TALK}”", "field “title”", "required"],
        id="missing-required",
    ),
    pytest.param(
        CONGRESS_FILE,
        'start_date: "2025-03-19"',
        'start_date: "2025-02-30"',
        ["congresses[0] “france-bioproduction-2025”", "field “start_date”", "“2025-02-30” is not a date"],
        id="bad-date",
    ),
    pytest.param(
        CONGRESS_FILE,
        'starts_at: "2025-03-19 10:30"',
        "starts_at: 10:30",
        [f"sessions[0] “{TALK}”", "field “starts_at”", "expected YYYY-MM-DD HH:MM"],
        id="bad-datetime",
    ),
    pytest.param(
        CONGRESS_FILE,
        "room: francois-ier",
        "room: salle-inconnue",
        [f"sessions[0] “{TALK}”", "field “room”", "unknown room “salle-inconnue”"],
        id="unknown-room",
    ),
    pytest.param(
        CONGRESS_FILE,
        "- speaker: franck-leroux",
        "- speaker: jean-inconnu",
        ["speakers[0] “jean-inconnu”", "field “speaker”", "unknown speaker “jean-inconnu”"],
        id="unknown-speaker",
    ),
    pytest.param(
        CONGRESS_FILE,
        "kind: keynote",
        "kind: conference",
        [f"sessions[0] “{TALK}”", "field “kind”", "not a valid choice"],
        id="bad-choice",
    ),
    pytest.param(
        CONGRESS_FILE,
        'ends_at: "2025-03-19 11:15"',
        'ends_at: "2025-03-19 10:00"',
        [f"sessions[0] “{TALK}”", "field “ends_at”", "end must be after the start"],
        id="end-before-start",
    ),
    pytest.param(
        CONGRESS_FILE,
        'starts_at: "2025-03-19 10:30"\n        ends_at: "2025-03-19 11:15"',
        'starts_at: "2025-03-21 10:30"\n        ends_at: "2025-03-21 11:15"',
        [f"sessions[0] “{TALK}”", "field “starts_at”", "within the congress dates"],
        id="outside-congress",
    ),
    pytest.param(
        CONGRESS_FILE,
        "tier: premium",
        "tier: platinum",
        ["participations[2] “sanofi”", "field “tier”", "not a valid choice"],
        id="bad-tier",
    ),
    pytest.param(
        "venues.yaml",
        "capacity: 2000",
        "capacity: deux mille",
        ["rooms[0] “francois-ier”", "field “capacity”", "not a whole number"],
        id="not-a-number",
    ),
    pytest.param(
        "france-bioproduction-2026.yaml",
        "is_current: false",
        "is_current:",
        ["congresses[0] “france-bioproduction-2026”", "field “is_current”", "cannot be empty"],
        id="empty-boolean",
    ),
    pytest.param(
        "speakers.yaml",
        "speakers:",
        "sepakers:",
        ["sepakers", "unknown section"],
        id="unknown-section",
    ),
    pytest.param(
        "venues.yaml",
        "      - slug: descartes",
        "      - slug: francois-ier",
        ["rooms[2] “francois-ier”", "duplicate entry", "rooms[0] “francois-ier”"],
        id="duplicate-entry",
    ),
    pytest.param(
        "venues.yaml",
        "    city: Tours\n",
        "    city: Tours\n    city: Paris\n",
        ["YAML syntax error", "given twice"],
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_FILES)
def test_malformed_seed_file_is_named_and_changes_nothing(seed_dir, file, old, new, expected):
    load(seed_dir)
    edit(seed_dir / "venues.yaml", "capacity: 350", "capacity: 340")  # a valid change, applied before the error
    edit(seed_dir / file, old, new)
    before = dump()

    with pytest.raises(CommandError) as error:
        load(seed_dir)

    message = str(error.value)
    assert message.startswith(str(seed_dir / file))
    for part in expected:
        assert part in message
    assert dump() == before


def test_malformed_seed_file_leaves_an_empty_database_empty(seed_dir):
    edit(seed_dir / CONGRESS_FILE, "room: francois-ier", "room: salle-inconnue")

    with pytest.raises(CommandError):
        load(seed_dir)

    assert (Congress.objects.count(), Venue.objects.count(), SeedRecord.objects.count()) == (0, 0, 0)


def test_empty_optional_text_is_loaded_as_empty(seed_dir):
    edit(seed_dir / "france-bioproduction-2026.yaml", "website: https://www.france-bioproduction.com", "website:")
    edit(seed_dir / CONGRESS_FILE, "track: strategie-industrielle", "track:")

    load(seed_dir)

    assert Congress.objects.get(slug="france-bioproduction-2026").website == ""
    assert Session.objects.get(slug=TALK).track is None


def test_missing_seed_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        load(tmp_path / "nowhere")


def test_seed_times_are_read_in_the_congress_time_zone(seeded):
    talk = Session.objects.get(slug=TALK)

    assert talk.starts_at == dt.datetime(2025, 3, 19, 10, 30, tzinfo=PARIS)
    assert talk.starts_at.astimezone(dt.UTC).hour == 9


@pytest.mark.usefixtures("french")
def test_saving_a_session_in_the_admin_leaves_its_abstract_to_the_seeds(seed_dir):
    load(seed_dir)
    talk = Session.objects.get(slug=TALK)
    url = reverse("admin:congress_session_change", args=[talk.pk])
    browser = organiser_browser("alice")
    form = open_form(browser, url)  # the abstract comes back with \r\n line ends, untouched
    assert browser.post(url, form).status_code == 302
    edit(seed_dir / CONGRESS_FILE, "Deuxième temps fort", "Second temps fort")

    summary = load(seed_dir)

    talk.refresh_from_db()
    assert "Second temps fort" in talk.abstract
    assert "\r" not in talk.abstract
    assert "kept 0 field(s)" in summary


@pytest.mark.usefixtures("french")
def test_an_abstract_stored_with_crlf_still_follows_the_seeds(seed_dir):
    load(seed_dir)
    Session.objects.filter(slug=TALK).update(abstract=Session.objects.get(slug=TALK).abstract.replace("\n", "\r\n"))
    edit(seed_dir / CONGRESS_FILE, "Deuxième temps fort", "Second temps fort")

    load(seed_dir)

    assert "Second temps fort" in Session.objects.get(slug=TALK).abstract


def test_seeds_give_the_english_versions(seeded):
    session = Session.objects.get(slug="moderniser-le-reseau-industriel-de-sanofi")
    speaker = Speaker.objects.get(slug="franck-leroux")

    assert session.title_en.startswith("Modernising Sanofi’s manufacturing network")
    assert "Modulus" in session.abstract_en and "Modulus" in session.abstract_fr
    assert speaker.job_title_en == "Head of Industrial Strategy and Operational Excellence"
    assert speaker.biography_en.startswith("An engineer by training")
    assert Congress.objects.current().get().name_en == "France Bioproduction Congress 2025"
    assert Room.objects.get(slug="francois-ier").name_en == "François I"


def test_an_english_text_edited_by_an_organiser_survives_load_seeds(seeded):
    session = Session.objects.get(slug="moderniser-le-reseau-industriel-de-sanofi")
    session.title_en = "Our own English title"
    session.save()

    load_seeds()

    session.refresh_from_db()
    assert session.title_en == "Our own English title"
    assert session.title_fr.startswith("Moderniser le réseau industriel de Sanofi")


def test_a_reload_changes_nothing_in_either_language(seeded):
    assert load_seeds().created == 0
    summary = load_seeds()

    assert (summary.created, summary.updated) == (0, 0)
