"""An organiser moves the Sanofi talk in the admin; the attendee's pages, the calendar feed and "now & next"
follow."""

import datetime as dt
import importlib
import io
import re
import zoneinfo

import icalendar
import pytest
import time_machine
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PASSWORD = "Tours-bioproduction-2025"
NEW_START = dt.datetime(2025, 3, 20, 16, 0, tzinfo=PARIS)
NEW_END = dt.datetime(2025, 3, 20, 16, 45, tzinfo=PARIS)


def ensure_organisers_group() -> None:
    """The group a data migration creates; a transactional test before this one emptied every table."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    migration = importlib.import_module("congress.migrations.0002_organisers_group")
    group, created = Group.objects.get_or_create(name=migration.ORGANISERS)
    if created:
        wanted = Q(pk__in=[])
        for app_label, models in migration.EDITABLE_MODELS.items():
            wanted |= Q(content_type__app_label=app_label, content_type__model__in=models)
        group.permissions.set(Permission.objects.filter(wanted))


def make_organiser():
    from django.contrib.auth.models import User
    from django.core.management import call_command

    ensure_organisers_group()
    call_command("create_organiser", "organiser", "--generate", stdout=io.StringIO())
    user = User.objects.get(username="organiser")
    user.set_password(PASSWORD)  # the generated one is only printed
    user.save()
    return user


def feed_event(page, uid) -> icalendar.Event:
    answer = page.request.get("/calendar.ics")
    assert answer.ok, answer.status
    [event] = [event for event in icalendar.Calendar.from_ical(answer.body()).walk("VEVENT") if event["uid"] == uid]
    return event


def choose_in_autocomplete(page, field: str, text: str) -> None:
    """The admin's autocomplete widget (select2): open it, type, pick the first match."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_organiser_moves_the_talk_and_the_attendee_sees_it(new_context, programme):
    talk = programme.sanofi_talk
    uid = str(talk.uid)
    make_organiser()
    attendee = new_context().new_page()
    organiser = new_context().new_page()
    organiser.set_viewport_size(DESKTOP)
    sequence_before = feed_event(attendee, uid).get("sequence", 0)

    organiser.goto("/admin/")
    organiser.locator("#id_username").fill("organiser")
    organiser.locator("#id_password").fill(PASSWORD)
    organiser.locator("#login-form [type=submit]").click()
    expect(organiser).to_have_url(re.compile(r"/admin/$"))
    organiser.goto(f"/admin/congress/session/{talk.pk}/change/")
    organiser.locator("#id_starts_at_0").fill("2025-03-20")
    organiser.locator("#id_starts_at_1").fill("16:00")
    organiser.locator("#id_ends_at_0").fill("2025-03-20")
    organiser.locator("#id_ends_at_1").fill("16:45")
    organiser.locator("#id_time_to_be_confirmed").uncheck()
    choose_in_autocomplete(organiser, "room", "Descartes")
    organiser.locator("[name=_save]").click()

    expect(organiser.locator(".messagelist .success")).to_be_visible()
    expect(organiser.locator(".errornote")).to_have_count(0)

    attendee.goto("/schedule/")
    row = attendee.locator("article.session", has=attendee.get_by_role("link", name=talk.title))
    day = attendee.locator("section.day", has=row)
    expect(day.get_by_role("heading", level=2)).to_contain_text("20 mars")
    expect(row.locator(".session__time")).to_contain_text("16:00–16:45")
    expect(row.locator(".session__time")).not_to_contain_text("confirmer")
    expect(row.locator(".session__room")).to_have_text("Descartes")

    row.get_by_role("link", name=talk.title).click()

    facts = attendee.locator(".facts")
    expect(facts).to_contain_text("jeudi 20 mars 2025")
    expect(facts).to_contain_text("16:00–16:45")
    expect(facts).to_contain_text("Descartes")

    event = feed_event(attendee, uid)
    assert event["sequence"] == sequence_before + 1
    assert event.decoded("dtstart") == NEW_START
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtend") == NEW_END
    assert "Descartes" in str(event["location"])
    assert str(event["status"]) == "CONFIRMED"

    # time-machine moves the clock of the whole process, the live server's thread included.
    with time_machine.travel(dt.datetime(2025, 3, 20, 16, 10, tzinfo=PARIS), tick=False):
        attendee.goto("/now/")

        descartes = attendee.locator("li.now-room").filter(
            has=attendee.get_by_role("heading", name="Descartes", exact=True)
        )
        current = descartes.locator(".now-room__current")
        expect(current).to_contain_text(talk.title)
        expect(current).to_contain_text("16:00–16:45")
        expect(current.locator(".now-room__left")).to_have_text(re.compile(r"\b35 minutes\b"))  # 16:45 − 16:10
