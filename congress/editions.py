"""Editions: which edition an address names, its permanent addresses, and the list of editions.

An address under an edition's prefix (`/2025/…`, `/en/2025/…`) is answered with the URLconf of that edition
(congress.urls.edition_urlconf), so that its pages link under the same prefix; the edition found is
`request.edition`, which congress.rendering.with_edition gives the view.
"""

import re
from functools import cache

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, Resolver404, resolve
from django.views.decorators.http import require_safe

from congress.caching import public_page
from congress.edition_urls import edition_reverse, edition_urlconf
from congress.models import Congress, Session
from congress.models.edition import PREFIX_PATTERN, RESERVED_PREFIXES
from congress.rendering import bad_request_page, render_page, request_edition

# The pages and feeds an edition has under its prefix (the others are the site's, whatever the edition).
EDITION_VIEWS = frozenset(
    {
        "congress:home",
        "congress:schedule",
        "congress:session-detail",
        "congress:partners",
        "congress:venue",
        "speakers:speaker-list",
        "speakers:speaker-detail",
        "feeds:calendar",
        "feeds:session-calendar",
        "feeds:schedule-xml",
        "feeds:schedule-json",
    }
)


@cache
def _prefix_in_path() -> re.Pattern:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:(?:{languages})/)?({PREFIX_PATTERN})(?:/|$)")


def prefix_in_path(path: str) -> str | None:
    match = _prefix_in_path().match(path)
    if match is None or match[1] in RESERVED_PREFIXES:
        return None
    return match[1]


class EditionMiddleware:
    """Before LocaleMiddleware, which reads the language prefix with the request's own URLconf."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix = prefix_in_path(request.path_info)
        if prefix is not None:
            congress = Congress.objects.filter(prefix=prefix).select_related("venue").first()
            if congress is not None:
                request.edition = congress
                request.urlconf = edition_urlconf(prefix)
        return self.get_response(request)


def permanent_url(path: str, congress: Congress | None) -> str | None:
    """The edition address of the short address `path` of `congress`'s page, or None if it has none."""
    if congress is None or not congress.prefix or not congress.is_published:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name not in EDITION_VIEWS:
        return None
    try:
        return edition_reverse(congress, match.view_name, **match.kwargs)
    except NoReverseMatch:
        return None


def edition_of_session(slug: str) -> Congress | None:
    """The latest published edition with a public session `slug` (for an old short address)."""
    session = (
        Session.objects.published()
        .filter(slug=slug, congress__is_published=True, congress__prefix__isnull=False)
        .select_related("congress")
        .order_by("-congress__start_date")
        .first()
    )
    return session.congress if session else None


def redirect_to_edition(request: HttpRequest, view_name: str, slug: str) -> HttpResponse | None:
    """A short address of a session the current edition does not have: for ever to the edition that has it."""
    if request_edition(request) is not None:
        return None
    edition = edition_of_session(slug)
    if edition is None or edition.is_current:
        return None
    return HttpResponsePermanentRedirect(edition_reverse(edition, view_name, slug=slug))


@public_page(bad_request=bad_request_page)
@require_safe
def edition_list(request: HttpRequest) -> HttpResponse:
    """/editions/: every published edition, the next first, with its dates, venue and number of sessions."""
    editions = list(
        Congress.objects.published()
        .select_related("venue")
        .annotate(session_count=Count("sessions", filter=Q(sessions__status=Session.Status.PUBLISHED)))
        .order_by("-start_date")
    )
    for edition in editions:
        edition.home_url = edition_reverse(edition, "congress:home")
        edition.schedule_url = edition_reverse(edition, "congress:schedule")
    current = next((edition for edition in editions if edition.is_current), None)
    context = {"editions": editions}
    return render_page(request, "congress/editions.html", context, congress=current)
