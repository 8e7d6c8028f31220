"""The attendee pages: home, schedule (with htmx filters), session, partners, venue, calendar help, and the
site's robots.txt, sitemap.xml and error pages.

Every public GET goes through `programme_response` (shared cache, ETag, 304), so pages carry nothing
personal: star buttons and the agenda count are markers filled in per request.
"""

import datetime as dt

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from congress import agenda, calendar_links, queries
from congress.http import programme_response
from congress.models import Congress, Participation, Session
from congress.queries import BadFilter, ScheduleFilters
from congress.sitemaps import SITEMAPS

LAYOUTS = ("grid", "list")
# Beyond these the grid is no longer readable on a screen: the day is shown as the list.
MAX_GRID_COLUMNS = 12
MAX_GRID_ROWS = 96


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    # htmx re-requests a pushed URL with HX-Request on a history-cache miss and then wants the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: HttpRequest, template_name: str, context: dict, *, congress: Congress | None, status: int = 200
) -> HttpResponse:
    """Render in the congress's own zone: times on every page are local to the venue, whatever the server's."""
    context = {"congress": congress, "organisers": _organisers(congress), **context}
    with timezone.override(congress.tzinfo if congress else timezone.get_default_timezone()):
        return render(request, template_name, context, status=status)


def _organisers(congress: Congress | None):
    """For the footer; a lazy queryset, so a fragment that has no footer costs no query."""
    if congress is None:
        return []
    roles = [Participation.Role.ORGANISER, Participation.Role.CO_ORGANISER]
    return (
        Participation.objects.filter(congress=congress, role__in=roles)
        .select_related("organisation")
        .order_by("position", "organisation__name")
    )


def no_congress(request: HttpRequest, *, status: int = 404) -> HttpResponse:
    """No edition is marked current (between two editions, or before the organisers set one up)."""
    return render_page(request, "congress/no_congress.html", {}, congress=None, status=status)


def absolute(path: str) -> str:
    return calendar_links.absolute_url(path)


# Rendered again every minute: during the congress the page shows what is on now (congress.agenda).
@programme_response(refresh_every=60)
@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    congress = queries.current_congress()
    if congress is None:
        return no_congress(request, status=200)
    participations = queries.participations(congress)
    sessions = list(
        queries.public_sessions(congress).select_related("room").order_by("starts_at", "room__position", "title")
    )
    context = {
        "organiser_rows": [row for row in participations if row.role != Participation.Role.PARTNER],
        "partner_rows": sorted(
            (row for row in participations if row.role == Participation.Role.PARTNER),
            key=lambda row: (row.tier_rank, row.position, row.organisation.name),
        ),
        "highlights": queries.highlighted_sessions(congress),
        "session_count": sum(1 for session in sessions if session.is_published),
        "now_block": agenda.now_context(congress),
        "calendar_subscribe": calendar_links.webcal_url(reverse("feeds:calendar")),
        "jsonld": congress_event(congress, sessions, participations),
    }
    return render_page(request, "congress/home.html", context, congress=congress)


@programme_response
@require_safe
def schedule(request: HtmxHttpRequest) -> HttpResponse:
    congress = queries.current_congress()
    if congress is None:
        return no_congress(request)
    tracks = queries.congress_tracks(congress)
    rooms = queries.congress_rooms(congress)
    template_name = "congress/schedule.html"
    try:
        filters = ScheduleFilters.from_query(congress, request.GET, tracks=tracks, rooms=rooms)
        layout = _layout(request.GET.get("layout", ""))
    except BadFilter as error:
        context = {"message": error.message, "schedule_url": reverse("congress:schedule")}
        if wants_fragment(request):
            return render_page(request, template_name + "#schedule-error", context, congress=congress, status=400)
        return render_page(request, "congress/bad_filter.html", context, congress=congress, status=400)
    sessions = queries.schedule_sessions(filters)
    days = queries.group_by_day(congress, sessions)
    for day in days:
        day.grid = layout == "grid" and _place_in_grid(day)
    if wants_fragment(request):
        # The day tabs re-render the form too (its day field); the form itself only replaces the results.
        template_name += "#schedule-page" if request.htmx.target == "schedule-page" else "#schedule-results"
    feed_query = filters.query_string()
    layout_param = {"layout": "list"} if layout == "list" else {}
    context = {
        "filters": filters,
        "tracks": tracks,
        "rooms": rooms,
        "kinds": Session.Kind.choices,
        "layout": layout,
        "days": days,
        "session_count": len(sessions),
        "cancelled_count": sum(1 for session in sessions if session.is_cancelled),
        "day_tabs": [
            {
                "day": day,
                "url": _with_layout(filters.query_string(day=day.isoformat() if day else ""), layout_param),
                "current": day == filters.day,
            }
            for day in [None, *congress.days]
        ],
        "layout_urls": {
            "grid": filters.query_string(),
            "list": _with_layout(filters.query_string(), {"layout": "list"}),
        },
        "clear_url": reverse("congress:schedule") + _with_layout("", layout_param),
        "calendar_download": reverse("feeds:calendar") + feed_query,
        "calendar_subscribe": calendar_links.webcal_url(reverse("feeds:calendar") + feed_query),
        "next_url": request.get_full_path(),
        "is_fragment": wants_fragment(request),
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


@programme_response
@require_safe
def session_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    congress = queries.current_congress()
    if congress is None:
        return no_congress(request)
    session = queries.session_for_page(congress, slug)
    if session is None:
        return not_found(request, congress)
    session.congress = congress  # with its venue, already loaded (location, JSON-LD)
    previous, following = queries.room_neighbours(session)
    context = {
        "session": session,
        "links": session.speaker_links_in_order,
        "previous": previous,
        "following": following,
        "calendar": calendar_links.session_links(session),
        "next_url": request.get_full_path(),
        "jsonld": session_event(session),
        "page_url": absolute(request.path),
    }
    return render_page(request, "congress/session_detail.html", context, congress=congress)


@programme_response
@require_safe
def partners(request: HtmxHttpRequest) -> HttpResponse:
    congress = queries.current_congress()
    if congress is None:
        return no_congress(request)
    context = {"groups": queries.partner_groups(congress)}
    return render_page(request, "congress/partners.html", context, congress=congress)


@programme_response
@require_safe
def venue(request: HtmxHttpRequest) -> HttpResponse:
    congress = queries.current_congress()
    if congress is None:
        return no_congress(request)
    place = congress.venue
    context = {"venue": place, "rooms": queries.venue_rooms(congress)}
    if place.has_coordinates:
        lat, lon = f"{place.latitude:.6f}", f"{place.longitude:.6f}"
        context["geo_url"] = f"geo:{lat},{lon}"
        context["osm_url"] = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    return render_page(request, "congress/venue.html", context, congress=congress)


@programme_response
@require_safe
def calendar_help(request: HtmxHttpRequest) -> HttpResponse:
    congress = queries.current_congress()
    feed = reverse("feeds:calendar")
    context = {
        "calendar_subscribe": calendar_links.webcal_url(feed),
        "calendar_https": absolute(feed),
        "calendar_download": feed,
    }
    return render_page(request, "congress/calendar_help.html", context, congress=congress)


@programme_response(personal=False)
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
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@programme_response(personal=False)
@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    response = sitemap_view(request, sitemaps=SITEMAPS)
    response.render()  # a TemplateResponse; the cache stores bytes
    return response


def not_found(request: HttpRequest, congress: Congress | None) -> HttpResponse:
    """The styled 404 of an unknown or unpublished slug (drafts look exactly like pages that do not exist)."""
    return render_page(request, "404.html", {}, congress=congress, status=404)


def page_not_found(request: HttpRequest, exception: Exception | None, template_name: str = "404.html") -> HttpResponse:
    """handler404: any address that matches no page."""
    try:
        congress = queries.current_congress()
    except DatabaseError:  # a 404 page must never turn into a 500
        congress = None
    return render_page(request, template_name, {}, congress=congress, status=404)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """No database, no request context: whatever broke must not break the error page too."""
    return HttpResponseServerError(loader.get_template(template_name).render({}))


# schema.org data for search engines and assistants (https://schema.org/Event).
EVENT_STATUS = {
    Session.Status.PUBLISHED: "https://schema.org/EventScheduled",
    Session.Status.CANCELLED: "https://schema.org/EventCancelled",
}


def _place(congress: Congress, room_name: str = "") -> dict:
    venue = congress.venue
    place = {
        "@type": "Place",
        "name": f"{room_name}, {venue.name}" if room_name else venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.street_address,
            "postalCode": venue.postcode,
            "addressLocality": venue.city,
            "addressCountry": venue.country,
        },
    }
    if venue.has_coordinates:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(venue.latitude),
            "longitude": float(venue.longitude),
        }
    return place


def _organisation(participation: Participation) -> dict:
    data = {"@type": "Organization", "name": participation.organisation.name}
    if participation.organisation.website:
        data["url"] = participation.organisation.website
    return data


def congress_event(congress: Congress, sessions: list[Session], participations: list[Participation]) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": congress.name,
        "description": congress.short_description or congress.description[:300],
        "startDate": congress.start_date.isoformat(),
        "endDate": congress.end_date.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": "fr",
        "url": absolute(reverse("congress:home")),
        "location": _place(congress),
        "organizer": [_organisation(row) for row in participations if row.role != Participation.Role.PARTNER],
        "sponsor": [_organisation(row) for row in participations if row.role == Participation.Role.PARTNER],
        "subEvent": [_session_summary(congress, session) for session in sessions],
    }
    return data


def _session_summary(congress: Congress, session: Session) -> dict:
    return {
        "@type": "Event",
        "name": session.title,
        "startDate": congress.local(session.starts_at).isoformat(),
        "endDate": congress.local(session.ends_at).isoformat(),
        "eventStatus": EVENT_STATUS.get(session.status, EVENT_STATUS[Session.Status.PUBLISHED]),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": absolute(session.get_absolute_url()),
        # The room only: the address is the congress's, given once (keeps a large programme's page light).
        "location": {"@type": "Place", "name": _room_and_venue(congress, session)},
    }


def _room_and_venue(congress: Congress, session: Session) -> str:
    return f"{session.room.name}, {congress.venue.name}" if session.room else congress.venue.name


def session_event(session: Session) -> dict:
    congress = session.congress
    data = {
        "@context": "https://schema.org",
        **_session_summary(congress, session),
        "location": _place(congress, session.room.name if session.room else ""),
        "description": session.abstract[:1000],
        "inLanguage": session.language,
        "superEvent": {
            "@type": "Event",
            "name": congress.name,
            "url": absolute(reverse("congress:home")),
            "startDate": congress.start_date.isoformat(),
            "endDate": congress.end_date.isoformat(),
        },
    }
    performers = []
    for speaker in session.speakers_in_order:
        person = {"@type": "Person", "name": speaker.name, "url": absolute(speaker.get_absolute_url())}
        if speaker.job_title:
            person["jobTitle"] = speaker.job_title
        if speaker.organisation:
            person["affiliation"] = {"@type": "Organization", "name": speaker.organisation.name}
        performers.append(person)
    if performers:
        data["performer"] = performers
    return data
