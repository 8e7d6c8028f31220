import datetime as dt
import zoneinfo

import icalendar
import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congress import ical
from congress.models import ProgrammeVersion, Session
from speakers.models import SessionSpeaker
from tests.factories import (
    add_speaker,
    make_congress,
    make_organisation,
    make_room,
    make_session,
    make_speaker,
    make_track,
    make_venue,
    paris,
)
from tests.feeds.helpers import content_lines, events, parse_calendar, read_with_vobject, vobject_events

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def french(label) -> str:
    with translation.override("fr"):
        return str(label)


def feed(client, **params) -> bytes:
    response = client.get(reverse("feeds:calendar"), params)
    assert response.status_code == 200, response.content
    return response.content


def session_feed(client, session: Session) -> bytes:
    response = client.get(reverse("feeds:session-calendar", kwargs={"slug": session.slug}))
    assert response.status_code == 200, response.content
    return response.content


def by_uid(content: bytes) -> dict[str, icalendar.Event]:
    return {str(event["uid"]): event for event in events(content)}


def test_calendar_carries_name_zone_and_refresh_hints(client, congress):
    make_session(congress)

    content = feed(client)

    calendar = parse_calendar(content)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == "-//testserver//calendar//FR"
    assert str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["name"]) == "Congrès France Bioproduction 2025 (édition en cours)"
    assert str(calendar["x-wr-calname"]) == "Congrès France Bioproduction 2025 (édition en cours)"
    assert str(calendar["x-wr-timezone"]) == "Europe/Paris"
    # Written exactly so (icalendar's defaults are wrong for both: no VALUE, and "1:00:00").
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in content_lines(content)
    assert b"X-PUBLISHED-TTL:PT1H" in content_lines(content)
    assert str(calendar["source"]) == "http://testserver/calendar.ics"


def test_event_carries_every_property_of_the_session(client, congress):
    track = make_track(congress, name="Procédés")
    room = make_room(congress.venue, name="Salle Descartes")
    session = make_session(
        congress,
        title="Usage unique et continu",
        kind=Session.Kind.ROUND_TABLE,
        track=track,
        room=room,
        abstract="Retours d'expérience.",
        starts_at=paris(2025, 3, 19, 10),
        ends_at=paris(2025, 3, 19, 11, 15),
    )
    sanofi = make_organisation(name="Sanofi")
    add_speaker(session, make_speaker(name="Alice Martin", organisation=sanofi), position=0)
    add_speaker(session, make_speaker(name="Bruno Petit"), role=SessionSpeaker.Role.MODERATOR, position=1)
    session.refresh_from_db()

    [event] = events(feed(client))

    assert str(event["uid"]) == str(session.uid)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event["dtstart"].dt == paris(2025, 3, 19, 10)
    assert event["dtend"].dt == paris(2025, 3, 19, 11, 15)
    assert str(event["summary"]) == "Usage unique et continu"
    assert event["sequence"] == 0
    assert event["status"] == "CONFIRMED"
    assert event["dtstamp"].dt == session.modified_at.replace(microsecond=0)
    assert event["last-modified"].dt == session.modified_at.replace(microsecond=0)
    assert event["created"].dt == session.created_at.replace(microsecond=0)
    assert str(event["url"]) == f"http://testserver/sessions/{session.slug}/"
    assert str(event["location"]) == (
        "Salle Descartes, Palais des Congrès de Tours, 26 boulevard Heurteloup, 37000 Tours, France"
    )
    assert (event["geo"].latitude, event["geo"].longitude) == (47.3919, 0.6933)
    assert [str(category) for category in event.categories] == ["Procédés", french(Session.Kind.ROUND_TABLE.label)]
    assert "ORGANIZER" not in event
    assert "ATTENDEE" not in event


def test_description_is_plain_text_with_speakers_abstract_and_page(client, congress):
    session = make_session(congress, abstract="Première ligne.\nDeuxième ligne.")
    add_speaker(session, make_speaker(name="Alice Martin", organisation=make_organisation(name="Sanofi")))
    add_speaker(session, make_speaker(name="Bruno Petit"), role=SessionSpeaker.Role.MODERATOR, position=1)

    [event] = events(feed(client))

    blocks = str(event["description"]).split("\n\n")
    with translation.override("fr"):
        speaker, moderator = (str(role.label) for role in (SessionSpeaker.Role.SPEAKER, SessionSpeaker.Role.MODERATOR))
    speaker_lines = blocks[0].split("\n")
    assert speaker_lines[0].startswith(speaker) and speaker_lines[0].endswith("Alice Martin (Sanofi)")
    assert speaker_lines[1].startswith(moderator) and speaker_lines[1].endswith("Bruno Petit")
    assert blocks[1:] == ["Première ligne.\nDeuxième ligne.", f"http://testserver/sessions/{session.slug}/"]
    assert "<" not in str(event["description"])


ORGANISER_TEXT = "Bioproduction, ARNm; « qualité » — coûts\\réels 🧬🇫🇷 : 100 % Œuvre"


def test_organiser_text_round_trips_exactly(client, congress):
    track = make_track(congress, name="Procédés; qualité, numérique")
    room = make_room(congress.venue, name="Salle « Vinci », niveau 2; aile B")
    session = make_session(
        congress,
        title=ORGANISER_TEXT,
        abstract=f"{ORGANISER_TEXT}\r\nligne deux, avec virgule;\npoint-virgule et émoji 🧪\n\n" + "é🧬" * 60,
        track=track,
        room=room,
    )
    add_speaker(session, make_speaker(name="Zoé Lefèvre-Dubœuf", organisation=make_organisation(name="Bio, Inc.")))

    content = feed(client)

    expected_abstract = session.abstract.replace("\r\n", "\n")  # calendars carry one kind of line end
    [event] = events(content)
    assert str(event["summary"]) == ORGANISER_TEXT
    assert expected_abstract in str(event["description"])
    assert "Zoé Lefèvre-Dubœuf (Bio, Inc.)" in str(event["description"])
    assert str(event["location"]).startswith("Salle « Vinci », niveau 2; aile B, ")
    assert str(event.categories[0]) == "Procédés; qualité, numérique"
    [other] = vobject_events(content)
    assert other.summary.value == ORGANISER_TEXT
    assert expected_abstract in other.description.value
    assert other.location.value.startswith("Salle « Vinci », niveau 2; aile B, ")
    assert other.categories.value[0] == "Procédés; qualité, numérique"
    assert max(len(line) for line in content.split(b"\r\n")) <= 75  # folded in octets, never inside a character


def round_trip_session(congress) -> Session:
    """One session for every example (examples share the test's database transaction)."""
    existing = Session.objects.for_listing().filter(slug="round-trip").first()
    return existing or Session.objects.for_listing().get(pk=make_session(congress, slug="round-trip").pk)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(",;:\\\"'"), min_size=1),
    abstract=st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(",;:\\\n\t\r")),
)
def test_any_printable_text_round_trips_through_both_parsers(congress, title, abstract):
    session = round_trip_session(congress)
    session.title, session.abstract = title, abstract

    content = ical.calendar_bytes([session], congress=congress, site_url="https://example.org")

    expected_title = ical.clean_text(title)
    [event] = events(content)
    assert str(event["summary"]) == expected_title
    assert ical.clean_text(abstract).strip() in str(event["description"])
    [other] = vobject_events(content)
    assert other.summary.value == expected_title
    assert ical.clean_text(abstract).strip() in other.description.value


@pytest.mark.parametrize(
    ("first_day", "last_day", "change", "onset", "offsets"),
    [
        # Spring: at 02:00 CET clocks go to 03:00 CEST (01:00 UTC).
        (dt.date(2025, 3, 29), dt.date(2025, 3, 31), utc(2025, 3, 30, 1), "20250330T020000", (1, 2)),
        # Autumn: at 03:00 CEST clocks go back to 02:00 CET (01:00 UTC).
        (dt.date(2025, 10, 25), dt.date(2025, 10, 27), utc(2025, 10, 26, 1), "20251026T030000", (2, 1)),
    ],
)
def test_time_zone_changes_at_the_right_moment(client, first_day, last_day, change, onset, offsets):
    congress = make_congress(start_date=first_day, end_date=last_day, acronym="dst2025")
    paris_zone = zoneinfo.ZoneInfo("Europe/Paris")
    before = make_session(congress, starts_at=dt.datetime.combine(first_day, dt.time(10), tzinfo=paris_zone))
    after = make_session(congress, starts_at=dt.datetime.combine(last_day, dt.time(10), tzinfo=paris_zone))

    content = feed(client)

    calendar = parse_calendar(content)
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Paris"
    assert {event["dtstart"].params["TZID"] for event in calendar.walk("VEVENT")} == {"Europe/Paris"}
    [observance] = [part for part in vtimezone.subcomponents if part.DTSTART.date() == change.date()]
    assert b"DTSTART:" + onset.encode() in observance.to_ical()  # local time before the change (RFC 5545)
    assert tuple(dt.timedelta(hours=h) for h in offsets) == (observance.TZOFFSETFROM, observance.TZOFFSETTO)
    # An independent reader of the VTIMEZONE puts the change exactly where the tz database has it.
    parsed = read_with_vobject(content)
    zone = parsed.vtimezone.gettzinfo()
    for moment in (change - dt.timedelta(minutes=1), change, change + dt.timedelta(minutes=30)):
        assert moment.astimezone(zone).utcoffset() == moment.astimezone(paris_zone).utcoffset(), moment
    starts = {str(event.uid.value): event.dtstart.value.astimezone(UTC) for event in vobject_events(content)}
    assert starts == {str(before.uid): before.starts_at, str(after.uid): after.starts_at}


def test_cancelled_session_stays_with_status_cancelled(client, congress):
    session = make_session(congress)
    session.status = Session.Status.CANCELLED
    session.save()

    [event] = events(feed(client))

    assert str(event["uid"]) == str(session.uid)
    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 1
    assert str(event["description"]).startswith(french(gettext_lazy("This session is cancelled.")) + "\n\n")


def test_time_to_be_confirmed_is_tentative(client, congress):
    make_session(congress, time_to_be_confirmed=True)

    [event] = events(feed(client))

    assert event["status"] == "TENTATIVE"
    assert str(event["description"]).startswith(french(gettext_lazy("Time to be confirmed.")) + "\n\n")


def test_drafts_are_never_in_a_feed(client, congress):
    published = make_session(congress)
    draft = make_session(congress, status=Session.Status.DRAFT)

    assert list(by_uid(feed(client))) == [str(published.uid)]
    response = client.get(reverse("feeds:session-calendar", kwargs={"slug": draft.slug}))
    assert response.status_code == 404


def test_moved_session_keeps_its_uid_and_goes_up_one_sequence(client, congress):
    session = make_session(congress, starts_at=paris(2025, 3, 19, 10))
    before = by_uid(feed(client))[str(session.uid)]

    session.starts_at, session.ends_at = paris(2025, 3, 20, 14), paris(2025, 3, 20, 15)
    session.save()

    after = by_uid(feed(client))[str(session.uid)]
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after["dtstart"].dt == paris(2025, 3, 20, 14)
    [single] = events(session_feed(client, session))
    assert (str(single["uid"]), single["sequence"]) == (str(session.uid), 1)


def test_admin_bulk_change_also_goes_up_one_sequence(client, congress):
    session = make_session(congress)

    Session.objects.filter(pk=session.pk).bump_revision(status=Session.Status.CANCELLED)
    ProgrammeVersion.bump()  # what an admin action does after a bulk update (no signal is sent)

    [event] = events(feed(client))
    assert (event["sequence"], event["status"]) == (1, "CANCELLED")


def test_same_data_gives_identical_bytes(client, congress):
    session = make_session(congress, starts_at=paris(2025, 3, 19, 10))
    add_speaker(session)
    first = feed(client)

    cache.clear()
    with time_machine.travel(dt.datetime(2025, 3, 19, 12, tzinfo=UTC), tick=False):
        second = feed(client)
    built = ical.calendar_bytes(
        Session.objects.for_listing(),
        congress=congress,
        site_url="http://testserver",
        name=f"{congress.name} (édition en cours)",
        source_url="http://testserver/calendar.ics",
    )

    assert first == second == built


def test_single_session_download_has_no_calendar_name(client, congress):
    session = make_session(congress)
    make_session(congress, starts_at=paris(2025, 3, 20, 9))

    content = session_feed(client, session)

    calendar = parse_calendar(content)
    for name in ("NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "SOURCE"):
        assert name not in calendar
    assert str(calendar["prodid"]) == "-//testserver//session//FR"
    [event] = calendar.walk("VEVENT")
    [in_feed] = [other for other in events(feed(client)) if other["uid"] == event["uid"]]
    assert event.to_ical() == in_feed.to_ical()  # the same event, byte for byte, in every feed
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_session_without_room_is_located_at_the_venue(client, congress):
    make_session(congress, room=None)

    [event] = events(feed(client))

    assert str(event["location"]) == "Palais des Congrès de Tours, 26 boulevard Heurteloup, 37000 Tours, France"


def test_room_of_another_venue_gives_that_venue_address(client, congress):
    elsewhere = make_venue(name="Château de Tours", street_address="25 avenue André Malraux", latitude="47.3960")
    make_session(congress, room=make_room(elsewhere, name="Grande salle"))

    [event] = events(feed(client))

    assert str(event["location"]).startswith("Grande salle, Château de Tours, 25 avenue André Malraux, 37000 Tours")
    assert event["geo"].latitude == 47.396


def test_empty_calendar_is_still_a_valid_calendar(client, congress):
    content = feed(client, track="")

    calendar = parse_calendar(content)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["x-wr-calname"]) == f"{congress.name} (édition en cours)"


def test_calendar_built_for_another_language_links_to_its_pages(congress):
    session = make_session(congress, kind=Session.Kind.WORKSHOP)

    content = ical.calendar_bytes(
        Session.objects.for_listing(), congress=congress, site_url="https://example.org", language="en"
    )

    [event] = events(content)
    assert str(event["url"]) == f"https://example.org/en/sessions/{session.slug}/"
    assert str(event.categories[-1]) == "Workshop"
    assert str(parse_calendar(content)["prodid"]) == "-//example.org//calendar//EN"
