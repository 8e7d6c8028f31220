"""Room planning for organisers: sessions with room capacity and agenda counts, demand vs capacity."""

import csv
import io

import pytest
from django.contrib.auth.models import User

from congress.imports.resources import PLANNING_COLUMNS
from congress.models import Agenda, Session, Star
from tests.factories import add_speaker, make_congress, make_programme, make_room, make_session, make_speaker, paris

pytestmark = pytest.mark.django_db

URL = "/en/admin/congress/session/planning/"


def star(session: Session, count: int) -> None:
    for number in range(count):
        agenda = Agenda.objects.create(token_digest=f"{session.pk}-{number}")
        Star.objects.create(agenda=agenda, session=session)


@pytest.fixture
def programme():
    congress = make_congress()
    small = make_room(congress.venue, name="Petite salle", capacity=10)
    large = make_room(congress.venue, name="Grand amphi", capacity=100)
    crowded = make_session(congress, title="Très demandée", room=small, starts_at=paris(2025, 3, 19, 9))
    add_speaker(crowded, make_speaker(name="Zoé Lefèvre"))
    star(crowded, 9)  # 90 % of 10 seats
    star(make_session(congress, title="Tranquille", room=large, starts_at=paris(2025, 3, 19, 10)), 50)
    make_session(congress, title="Annulée", room=small, status=Session.Status.CANCELLED)
    return congress


def test_the_first_visit_lists_the_sessions_over_the_default_share_of_their_room(organiser_client, programme):
    response = organiser_client.get(URL)

    assert response.status_code == 200
    rows = [(s.title, s.star_count, s.demand, s.over_share) for s in response.context["sessions"]]
    assert rows == [("Très demandée", 9, 90, True)]
    assert response.context["share"] == 80


def test_all_sessions_are_listed_with_those_over_the_share_marked(organiser_client, programme):
    response = organiser_client.get(URL, {"edition": programme.pk, "share": "80"})

    rows = [(s.title, s.star_count, s.demand, s.over_share) for s in response.context["sessions"]]
    assert rows == [("Très demandée", 9, 90, True), ("Tranquille", 50, 50, False)]
    assert response.content.count(b'class="planning-over"') == 1


def test_the_organiser_sets_the_share_and_may_list_only_the_sessions_above_it(organiser_client, programme):
    response = organiser_client.get(URL, {"edition": programme.pk, "share": "40", "over": "on"})

    assert [session.title for session in response.context["sessions"]] == ["Très demandée", "Tranquille"]


def test_the_planning_downloads_as_csv_with_capacity_and_agenda_counts(organiser_client, programme):
    response = organiser_client.get(URL, {"edition": programme.pk, "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"].startswith('attachment; filename="essai')
    assert tuple(rows[0]) == PLANNING_COLUMNS
    assert [(row["title"], row["room"], row["capacity"], row["agendas"], row["speakers"]) for row in rows] == [
        ("Très demandée", "Petite salle", "10", "9", "Zoé Lefèvre"),
        ("Tranquille", "Grand amphi", "100", "50", ""),
    ]
    assert rows[0]["day"] == "2025-03-19" and rows[0]["start"] == "09:00"


def test_the_planning_downloads_as_xlsx(organiser_client, programme):
    response = organiser_client.get(URL, {"edition": programme.pk, "format": "xlsx"})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.content[:2] == b"PK"


@pytest.mark.parametrize("params", [{"share": "abc"}, {"share": "0"}, {"edition": "999999"}, {"format": "exe"}])
def test_malformed_parameters_answer_400_with_the_form_not_500(organiser_client, programme, params):
    response = organiser_client.get(URL, params)

    assert response.status_code == 400
    assert response.context["form"].errors


def test_only_organisers_see_the_agenda_counts(client, programme):
    anonymous = client.get(URL)
    client.force_login(User.objects.create_user("visitor", is_staff=True))
    staff_without_permissions = client.get(URL)

    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert staff_without_permissions.status_code == 403


@pytest.mark.parametrize("size", [5, 60])
def test_the_planning_costs_the_same_queries_whatever_the_programme_size(
    organiser_client, django_assert_num_queries, size
):
    congress = make_programme(size)

    # Session, user, permissions, the edition chosen and the editions listed, sessions, speaker links: no N+1.
    with django_assert_num_queries(10):
        response = organiser_client.get(URL, {"edition": congress.pk})

    assert len(response.context["sessions"]) == size
