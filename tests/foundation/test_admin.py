import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from congress.admin import SessionAdmin
from congress.models import Agenda, Congress, ProgrammeVersion, Session, Star
from tests.factories import add_speaker, make_congress, make_programme, make_room, make_session, make_speaker, paris

pytestmark = pytest.mark.django_db

INLINE = "speaker_links"


def form_data(session: Session | None = None, *, links=(), **overrides) -> dict:
    """The POST body of the session admin form, as a browser sends it; `links` are (speaker, role) pairs."""
    data = {
        "congress": session.congress_id if session else "",
        "title_fr": session.title if session else "",
        "slug": session.slug if session else "",
        "kind": session.kind if session else "talk",
        "status": session.status if session else "published",
        "language": session.language if session else "fr",
        "abstract_fr": session.abstract if session else "",
        "room": session.room_id or "" if session else "",
        "track": session.track_id or "" if session else "",
    }
    if session:
        start, end = session.local_start, session.local_end
        data |= {
            "starts_at_0": start.date().isoformat(),
            "starts_at_1": start.strftime("%H:%M"),
            "ends_at_0": end.date().isoformat(),
            "ends_at_1": end.strftime("%H:%M"),
        }
    # Title and abstract are typed in French (title_fr), beside an optional English version.
    overrides = {f"{name}_fr" if name in ("title", "abstract") else name: value for name, value in overrides.items()}
    existing = list(session.speaker_links.order_by("position")) if session else []
    data |= {
        f"{INLINE}-TOTAL_FORMS": str(len(existing) + len(links)),
        f"{INLINE}-INITIAL_FORMS": str(len(existing)),
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
    }
    for index, link in enumerate(existing):
        data |= {
            f"{INLINE}-{index}-id": link.pk,
            f"{INLINE}-{index}-session": session.pk,
            f"{INLINE}-{index}-speaker": link.speaker_id,
            f"{INLINE}-{index}-role": link.role,
            f"{INLINE}-{index}-position": link.position,
        }
    for offset, (speaker, role) in enumerate(links):
        index = len(existing) + offset
        data |= {
            f"{INLINE}-{index}-speaker": speaker.pk,
            f"{INLINE}-{index}-role": role,
            f"{INLINE}-{index}-position": index,
        }
    return data | overrides


def times(start: dt.datetime, end: dt.datetime) -> dict:
    return {
        "starts_at_0": start.date().isoformat(),
        "starts_at_1": start.strftime("%H:%M"),
        "ends_at_0": end.date().isoformat(),
        "ends_at_1": end.strftime("%H:%M"),
    }


def change_url(session: Session) -> str:
    return reverse("admin:congress_session_change", args=[session.pk])


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


# --- Access -----------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:congress_session_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login") + "?next=")


def test_organiser_edits_a_session(organiser_client):
    session = make_session(title="Titre provisoire")

    response = organiser_client.post(change_url(session), form_data(session, title="Titre définitif"))

    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).title == "Titre définitif"


@pytest.mark.parametrize(
    "url_name", ["admin:auth_user_changelist", "admin:auth_user_add", "admin:auth_group_changelist"]
)
def test_organiser_cannot_see_users_or_groups(organiser_client, url_name):
    response = organiser_client.get(reverse(url_name))

    assert response.status_code == 403


def test_organiser_cannot_reach_the_users_app(organiser_client):
    index = organiser_client.get(reverse("admin:index"))
    app_page = organiser_client.get(reverse("admin:app_list", args=["auth"]))

    assert sorted(app["app_label"] for app in index.context["app_list"]) == ["congress", "speakers"]
    assert app_page.status_code == 404


def test_organiser_cannot_change_their_own_account(organiser_client, organiser):
    response = organiser_client.post(
        reverse("admin:auth_user_change", args=[organiser.pk]), {"username": organiser.username, "is_superuser": "on"}
    )

    assert response.status_code == 403
    assert not User.objects.get(pk=organiser.pk).is_superuser


def test_organiser_sees_every_model_they_edit(organiser_client):
    index = organiser_client.get(reverse("admin:index"))

    names = sorted(model["object_name"] for app in index.context["app_list"] for model in app["models"])
    assert names == ["Congress", "Organisation", "Participation", "Room", "Session", "Speaker", "Track", "Venue"]


# --- Validation messages ----------------------------------------------------------------------------


def test_end_before_start_is_reported_on_the_end(superuser_client):
    session = make_session()

    response = superuser_client.post(
        change_url(session), form_data(session) | times(paris(2025, 3, 19, 11), paris(2025, 3, 19, 10))
    )

    assert form_errors(response)["ends_at"] == ["The end must be after the start."]


def test_session_outside_the_congress_dates_is_reported_on_the_start(superuser_client):
    session = make_session()

    response = superuser_client.post(
        change_url(session), form_data(session) | times(paris(2025, 3, 21, 10), paris(2025, 3, 21, 11))
    )

    assert form_errors(response)["starts_at"] == [
        "The session must take place within the congress dates (2025-03-19 – 2025-03-20)."
    ]


def test_room_already_used_is_reported_on_the_room(superuser_client):
    congress = make_congress()
    room = make_room(congress.venue, name="Descartes")
    make_session(congress, title="Table ronde qualité", room=room, starts_at=paris(2025, 3, 19, 10))

    response = superuser_client.post(
        reverse("admin:congress_session_add"),
        form_data(None, congress=congress.pk, title="Atelier", slug="atelier", room=room.pk)
        | times(paris(2025, 3, 19, 10, 30), paris(2025, 3, 19, 11, 30)),
    )

    assert form_errors(response)["room"] == [
        "Descartes is already used at that time by “Table ronde qualité” (10:00–10:45)."
    ]
    assert not Session.objects.filter(slug="atelier").exists()


def test_cancelled_session_does_not_occupy_its_room(superuser_client):
    congress = make_congress()
    room = make_room(congress.venue)
    make_session(congress, room=room, status=Session.Status.CANCELLED, starts_at=paris(2025, 3, 19, 10))

    response = superuser_client.post(
        reverse("admin:congress_session_add"),
        form_data(None, congress=congress.pk, title="Atelier", slug="atelier", room=room.pk)
        | times(paris(2025, 3, 19, 10), paris(2025, 3, 19, 11)),
    )

    assert response.status_code == 302
    assert Session.objects.filter(slug="atelier").exists()


def test_speaker_speaking_elsewhere_is_reported_on_the_speaker(superuser_client):
    congress = make_congress()
    speaker = make_speaker(name="Franck Leroux")
    other = make_session(congress, title="Keynote Sanofi", starts_at=paris(2025, 3, 19, 10, 30))
    add_speaker(other, speaker)
    session = make_session(congress, title="Table ronde", starts_at=paris(2025, 3, 19, 14))

    response = superuser_client.post(
        change_url(session),
        form_data(session, links=[(speaker, "moderator")]) | times(paris(2025, 3, 19, 11), paris(2025, 3, 19, 12)),
    )

    inline_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert inline_form.errors["speaker"] == [
        "Franck Leroux already speaks at that time in “Keynote Sanofi” (10:30–11:15)."
    ]
    assert Session.objects.get(pk=session.pk).local_start.hour == 14


def test_moving_a_session_onto_its_speaker_s_other_talk_is_reported(superuser_client):
    congress = make_congress()
    speaker = make_speaker(name="Franck Leroux")
    add_speaker(make_session(congress, title="Keynote Sanofi", starts_at=paris(2025, 3, 19, 10, 30)), speaker)
    session = make_session(congress, title="Table ronde", starts_at=paris(2025, 3, 19, 14))
    add_speaker(session, speaker)

    response = superuser_client.post(
        change_url(session), form_data(session) | times(paris(2025, 3, 19, 10), paris(2025, 3, 19, 11))
    )

    inline_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert inline_form.errors["speaker"] == [
        "Franck Leroux already speaks at that time in “Keynote Sanofi” (10:30–11:15)."
    ]


def test_speaker_free_at_that_time_is_added_in_order(superuser_client):
    congress = make_congress()
    first, second = make_speaker(name="Franck Leroux"), make_speaker(name="Anne Martin")
    add_speaker(make_session(congress, starts_at=paris(2025, 3, 19, 9)), first)
    session = make_session(congress, starts_at=paris(2025, 3, 19, 14))

    response = superuser_client.post(
        change_url(session), form_data(session, links=[(second, "moderator"), (first, "speaker")])
    )

    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).speakers_in_order == [second, first]


def test_session_times_are_typed_in_the_congress_time_zone(superuser_client):
    congress = make_congress(time_zone="America/Montreal")
    room = make_room(congress.venue)

    superuser_client.post(
        reverse("admin:congress_session_add"),
        form_data(None, congress=congress.pk, title="Atelier", slug="atelier", room=room.pk)
        | {"starts_at_0": "2025-03-19", "starts_at_1": "10:00", "ends_at_0": "2025-03-19", "ends_at_1": "11:00"},
    )

    session = Session.objects.get(slug="atelier")
    assert session.starts_at == dt.datetime(2025, 3, 19, 10, tzinfo=zoneinfo.ZoneInfo("America/Montreal"))


# --- Actions ----------------------------------------------------------------------------------------


def run_action(client, action: str, sessions, query: str = "") -> object:
    return client.post(
        reverse("admin:congress_session_changelist") + query,
        {"action": action, "_selected_action": [session.pk for session in sessions], "post": "yes"},
        follow=True,
    )


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("publish", Session.Status.DRAFT, Session.Status.PUBLISHED, "2 sessions published."),
        ("unpublish", Session.Status.PUBLISHED, Session.Status.DRAFT, "2 sessions unpublished."),
        ("cancel", Session.Status.PUBLISHED, Session.Status.CANCELLED, "2 sessions cancelled."),
    ],
)
def test_status_action_bumps_revisions_and_programme_version(organiser_client, action, before, after, message):
    congress = make_congress()
    sessions = [make_session(congress, status=before, starts_at=paris(2025, 3, 19, hour)) for hour in (9, 11)]
    version = ProgrammeVersion.current().number

    response = run_action(organiser_client, action, sessions)

    assert [(s.status, s.revision) for s in Session.objects.order_by("starts_at")] == [(after, 1), (after, 1)]
    assert ProgrammeVersion.current().number == version + 1
    assert [str(shown) for shown in response.context["messages"]] == [message]


def test_status_action_leaves_sessions_already_in_that_state_alone(superuser_client):
    congress = make_congress()
    published = make_session(congress, starts_at=paris(2025, 3, 19, 9))
    draft = make_session(congress, status=Session.Status.DRAFT, starts_at=paris(2025, 3, 19, 11))

    response = run_action(superuser_client, "publish", [published, draft])

    assert Session.objects.get(pk=published.pk).revision == 0
    assert Session.objects.get(pk=draft.pk).revision == 1
    assert [str(message) for message in response.context["messages"]] == ["1 session published."]


def test_status_action_works_on_a_searched_list(superuser_client):
    congress = make_congress()
    session = make_session(congress, status=Session.Status.DRAFT)
    for speaker in (make_speaker(name="Franck Leroux"), make_speaker(name="Claire Leroux")):
        add_speaker(session, speaker)  # the search joins speakers: two rows for one session

    run_action(superuser_client, "publish", [session], query="?q=Leroux")

    assert Session.objects.get(pk=session.pk).revision == 1


def test_delete_action_works_on_a_searched_list(superuser_client):
    session = make_session()
    add_speaker(session, make_speaker(name="Franck Leroux"))

    run_action(superuser_client, "delete_selected", [session], query="?q=Leroux")

    assert not Session.objects.exists()


# --- Lists ------------------------------------------------------------------------------------------


def test_day_filter_uses_the_congress_local_day(superuser_client):
    congress = make_congress()
    just_after_midnight = make_session(congress, title="Veille", starts_at=paris(2025, 3, 19, 0, 30))
    make_session(congress, title="Lendemain", starts_at=paris(2025, 3, 20, 9))

    response = superuser_client.get(reverse("admin:congress_session_changelist"), {"day": "2025-03-19"})

    assert list(response.context["cl"].result_list) == [just_after_midnight]


def test_day_filter_offers_the_days_of_each_edition(superuser_client):
    make_congress()

    response = superuser_client.get(reverse("admin:congress_session_changelist"))

    day_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "day")
    assert [value for value, _label in day_filter.lookup_choices] == ["2025-03-19", "2025-03-20"]


def test_search_finds_sessions_by_speaker_name(superuser_client):
    congress = make_congress()
    session = make_session(congress, title="Usine modulaire")
    add_speaker(session, make_speaker(name="Franck Leroux"))
    make_session(congress, title="Autre", starts_at=paris(2025, 3, 19, 14))

    response = superuser_client.get(reverse("admin:congress_session_changelist"), {"q": "Leroux"})

    assert list(response.context["cl"].result_list) == [session]


def test_agenda_count_column_counts_agendas_and_sorts(superuser_client):
    congress = make_congress()
    quiet = make_session(congress, title="Peu suivie", starts_at=paris(2025, 3, 19, 9))
    popular = make_session(congress, title="Très suivie", starts_at=paris(2025, 3, 19, 14))
    for number in range(3):
        agenda = Agenda.objects.create(token_digest=f"{number:064d}")
        Star.objects.create(agenda=agenda, session=popular)
        if number == 0:
            Star.objects.create(agenda=agenda, session=quiet)
    column = 1 + SessionAdmin.list_display.index("star_count")

    response = superuser_client.get(reverse("admin:congress_session_changelist"), {"o": f"-{column}"})

    assert [(s.title, s.star_count) for s in response.context["cl"].result_list] == [
        ("Très suivie", 3),
        ("Peu suivie", 1),
    ]


def test_view_on_site_links_a_public_session_to_its_page(superuser_client):
    session = make_session(slug="keynote-sanofi")

    response = superuser_client.get(change_url(session))

    assert response.context["absolute_url"] == "/en/sessions/keynote-sanofi/"
    assert 'href="/en/sessions/keynote-sanofi/"' in response.text


def test_view_on_site_is_absent_for_a_draft(superuser_client):
    session = make_session(status=Session.Status.DRAFT)

    response = superuser_client.get(change_url(session))

    assert not response.context["has_absolute_url"]


def test_session_form_shows_calendar_identity_read_only(superuser_client):
    session = make_session()

    response = superuser_client.get(change_url(session))

    assert str(session.uid) in response.text
    assert "uid" not in response.context["adminform"].form.fields


def test_making_another_edition_current_unmarks_the_previous_one(superuser_client):
    previous = make_congress(is_current=True)
    congress = make_congress(is_current=False, slug="edition-suivante")
    data = {
        field: getattr(congress, field)
        for field in ("name_fr", "edition", "slug", "acronym", "start_date", "end_date", "time_zone", "website")
    }
    data |= {
        "venue": congress.venue_id,
        "is_current": "on",
        "tracks-TOTAL_FORMS": "0",
        "tracks-INITIAL_FORMS": "0",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
    }

    response = superuser_client.post(reverse("admin:congress_congress_change", args=[congress.pk]), data)

    assert response.status_code == 302
    assert list(Congress.objects.current()) == [congress]
    assert not Congress.objects.get(pk=previous.pk).is_current


# --- Query counts -----------------------------------------------------------------------------------

# Literals from a first run; the same at 5 and 60 sessions, so no list page runs a query per row.
CHANGELIST_QUERIES = {
    "congress_session": 12,  # with its filters' choices, date hierarchy, speakers (one prefetch) and star counts
    "congress_congress": 6,
    "congress_venue": 5,
    "congress_room": 6,
    "congress_organisation": 5,
    "congress_participation": 6,
    "congress_track": 6,
    "speakers_speaker": 6,
}


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("model", CHANGELIST_QUERIES)
def test_admin_list_runs_a_constant_number_of_queries(superuser_client, django_assert_num_queries, model, size):
    make_programme(size)
    url = reverse(f"admin:{model}_changelist")

    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = superuser_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("size", [5, 60])
def test_session_list_with_filters_and_search_runs_a_constant_number_of_queries(
    superuser_client, django_assert_num_queries, size
):
    congress = make_programme(size)
    params = {"congress__id__exact": congress.pk, "day": "2031-03-18", "q": "fictive", "status__exact": "published"}

    with django_assert_num_queries(13):  # the day filter looks up the congresses of that day once more
        response = superuser_client.get(reverse("admin:congress_session_changelist"), params)

    assert response.context["cl"].result_count == min(size, 40)


def test_make_current_action_switches_the_current_edition(superuser_client):
    previous = make_congress(is_current=True)
    following = make_congress(is_current=False, prefix="2026")
    url = reverse("admin:congress_congress_changelist")

    response = superuser_client.post(url, {"action": "make_current", "_selected_action": [following.pk]}, follow=True)

    assert "is now the current edition" in response.content.decode()
    assert list(Congress.objects.current()) == [following]
    assert Congress.objects.get(pk=previous.pk).is_published  # the old edition keeps its addresses


def test_make_current_refuses_an_unpublished_edition(superuser_client):
    previous = make_congress(is_current=True)
    draft = make_congress(is_current=False, is_published=False)
    url = reverse("admin:congress_congress_changelist")

    superuser_client.post(url, {"action": "make_current", "_selected_action": [draft.pk]})

    assert list(Congress.objects.current()) == [previous]


@pytest.mark.parametrize("prefix", ["schedule", "en", "admin", "Deux Mille", "-2025"])
def test_edition_prefix_may_not_take_an_address_of_the_site(prefix):
    congress = make_congress(is_current=False)
    congress.prefix = prefix

    with pytest.raises(ValidationError) as error:
        congress.full_clean()

    assert "prefix" in error.value.message_dict
