"""An edition's permanent addresses (`/2025/calendar.ics`), whatever address the page showing them has."""

from django.urls import reverse

from congress.models import Congress


def edition_reverse(congress: Congress | None, view_name: str, **kwargs) -> str:
    """The address of an edition's page or feed under its prefix (the short one for an edition without one)."""
    from congress.urls import edition_urlconf  # the URLconf imports the views, which import this module

    urlconf = edition_urlconf(congress.prefix) if congress is not None and congress.prefix else None
    return reverse(view_name, urlconf=urlconf, kwargs=kwargs or None)


def feed_urls(congress: Congress | None) -> dict[str, str]:
    """The edition's own feeds, for the links in the footer and on the calendar pages: a calendar subscribed
    to them keeps the edition's events when the next edition becomes current."""
    return {
        "calendar": edition_reverse(congress, "feeds:calendar"),
        "schedule_xml": edition_reverse(congress, "feeds:schedule-xml"),
        "schedule_json": edition_reverse(congress, "feeds:schedule-json"),
    }
