import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from congress.models import Session
from congress.now import NowAndNext, home_board, now_and_next
from tests.factories import (
    add_speaker,
    make_congress,
    make_programme,
    make_room,
    make_session,
    make_speaker,
    paris,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def rooms(congress):
    return (
        make_room(congress.venue, name="Salle Balzac", slug="balzac", position=1),
        make_room(congress.venue, name="Salle Rabelais", slug="rabelais", position=2),
    )


@pytest.fixture
def programme(congress, rooms):
    balzac, rabelais = rooms

    def session(room, title, start, end):
        return make_session(congress, room=room, title=title, starts_at=start, ends_at=end)

    return {
        "ouverture": session(balzac, "Ouverture", paris(2025, 3, 19, 9), paris(2025, 3, 19, 10)),
        "procedes": session(balzac, "Procédés continus", paris(2025, 3, 19, 10), paris(2025, 3, 19, 10, 45)),
        "qualite": session(balzac, "Qualité des lots", paris(2025, 3, 19, 11), paris(2025, 3, 19, 12)),
        "atelier": session(rabelais, "Atelier usage unique", paris(2025, 3, 19, 9), paris(2025, 3, 19, 9, 30)),
        "table": session(rabelais, "Table ronde talents", paris(2025, 3, 19, 11), paris(2025, 3, 19, 12)),
        "cloture": session(balzac, "Clôture", paris(2025, 3, 20, 9), paris(2025, 3, 20, 10)),
    }


def now_page(client, moment, **params) -> str:
    with time_machine.travel(moment, tick=False):
        response = client.get(reverse("congress:now"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<div id="now-board"') : html.index("</main>")]


def rooms_of(html: str) -> dict[str, str]:
    """Room name → the text of its card, tags removed and spaces collapsed."""
    cards = html.split('<li class="now-room">')[1:]
    result = {}
    for card in (card.split("</li>")[0] for card in cards):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip()
        name = re.search(r'class="now-room__name">([^<]+)<', card)
        result[name[1] if name else ""] = text
    return result


def test_during_two_rooms_one_running_one_in_a_gap(client, programme):
    html = now_page(client, paris(2025, 3, 19, 10, 20))

    cards = rooms_of(html)
    assert list(cards) == ["Salle Balzac", "Salle Rabelais"]
    assert cards["Salle Balzac"] == (
        "Salle Balzac Now Procédés continus 10:00 – 10:45 · 25 minutes left "
        "Next in 40 minutes Qualité des lots 11:00 – 12:00"
    )
    assert cards["Salle Rabelais"] == (
        "Salle Rabelais Nothing right now. Next in 40 minutes Table ronde talents 11:00 – 12:00"
    )


def test_next_session_far_off_shows_its_time(client, programme):
    cards = rooms_of(now_page(client, paris(2025, 3, 19, 9, 10)))

    assert "Now Atelier usage unique 09:00 – 09:30 · 20 minutes left" in cards["Salle Rabelais"]
    assert "Next at 11:00 Table ronde talents" in cards["Salle Rabelais"]
    assert "Next in 50 minutes Procédés continus" in cards["Salle Balzac"]


def test_evening_of_the_first_day_shows_tomorrow(client, programme):
    cards = rooms_of(now_page(client, paris(2025, 3, 19, 19)))

    assert list(cards) == ["Salle Balzac"]
    assert "Nothing right now. Next Thursday 20 March at 09:00 Clôture" in cards["Salle Balzac"]


def test_last_session_of_a_room(client, programme):
    cards = rooms_of(now_page(client, paris(2025, 3, 20, 9, 30)))

    assert cards["Salle Balzac"].endswith("No more sessions in this room.")


def test_cancelled_and_draft_sessions_are_not_on(client, congress, programme):
    programme["procedes"].status = Session.Status.CANCELLED
    programme["procedes"].save()
    programme["qualite"].status = Session.Status.DRAFT
    programme["qualite"].save()

    cards = rooms_of(now_page(client, paris(2025, 3, 19, 10, 20)))

    assert cards["Salle Balzac"] == (
        "Salle Balzac Nothing right now. Next Thursday 20 March at 09:00 Clôture 09:00 – 10:00"
    )


def test_before_the_congress_a_countdown_and_the_first_sessions(client, programme):
    html = now_page(client, paris(2025, 3, 17, 8))

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "The congress opens in 2 days and 1 hour ." in text
    assert "First session: Wednesday 19 March 2025 at 09:00." in text
    assert re.findall(r'<a id="now-link-\d+" href="[^"]+">([^<]+)</a>', html) == [
        "Ouverture",
        "Atelier usage unique",
    ]
    assert '<li class="now-room">' not in html


def test_before_the_congress_a_rooms_screen_shows_its_first_session(client, congress, programme, rooms):
    html = now_page(client, paris(2025, 3, 17, 8), room="rabelais")

    assert "First session in this room" in html
    assert re.findall(r'<a id="now-link-\d+" href="[^"]+">([^<]+)</a>', html) == ["Atelier usage unique"]


def test_countdown_on_the_morning_itself(programme, congress):
    with time_machine.travel(paris(2025, 3, 18, 23, 58), tick=False):
        board = now_and_next(congress)

    assert board.state == NowAndNext.BEFORE
    assert board.countdown == "9 hours and 2 minutes"


def test_after_the_congress_the_end_and_the_programme(client, programme):
    html = now_page(client, paris(2025, 3, 20, 18))

    assert "The congress is over." in html
    assert "took place on 19–20 March 2025" in html
    assert f'href="{reverse("congress:schedule")}"' in html
    assert '<li class="now-room">' not in html


def test_dst_day_counts_real_minutes(client):
    # Europe/Paris goes from 02:00 CET to 03:00 CEST on Sunday 30 March 2025.
    congress = make_congress(start_date=dt.date(2025, 3, 29), end_date=dt.date(2025, 3, 30))
    room = make_room(congress.venue, name="Salle de nuit", slug="nuit")
    make_session(
        congress, room=room, title="Veille", starts_at=paris(2025, 3, 30, 1, 30), ends_at=paris(2025, 3, 30, 3, 30)
    )
    make_session(congress, room=room, title="Aube", starts_at=paris(2025, 3, 30, 3, 45), ends_at=paris(2025, 3, 30, 5))

    before_change = now_page(client, dt.datetime(2025, 3, 30, 0, 50, tzinfo=UTC))  # 01:50 CET
    after_change = now_page(client, dt.datetime(2025, 3, 30, 1, 40, tzinfo=UTC))  # 03:40 CEST

    night = rooms_of(before_change)["Salle de nuit"]
    assert "01:50" in before_change and "UTC+01:00" in before_change
    assert night == "Salle de nuit Now Veille 01:30 – 03:30 · 40 minutes left Next in 55 minutes Aube 03:45 – 05:00"
    assert "03:40" in after_change and "UTC+02:00" in after_change
    assert "Nothing right now. Next in 5 minutes Aube" in rooms_of(after_change)["Salle de nuit"]


def test_signage_view_of_one_room(client, programme):
    html = now_page(client, paris(2025, 3, 19, 10, 20), room="rabelais")

    assert "now-board--signage" in html
    assert "<h1>Salle Rabelais</h1>" in html
    assert "Table ronde talents" in html
    assert "Procédés continus" not in html
    assert 'hx-get="/en/now/?room=rabelais"' in html


def test_signage_of_a_room_with_nothing_left(client, programme):
    html = now_page(client, paris(2025, 3, 19, 12, 30), room="rabelais")

    assert "Nothing right now." in html
    assert "No more sessions in this room." in html


def test_unknown_room_is_404(client, programme):
    with time_machine.travel(paris(2025, 3, 19, 10, 20), tick=False):
        response = client.get(reverse("congress:now"), {"room": "cave"})

    assert response.status_code == 404


def test_empty_room_is_every_room(client, programme):
    cards = rooms_of(now_page(client, paris(2025, 3, 19, 10, 20), room=""))

    assert list(cards) == ["Salle Balzac", "Salle Rabelais"]


def test_now_polls_a_fragment_of_itself(client, programme):
    with time_machine.travel(paris(2025, 3, 19, 10, 20), tick=False):
        page = client.get(reverse("congress:now")).content.decode()
        fragment = client.get(reverse("congress:now"), headers={"HX-Request": "true", "HX-Target": "now-board"})

    body = fragment.content.decode()
    assert 'hx-trigger="every 60s"' in page
    assert body.lstrip().startswith('<div id="now-board"')
    assert "<html" not in body
    assert "Procédés continus" in body
    assert "HX-Request" in fragment["Vary"]


def test_history_restore_gets_the_whole_page(client, programme):
    with time_machine.travel(paris(2025, 3, 19, 10, 20), tick=False):
        response = client.get(
            reverse("congress:now"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )

    assert "<html" in response.content.decode()


def test_shared_cache_refreshes_every_minute(client, programme):
    first = now_page(client, paris(2025, 3, 19, 10, 20))
    same_minute = now_page(client, paris(2025, 3, 19, 10, 20) + dt.timedelta(seconds=30))
    next_minute = now_page(client, paris(2025, 3, 19, 10, 21))

    assert "25 minutes left" in first
    assert same_minute == first
    assert "24 minutes left" in next_minute


def test_speakers_of_the_current_session(client, programme):
    add_speaker(programme["procedes"], make_speaker(name="Claire Martin"))

    cards = rooms_of(now_page(client, paris(2025, 3, 19, 10, 20)))

    assert "Claire Martin" in cards["Salle Balzac"]


def test_home_block_only_during_the_congress(congress, programme):
    with time_machine.travel(paris(2025, 3, 17, 8), tick=False):
        before = home_board(congress)
    with time_machine.travel(paris(2025, 3, 19, 10, 20), tick=False):
        during = home_board(congress)
    with time_machine.travel(paris(2025, 3, 21, 8), tick=False):
        after = home_board(congress)

    assert before is None and after is None
    assert during.state == NowAndNext.DURING


def test_home_page_shows_the_block_during_the_congress(client, programme):
    with time_machine.travel(paris(2025, 3, 19, 10, 20), tick=False):
        html = client.get(reverse("congress:home")).content.decode()

    assert '<h2 id="now-next-title">Now and next</h2>' in html
    assert "25 minutes left" in html
    assert f'href="{reverse("congress:now")}"' in html


def test_times_in_the_congress_zone_whatever_the_server_zone(client, programme, settings):
    settings.TIME_ZONE = "America/New_York"

    cards = rooms_of(now_page(client, paris(2025, 3, 19, 10, 20)))

    assert "Procédés continus 10:00 – 10:45" in cards["Salle Balzac"]


def test_other_zone_congress(client):
    congress = make_congress(time_zone="America/Montreal")
    room = make_room(congress.venue, name="Salle Québec", slug="quebec")
    montreal = zoneinfo.ZoneInfo("America/Montreal")
    make_session(congress, room=room, title="Montréal", starts_at=dt.datetime(2025, 3, 19, 10, tzinfo=montreal))

    cards = rooms_of(now_page(client, dt.datetime(2025, 3, 19, 10, 5, tzinfo=montreal)))

    assert "Now Montréal 10:00 – 10:45 · 40 minutes left" in cards["Salle Québec"]


@pytest.mark.parametrize("size", [5, 60])
def test_now_query_count_is_constant(client, django_assert_num_queries, size):
    congress = make_programme(size)
    for session in Session.objects.filter(congress=congress)[:3]:
        add_speaker(session)
    moment = dt.datetime.combine(congress.start_date, dt.time(8, 35), tzinfo=congress.tzinfo)

    with time_machine.travel(moment, tick=False):
        # programme version, congress, the two sessions of each room, their speakers, footer organisers
        with django_assert_num_queries(5):
            page = client.get(reverse("congress:now"))
        # the same without the footer
        with django_assert_num_queries(4):
            fragment = client.get(reverse("congress:now"), headers={"HX-Request": "true", "HX-Target": "now-board"})
        # programme version, congress, the room, its two sessions, their speakers, footer organisers
        with django_assert_num_queries(6):
            signage = client.get(reverse("congress:now"), {"room": "salle-1"})

    assert page.content.decode().count('<li class="now-room">') == max(2, -(-size // 60))
    assert fragment.status_code == signage.status_code == 200
