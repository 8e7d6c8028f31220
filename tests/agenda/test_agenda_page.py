import datetime as dt
import re

import pytest
from django.urls import reverse

from congress.agenda import visitor as agenda
from congress.models import Agenda, Session, Star
from tests.agenda.conftest import agenda_of, make_sessions, star
from tests.factories import make_room, make_session, paris

pytestmark = pytest.mark.django_db


def page(client) -> str:
    return client.get(reverse("congress:agenda")).content.decode()


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_empty_agenda_leads_to_the_programme(client, congress):
    response = client.get(reverse("congress:agenda"))

    body = main(response.content.decode())
    assert response.status_code == 200
    assert "Your agenda is empty" in body
    assert f'href="{reverse("congress:schedule")}"' in body
    assert ".ics" not in body  # no private link before there is an agenda
    assert not Agenda.objects.exists()  # looking does not create one


def test_agenda_page_is_private_and_never_stored(client, session):
    star(client, session)

    response = client.get(reverse("congress:agenda"))

    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "Cookie" in response["Vary"]


def test_starred_sessions_by_day_in_time_order(client, congress, room):
    second_day = make_session(congress, title="Clôture", room=room, starts_at=paris(2025, 3, 20, 16))
    late = make_session(congress, title="Atelier qualité", room=room, starts_at=paris(2025, 3, 19, 14))
    early = make_session(congress, title="Ouverture", room=room, starts_at=paris(2025, 3, 19, 9))
    make_session(congress, title="Pas choisie", room=room, starts_at=paris(2025, 3, 19, 11))
    for session in (second_day, late, early):
        star(client, session)

    body = main(page(client))

    days = re.findall(r'<h2 id="agenda-day-([\d-]+)"', body)
    titles = re.findall(r'class="session__title">\s*<a [^>]*>([^<]+)</a>', body)
    assert days == ["2025-03-19", "2025-03-20"]
    assert titles == ["Ouverture", "Atelier qualité", "Clôture"]
    assert "Pas choisie" not in body
    assert "3 sessions in your agenda." in body


def test_agenda_shows_the_private_links(client, session):
    star(client, session)
    token = client.cookies[agenda.COOKIE_NAME].value

    body = main(page(client))

    assert f'href="webcal://testserver/agenda/{token}.ics"' in body
    assert f'href="http://testserver/agenda/{token}.ics" download' in body
    assert f'value="http://testserver/en/agenda/attach/{token}/" readonly' in body
    assert f'action="{reverse("congress:agenda-reset")}"' in body


def test_star_buttons_on_the_agenda_are_pressed_and_come_back_here(client, session):
    star(client, session)

    body = main(page(client))

    assert 'aria-pressed="true"' in body
    assert 'aria-pressed="false"' not in body
    assert f'<input type="hidden" name="next" value="{reverse("congress:agenda")}">' in body


def test_nav_count_on_the_agenda_page(client, congress, session, room):
    star(client, session)
    star(client, make_session(congress, room=room, starts_at=paris(2025, 3, 19, 15)))

    html = page(client)

    assert re.search(r'<span id="agenda-count" class="count"[^>]*>2</span>', html)


def test_moved_session_is_flagged_once(client, session):
    star(client, session)
    page(client)  # first visit
    session.starts_at += dt.timedelta(hours=2)
    session.ends_at += dt.timedelta(hours=2)
    session.save()

    first = main(page(client))
    second = main(page(client))

    assert "Changed since your last visit" in first
    assert "now Wednesday 19 March, 12:00–12:45, Salle Ronsard" in first
    assert "Changed since your last visit" not in second
    assert Star.objects.get().seen_revision == 1


def test_session_moved_to_another_room_is_flagged(client, congress, session):
    star(client, session)
    page(client)
    session.room = make_room(congress.venue, name="Amphithéâtre Descartes")
    session.save()

    body = main(page(client))

    assert "Changed since your last visit" in body
    assert "Amphithéâtre Descartes" in body


def test_cancelled_session_is_flagged(client, session):
    star(client, session)
    page(client)
    session.status = Session.Status.CANCELLED
    session.save()

    first = main(page(client))
    later = main(page(client))

    assert "Cancelled since your last visit" in first
    assert "Bioprocédés continus</a>:\n          <strong>cancelled</strong>" in first
    assert "Cancelled since your last visit" not in later
    assert "badge--cancelled" in later  # still listed as cancelled, struck through
    assert "<s><a" in later


def test_unpublished_session_leaves_the_agenda(client, session):
    star(client, session)
    session.status = Session.Status.DRAFT
    session.save()

    body = main(page(client))

    assert "Your agenda is empty" in body
    assert "Bioprocédés continus" not in body


def test_overlapping_sessions_are_flagged(client, congress, session):
    overlapping = make_session(congress, title="Table ronde export", starts_at=paris(2025, 3, 19, 10, 30))
    later = make_session(congress, title="Après", starts_at=paris(2025, 3, 19, 10, 45))  # starts when the first ends
    for other in (session, overlapping, later):
        star(client, other)

    body = main(page(client))

    entries = body.split('<li class="agenda-entry')[1:]
    assert "has-overlap" in entries[0]
    assert "Table ronde export" in entries[0].split("<article")[0]
    assert "has-overlap" in entries[1]
    assert "Bioprocédés continus" in entries[1].split("<article")[0]
    assert "has-overlap" in entries[2]  # overlaps "Table ronde export" (10:30–11:15)
    assert "2 overlap another one" not in body
    assert "3 overlap another one" in body


def test_cancelled_sessions_overlap_nothing(client, congress, session):
    cancelled = make_session(congress, starts_at=paris(2025, 3, 19, 10), status=Session.Status.PUBLISHED)
    star(client, session)
    star(client, cancelled)
    cancelled.status = Session.Status.CANCELLED
    cancelled.save()

    body = main(page(client))

    assert "has-overlap" not in body


def test_head_does_not_mark_changes_as_seen(client, session):
    star(client, session)
    session.title = "Titre corrigé"
    session.save()

    client.head(reverse("congress:agenda"))

    assert "Changed since your last visit" in main(page(client))


def test_visit_is_recorded(client, session):
    star(client, session)

    page(client)

    assert Agenda.objects.get().last_visited_at is not None


@pytest.mark.parametrize("count", [5, 60])
def test_agenda_page_query_count_is_constant(client, django_assert_num_queries, congress, count):
    sessions = make_sessions(congress, count)
    star(client, sessions[0])
    Star.objects.bulk_create(Star(agenda=agenda_of(client), session=session) for session in sessions[1:])
    Session.objects.filter(pk__in=[s.pk for s in sessions[::2]]).bump_revision()  # half of them "changed"

    # congress, agenda, stars (+ speakers), mark seen, last visit, footer organisers
    with django_assert_num_queries(7):
        response = client.get(reverse("congress:agenda"))

    assert response.content.decode().count('<li class="agenda-entry') == count
