"""The production profile: what `manage.py check --deploy` and a browser see."""

import json
import subprocess

import pytest
from django.urls import reverse

from tests.production.conftest import REPO, manage, production_environment

pytestmark = pytest.mark.django_db

SECRET = "production-like-secret-7Hq2vN9xLr4TzW1pKc8YbE3mUa6sDf0GjR5"
PRODUCTION = {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "bioproduction.example.org"}


def test_check_deploy_prints_no_warning_with_the_production_environment():
    result = manage("check", "--deploy", environment=production_environment(**PRODUCTION))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_start_up_without_a_secret_key_stops_with_a_clear_message():
    result = manage("check", environment=production_environment(DJANGO_ALLOWED_HOSTS="bioproduction.example.org"))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_starts_without_a_secret_key():
    result = manage("check", environment=production_environment(DJANGO_DEBUG="1"))

    assert result.returncode == 0, result.stderr


def test_production_profile_settings():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
        "'session_httponly': s.SESSION_COOKIE_HTTPONLY, 'csrf_httponly': s.CSRF_COOKIE_HTTPONLY,"
        "'static': s.STORAGES['staticfiles']['BACKEND'], 'debug': s.DEBUG}))"
    )

    result = manage("shell", "-v0", "-c", script, environment=production_environment(**PRODUCTION))

    assert json.loads(result.stdout) == {
        "redirect": True,
        "hsts": 31536000,
        "subdomains": True,
        "session_secure": True,
        "csrf_secure": True,
        "session_httponly": True,
        "csrf_httponly": True,
        "static": "congress.storage.ManifestStaticFilesStorage",
        "debug": False,
    }


def test_security_headers_on_an_https_answer(client):
    response = client.get(reverse("admin:login"), secure=True)

    csp = response["Content-Security-Policy"]
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_csrf_cookie_is_secure_httponly_and_same_site(client):
    response = client.get(reverse("admin:login"), secure=True)

    cookie = response.cookies["csrftoken"]
    assert (bool(cookie["secure"]), bool(cookie["httponly"]), cookie["samesite"]) == (True, True, "Lax")


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/schedule/?day=2025-03-19")

    assert (response.status_code, response["Location"]) == (301, "https://testserver/schedule/?day=2025-03-19")


def test_personal_answers_are_kept_out_of_shared_caches_and_referrers(client):
    response = client.get(reverse("congress:agenda"))

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_settings_problem_is_one_clear_line_not_a_traceback():
    result = manage("create_organiser", "alice", "--generate", environment=production_environment())

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Settings problem: DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
        "or set DJANGO_DEBUG=1 for local development."
    ]


def test_an_unusable_database_url_is_one_clear_line():
    result = manage("check", environment=production_environment(DJANGO_DEBUG="1", DATABASE_URL="mysq://x"))

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Settings problem: DATABASE_URL")


def test_the_development_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nDJANGO_DEBUG=1\nDJANGO_SECRET_KEY='dev-from-the-file'\n")
    script = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"

    from_file = manage(
        "shell", "-v", "0", "-c", script, environment=production_environment(DJANGO_ENV_FILE=str(env_file))
    )
    overridden = manage(
        "shell",
        "-v",
        "0",
        "-c",
        script,
        environment=production_environment(DJANGO_ENV_FILE=str(env_file), DJANGO_DEBUG="0"),
    )

    assert from_file.stdout.split() == ["True", "dev-from-the-file"]
    assert overridden.stdout.split() == ["False", "dev-from-the-file"]


def test_serve_writes_a_development_env_file_once(tmp_path, monkeypatch):
    from congress import bootstrap

    monkeypatch.setattr(bootstrap, "ENV_FILE", tmp_path / ".env")
    bootstrap.write_development_env_file()
    first = bootstrap.read_env_file(tmp_path / ".env")
    bootstrap.write_development_env_file()

    assert first["DJANGO_DEBUG"] == "1"
    assert len(first["DJANGO_SECRET_KEY"]) >= 50
    assert bootstrap.read_env_file(tmp_path / ".env") == first  # a second run keeps the key (and sessions)


def test_the_env_file_is_ignored_by_git():
    result = subprocess.run(["git", "check-ignore", ".env"], cwd=REPO, capture_output=True, text=True)

    assert result.stdout.strip() == ".env"
