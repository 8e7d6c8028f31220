"""Links that put a session in someone's calendar: Google Calendar and Outlook.com "add event" pages, and the
webcal:// address of a feed (calendar apps open it as a subscription instead of a one-off download).

Times go to Google and Outlook in UTC (a trailing Z), so they never depend on the visitor's zone setting.
"""

import datetime as dt
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse

from congress import ical
from congress.edition_urls import edition_reverse

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/deeplink/compose"
# Both services put the whole event in the address; keep the details well inside every browser's limit.
MAX_DETAILS = 1200


def absolute_url(path: str) -> str:
    """`path` on the public site (settings.SITE_URL): shared cached pages must not depend on the Host header."""
    return settings.SITE_URL + path


def webcal_url(path: str) -> str:
    """The webcal:// form of a feed on the public site; webcal means HTTPS to the apps when the site uses it."""
    parts = urlsplit(absolute_url(path))
    return urlunsplit(("webcal", parts.netloc, parts.path, parts.query, ""))


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _details(text: str) -> str:
    return text if len(text) <= MAX_DETAILS else text[: MAX_DETAILS - 1].rstrip() + "…"


def google_calendar_url(
    *, title: str, starts_at: dt.datetime, ends_at: dt.datetime, details: str, location: str
) -> str:
    """Google's documented TEMPLATE action: dates as YYYYMMDDTHHMMSSZ/YYYYMMDDTHHMMSSZ in UTC."""
    dates = "/".join(_utc(moment).strftime("%Y%m%dT%H%M%SZ") for moment in (starts_at, ends_at))
    params = {"action": "TEMPLATE", "text": title, "dates": dates, "details": _details(details), "location": location}
    return f"{GOOGLE_CALENDAR}?{urlencode(params)}"


def outlook_calendar_url(
    *, title: str, starts_at: dt.datetime, ends_at: dt.datetime, details: str, location: str
) -> str:
    """Outlook.com's compose deep link: startdt/enddt in ISO 8601 UTC."""
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": _utc(starts_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(ends_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _details(details),
        "location": location,
    }
    return f"{OUTLOOK_COM}?{urlencode(params)}"


def session_details(session) -> str:
    """Plain text for the "add event" pages: speakers with their organisations, the abstract, the page URL."""
    speakers = ", ".join(
        f"{speaker.name} ({speaker.organisation.name})" if speaker.organisation else speaker.name
        for speaker in session.speakers_in_order
    )
    page = edition_reverse(session.congress, "congress:session-detail", slug=session.slug)  # permanent
    parts = [speakers, session.abstract.strip(), absolute_url(page)]
    return "\n\n".join(part for part in parts if part)


def session_links(session) -> dict[str, str]:
    """Every calendar link of a session page (`session` from queries.session_for_page: joins already made)."""
    event = {
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "details": session_details(session),
        "location": ical.session_location(session, session.congress.venue),
    }
    return {
        # a one-off copy from the page's own address (kept offline); a subscription follows the edition's feed
        "download": reverse("feeds:session-calendar", kwargs={"slug": session.slug}),
        "subscribe": webcal_url(edition_reverse(session.congress, "feeds:calendar")),
        "google": google_calendar_url(**event),
        "outlook": outlook_calendar_url(**event),
    }
