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
