"""The benchmark command runs end to end (its figures are printed, never asserted: no timed test)."""

import os

from congress.benchmarks import load
from tests.production.conftest import manage, production_environment

WRK_OUTPUT = """\
Running 20s test @ http://127.0.0.1:40123/schedule/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    48.10ms   12.01ms 210.33ms   81.22%
    Req/Sec   520.31     61.20   690.00     70.50%
  Latency Distribution
     50%   46.20ms
     75%   52.90ms
     90%   61.00ms
     99%   98.31ms
  20741 requests in 20.03s, 19.21GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1035.52
Transfer/sec:    982.10MB
"""


def test_wrk_output_is_read_into_figures():
    result = load.parse_wrk(WRK_OUTPUT)

    assert (result.requests_per_second, result.errors) == (1035.52, 7)
    assert result.error_detail == "read 2, timeout 1, non-2xx/3xx 4"
    assert (result.latency_p50, result.latency_p99) == ("46.20ms", "98.31ms")
    assert (result.requests, result.seconds) == (20741, 20.03)


def test_slices_of_a_load_run_add_up_to_one_measurement():
    fast = load.parse_wrk(WRK_OUTPUT)
    slow = load.parse_wrk(
        WRK_OUTPUT.replace("20741 requests in 20.03s", "1000 requests in 10.00s")
        .replace("     99%   98.31ms", "     99%    1.20s")
        .replace("     50%   46.20ms", "     50%  900.00us")
        .replace("timeout 1", "timeout 5")
    )

    combined = load.combine_wrk([fast, slow, fast])

    assert combined.requests_per_second == (20741 * 2 + 1000) / (20.03 * 2 + 10)
    assert (combined.latency_p50, combined.latency_p99) == ("46.20ms", "1.20s")
    assert combined.errors == 7 + 11 + 7


def test_benchmark_measures_every_page_and_feed_in_a_temporary_database():
    environment = production_environment(DJANGO_SECRET_KEY="benchmark-test-secret-3Kd9Qm2Vx7Lp5Tz1Rw8Nc4Hb6Jf0Sg")
    for name in ("DATABASE_URL", "REDIS_URL"):  # on PostgreSQL in CI: a temporary database there
        if name in os.environ:
            environment[name] = os.environ[name]

    result = manage("benchmark", "--sizes", "5", "--iterations", "3", environment=environment, timeout=600)

    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split() for line in result.stdout.splitlines() if line.strip().startswith("5 ")]
    pages = [
        "home",
        "schedule",
        "session",
        "speaker",
        "session",
        "speakers",
        "calendar.ics",
        "schedule.xml",
        "schedule.json",
    ]
    assert [row[1] for row in rows] == pages
    assert all("200" in row for row in rows)
    assert "not measured" not in result.stdout
