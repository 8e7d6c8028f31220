"""Organiser text is data everywhere: escaped in pages, exact in iCalendar, XML and JSON."""

import json

import icalendar
import lxml.etree
import lxml.html
import pytest

from congress.models import Organisation, Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

SESSION = "session-fictive-3"
TITLE = '</script><script>alert("titre")</script> & « Bioprod » <b>gras</b>'
ABSTRACT = "Ligne 1\n<img src=x onerror=alert(1)>\n**gras** [lien](javascript:alert(1)) </textarea>"
SPEAKER_NAME = 'Jean <i>Italique</i> "Dupont"'
BIOGRAPHY = '<iframe src="https://evil.example/"></iframe> Ingénieure'
ORGANISATION = "<svg onload=alert(1)>Laboratoire"
# Markup that would run, load or navigate if it reached a page as HTML.
DANGEROUS = ["<script>alert", "<img src=x", "<iframe", "<svg onload", 'href="javascript:', "<b>gras", "<i>Italique"]


@pytest.fixture
def hostile_programme():
    make_programme(5)
    session = Session.objects.get(slug=SESSION)
    session.title, session.abstract = TITLE, ABSTRACT
    session.save()
    speaker = session.speaker_links.select_related("speaker").first().speaker
    speaker.name, speaker.biography = SPEAKER_NAME, BIOGRAPHY
    speaker.save()
    organisation = Organisation.objects.get(pk=speaker.organisation_id)
    organisation.name = ORGANISATION
    organisation.save()
    return session, speaker


@pytest.mark.parametrize(
    "path", ["/", "/schedule/", f"/sessions/{SESSION}/", "/speakers/", "speaker", "/partners/", "/en/schedule/"]
)
def test_pages_show_organiser_markup_as_text(client, hostile_programme, path):
    _session, speaker = hostile_programme
    path = speaker.get_absolute_url() if path == "speaker" else path

    page = client.get(path).content.decode()
    document = lxml.html.fromstring(page)

    assert not [fragment for fragment in DANGEROUS if fragment in page]
    for script in document.iter("script"):  # only files and JSON data blocks, which must still parse
        assert script.get("src") or script.get("type") == "application/ld+json"
        if script.get("type") == "application/ld+json":
            json.loads(script.text)


def test_the_session_page_shows_title_and_abstract_exactly(client, hostile_programme):
    document = lxml.html.fromstring(client.get(f"/sessions/{SESSION}/").content)

    text = document.text_content()
    assert TITLE in text
    assert "<img src=x onerror=alert(1)>" in text  # shown as the organiser typed it, inert
    data = [json.loads(tag.text) for tag in document.iter("script") if tag.get("type") == "application/ld+json"]
    assert TITLE in [item.get("name") for item in data]


def test_calendar_feeds_carry_the_text_exactly(client, hostile_programme):
    for path in ("/calendar.ics", f"/sessions/{SESSION}.ics"):
        calendar = icalendar.Calendar.from_ical(client.get(path).content)
        events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
        event = events[str(hostile_programme[0].uid)]

        assert str(event["SUMMARY"]) == TITLE
        assert ABSTRACT in str(event["DESCRIPTION"])


def test_a_title_cannot_inject_calendar_lines(client, hostile_programme):
    session = hostile_programme[0]
    session.title = "Atelier\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Intrus"
    session.save()

    calendar = icalendar.Calendar.from_ical(client.get("/calendar.ics").content)

    events = calendar.walk("VEVENT")
    assert len(events) == Session.objects.public().count()
    assert "Intrus" not in [str(event["SUMMARY"]) for event in events]


def test_frab_xml_and_json_carry_the_text_exactly(client, hostile_programme):
    xml = lxml.etree.fromstring(client.get("/schedule.xml").content)
    schedule = json.loads(client.get("/schedule.json").content)

    assert TITLE in [title.text for title in xml.iter("title")]
    assert ABSTRACT in [abstract.text for abstract in xml.iter("abstract")]
    assert [event["abstract"] for event in _events(schedule) if event.get("title") == TITLE] == [ABSTRACT]


def _events(value):
    if isinstance(value, dict):
        if "title" in value and "guid" in value:
            yield value
        for item in value.values():
            yield from _events(item)
    elif isinstance(value, list):
        for item in value:
            yield from _events(item)
