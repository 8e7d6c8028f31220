import datetime as dt

import pytest

from congress.models import Session
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
