import datetime as dt

import pytest

from congress.models import Session
from speakers.models import SessionSpeaker
from tests.factories import make_programme, make_session

pytestmark = pytest.mark.django_db


def test_revision_goes_up_when_the_time_changes():
    session = make_session()

    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.save()

    assert Session.objects.get(pk=session.pk).revision == 1


def test_generated_programme_has_the_requested_sessions():
    congress = make_programme(50)

    assert congress.sessions.published().count() == 50


@pytest.mark.parametrize("size", [5, 60])
def test_generated_programme_never_books_a_speaker_twice_at_the_same_time(size):
    congress = make_programme(size)

    bookings = [
        (link.speaker_id, link.session.starts_at)
        for link in SessionSpeaker.objects.filter(session__congress=congress).select_related("session")
    ]

    assert len(bookings) > size  # some sessions have a moderator too
    assert len(set(bookings)) == len(bookings)
