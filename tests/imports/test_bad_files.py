"""Malformed and hostile files: a message naming the file, the line and the field; nothing written."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from congress.imports import readers
from congress.models import Room, Session, Track
from speakers.models import Speaker
from tests.factories import make_congress
from tests.imports.hostile import BILLION_LAUGHS, XXE, event, schedule_xml

pytestmark = pytest.mark.django_db


def run(path, congress, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_schedule", str(path), "--edition", congress.slug, *args, stdout=out)
    return out.getvalue()


def nothing_written() -> bool:
    return not (Session.objects.exists() or Room.objects.exists() or Track.objects.exists() or Speaker.objects.exists())


def test_an_external_entity_is_refused_and_nothing_is_read(tmp_path):
    congress = make_congress()
    Room.objects.all().delete()
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)

    with pytest.raises(CommandError) as error:
        run(path, congress)

    assert str(error.value).startswith("xxe.xml: XML entities and external references are not accepted")
    assert nothing_written()


def test_entity_expansion_is_refused(tmp_path):
    congress = make_congress()
    path = tmp_path / "laughs.xml"
    path.write_bytes(BILLION_LAUGHS)

    with pytest.raises(CommandError) as error:
        run(path, congress)

    assert "XML entities and external references are not accepted" in str(error.value)
    assert not Session.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    congress = make_congress()
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.xml"
    path.write_bytes(schedule_xml(*(event(number) for number in range(1, 6))))

    with pytest.raises(CommandError) as error:
        call_command("import_schedule", str(path), "--edition", congress.slug)

    assert str(error.value) == "big.xml: the file is larger than 0 MB, the import limit"


def test_the_size_limit_is_checked_on_the_bytes_too(monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)

    with pytest.raises(readers.ScheduleFileError) as error:
        readers.read_schedule("big.json", b'{"schedule": {}}')

    assert str(error.value) == "big.json: the file is larger than 0 MB, the import limit"


def test_an_xml_syntax_error_names_the_file_and_the_line(tmp_path):
    congress = make_congress()
    content = schedule_xml(event(1)).replace(b"</title>", b"</titel>", 1)
    path = tmp_path / "broken.xml"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run(path, congress)

    line = content[: content.index(b"</titel>")].count(b"\n") + 1
    assert str(error.value) == f"broken.xml, line {line}, column 19: XML syntax error: mismatched tag"


def test_a_missing_title_names_the_file_the_line_and_the_field_and_nothing_is_written(tmp_path):
    congress = make_congress()
    content = schedule_xml(event(1), event(2, title=""))
    path = tmp_path / "schedule.xml"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run(path, congress)

    line = content.index(b"essai-2-session-2")
    event_line = content[:line].rfind(b"<event")
    expected_line = content[:event_line].count(b"\n") + 1
    assert f"schedule.xml, line {expected_line}, field “title”: this field is required" in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert not Session.objects.exists()  # the first, valid event is not written either


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"duration": "soon"}, "duration", "“soon” is not a duration such as 00:45"),
        ({"date": "tomorrow"}, "date", "“tomorrow” is not a date such as 2025-03-19"),
        ({"date": "2025-03-19T25:00:00"}, "date", "“2025-03-19T25:00:00” is not a date and time"),
        ({"guid": "not-a-uuid"}, "guid", "“not-a-uuid” is not a UUID"),
        ({"date": "2025-04-01T10:00:00+02:00"}, "date", "is outside the edition’s dates (2025-03-19 – 2025-03-20)"),
    ],
)
def test_a_bad_value_names_its_field(tmp_path, overrides, field, message):
    congress = make_congress()
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(event(1, **overrides)))

    with pytest.raises(CommandError) as error:
        run(path, congress)

    assert f"schedule.xml, line 11, field “{field}”: " in str(error.value)
    assert message in str(error.value)


def test_a_json_syntax_error_names_the_line(tmp_path):
    congress = make_congress()
    path = tmp_path / "schedule.json"
    path.write_text('{"schedule": {\n  "conference": {,}\n}}')

    with pytest.raises(CommandError) as error:
        run(path, congress)

    assert str(error.value).startswith("schedule.json, line 2, column 18: JSON syntax error")


def test_a_json_event_without_a_start_names_its_place_and_field(tmp_path):
    congress = make_congress()
    data = {
        "schedule": {
            "conference": {
                "acronym": "essai",
                "days": [{"date": "2025-03-19", "rooms": {"Salle A": [{"title": "Sans heure", "duration": "00:30"}]}}],
            }
        }
    }
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError) as error:
        run(path, congress)

    assert "schedule.json, days[0] › Salle A › [0] “Sans heure”, field “start”: this field is required" in str(
        error.value
    )


def test_neither_xml_nor_json_is_refused(tmp_path):
    congress = make_congress()
    path = tmp_path / "schedule.ics"
    path.write_text("BEGIN:VCALENDAR\r\n")

    with pytest.raises(CommandError, match=r"schedule\.ics: neither a frab schedule\.xml nor a schedule\.json"):
        run(path, congress)


def test_an_unknown_edition_is_named(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(event(1)))

    with pytest.raises(CommandError, match="No edition has the slug “nope”"):
        call_command("import_schedule", str(path), "--edition", "nope")


def test_times_without_a_zone_are_read_in_the_editions_zone_and_reported(tmp_path):
    congress = make_congress(time_zone="Europe/Paris")
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(event(1, date="2025-03-19T10:00:00")))

    output = run(path, congress)

    session = Session.objects.get()
    assert session.local_start.isoformat() == "2025-03-19T10:00:00+01:00"
    assert "1 time(s) without a time zone were read in the edition’s zone, Europe/Paris." in output


def test_a_naive_time_the_clocks_skip_is_an_error(tmp_path):
    congress = make_congress(start_date=dt.date(2025, 3, 30), end_date=dt.date(2025, 3, 30))
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(event(1, date="2025-03-30T02:30:00")).replace(b"2025-03-19", b"2025-03-30"))

    with pytest.raises(CommandError) as error:
        run(path, congress)

    assert "field “date”: 2025-03-30 02:30:00 does not exist in Europe/Paris (the clocks skip it)" in str(error.value)


@pytest.mark.parametrize(
    "event_data",
    [
        {"title": "A", "date": "2025-03-19T10:00:00+01:00", "duration": "00:30", "persons": 5},
        {"title": "A", "date": "2025-03-19T10:00:00+01:00", "duration": "00:30", "persons": "Zoé"},
        {"title": ["A"], "date": 7, "duration": None, "guid": {"x": 1}},
    ],
)
def test_json_values_of_the_wrong_type_are_errors_or_ignored_never_a_crash(tmp_path, event_data):
    congress = make_congress()
    data = {
        "schedule": {
            "conference": {
                "rooms": 3,
                "tracks": "x",
                "days": [{"date": "2025-03-19", "rooms": {"Salle A": [event_data]}}],
            }
        }
    }
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data))

    try:
        output = run(path, congress)
    except CommandError as error:
        output = str(error)

    assert "1 session(s) in the file: 1 created" in output or "nothing was imported" in output


def test_a_duration_beyond_the_calendar_is_an_error(tmp_path):
    congress = make_congress()
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(event(1, date="9999-12-31T23:00:00+00:00", duration="99:999:00")))

    with pytest.raises(CommandError, match="field “duration”: the session would end after the year 9999"):
        run(path, congress)


def test_two_events_matching_one_session_are_refused(tmp_path):
    congress = make_congress()
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(event(1), event(2)))
    run(path, congress)
    twins = schedule_xml(event(1), event(3, slug="session-1", guid="00000000-0000-4000-8000-000000000001"))

    path.write_bytes(twins.replace(b'guid="00000000-0000-4000-8000-000000000001" id="1"', b'guid="" id="1"', 1))
    with pytest.raises(CommandError, match="match the same session"):
        run(path, congress)


def test_line_ends_and_control_characters_are_cleaned_as_the_admin_saves_text(tmp_path):
    congress = make_congress()
    data = {
        "schedule": {
            "conference": {
                "days": [
                    {
                        "date": "2025-03-19",
                        "rooms": {
                            "Salle A": [
                                {"title": "Titre\x07", "start": "10:00", "duration": "00:30", "abstract": "a\r\nb\rc"}
                            ]
                        },
                    }
                ]
            }
        }
    }
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data))

    run(path, congress)

    assert list(congress.sessions.values_list("title", "abstract")) == [("Titre", "a\nb\nc")]
