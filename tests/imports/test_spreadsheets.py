"""CSV and XLSX import and export of sessions and speakers in the admin (django-import-export's own flow)."""

import csv
import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from congress.imports.resources import SESSION_COLUMNS, SPEAKER_COLUMNS
from congress.models import Session
from speakers.models import Speaker
from tests.factories import add_speaker, make_congress, make_organisation, make_room, make_session, make_speaker, paris
from tests.factories import make_track as make_track_of

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def edition():
    congress = make_congress(slug="fbp-2025")
    make_room(congress.venue, name="Auditorium", slug="auditorium", capacity=300)
    make_track_of(congress, name="Procédés", slug="procedes")
    return congress


def csv_bytes(rows: list[dict], columns=SESSION_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def session_row(**overrides) -> dict:
    row = dict.fromkeys(SESSION_COLUMNS, "")
    row |= {
        "edition": "fbp-2025",
        "slug": "ouverture",
        "title": "Ouverture du congrès",
        "kind": "keynote",
        "status": "published",
        "language": "fr",
        "day": "2025-03-19",
        "start": "09:00",
        "end": "09:45",
        "room": "Auditorium",
        "track": "Procédés",
        "speakers": "Zoé Lefèvre; Luc Martin",
        "abstract": "Le mot d’accueil.",
    }
    return row | overrides


def preview(client, content: bytes, *, model: str = "session", name: str = "sessions.csv", fmt: str = CSV_FORMAT):
    url = reverse(f"admin:{'congress' if model == 'session' else 'speakers'}_{model}_import")
    return client.post(url, {"import_file": SimpleUploadedFile(name, content), "format": fmt, "resource": "0"})


def confirm(client, response, *, model: str = "session"):
    form = response.context["confirm_form"]
    url = reverse(f"admin:{'congress' if model == 'session' else 'speakers'}_{model}_process_import")
    return client.post(url, {name: form.initial[name] for name in form.fields} | {"resource": "0"}, follow=True)


def test_a_csv_preview_writes_nothing_and_the_confirmation_creates_the_sessions(organiser_client, edition):
    response = preview(organiser_client, csv_bytes([session_row()]))

    assert response.status_code == 200
    assert response.context["result"].totals["new"] == 1
    assert not Session.objects.exists()

    confirm(organiser_client, response)

    session = Session.objects.get()
    assert (session.title, session.room.name, session.track.name) == ("Ouverture du congrès", "Auditorium", "Procédés")
    assert session.local_start.isoformat() == "2025-03-19T09:00:00+01:00"
    assert [speaker.name for speaker in session.speakers_in_order] == ["Zoé Lefèvre", "Luc Martin"]


def test_importing_the_same_sheet_again_changes_nothing(organiser_client, edition):
    content = csv_bytes([session_row()])
    confirm(organiser_client, preview(organiser_client, content))
    revision = Session.objects.get().revision

    response = preview(organiser_client, content)

    assert response.context["result"].totals["skip"] == 1
    assert response.context["result"].totals["update"] == 0
    assert Session.objects.get().revision == revision


def test_a_new_time_in_the_sheet_bumps_the_revision_like_an_admin_edit(organiser_client, edition):
    confirm(organiser_client, preview(organiser_client, csv_bytes([session_row()])))
    guid = str(Session.objects.get().uid)

    confirm(
        organiser_client, preview(organiser_client, csv_bytes([session_row(guid=guid, start="10:00", end="10:45")]))
    )

    session = Session.objects.get()
    assert (session.local_start.hour, session.revision) == (10, 1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"room": "Grenier"}, "room: Palais des Congrès de Tours has no room called “Grenier”"),
        ({"start": "25:00"}, "start: “25:00” is not a time such as 10:30"),
        ({"day": "demain"}, "day: “demain” is not a day such as 2025-03-19"),
        ({"edition": "inconnue"}, "edition: no edition has the slug “inconnue”"),
        ({"kind": "concert"}, "Value 'concert' is not a valid choice."),
        ({"day": "2025-04-02"}, "The session must take place within the congress dates"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_field_and_nothing_is_written(
    organiser_client, edition, overrides, message
):
    rows = [session_row(slug="bonne", title="Bonne ligne"), session_row(**overrides)]

    response = preview(organiser_client, csv_bytes(rows))

    assert response.status_code == 200
    assert response.context["result"].has_validation_errors()
    invalid = response.context["result"].invalid_rows
    assert [row.number for row in invalid] == [2]
    assert message in str(invalid[0].error_dict)
    assert "confirm_form" not in response.context
    assert not Session.objects.exists()


def test_an_xlsx_made_from_the_template_is_imported(organiser_client, edition):
    template = organiser_client.get(reverse("admin:congress_session_template", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.active
    sheet.append([session_row()[column] for column in SESSION_COLUMNS])
    out = io.BytesIO()
    book.save(out)

    response = preview(organiser_client, out.getvalue(), name="sessions.xlsx", fmt=XLSX_FORMAT)
    confirm(organiser_client, response)

    assert Session.objects.get().slug == "ouverture"


def test_the_templates_hold_the_documented_columns_and_no_row(organiser_client):
    sessions = organiser_client.get(reverse("admin:congress_session_template", args=["csv"]))
    speakers = organiser_client.get(reverse("admin:speakers_speaker_template", args=["csv"]))
    unknown = organiser_client.get("/en/admin/congress/session/template.exe")

    assert sessions["Content-Disposition"] == 'attachment; filename="sessions-template.csv"'
    assert sessions.content.decode().splitlines() == [",".join(SESSION_COLUMNS)]
    assert speakers.content.decode().splitlines() == [",".join(SPEAKER_COLUMNS)]
    assert unknown.status_code == 404


def test_the_session_export_has_the_import_columns(organiser_client, edition):
    session = make_session(edition, room=edition.venue.rooms.get(), starts_at=paris(2025, 3, 19, 14))
    add_speaker(session, make_speaker(name="Zoé Lefèvre"))
    fields = {f"sessionresource_{column}": "on" for column in SESSION_COLUMNS}

    response = organiser_client.post(
        reverse("admin:congress_session_export"), {"resource": "0", "format": CSV_FORMAT} | fields
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == SESSION_COLUMNS
    assert (rows[0]["day"], rows[0]["start"], rows[0]["room"], rows[0]["speakers"]) == (
        "2025-03-19",
        "14:00",
        "Auditorium",
        "Zoé Lefèvre",
    )
    assert rows[0]["guid"] == str(session.uid)


def test_speakers_are_imported_and_exported(organiser_client):
    make_organisation(slug="sanofi", name="Sanofi")
    content = csv_bytes(
        [{"slug": "", "name": "Zoé Lefèvre", "sort_name": "", "job_title": "Directrice", "organisation": "sanofi",
          "biography": "Bio."}],
        columns=SPEAKER_COLUMNS,
    )  # fmt: skip

    confirm(organiser_client, preview(organiser_client, content, model="speaker", name="speakers.csv"), model="speaker")

    speaker = Speaker.objects.get()
    assert (speaker.slug, speaker.sort_name, speaker.organisation.name) == ("zoe-lefevre", "Lefèvre Zoé", "Sanofi")
    exported = tablib.Dataset().load(
        organiser_client.post(
            reverse("admin:speakers_speaker_export"),
            {"resource": "0", "format": CSV_FORMAT} | {f"speakerresource_{c}": "on" for c in SPEAKER_COLUMNS},
        ).content.decode("utf-8-sig"),
        format="csv",
    )
    assert exported.dict[0]["organisation"] == "sanofi"


def test_a_speaker_row_with_an_unknown_organisation_names_the_field(organiser_client):
    row = {"slug": "x", "name": "X", "sort_name": "", "job_title": "", "organisation": "nope", "biography": ""}

    response = preview(organiser_client, csv_bytes([row], columns=SPEAKER_COLUMNS), model="speaker")

    assert "organisation: no organisation has the slug “nope”" in str(
        response.context["result"].invalid_rows[0].error_dict
    )
    assert not Speaker.objects.exists()


def test_a_spreadsheet_over_the_size_limit_is_refused(organiser_client, monkeypatch):
    monkeypatch.setattr("congress.imports.admin.MAX_FILE_BYTES", 10)

    response = preview(organiser_client, csv_bytes([session_row()]), name="big.csv")

    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["big.csv is larger than 0 MB, the import limit: nothing was imported."]


@pytest.mark.parametrize("page", ["import", "export"])
def test_the_spreadsheet_pages_have_no_inline_script_or_style(organiser_client, edition, page):
    response = organiser_client.get(reverse(f"admin:congress_session_{page}"))

    assert response.status_code == 200
    assert b"style=" not in response.content
    assert b" onchange=" not in response.content and b"<script>" not in response.content
