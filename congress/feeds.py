"""The programme for other software: calendar feeds (iCalendar) and the frab schedule (XML, JSON).

Building lives in congress.ical and congress.frab; these views only find the sessions and answer over HTTP.
Under `caching.public_page` each answer gets an ETag and Last-Modified from the programme version, 304 on a
conditional request, and is kept in Django's cache with the headers set here.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congress import frab, ical, pieces, queries
from congress.caching import public_page
from congress.editions import redirect_to_edition
from congress.models import Congress, ProgrammeVersion, Session
from congress.rendering import request_edition, with_edition

# Calendar apps poll (Google every few hours, Apple and Thunderbird as set by the user): their own cache may
# answer for five minutes, a shared cache in front (nginx) for ten seconds, as for pages; then they ask again
# with the validators (a 304 costs one small query).
FEED_CACHE_CONTROL = "public, max-age=300, s-maxage=10"
# The language of the frab schedule's text unless `?lang=` asks for another (see congress.ical for calendars:
# /calendar.ics is French, /en/calendar.ics English, with the same UIDs and SEQUENCE).
FEED_LANGUAGE = settings.LANGUAGE_CODE
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class CalendarResponse(HttpResponse):
    """An iCalendar download or subscription; the headers are kept with the body in the page cache."""

    def __init__(self, content: bytes, filename: str, language: str):
        super().__init__(content, content_type="text/calendar; charset=utf-8")
        self["Content-Disposition"] = f'attachment; filename="{filename}"'
        self["Content-Language"] = language


def plain(status: int, message: str) -> HttpResponse:
    # Calendar apps and scripts read these, not people in a browser: no HTML page, never cached.
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _no_congress(request: HttpRequest) -> HttpResponse:
    return plain(404, _("No congress is published yet."))


def calendar_name(filters: queries.ScheduleFilters) -> str:
    """The congress name, followed by what the filters keep (a subscriber may have several of these feeds)."""
    parts = []
    if filters.day:
        parts.append(formats.date_format(filters.day, "l j F Y"))
    if filters.track:
        parts.append(filters.track.name)
    if filters.room:
        parts.append(filters.room.name)
    if filters.kind:
        parts.append(str(Session.Kind(filters.kind).label))
    if filters.q:
        parts.append(_("“%(text)s”") % {"text": filters.q})
    return " — ".join([filters.congress.name, *parts])


def _current_edition_name(request: HttpRequest, name: str) -> str:
    """/calendar.ics follows whichever edition is current: its name says so (`/2025/calendar.ics` does not)."""
    return name if request_edition(request) else f"{name} ({_('current edition')})"


def calendar_filename(filters: queries.ScheduleFilters) -> str:
    params = filters.as_params()
    parts = [filters.congress.acronym, *(slugify(params[name]) for name in queries.FILTER_NAMES if name in params)]
    return "-".join(part for part in parts if part)[:120] + ".ics"


@public_page(params=queries.FILTER_NAMES, cache_control=FEED_CACHE_CONTROL)
@require_safe
@with_edition(missing=_no_congress)
def congress_calendar(request: HttpRequest, congress: Congress) -> HttpResponse:
    """/calendar.ics: the public programme, narrowed by the schedule page's filters (day, track, room, kind, q)."""
    try:
        filters = queries.ScheduleFilters.from_query(congress, request.GET)
    except queries.BadFilter as error:
        return plain(400, error.message)
    sessions = queries.schedule_sessions(filters)
    site_url = _site_url(request)
    language = translation.get_language()  # from the address: /calendar.ics or /en/calendar.ics
    content = ical.calendar_bytes(
        sessions,
        congress=congress,
        site_url=site_url,
        name=_current_edition_name(request, calendar_name(filters)),
        feed_id="calendar",
        source_url=site_url + reverse("feeds:calendar") + filters.query_string(),
        language=language,
    )
    return CalendarResponse(content, calendar_filename(filters), language)


@public_page(cache_control=FEED_CACHE_CONTROL)
@require_safe
@with_edition(missing=_no_congress)
def session_calendar(request: HttpRequest, congress: Congress, slug: str) -> HttpResponse:
    """/sessions/<slug>.ics: one session to add to a calendar (no calendar name, see ical.calendar_bytes)."""
    session = queries.session_for_page(congress, slug)
    if session is None:
        return redirect_to_edition(request, "feeds:session-calendar", slug) or plain(
            404, _("No session has this address.")
        )
    language = translation.get_language()
    content = ical.calendar_bytes(
        [session], congress=congress, site_url=_site_url(request), feed_id="session", language=language
    )
    return CalendarResponse(content, f"{congress.acronym}-{session.slug}.ics", language)


def _schedule_sessions(congress: Congress) -> list[Session]:
    # Cancelled sessions are left out: frab has no status, and apps (EventFahrplan) report an event that
    # disappears from the schedule as cancelled, while one still listed would look as if it took place.
    # Speakers as rows: each event's entry is kept per session (congress.pieces), links built for the edited ones.
    return pieces.for_pieces(queries.public_sessions(congress).published().chronological())


def _schedule_response(content: bytes, content_type: str, filename: str, language: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Language"] = language
    response["Access-Control-Allow-Origin"] = "*"  # web-based schedule viewers read it from other origins
    return response


def schedule_language(request: HttpRequest) -> str | None:
    """`?lang=en`: the language of the schedule's text (each event keeps the language it is given in)."""
    language = request.GET.get("lang", "").strip() or FEED_LANGUAGE
    return language if language in LANGUAGE_CODES else None


def _schedule(request: HttpRequest, congress: Congress, feed_name: str, language: str) -> frab.Schedule:
    site_url = _site_url(request)
    query = f"?lang={language}" if language != FEED_LANGUAGE else ""
    return frab.build_schedule(
        _schedule_sessions(congress),
        congress=congress,
        site_url=site_url,
        version=str(ProgrammeVersion.current().number),
        schedule_url=site_url + reverse(feed_name) + query,
        language=language,
    )


def _unknown_language() -> HttpResponse:
    return plain(400, _("Unknown language. Use lang=fr or lang=en."))


def _frab_feed(request: HttpRequest, congress: Congress, feed_name: str, write, content_type: str, extension: str):
    """A frab feed in the language `?lang=` asks for (French by default); track names are read while writing."""
    language = schedule_language(request)
    if language is None:
        return _unknown_language()
    with translation.override(language):
        content = write(_schedule(request, congress, feed_name, language))
    return _schedule_response(content, content_type, f"{congress.acronym}-schedule.{extension}", language)


@public_page(params=("lang",), cache_control=FEED_CACHE_CONTROL)
@require_safe
@with_edition(missing=_no_congress)
def schedule_xml(request: HttpRequest, congress: Congress) -> HttpResponse:
    """/schedule.xml: the frab schedule XML read by Giggity, ConfClerk, EventFahrplan (`?lang=en`: in English)."""
    return _frab_feed(
        request, congress, "feeds:schedule-xml", frab.schedule_xml_bytes, "application/xml; charset=utf-8", "xml"
    )


@public_page(params=("lang",), cache_control=FEED_CACHE_CONTROL)
@require_safe
@with_edition(missing=_no_congress)
def schedule_json(request: HttpRequest, congress: Congress) -> HttpResponse:
    """/schedule.json: the same schedule in the JSON form of the frab family (`?lang=en`: in English)."""
    return _frab_feed(request, congress, "feeds:schedule-json", frab.schedule_json_bytes, "application/json", "json")
