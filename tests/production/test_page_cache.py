"""The shared page cache on the real pages and feeds: what visitors and organisers notice."""

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from congress.models import Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db

SESSION = "session-fictive-3"
PAGES = [
    "/",
    "/schedule/",
    "/schedule/?day=2031-03-19",
    f"/sessions/{SESSION}/",
    "/partners/",
    "/venue/",
    "/calendar/",
    "/speakers/",
    "/speakers/programme-fictif-5-intervenant-3/",
    "/en/schedule/",
]
FEEDS = ["/calendar.ics", f"/sessions/{SESSION}.ics", "/schedule.xml", "/schedule.json", "/robots.txt", "/sitemap.xml"]


@pytest.fixture
def programme():
    return make_programme(5)


@pytest.mark.parametrize("path", PAGES + FEEDS)
def test_second_answer_costs_only_the_version_query(client, programme, django_assert_num_queries, path):
    first = client.get(path)

    with django_assert_num_queries(1):  # the programme version; the page comes from the cache
        second = client.get(path)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content


@pytest.mark.parametrize("size", [5, 60])
def test_cached_schedule_query_count_does_not_grow_with_the_programme(client, django_assert_num_queries, size):
    make_programme(size)
    client.get("/schedule/")

    with django_assert_num_queries(1):
        client.get("/schedule/")


@pytest.mark.parametrize("path", PAGES + FEEDS)
def test_conditional_get_answers_304_with_one_query(client, programme, django_assert_num_queries, path):
    etag = client.get(path)["ETag"]

    with django_assert_num_queries(1):
        response = client.get(path, headers={"if-none-match": etag})

    assert (response.status_code, response["ETag"]) == (304, etag)
    assert response.content == b""


@pytest.mark.parametrize("path", ["/schedule/", "/calendar.ics"])
def test_head_answers_like_get_without_a_body(client, programme, path):
    get = client.get(path)

    head = client.head(path)

    assert (head.status_code, head["ETag"], head["Content-Type"]) == (200, get["ETag"], get["Content-Type"])
    assert head.content == b""


def admin_submit(client: Client, url: str, form_id: str, changes: dict[str, str]):
    """Submit an admin form with every value it shows, except `changes` (as an organiser's browser would)."""
    form = lxml.html.fromstring(client.get(url).content).get_element_by_id(form_id)
    values = [(name, changes.get(name, value)) for name, value in form.form_values()]
    data: dict[str, list[str]] = {}
    for name, value in values:
        data.setdefault(name, []).append(value)
    return client.post(url, data)


@pytest.fixture
def organiser():
    user = get_user_model().objects.create_superuser("margaux.staff", "margaux@example.org", "Organiser-password-2025")
    client = Client()
    client.force_login(user)
    return client


def test_an_edit_in_the_admin_is_seen_at_once_on_pages_and_feeds(client, programme, organiser):
    session = Session.objects.get(slug=SESSION)
    before = [client.get(path).content.decode() for path in ("/schedule/", f"/sessions/{SESSION}/", "/calendar.ics")]

    response = admin_submit(
        organiser, f"/admin/congress/session/{session.pk}/change/", "session_form", {"title_fr": "Titre révisé"}
    )
    after = [client.get(path).content.decode() for path in ("/schedule/", f"/sessions/{SESSION}/", "/calendar.ics")]

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not any("Titre révisé" in page for page in before)
    assert all("Titre révisé" in page for page in after)


def test_an_admin_bulk_action_is_seen_at_once(client, programme, organiser):
    session = Session.objects.get(slug=SESSION)
    before = client.get(f"/sessions/{SESSION}.ics").content.decode()

    organiser.post("/admin/congress/session/", {"action": "cancel", "_selected_action": [session.pk]})
    after = client.get(f"/sessions/{SESSION}.ics").content.decode()

    assert "STATUS:CANCELLED" not in before
    assert "STATUS:CANCELLED" in after


@pytest.mark.parametrize("path", PAGES)
def test_cached_pages_carry_nothing_of_the_organiser_who_rendered_them(client, programme, organiser, path):
    session = Session.objects.get(slug=SESSION)
    # The admin queues "was changed successfully" for the organiser's next page: it must not land in a cached one.
    admin_submit(organiser, f"/admin/congress/session/{session.pk}/change/", "session_form", {})

    as_organiser = organiser.get(path)
    as_visitor = client.get(path)

    assert as_organiser.content == as_visitor.content
    assert "margaux" not in as_visitor.content.decode().lower()
    assert len(list(get_messages(as_organiser.wsgi_request))) == 1  # still waiting for an admin page


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_no_csrf_token_nor_cookie(programme, path):
    response = Client().get(path)

    assert b"csrfmiddlewaretoken" not in response.content
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_personal_pages_are_private_and_never_stored(client, programme):
    client.post(f"/sessions/{SESSION}/star/", {"starred": "1"})

    agenda = client.get("/agenda/")

    assert agenda.status_code == 200
    assert "no-store" in agenda["Cache-Control"] and "private" in agenda["Cache-Control"]
