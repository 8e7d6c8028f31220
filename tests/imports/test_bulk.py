"""An import writes in bulk: the number of queries does not grow with the number of sessions."""

import pytest

from congress.imports.benchmark import empty_edition_like, format_import_table, measure_import, schedule_bytes
from congress.imports.readers import read_schedule
from congress.imports.writing import import_schedule
from congress.models import Session
from tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [5, 60])
def test_an_import_costs_the_same_queries_whatever_its_size(django_assert_num_queries, size):
    source = make_programme(size)
    schedule = read_schedule("schedule.xml", schedule_bytes(source))
    Session.objects.filter(congress=source).delete()
    target = empty_edition_like(source, "bulk")

    # Read: rooms, tracks, import records, sessions (+ links, speakers), guids elsewhere; write: tracks, sessions,
    # speakers found by name, old links, new links, records, programme version, in a savepoint.
    with django_assert_num_queries(14):
        plan = import_schedule(schedule, target)

    assert plan.count("created") == size


@pytest.mark.parametrize("size", [5, 60])
def test_a_second_import_costs_the_same_queries_whatever_its_size(django_assert_num_queries, size):
    congress = make_programme(size)
    schedule = read_schedule("schedule.xml", schedule_bytes(congress))
    import_schedule(schedule, congress)

    with django_assert_num_queries(8):  # the same reads (every guid is found here), nothing to write
        plan = import_schedule(schedule, congress)

    assert plan.changed == 0


def test_the_benchmark_measures_an_import():
    figures = measure_import(20)

    assert (figures.sessions, figures.created) == (20, 20)
    assert figures.seconds > 0 and figures.queries > 0
    assert "sessions  file KB  seconds" in format_import_table([figures])


@pytest.mark.parametrize("size", [5, 60])
def test_new_speakers_for_every_session_cost_the_same_queries_whatever_the_size(django_assert_num_queries, size):
    congress = make_programme(size)
    content = schedule_bytes(congress)
    import_schedule(read_schedule("schedule.xml", content), congress)
    renamed = content.replace(b"Intervenant", b"Oratrice")

    # The reads, then: speakers by name, every slug, new speakers, old links, new links, records, sessions'
    # bulk update (revision unchanged: speakers are not a revised field), version, in a savepoint.
    with django_assert_num_queries(16):
        plan = import_schedule(read_schedule("schedule.xml", renamed), congress)

    assert plan.count("updated") == size
