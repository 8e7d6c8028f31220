"""Issue 17: each session's pieces rendered once per change, compressed answers, a home page of constant weight."""

import datetime as dt
import gzip
import re

import lxml.html
import pytest
import time_machine
from django.core.cache import cache

from congress import pieces
from congress.models import ProgrammeVersion, Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def programme():
    return make_programme(12)


@pytest.fixture
def rendered(monkeypatch):
    """The keys of the pieces rendered (not found in the cache) by each answer."""
    keys: list[str] = []
    store = cache.set_many

    def recording_set_many(data, *args, **kwargs):
        keys.extend(data)
        return store(data, *args, **kwargs)

    monkeypatch.setattr(pieces.cache, "set_many", recording_set_many)
    return keys


def edit_one_session() -> Session:
    session = Session.objects.published().order_by("pk")[3]
    session.title = "Titre modifié par l'organisateur"
    session.save()
    return session


def articles(content: bytes) -> dict[str, str]:
    found = re.findall(r'(<article id="(session-\d+)".*?</article>)', content.decode(), re.S)
    return {ident: text for text, ident in found}


def vevents(content: bytes) -> dict[str, str]:
    blocks = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", content.decode(), re.S)
    return {re.search(r"UID:(\S+)", block).group(1): block for block in blocks}


def test_editing_one_session_renders_only_its_schedule_row_again(client, programme, rendered):
    before = articles(client.get("/schedule/").content)
    rendered.clear()

    session = edit_one_session()
    after = articles(client.get("/schedule/").content)

    assert len(rendered) == 1 and f":{session.pk}:" in rendered[0]
    assert "Titre modifié par l&#x27;organisateur" in after[f"session-{session.pk}"]
    assert before.keys() == after.keys()
    changed = [ident for ident in before if before[ident] != after[ident]]
    assert changed == [f"session-{session.pk}"]


def test_editing_a_speaker_renders_again_only_the_rows_that_show_them(client, programme, rendered):
    client.get("/schedule/")
    rendered.clear()
    session = Session.objects.published().for_listing().order_by("pk")[2]
    speaker = session.speaker_links_in_order[0].speaker
    speaker.name = "Nouvelle Intervenante"
    speaker.save()
    showing = set(Session.objects.published().filter(speaker_links__speaker=speaker).values_list("pk", flat=True))

    after = articles(client.get("/schedule/").content)

    assert {int(key.rsplit(":", 2)[-2]) for key in rendered} == showing
    assert all("Nouvelle Intervenante" in after[f"session-{pk}"] for pk in showing)


def test_editing_one_session_writes_only_its_vevent_again(client, programme, rendered):
    before = vevents(client.get("/calendar.ics").content)
    rendered.clear()

    session = edit_one_session()
    after = vevents(client.get("/calendar.ics").content)

    assert len(rendered) == 1
    assert "SUMMARY:Titre modifié par l'organisateur" in after[str(session.uid)]
    assert [uid for uid in before if before[uid] != after[uid]] == [str(session.uid)]


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/schedule.xml", r'(<event id="(\d+)".*?</event>)'),
        ("/schedule.json", r'(\{"guid":"[^"]+","id":(\d+),.*?"links":\[\]\})'),
    ],
)
def test_editing_one_session_writes_only_its_frab_entry_again(client, programme, rendered, path, pattern):
    before = {ident: text for text, ident in re.findall(pattern, client.get(path).content.decode(), re.S)}
    rendered.clear()

    session = edit_one_session()
    after = {ident: text for text, ident in re.findall(pattern, client.get(path).content.decode(), re.S)}

    assert len(rendered) == 1
    assert "Titre modifié par l" in after[str(session.pk)]
    assert before.keys() == after.keys() and len(before) > 5
    assert [ident for ident in before if before[ident] != after[ident]] == [str(session.pk)]


def test_a_compressed_answer_is_the_same_bytes_and_its_etag_gives_a_304(client, programme):
    for path in ("/schedule/", "/calendar.ics", "/schedule.xml"):
        plain = client.get(path)
        compressed = client.get(path, headers=GZIP)

        assert compressed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in compressed["Vary"]
        assert gzip.decompress(compressed.content) == plain.content
        assert len(compressed.content) < len(plain.content) / 3
        again = client.get(path, headers={**GZIP, "If-None-Match": compressed["ETag"]})
        assert again.status_code == 304


def test_the_home_page_weighs_the_same_whatever_the_programme_size(client):
    congress = make_programme(30)
    before = client.get("/").content
    template = Session.objects.published().filter(is_highlighted=False).first()
    Session.objects.bulk_create(
        Session(
            congress=congress,
            title=f"Session ajoutée {index}",
            slug=f"session-ajoutee-{index}",
            starts_at=template.starts_at,
            ends_at=template.ends_at,
            room=template.room,
            status=Session.Status.PUBLISHED,
        )
        for index in range(60)  # 30 → 90 sessions: a count of the same length
    )
    ProgrammeVersion.bump()

    after = client.get("/").content

    assert Session.objects.published().filter(congress=congress).count() == 90
    assert len(after) == len(before)


def test_during_the_congress_the_schedule_opens_on_today_and_every_day_stays_reachable(client):
    congress = make_programme(150)  # sessions on every day
    second_day = congress.days[1]

    with time_machine.travel(dt.datetime.combine(second_day, dt.time(10), congress.tzinfo), tick=False):
        page = lxml.html.fromstring(client.get("/schedule/").content)
        every_day = lxml.html.fromstring(client.get("/schedule/?day=all").content)

    assert page.xpath('//section[@class="day"]/h2/@id') == [f"day-{second_day.isoformat()}"]
    all_days_tab = page.xpath('//nav[@class="day-tabs"]//a/@href')[0]
    assert all_days_tab == "/schedule/?day=all"
    assert len(every_day.xpath('//section[@class="day"]')) == len(congress.days)


def test_before_the_congress_the_schedule_shows_every_day(client):
    congress = make_programme(150)

    with time_machine.travel(dt.datetime.combine(congress.days[0], dt.time(8), congress.tzinfo) - dt.timedelta(days=3)):
        page = lxml.html.fromstring(client.get("/schedule/").content)

    assert len(page.xpath('//section[@class="day"]')) == len(congress.days)
    assert page.xpath('//nav[@class="day-tabs"]//a/@href')[0] == "/schedule/"
