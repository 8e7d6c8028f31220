"""Import figures for the README: `python manage.py benchmark --import --sizes 200,2000`.

A synthetic programme (congress.programme) is exported as our own schedule.xml, its sessions make way (their
guids are unique across editions, as on a new site), and the file is imported into an empty edition at the
same venue: time, SQL queries, Python's peak allocation (tracemalloc, a second run) and the process's peak
resident memory.
"""

import datetime as dt
import gc
import resource
import time
import tracemalloc
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congress import frab
from congress.imports.readers import read_schedule
from congress.imports.writing import import_schedule
from congress.models import Congress, Session
from congress.programme import generate_programme


@dataclass
class ImportFigures:
    sessions: int
    file_bytes: int
    seconds: float
    queries: int
    python_peak_mb: float
    process_peak_mb: float
    created: int


def schedule_bytes(congress: Congress, form: str = "xml") -> bytes:
    """The congress's frab schedule as /schedule.xml (or .json) serves it, without HTTP."""
    sessions = list(congress.sessions.published().for_listing().chronological())
    site_url = settings.SITE_URL
    schedule = frab.build_schedule(
        sessions, congress=congress, site_url=site_url, version="1", schedule_url=f"{site_url}/schedule.{form}"
    )
    return frab.schedule_xml_bytes(schedule) if form == "xml" else frab.schedule_json_bytes(schedule)


def empty_edition_like(congress: Congress, slug: str) -> Congress:
    # Each language's text as it is (`name` alone would be the active language's, with the French fallback).
    texts = {
        f"{name}_{language}": getattr(congress, f"{name}_{language}")
        for name in ("name", "short_description", "description")
        for language in ("fr", "en")
    }
    return Congress.objects.create(
        **texts,
        edition=congress.edition,
        slug=slug,
        acronym=congress.acronym,
        start_date=congress.start_date,
        end_date=congress.end_date,
        time_zone=congress.time_zone,
        venue=congress.venue,
        website=congress.website,
    )


def measure_import(sessions: int, *, start_date: dt.date = dt.date(2033, 3, 15)) -> ImportFigures:
    source = generate_programme(sessions, slug=f"import-source-{sessions}", start_date=start_date, make_current=False)
    content = schedule_bytes(source)
    Session.objects.filter(congress=source).delete()
    schedule = read_schedule("schedule.xml", content)

    target = empty_edition_like(source, f"import-target-{sessions}")
    gc.collect()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        plan = import_schedule(read_schedule("schedule.xml", content), target)
        seconds = time.perf_counter() - started
    process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Again into another empty edition, under tracemalloc (which slows Python down: not timed).
    Session.objects.filter(congress=target).delete()
    again = empty_edition_like(source, f"import-again-{sessions}")
    gc.collect()
    tracemalloc.start()
    import_schedule(read_schedule("schedule.xml", content), again)
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return ImportFigures(
        sessions=len(schedule.events),
        file_bytes=len(content),
        seconds=seconds,
        queries=len(queries),
        python_peak_mb=python_peak,
        process_peak_mb=process_peak,
        created=plan.count("created"),
    )


def format_import_table(figures: list[ImportFigures]) -> str:
    lines = ["sessions  file KB  seconds  SQL  Python peak MB  process peak MB", "-" * 64]
    for row in figures:
        lines.append(
            f"{row.sessions:>8}  {row.file_bytes / 1024:>7.0f}  {row.seconds:>7.2f}  {row.queries:>3}  "
            f"{row.python_peak_mb:>14.1f}  {row.process_peak_mb:>15.0f}"
        )
    return "\n".join(lines)
