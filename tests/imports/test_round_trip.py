"""Our own schedule.xml and schedule.json, imported into an empty edition, give back the same feeds."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from congress.imports.benchmark import empty_edition_like
from congress.imports.readers import read_schedule
from congress.imports.writing import import_schedule
from congress.models import Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

FEEDS = {"xml": "feeds:schedule-xml", "json": "feeds:schedule-json"}


def comparable_xml(content: bytes, ids: dict[str, str]) -> bytes:
    """Without the generation stamp (<version>); event ids (database rows) put back as the first export had them."""
    root = ET.fromstring(content)
    root.find("version").text = "-"
    for event in root.iter("event"):
        new_id, old_id = event.get("id"), ids[event.get("guid")]
        event.set("id", old_id)
        slug = event.find("slug")
        slug.text = slug.text.replace(f"-{new_id}-", f"-{old_id}-", 1)
    return ET.tostring(root)


def comparable_json(content: bytes, ids: dict[str, str]) -> dict:
    data = json.loads(content)
    data["schedule"]["version"] = "-"
    for day in data["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for event in events:
                new_id, event["id"] = event["id"], int(ids[event["guid"]])
                event["slug"] = event["slug"].replace(f"-{new_id}-", f"-{event['id']}-", 1)
    return data


def event_ids(content: bytes, form: str) -> dict[str, str]:
    if form == "xml":
        return {event.get("guid"): event.get("id") for event in ET.fromstring(content).iter("event")}
    days = json.loads(content)["schedule"]["conference"]["days"]
    return {event["guid"]: str(event["id"]) for day in days for events in day["rooms"].values() for event in events}


@pytest.mark.parametrize("form", ["xml", "json"])
def test_our_schedule_imported_into_an_empty_edition_exports_the_same_schedule(client, form):
    source = make_programme(30)
    first = client.get(reverse(FEEDS[form])).content
    # The guids are the sessions' calendar identities, unique across editions: as on a new site, the source
    # sessions make way for the imported ones.
    Session.objects.filter(congress=source).delete()
    target = empty_edition_like(source, "round-trip")
    target.make_current()

    plan = import_schedule(read_schedule(f"schedule.{form}", first), target)
    again = client.get(reverse(FEEDS[form])).content

    assert plan.count("created") == 30
    ids = event_ids(first, form)
    if form == "xml":
        assert comparable_xml(again, ids) == comparable_xml(first, event_ids(first, form))
    else:
        assert comparable_json(again, ids) == comparable_json(first, event_ids(first, form))
    assert target.sessions.count() == 30


def test_importing_our_own_schedule_into_its_edition_changes_nothing(client):
    source = make_programme(30)
    content = client.get(reverse("feeds:schedule-xml")).content

    plan = import_schedule(read_schedule("schedule.xml", content), source)

    assert (plan.count("unchanged"), plan.changed) == (30, 0)
