import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "services: needs PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 (skipped without them, "
        "except in CI where it must run)",
    )


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The test client speaks plain HTTP; the HTTPS redirect itself is checked in test_settings.py."""
    settings.SECURE_SSL_REDIRECT = False


def production_environment(**extra: str) -> dict[str, str]:
    """The environment of a production start: nothing inherited from this test run's DJANGO_* variables."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    # Not a developer's .env either (congress.bootstrap writes one for `serve`, manage.py reads it).
    return environment | {"DJANGO_ENV_FILE": os.devnull} | extra


def manage(*arguments: str, environment: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_services(*services: tuple[str, str, int]) -> None:
    """Skip with the reason when a service is down, but fail in CI, where the services must be running."""
    missing = [f"{name} at {host}:{port}" for name, host, port in services if not reachable(host, port)]
    if not missing:
        return
    message = "not reachable: " + ", ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI runs this test against real services, but {message}")
    pytest.skip(message)
