import json

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_a_probe_by_ip_address_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production: /healthz is exempt

    response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 200


def test_healthz_names_the_cache_when_it_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "ok", "cache": "error", "failed": ["cache"]}


def test_healthz_names_the_database_when_it_does_not_answer(client, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("congress.health.connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["failed"] == ["database"]


def test_healthz_is_never_served_from_a_cache(client, monkeypatch):
    client.get("/healthz")

    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("congress.health.connection", UnreachableDatabase())
    response = client.get("/healthz")

    assert response.status_code == 503


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_healthz_answers_get_and_head_only(client, method):
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_healthz_answers_head(client):
    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


def test_healthz_writes_one_cache_key_however_often_it_is_probed(client, monkeypatch):
    from django.core.cache import cache

    written = []
    set_value = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, value, *args, **kwargs: (written.append((key, value)), set_value(key, value, *args, **kwargs)),
    )

    for _probe in range(5):
        assert client.get("/healthz").status_code == 200

    assert len({key for key, _value in written}) == 1
    assert len({value for _key, value in written}) == 5  # a fresh value each time: a stale one proves nothing
