"""The frab upload in the admin: a preview that writes nothing, then a confirmation that writes it all."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from congress.imports import readers
from congress.models import ProgrammeVersion, Room, Session
from tests.factories import make_congress
from tests.imports.hostile import XXE, event, schedule_xml

pytestmark = pytest.mark.django_db

URL = "/en/admin/congress/session/import-schedule/"


def upload(client, congress, content: bytes, name: str = "schedule.xml", **extra):
    data = {"file": SimpleUploadedFile(name, content), "edition": congress.pk} | extra
    return client.post(URL, data)


def test_the_session_list_links_to_the_import_and_the_planning(organiser_client):
    response = organiser_client.get(reverse("admin:congress_session_changelist"))

    assert response.status_code == 200
    assert URL.encode() in response.content
    assert b"/en/admin/congress/session/planning/" in response.content
    assert b"/en/admin/congress/session/template.csv" in response.content


def test_the_preview_lists_each_session_and_writes_nothing(organiser_client):
    congress = make_congress()
    version = ProgrammeVersion.current().number

    response = upload(organiser_client, congress, schedule_xml(event(1), event(2)))

    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(line.where, line.title, line.outcome) for line in plan.lines] == [
        ("line 11", "Session 1", "created"),
        ("line 24", "Session 2", "created"),
    ]
    assert b"Confirm the import" in response.content
    assert not Session.objects.exists()
    assert ProgrammeVersion.current().number == version


def test_confirming_the_preview_imports_the_file(organiser_client):
    congress = make_congress()
    preview = upload(organiser_client, congress, schedule_xml(event(1), event(2)))
    token = preview.context["confirm_form"].initial["token"]

    response = organiser_client.post(URL, {"token": token}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:congress_session_changelist")
    assert sorted(congress.sessions.values_list("slug", flat=True)) == ["session-1", "session-2"]
    assert b"2 created" in response.content


def test_the_preview_of_a_second_import_shows_the_fields_that_change(organiser_client):
    congress = make_congress()
    confirm = upload(organiser_client, congress, schedule_xml(event(1), event(2))).context["confirm_form"]
    organiser_client.post(URL, {"token": confirm.initial["token"]})

    response = upload(organiser_client, congress, schedule_xml(event(1, date="2025-03-19T16:00:00+01:00"), event(2)))

    lines = response.context["plan"].lines
    assert [(line.outcome, line.change_labels) for line in lines] == [("updated", ["start", "end"]), ("unchanged", [])]
    assert b"0 created, 1 updated, 1 unchanged" in response.content


def test_a_confirmation_cannot_be_replayed_or_forged(organiser_client):
    congress = make_congress()
    token = upload(organiser_client, congress, schedule_xml(event(1))).context["confirm_form"].initial["token"]
    organiser_client.post(URL, {"token": token})
    Session.objects.all().delete()

    replayed = organiser_client.post(URL, {"token": token})
    forged = organiser_client.post(URL, {"token": "../../etc/passwd"})

    assert (replayed.status_code, forged.status_code) == (400, 400)
    assert b"This preview has expired or was replaced" in replayed.content
    assert not Session.objects.exists()


def test_a_file_with_errors_is_previewed_without_a_confirmation(organiser_client):
    congress = make_congress()

    response = upload(organiser_client, congress, schedule_xml(event(1), event(2, duration="")))

    assert response.status_code == 200
    assert "schedule.xml, line 24, field “duration”: this field is required".encode() in response.content
    assert b"Confirm the import" not in response.content
    assert not Room.objects.filter(name="Salle Descartes").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (XXE, "xxe.xml: XML entities and external references are not accepted (EntitiesForbidden)"),
        (b"<schedule><conference>", "xxe.xml, line 1, column 23: XML syntax error: no element found"),
        (b"\x00\x01", "xxe.xml: neither a frab schedule.xml nor a schedule.json"),
    ],
)
def test_a_bad_file_gives_a_form_error_naming_it(organiser_client, content, message):
    congress = make_congress()

    response = upload(organiser_client, congress, content, name="xxe.xml")

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert not Session.objects.exists()


def test_a_file_over_the_limit_is_refused(organiser_client, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr("congress.imports.forms.MAX_FILE_BYTES", 100)
    congress = make_congress()

    response = upload(organiser_client, congress, schedule_xml(event(1)), name="big.xml")

    assert response.context["form"].errors["file"] == ["big.xml is larger than 0 MB, the import limit."]


@pytest.mark.parametrize("data", [{}, {"edition": "abc"}, {"edition": "999999", "file": ""}, {"token": ""}])
def test_missing_or_malformed_fields_are_form_errors_not_500(organiser_client, data):
    make_congress()

    response = organiser_client.post(URL, data)

    assert response.status_code in (200, 400)
    assert not Session.objects.exists()


def test_the_pretalx_export_is_previewed_with_its_36_sessions(organiser_client, pretalx_file, democon):
    path = pretalx_file("democon-schedule.json")

    response = upload(organiser_client, democon, path.read_bytes(), name=path.name)

    assert response.context["plan"].count("created") == 36
    assert b"36 created" in response.content


def test_staff_without_the_organiser_permissions_cannot_import(client):
    client.force_login(User.objects.create_user("visitor", is_staff=True))

    response = client.get(URL)

    assert response.status_code == 403


def test_the_admin_pages_keep_the_strict_content_security_policy(organiser_client):
    congress = make_congress()

    response = upload(organiser_client, congress, schedule_xml(event(1)))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert b"<script>" not in response.content and b"style=" not in response.content


def test_a_preview_never_confirmed_expires_after_a_day(organiser_client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # its clock is moved
    congress = make_congress()
    preview = upload(organiser_client, congress, schedule_xml(event(1)))
    token = preview.context["confirm_form"].initial["token"]

    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        response = organiser_client.post(URL, {"token": token})

    assert response.status_code == 400
    assert b"This preview has expired" in response.content
    assert not congress.sessions.exists()


def test_the_prune_checkbox_cancels_the_sessions_missing_from_the_file(organiser_client):
    congress = make_congress()
    first = upload(organiser_client, congress, schedule_xml(event(1), event(2)))
    organiser_client.post(URL, {"token": first.context["confirm_form"].initial["token"]})

    kept = upload(organiser_client, congress, schedule_xml(event(1)))
    pruned = upload(organiser_client, congress, schedule_xml(event(1)), prune="on")
    organiser_client.post(URL, {"token": pruned.context["confirm_form"].initial["token"]})

    assert b"They are kept." in kept.content
    assert b"They will be cancelled (drafts deleted)." in pruned.content
    assert [session.title for session in pruned.context["plan"].missing] == ["Session 2"]
    assert congress.sessions.get(slug="session-2").status == Session.Status.CANCELLED
