"""What every page view shares: the site's layout in the congress's zone, the current-congress opening,
the styled 404, 400 and "no congress yet" pages, and whether htmx asks for a fragment."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from congress import queries
from congress.models import Congress, Participation


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    # htmx re-requests a pushed URL with HX-Request on a history-cache miss and then wants the whole page.
    return bool(getattr(request, "htmx", False)) and not request.htmx.history_restore_request


# What the programme row (schedule.html#session-row) reads besides the session: given, so that each of hundreds
# of rows does not fail (and log) a lookup for each.
ROW_DEFAULTS = {"day": None, "heading_level": 4, "starred": False, "next_url": "", "message": ""}
# The header's agenda count: empty on public pages (static/js/agenda.js fills it in), given on personal ones.
LAYOUT_DEFAULTS = {"agenda_count": "", **ROW_DEFAULTS}


def render_page(
    request: HttpRequest, template_name: str, context: dict, *, congress: Congress | None, status: int = 200
) -> HttpResponse:
    """Render in the congress's own zone: times on every page are local to the venue, whatever the server's."""
    edition = request_edition(request)
    context = {
        "congress": congress,
        "organisers": _organisers(congress),
        # Links on a page under a prefix stay under it: the rows kept in the cache are kept apart.
        "link_prefix": edition.prefix if edition else "",
        # upcoming, ongoing or past: the wording of the edition's pages (an archive once it is over).
        "edition_state": congress.state() if congress else "",
        **LAYOUT_DEFAULTS,
        **context,
    }
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


def not_found(request: HttpRequest, congress: Congress | None) -> HttpResponse:
    """The styled 404 of an unknown or unpublished slug (drafts look exactly like pages that do not exist)."""
    return render_page(request, "404.html", {}, congress=congress, status=404)


def bad_request_page(request: HttpRequest, message: str, congress: Congress | None = None) -> HttpResponse:
    """The styled 400 of an address the site cannot answer, with `message` for the visitor."""
    context = {"message": message, "schedule_url": reverse("congress:schedule")}
    congress = congress or queries.current_congress()
    return render_page(request, "congress/bad_filter.html", context, congress=congress, status=400)


def is_organiser(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


def request_edition(request: HttpRequest) -> Congress | None:
    """The edition a prefixed address names (congress.editions.EditionMiddleware), or None for a short one."""
    return getattr(request, "edition", None)


def with_edition(view=None, *, missing: Callable[[HttpRequest], HttpResponse] = no_congress):
    """Give the view the edition of this request as its second argument: the one its prefix names (`/2025/…`),
    or the current one at a short address. An unpublished edition is a 404 except to organisers (a preview,
    never cached: caching.public_page). With no current edition, answer `missing(request)` (by default the
    "no congress yet" page, 404)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            congress = request_edition(request)
            if congress is not None:
                if not congress.is_published and not is_organiser(request):
                    return not_found(request, None)
            else:
                congress = queries.current_congress()
                if congress is None:
                    return missing(request)
            return view_func(request, congress, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator
