"""schema.org data (https://schema.org/Event) for search engines and assistants: the congress with its
highlighted sessions on the home page (not every session: the page must not grow with the programme), one
session on its page. Data in, dicts out; the template tag `jsonld` writes it."""

from django.conf import settings
from django.utils.translation import get_language

from congress.calendar_links import absolute_url as absolute
from congress.edition_urls import edition_reverse, edition_slug_url
from congress.models import Congress, Participation, Session

# The schema.org status of each public status.
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
        # schema.org keeps EventScheduled for an event that took place as planned (there is no "past" status)
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": get_language() or settings.LANGUAGE_CODE,  # the language of the names and description
        "url": absolute(edition_reverse(congress, "congress:home")),
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
        "url": absolute(edition_slug_url(congress, "congress:session-detail", session.slug)),
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
            "url": absolute(edition_reverse(congress, "congress:home")),
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
