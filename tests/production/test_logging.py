"""Development logs under runserver: each line once, and no agenda token in any of them."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.production.conftest import REPO, manage, production_environment

TOKEN = "Zk3PqX9vLm2Ty7Rw4Nb8Hc1Jd6Fg0Sa5Ue2Oi9Yp3Ws"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_runserver_logs_each_line_once_with_the_token_masked(tmp_path):
    environment = production_environment(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert manage("migrate", "--no-input", environment=environment).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=environment | {"PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        assert get(f"http://127.0.0.1:{port}/agenda/{TOKEN}.ics") == 404
        assert get(f"http://127.0.0.1:{port}/en/agenda/attach/{TOKEN}/") == 404
        time.sleep(0.5)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]

    assert TOKEN not in output
    assert output.count("Not Found: /agenda/[token].ics") == 1
    assert output.count("Not Found: /en/agenda/attach/[token]/") == 1
    assert output.count('"GET /agenda/[token].ics HTTP/1.1" 404') == 1
    assert output.count('"GET /en/agenda/attach/[token]/ HTTP/1.1" 404') == 1
