import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from congress.models import Participation, ProgrammeVersion, Session
from tests.factories import (
    add_speaker,
    make_congress,
    make_organisation,
    make_participation,
    make_room,
    make_session,
    make_track,
    paris,
)

pytestmark = pytest.mark.django_db


def refreshed(session: Session) -> Session:
    return Session.objects.get(pk=session.pk)


def test_session_ending_before_it_starts_is_refused_by_the_database():
    session = make_session()

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(ends_at=session.starts_at)


def test_session_slug_is_unique_within_a_congress():
    session = make_session(slug="ouverture")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(session.congress, slug="ouverture")


def test_same_session_slug_is_allowed_in_another_congress():
    make_session(make_congress(is_current=False), slug="ouverture")

    session = make_session(make_congress(is_current=False), slug="ouverture")

    assert session.pk


def test_track_slug_is_unique_within_a_congress():
    congress = make_congress()
    make_track(congress, slug="procedes")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_track(congress, slug="procedes")


def test_only_one_congress_is_current():
    make_congress(is_current=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_congress(is_current=True)


def test_congress_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_congress(start_date=dt.date(2025, 3, 20), end_date=dt.date(2025, 3, 19))


def test_partner_without_tier_is_refused_by_the_database():
    congress = make_congress()

    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(congress=congress, organisation=make_organisation(), role="partner", tier="")


def test_co_organiser_with_a_tier_is_refused_by_the_database():
    congress = make_congress()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_participation(congress, role=Participation.Role.CO_ORGANISER, tier=Participation.Tier.PREMIUM)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: setattr(s, "starts_at", s.starts_at - dt.timedelta(minutes=15)), id="start"),
        pytest.param(lambda s: setattr(s, "ends_at", s.ends_at + dt.timedelta(minutes=15)), id="end"),
        pytest.param(lambda s: setattr(s, "room", make_room(s.congress.venue)), id="room"),
        pytest.param(lambda s: setattr(s, "title", "Nouveau titre"), id="title"),
        pytest.param(lambda s: setattr(s, "status", Session.Status.CANCELLED), id="status"),
    ],
)
def test_revision_goes_up_when_what_calendars_show_changes(change):
    session = make_session()

    change(session)
    session.save()

    assert refreshed(session).revision == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: setattr(s, "abstract", "Un autre résumé."), id="abstract"),
        pytest.param(lambda s: setattr(s, "is_highlighted", True), id="highlight"),
        pytest.param(lambda s: setattr(s, "time_to_be_confirmed", True), id="tbc"),
    ],
)
def test_revision_stays_when_other_fields_change(change):
    session = make_session()

    change(session)
    session.save()

    assert refreshed(session).revision == 0


def test_revision_counts_each_change_and_survives_a_reload():
    session = make_session()
    session.title = "Premier titre"
    session.save()

    reloaded = refreshed(session)
    reloaded.status = Session.Status.CANCELLED
    reloaded.save()

    assert refreshed(session).revision == 2


def test_saving_without_changes_keeps_the_revision():
    session = make_session()

    refreshed(session).save()

    assert refreshed(session).revision == 0


def test_revision_goes_up_when_saved_from_a_deferred_instance():
    session = make_session()

    partial = Session.objects.only("pk", "title").get(pk=session.pk)
    partial.title = "Titre modifié"
    partial.save(update_fields=["title"])

    assert refreshed(session).revision == 1


def test_bulk_status_change_bumps_every_revision():
    congress = make_congress()
    first, second = make_session(congress), make_session(congress, starts_at=paris(2025, 3, 19, 14))

    Session.objects.filter(pk__in=[first.pk, second.pk]).bump_revision(status=Session.Status.CANCELLED)

    assert [(s.status, s.revision) for s in Session.objects.order_by("starts_at")] == [("cancelled", 1)] * 2


def test_uid_is_fixed_at_creation():
    session = make_session()
    uid = session.uid

    session.title = "Autre titre"
    session.save()

    assert refreshed(session).uid == uid


def test_programme_version_goes_up_on_save_and_delete():
    session = make_session()
    before = ProgrammeVersion.current().number

    session.abstract = "Modifié."
    session.save()
    after_save = ProgrammeVersion.current().number
    session.delete()

    assert (after_save, ProgrammeVersion.current().number) == (before + 1, before + 2)


def test_programme_version_goes_up_when_a_speaker_is_linked():
    session = make_session()
    before = ProgrammeVersion.current().number

    add_speaker(session)

    assert ProgrammeVersion.current().number > before
