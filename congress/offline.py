"""Installable and offline: the web app manifest, the service worker, the offline page and the list of pages
the worker keeps (with the programme version it compares).

The worker itself is static/js/sw.js, served here from the root so that its scope is the whole site; it is
registered by static/js/offline.js after the page's `load` event.
"""

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language, gettext
from django.views.decorators.http import condition, require_safe

from congress.edition_urls import edition_reverse
from congress.models import Congress, ProgrammeVersion

THEME_COLOUR = "#0b4f6c"  # --brand in app.css; also the theme-color meta of base.html
BACKGROUND_COLOUR = "#ffffff"
ICON_SOURCE = "icons/icon.svg"
ICON_SIZES = (192, 512)
# Debian's Chromium, which Playwright drives for the icons (render_icons) and the budgets (offline_benchmark).
CHROMIUM = Path("/usr/bin/chromium")
# The static files every offline page needs (the pages link them by their hashed names).
SHELL_FILES = (
    "css/app.css",
    "css/agenda.css",
    "css/offline.css",
    "vendor/htmx.min.js",
    "js/app.js",
    "js/agenda.js",
    "js/offline.js",
    ICON_SOURCE,
)
# Answers a browser may keep no longer than the HTML pages (which are revalidated on every visit).
REVALIDATE = {"no_cache": True, "max_age": 0}


def _current_congress() -> Congress | None:
    return Congress.objects.current().select_related("venue").first()


def _shell_urls() -> list[str]:
    # Pages may link more static files: the worker also keeps those it finds in the pages it stores.
    return [static(name) for name in SHELL_FILES if finders.find(name)]


# The service worker ---------------------------------------------------------------------------------------


def _read_worker() -> bytes:
    path = finders.find("js/sw.js")
    if path is None:
        raise Http404("no service worker")
    with open(path, "rb") as source:
        return source.read()


_production_worker = cache(_read_worker)


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: at the root, its default scope is the whole site (no Service-Worker-Allowed header needed)."""
    body = _read_worker() if settings.DEBUG else _production_worker()
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, **REVALIDATE)
    return response


# The manifest ---------------------------------------------------------------------------------------------


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """/manifest.webmanifest (French) and /en/manifest.webmanifest: one app, named in the page's language."""
    icon = static(ICON_SOURCE)
    data = {
        "id": "/",
        "name": gettext("France Bioproduction congress"),
        "short_name": gettext("Bioproduction"),
        "description": gettext("Programme, speakers, venue and your agenda, also without a network."),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": reverse("congress:home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "maskable"},
            *(
                {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
                for size in ICON_SIZES
            ),
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/manifest+json; charset=utf-8"
    )
    patch_cache_control(response, public=True, **REVALIDATE)
    return response


# The offline page -----------------------------------------------------------------------------------------


def offline_links() -> list[dict]:
    """What is always kept offline, in the page's language (the offline page links to it)."""
    return [
        {"url": reverse("congress:schedule"), "label": gettext("Programme")},
        {"url": reverse("congress:agenda"), "label": gettext("My agenda")},
        {"url": reverse("speakers:speaker-list"), "label": gettext("Speakers")},
        {"url": reverse("congress:venue"), "label": gettext("Venue")},
        {"url": reverse("congress:calendar-help"), "label": gettext("Add the programme to your calendar")},
        {"url": reverse("congress:partners"), "label": gettext("Partners")},
        {"url": reverse("congress:home"), "label": gettext("Home")},
    ]


@require_safe
def offline_page(request: HttpRequest) -> HttpResponse:
    """/offline/: what the worker shows for a page it does not hold; ?unsent=1 after a form sent offline."""
    context = {
        "congress": _current_congress(),
        "links": offline_links(),
        "unsent": request.GET.get("unsent") == "1",
    }
    response = render(request, "congress/offline.html", context)
    patch_cache_control(response, public=True, **REVALIDATE)
    return response


# What the worker keeps ------------------------------------------------------------------------------------


def programme_version() -> str:
    """Changes with every organiser edit (ProgrammeVersion) and with the static files pages link to."""
    version = ProgrammeVersion.current()
    shell = hashlib.sha256("|".join(_shell_urls()).encode()).hexdigest()[:8]
    return f"{version.number}.{version.changed_at.timestamp():.0f}.{shell}"


def schedule_urls(congress: Congress | None) -> list[str]:
    """Every day and the whole programme, in both layouts: the addresses the day tabs and layout links give."""
    schedule = reverse("congress:schedule")
    days: list[dt.date | None] = [None, *(congress.days if congress else [])]
    urls = []
    for day in days:
        query = f"day={day.isoformat()}" if day else ""
        urls.append(f"{schedule}?{query}" if query else schedule)
        urls.append(f"{schedule}?{query}&layout=list" if query else f"{schedule}?layout=list")
    return urls


def _request_version(request: HttpRequest) -> str:
    if not hasattr(request, "_offline_version"):
        request._offline_version = programme_version()
    return request._offline_version


def _version_etag(request: HttpRequest) -> str:
    return f"{_request_version(request)}.{get_language()}"


@condition(etag_func=_version_etag)
@require_safe
def offline_pages(request: HttpRequest) -> JsonResponse:
    """/offline/pages.json: the programme version and the addresses the worker keeps for this language.

    The worker fetches it after each online page load; a new version makes it fetch its pages again. The
    visitor's agenda is in the list: the worker reads the sessions to keep from that page.
    """
    congress = _current_congress()
    offline_url = reverse("congress:offline")
    data = {
        "version": _request_version(request),
        "language": get_language(),
        "home": reverse("congress:home"),
        "offline": offline_url,
        "unsent": f"{offline_url}?unsent=1",
        "agenda": reverse("congress:agenda"),
        "shell": [*_shell_urls(), reverse("congress:manifest")],
        "pages": [
            reverse("congress:home"),
            *schedule_urls(congress),
            reverse("congress:venue"),
            reverse("congress:calendar-help"),
            reverse("congress:partners"),
            reverse("speakers:speaker-list"),
            reverse("congress:agenda"),
            reverse("feeds:calendar"),
            # the edition's own feed, which its pages link (congress.edition_urls)
            *([edition_reverse(congress, "feeds:calendar")] if congress and congress.prefix else []),
        ],
        "note": gettext("offline — updated at %(time)s"),
        "stylesheet": static("css/offline.css"),
    }
    response = JsonResponse(data)
    patch_cache_control(response, **REVALIDATE)
    return response
