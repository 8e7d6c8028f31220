"""Parsing and locating helpers for the feed tests."""

import os
from pathlib import Path

import icalendar
import pytest
import vobject

REPO = Path(__file__).resolve().parents[2]
# The reference schemas live next to the repository: <repo>/../shared/schemas/ (see their README).
SCHEMAS = REPO.parent / "shared" / "schemas"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def reference_schemas(directory: Path = SCHEMAS) -> Path:
    """The schemas directory; skipped with the reason where it is absent, a failure in CI."""
    if directory.is_dir():
        return directory
    message = f"the frab reference schemas are not at {directory} (copy them from voc/schedule, see issue 4)"
    if in_ci():
        pytest.fail(f"CI must validate the schedule exports, but {message}")
    pytest.skip(message)


def read_with_vobject(content: bytes):
    """vobject keeps the first VTIMEZONE it sees for a TZID for the life of the process, and would read this
    calendar's times with the zone of another test's calendar: it is made to forget them first."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    return vobject.readOne(content.decode("utf-8"), validate=True)


def parse_calendar(content: bytes) -> icalendar.Calendar:
    """Parse with icalendar and, independently, with vobject; any error from either fails the test."""
    calendar = icalendar.Calendar.from_ical(content)
    assert not calendar.errors
    for component in calendar.walk():
        assert not component.errors, (component.name, component.errors)
    parsed = read_with_vobject(content)
    assert parsed.name == "VCALENDAR"
    assert len(list(parsed.components())) == len(calendar.subcomponents)
    return calendar


def vobject_events(content: bytes) -> list:
    return list(read_with_vobject(content).vevent_list)


def events(content: bytes) -> list[icalendar.Event]:
    return parse_calendar(content).walk("VEVENT")


def content_lines(content: bytes) -> list[bytes]:
    """The unfolded content lines, as bytes."""
    return content.replace(b"\r\n ", b"").split(b"\r\n")
