"""The embedded SQLite default under many visitors starring at once (congress.benchmarks.stars, `benchmark --stars`)."""

import io
import json
import re

import pytest
from django.core.management import call_command

from tests.production.conftest import manage, production_environment


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_immediate_write_transactions(tmp_path):
    script = (
        "import json; from django.db import connection; cursor = connection.cursor(); "
        "print(json.dumps([cursor.execute('PRAGMA journal_mode').fetchone()[0], "
        "cursor.execute('PRAGMA busy_timeout').fetchone()[0], connection.transaction_mode]))"
    )
    environment = production_environment(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    result = manage("shell", "-v", "0", "-c", script, environment=environment)

    assert json.loads(result.stdout) == ["wal", 20000, "IMMEDIATE"]


@pytest.mark.django_db
def test_many_visitors_starring_at_once_get_no_error():
    out = io.StringIO()

    call_command("benchmark", "--stars", "--star-clients", "50", "--star-workers", "4", stdout=out)

    summary = out.getvalue().splitlines()[-1]
    assert re.search(r"1000 star requests in [\d.]+ s, 0 errors", summary), summary
    assert summary.endswith("stars stored: 1000")
