"""The attendee pages: home, schedule (with htmx filters), session, partners, venue, calendar help, and the
site's robots.txt, sitemap.xml and error pages.

Every public page goes through `caching.public_page`: the same bytes for every visitor (the star buttons in
their "add" state, no count; congress/agenda/stars.py tells the page's script the visitor's own), an ETag
from the programme version, 304, and Django's cache keyed on the canonical address.
"""

import dataclasses
import datetime as dt

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congress import calendar_links, jsonld, now, queries
from congress.caching import public_page
from congress.edition_urls import edition_reverse
from congress.editions import redirect_to_edition
from congress.models import Congress, Participation
from congress.queries import BadFilter, ScheduleFilters
from congress.rendering import (
    HtmxHttpRequest,
    bad_request_page,
    no_congress,
    not_found,
    render_page,
    wants_fragment,
    with_edition,
)
from congress.sitemaps import SITEMAPS

LAYOUTS = ("grid", "list")
# Beyond these the grid is no longer readable on a screen: the day is shown as the list.
MAX_GRID_COLUMNS = 12
MAX_GRID_ROWS = 96
SCHEDULE_TARGETS = ("schedule-page", "schedule-results")


# Rendered again every minute: during the congress the page shows what is on now (congress.now).
@public_page(refresh_every=now.REFRESH_SECONDS, bad_request=bad_request_page)
@require_safe
@with_edition(missing=lambda request: no_congress(request, status=200))
def home(request: HtmxHttpRequest, congress: Congress) -> HttpResponse:
    participations = queries.participations(congress)
    highlights = queries.highlighted_sessions(congress)
    context = {
        "organiser_rows": [row for row in participations if row.role != Participation.Role.PARTNER],
        "partner_rows": sorted(
            (row for row in participations if row.role == Participation.Role.PARTNER),
            key=lambda row: (row.tier_rank, row.position, row.organisation.name),
        ),
        "highlights": highlights,
        # Counted, not loaded: the home page's weight and time do not grow with the programme.
        "session_count": queries.public_sessions(congress).published().count(),
        "board": now.home_board(congress),
        "calendar_subscribe": calendar_links.webcal_url(edition_reverse(congress, "feeds:calendar")),
        "next_edition": queries.next_edition(congress),
        "jsonld": jsonld.congress_event(congress, highlights, participations),
    }
    return render_page(request, "congress/home.html", context, congress=congress)


def _schedule_bad_request(request: HtmxHttpRequest, message: str, congress: Congress | None = None) -> HttpResponse:
    if wants_fragment(request) and request.htmx.target in SCHEDULE_TARGETS:
        context = {"message": message, "schedule_url": reverse("congress:schedule")}
        return render_page(request, "congress/schedule.html#schedule-error", context, congress=None, status=400)
    return bad_request_page(request, message, congress)


@public_page(
    params=(*queries.FILTER_NAMES, "layout"), targets=SCHEDULE_TARGETS, daily=True, bad_request=_schedule_bad_request
)
@require_safe
@with_edition
def schedule(request: HtmxHttpRequest, congress: Congress) -> HttpResponse:
    tracks = queries.congress_tracks(congress)
    rooms = queries.congress_rooms(congress)
    try:
        filters = ScheduleFilters.from_query(congress, request.GET, tracks=tracks, rooms=rooms)
        layout = _layout(request.GET.get("layout", ""))
    except BadFilter as error:
        return _schedule_bad_request(request, error.message, congress)
    today = queries.congress_today(congress)
    if today and not request.GET.get("day", "").strip():
        filters = dataclasses.replace(filters, day=today)  # during the congress it opens on today; ?day=all
    sessions = queries.schedule_sessions(filters)
    days = queries.group_by_day(congress, sessions)
    for day in days:
        day.grid = layout == "grid" and _place_in_grid(day)
    template_name = "congress/schedule.html"
    if wants_fragment(request):
        # The day tabs re-render the form too (its day field); the form itself only replaces the results.
        template_name += f"#{request.htmx.target}"
    feed_query = filters.query_string()
    every_day = queries.EVERY_DAY if today else ""  # "All days" says so when no day would open on today
    layout_param = {"layout": "list"} if layout == "list" else {}
    context = {
        "filters": filters,
        "tracks": tracks,
        "rooms": rooms,
        "kinds": queries.congress_kinds(congress),
        "layout": layout,
        "days": days,
        "session_count": len(sessions),
        "cancelled_count": sum(1 for session in sessions if session.is_cancelled),
        "day_tabs": [
            {
                "day": day,
                "url": _with_layout(filters.query_string(day=day.isoformat() if day else every_day), layout_param),
                "current": day == filters.day,
            }
            for day in [None, *congress.days]
        ],
        "layout_urls": {
            "grid": filters.query_string(),
            "list": _with_layout(filters.query_string(), {"layout": "list"}),
        },
        "clear_url": reverse("congress:schedule") + _with_layout("", layout_param),
        "calendar_download": reverse("feeds:calendar") + feed_query,  # a one-off copy, from this page's address
        "calendar_subscribe": calendar_links.webcal_url(edition_reverse(congress, "feeds:calendar") + feed_query),
        "is_fragment": wants_fragment(request),
        "every_day": every_day,
    }
    return render_page(request, template_name, context, congress=congress)


def _layout(value: str) -> str:
    value = value.strip()
    if value and value not in LAYOUTS:
        raise BadFilter(_("Unknown layout “%(value)s”. Use “grid” or “list”.") % {"value": value})
    return value or "grid"


def _with_layout(query: str, params: dict) -> str:
    if not params:
        return query
    extra = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{query}&{extra}" if query else f"?{extra}"


def _place_in_grid(day: queries.ScheduleDay) -> bool:
    """Give each session of `day` a column (its room) and rows (its start and end among the day's times).

    Returns False, leaving the day as a list, when a grid would not help: a single room, two sessions in one
    room at the same time (a cancelled one and its replacement), or too many rooms or times to read.
    """
    boundaries = sorted({moment for session in day.sessions for moment in (session.starts_at, session.ends_at)})
    if not 2 <= len(day.rooms) <= MAX_GRID_COLUMNS or len(boundaries) > MAX_GRID_ROWS:
        return False
    row_of = {moment: index + 2 for index, moment in enumerate(boundaries)}  # row 1 holds the room names
    column_of = {room.pk: index + 2 for index, room in enumerate(day.rooms)}  # column 1 holds the times
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for session in day.sessions:
        if session.room_id:
            spans = busy.setdefault(session.room_id, [])
            if any(start < session.ends_at and session.starts_at < end for start, end in spans):
                return False
            spans.append((session.starts_at, session.ends_at))
        session.grid_column = column_of.get(session.room_id, 0)  # 0: no room, the whole width
        session.grid_row_start = row_of[session.starts_at]
        session.grid_row_end = row_of[session.ends_at]
    for slot in day.slots:
        slot.grid_row = row_of[slot.starts_at]
    day.grid_columns = len(day.rooms)
    return True


@public_page(bad_request=bad_request_page)
@require_safe
@with_edition
def session_detail(request: HtmxHttpRequest, congress: Congress, slug: str) -> HttpResponse:
    session = queries.session_for_page(congress, slug)
    if session is None:
        return redirect_to_edition(request, "congress:session-detail", slug) or not_found(request, congress)
    session.congress = congress  # with its venue, already loaded (location, JSON-LD)
    previous, following = queries.room_neighbours(session)
    context = {
        "session": session,
        "links": session.speaker_links_in_order,
        "previous": previous,
        "following": following,
        "calendar": calendar_links.session_links(session),
        "jsonld": jsonld.session_event(session),
        "page_url": calendar_links.absolute_url(request.path),
    }
    return render_page(request, "congress/session_detail.html", context, congress=congress)


@public_page(bad_request=bad_request_page)
@require_safe
@with_edition
def partners(request: HtmxHttpRequest, congress: Congress) -> HttpResponse:
    context = {"groups": queries.partner_groups(congress)}
    return render_page(request, "congress/partners.html", context, congress=congress)


@public_page(bad_request=bad_request_page)
@require_safe
@with_edition
def venue(request: HtmxHttpRequest, congress: Congress) -> HttpResponse:
    place = congress.venue
    context = {"venue": place, "rooms": queries.venue_rooms(congress)}
    if place.has_coordinates:
        lat, lon = f"{place.latitude:.6f}", f"{place.longitude:.6f}"
        context["geo_url"] = f"geo:{lat},{lon}"
        context["osm_url"] = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    return render_page(request, "congress/venue.html", context, congress=congress)


@public_page(bad_request=bad_request_page)
@require_safe
def calendar_help(request: HtmxHttpRequest) -> HttpResponse:
    congress = queries.current_congress()
    feed = edition_reverse(congress, "feeds:calendar")
    context = {
        "calendar_subscribe": calendar_links.webcal_url(feed),
        "calendar_https": calendar_links.absolute_url(feed),
        "calendar_download": feed,
    }
    return render_page(request, "congress/calendar_help.html", context, congress=congress)


@public_page(cache_control="public, max-age=3600")
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /en/admin/",
        "Disallow: /agenda/",
        "Disallow: /en/agenda/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@public_page
@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    response = sitemap_view(request, sitemaps=SITEMAPS)
    response.render()  # a TemplateResponse; the cache stores bytes
    return response


def page_not_found(request: HttpRequest, exception: Exception | None, template_name: str = "404.html") -> HttpResponse:
    """handler404: any address that matches no page."""
    try:
        congress = queries.current_congress()
    except DatabaseError:  # a 404 page must never turn into a 500
        congress = None
    return render_page(request, template_name, {}, congress=congress, status=404)
