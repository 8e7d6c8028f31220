"""The app under gunicorn, as deployed: logs without agenda tokens, and two processes behaving as one site."""

import gc
import io
import logging
import os
import re
import runpy
import secrets
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import lxml.html
import pytest

from congress.benchmarks import load
from tests.production.conftest import REPO, manage, production_environment, require_services

SECRET = "gunicorn-test-secret-5Vd8Kq1Zp7Xw3Ny6Rb2Tc9Lm4Hf0Js8Ga1Qe"
TOKEN = "Zk3PqX9vLm2Ty7Rw4Nb8Hc1Jd6Fg0Sa5Ue2Oi9Yp3Ws"
REDIS_URL = "redis://127.0.0.1:6379/5"


def load_config(**environment: str) -> dict:
    previous = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        return runpy.run_path(str(REPO / "congress" / "gunicorn.conf.py"))
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_workers_and_access_log_come_from_the_environment():
    config = load_config(GUNICORN_WORKERS="3", GUNICORN_ACCESS_LOG="off", GUNICORN_BIND="127.0.0.1:9001")

    assert (config["workers"], config["accesslog"], config["bind"]) == (3, None, "127.0.0.1:9001")
    assert config["control_socket_disable"] is True


def test_a_worker_sets_what_it_loaded_aside_from_the_garbage_collector():
    config = load_config()

    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_one_worker_per_core_plus_one_by_default(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)

    config = load_config()

    assert config["workers"] == os.cpu_count() + 1


def test_gunicorn_and_django_mask_agenda_tokens_alike():
    from congress.middleware import mask_agenda_tokens

    gunicorn_mask = load_config()["mask_agenda_tokens"]
    samples = [
        f"GET /agenda/{TOKEN}.ics HTTP/1.1",
        f"GET /en/agenda/attach/{TOKEN}/ HTTP/1.1",
        f"https://example.org/agenda/attach/{TOKEN}/?next=/",
        "POST /agenda/reset/ HTTP/1.1",
        "GET /schedule/?day=2025-03-19 HTTP/1.1",
    ]

    masked = [mask_agenda_tokens(sample) for sample in samples]

    assert masked == [gunicorn_mask(sample) for sample in samples]
    assert masked == [
        "GET /agenda/[token].ics HTTP/1.1",
        "GET /en/agenda/attach/[token]/ HTTP/1.1",
        "https://example.org/agenda/attach/[token]/?next=/",
        "POST /agenda/reset/ HTTP/1.1",
        "GET /schedule/?day=2025-03-19 HTTP/1.1",
    ]


@pytest.mark.django_db
def test_django_log_lines_mask_agenda_tokens(client):
    from congress.middleware import MaskAgendaTokens

    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(each, MaskAgendaTokens) for each in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.get(f"/agenda/{TOKEN}.ics")  # "Not Found: …", logged by django.request
    finally:
        handler.setStream(previous)

    assert "/agenda/[token].ics" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def sqlite_site(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = production_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE="0",  # plain HTTP on 127.0.0.1: TLS belongs to the proxy in front
        **extra,
    )
    for command in (["migrate", "--no-input", "-v0"], ["generate_programme", "--sessions", "5"]):
        result = manage(*command, environment=environment)
        assert result.returncode == 0, result.stderr
    return environment


def request(url: str, *, method: str = "GET", headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers or {})) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_logs_never_show_an_agenda_token(tmp_path):
    port = load.free_port()
    access_log = tmp_path / "access.log"
    environment = sqlite_site(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG=str(access_log))
    base = f"http://127.0.0.1:{port}"

    with load.gunicorn(environment, port, tmp_path / "gunicorn.log"):
        request(f"{base}/agenda/{TOKEN}.ics")
        request(f"{base}/en/agenda/attach/{TOKEN}/", headers={"Referer": f"{base}/agenda/attach/{TOKEN}/"})
        head = request(f"{base}/schedule/", method="HEAD")
    logs = access_log.read_text() + (tmp_path / "gunicorn.log").read_text()

    assert TOKEN not in logs
    assert '"GET /agenda/[token].ics HTTP/1.1"' in logs
    assert head == 200
    assert "body bytes on a no-body response" not in logs  # HEAD answers carry no body


def fresh_postgres_database() -> str:
    import psycopg

    name = f"fbp_two_processes_{secrets.token_hex(4)}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Browser:
    """Just enough of a browser for the admin: cookies, and forms submitted with their current values."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, url: str, headers: dict | None = None) -> tuple[int, str, dict]:
        try:
            with self.opener.open(urllib.request.Request(url, headers=headers or {})) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def submit(self, url: str, form_id: str | None, changes: dict[str, str]) -> tuple[int, str]:
        _status, page, _headers = self.get(url)
        document = lxml.html.fromstring(page, base_url=url)
        form = document.get_element_by_id(form_id) if form_id else document.forms[0]
        values = [(name, changes.get(name, value)) for name, value in form.form_values()]
        values += [(name, value) for name, value in changes.items() if name not in dict(values)]
        data = urllib.parse.urlencode(values).encode()
        post = urllib.request.Request(url, data=data, headers={"Referer": url})
        with self.opener.open(post) as response:
            return response.status, response.read().decode()


@pytest.mark.services
def test_two_app_processes_share_one_database_and_one_cache(tmp_path):
    require_services(("PostgreSQL", "127.0.0.1", 5432), ("Redis", "127.0.0.1", 6379))
    database = fresh_postgres_database()
    cache_prefix = f"fbp-two-processes-{secrets.token_hex(4)}"
    try:
        environment = production_environment(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
            REDIS_URL=REDIS_URL,
            DJANGO_CACHE_PREFIX=cache_prefix,
            DJANGO_SECRET_KEY=SECRET,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE="0",
            DJANGO_SUPERUSER_PASSWORD="Two-processes-organiser-2025",
        )
        for command in (
            ["migrate", "--no-input", "-v0"],
            ["generate_programme", "--sessions", "5"],
            ["createsuperuser", "--no-input", "--username", "organiser", "--email", "o@example.org"],
        ):
            result = manage(*command, environment=environment)
            assert result.returncode == 0, result.stderr
        port_a, port_b = load.free_port(), load.free_port()
        with (
            load.gunicorn(environment | {"GUNICORN_BIND": f"127.0.0.1:{port_a}"}, port_a, tmp_path / "a.log"),
            load.gunicorn(environment | {"GUNICORN_BIND": f"127.0.0.1:{port_b}"}, port_b, tmp_path / "b.log"),
        ):
            a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
            visitor, organiser = Browser(), Browser()
            status, before, headers = visitor.get(f"{b}/sessions/session-fictive-3/")
            assert status == 200 and "Session fictive 3 :" in before
            again = visitor.get(f"{b}/sessions/session-fictive-3/")[1]  # now from the shared cache
            assert without_csrf_tokens(again) == without_csrf_tokens(before)

            organiser.submit(
                f"{a}/admin/login/?next=/admin/",
                "login-form",
                {"username": "organiser", "password": "Two-processes-organiser-2025"},
            )
            change_url = f"{a}/admin/congress/session/{session_id(database, 'session-fictive-3')}/change/"
            status, page = organiser.submit(change_url, "session_form", {"title_fr": "Déplacée en salle 2"})
            assert (status, "errorlist" in page) == (200, False)  # saved, then back to the list

            status, after, _headers = visitor.get(f"{b}/sessions/session-fictive-3/")
            revalidated = visitor.get(f"{b}/sessions/session-fictive-3/", {"If-None-Match": headers["ETag"]})
            feed_a = urllib.request.urlopen(f"{a}/sessions/session-fictive-3.ics").read().decode()
            feed_b = urllib.request.urlopen(f"{b}/sessions/session-fictive-3.ics").read().decode()
    finally:
        drop_postgres_database(database)
        forget_cache_prefix(cache_prefix)

    assert "Déplacée en salle 2" in after and "Déplacée en salle 2" not in before
    assert revalidated[0] == 200  # the old ETag no longer matches, on the other process too
    assert "Déplacée en salle 2" in feed_a and "Déplacée en salle 2" in feed_b


def forget_cache_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def without_csrf_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def session_id(database: str, slug: str) -> int:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as connection:
        return connection.execute("SELECT id FROM congress_session WHERE slug = %s", [slug]).fetchone()[0]
