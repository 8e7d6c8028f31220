"""The pretalx export's own calendar (democon-schedule.ics) agrees with what the import made of its XML."""

import datetime as dt

import icalendar
import pytest

from congress.imports.readers import read_schedule
from congress.imports.writing import import_schedule

pytestmark = pytest.mark.django_db


def test_imported_times_rooms_and_titles_match_the_pretalx_calendar(pretalx_file, democon):
    # An edition in another zone than the file's (Europe/Berlin): times keep their instants.
    congress = democon
    congress.time_zone = "Europe/London"
    congress.save()
    xml = pretalx_file("democon-schedule.xml")
    calendar = icalendar.Calendar.from_ical(pretalx_file("democon-schedule.ics").read_bytes())

    plan = import_schedule(read_schedule(xml.name, xml.read_bytes()), congress)

    expected = {
        (str(event["LOCATION"]), event.DTSTART.astimezone(dt.UTC), event.DTEND.astimezone(dt.UTC))
        for event in calendar.walk("VEVENT")
    }
    imported = {
        (session.room.name, session.starts_at.astimezone(dt.UTC), session.ends_at.astimezone(dt.UTC))
        for session in congress.sessions.select_related("room")
    }
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    titles = {
        f"{session.title} - {', '.join(speaker.name for speaker in session.speakers_in_order)}"
        for session in congress.sessions.all()
    }
    assert len(expected) == 36
    assert imported == expected
    assert titles == summaries
    assert "The file’s time zone is Europe/Berlin, the edition’s Europe/London" in plan.notes[0]
