"""When Redis or the database fails, visitors still get an answer: uncached pages, or the 503 page."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client

from congress import resilience
from congress.benchmarks.faults import HungServer
from tests.factories import make_programme

PUBLIC_PAGES = ["/", "/schedule/", "/speakers/", "/partners/", "/venue/", "/calendar/", "/en/schedule/"]


@pytest.fixture(autouse=True)
def fresh_breakers():
    yield
    resilience._breakers.clear()


@pytest.fixture
def hung_redis(settings):
    server = HungServer()
    settings.CACHES = {
        "default": {
            "BACKEND": "congress.resilience.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
            "BREAKER_SECONDS": 60,
        }
    }
    yield server
    server.close()


@pytest.fixture
def empty_cache():
    """The suite's cache-clearing fixture would itself wait on the hung cache: not needed here."""
    yield


@pytest.mark.django_db
def test_pages_answer_while_redis_hangs_and_it_is_called_once_per_interval(hung_redis, client, caplog):
    make_programme(5)
    caplog.set_level(logging.WARNING, logger="congress.resilience")

    statuses = [client.get(path).status_code for path in PUBLIC_PAGES * 3]

    assert statuses == [200] * len(statuses)
    assert len(hung_redis.accepted) == 1  # the breaker kept every later call away from the hung server
    warnings = [record for record in caplog.records if record.name == "congress.resilience"]
    assert len(warnings) == 1
    assert warnings[0].exc_info is None  # one line, no traceback
    assert "unavailable" in warnings[0].getMessage()


@pytest.mark.django_db
def test_pages_answer_while_nothing_listens_for_redis(settings, client, caplog):
    make_programme(5)
    settings.CACHES = {
        "default": {
            "BACKEND": "congress.resilience.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
            "BREAKER_SECONDS": 60,
        }
    }
    caplog.set_level(logging.WARNING, logger="congress.resilience")

    statuses = [client.get(path).status_code for path in PUBLIC_PAGES]

    assert statuses == [200] * len(PUBLIC_PAGES)
    assert len([record for record in caplog.records if record.name == "congress.resilience"]) == 1


def test_a_counter_in_an_unavailable_cache_reads_as_absent(hung_redis):
    from django.core.cache import cache

    assert cache.add("counter", 1) is False
    with pytest.raises(ValueError):
        cache.incr("counter")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/", "/schedule/", "/en/schedule/", "/speakers/", "/venue/", "/calendar.ics"])
def test_public_pages_answer_503_with_retry_after_when_the_database_is_down(path):
    make_programme(3)
    client = Client(raise_request_exception=False)

    with mock.patch.object(type(connections["default"]), "_cursor", side_effect=OperationalError("connection refused")):
        response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert b"503" in response.content
