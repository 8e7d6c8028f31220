"""iCalendar (RFC 5545, RFC 7986) for the programme: built here, served over HTTP by congress.feeds.

Every calendar the site serves (the programme, a filtered view of it, one session, a personal agenda) is built
by `calendar_bytes`, so a session has the same UID, SEQUENCE and text in all of them and a calendar app that
holds it from two feeds sees one event. The output depends only on the data: DTSTAMP is the session's last
change, not the clock, so the same programme gives the same bytes (and the same ETag downstream).

Text is written in the congress language (settings.LANGUAGE_CODE, French): a calendar app fetches the feed
without telling which language its user reads, and a subscriber must not see the kind of a session switch
language from one refresh to the next. CATEGORIES therefore carry the track name and the kind's label in that
language ("Table ronde"), as people see them in their calendar app.
"""

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from congress.models import Congress, Session, Venue
from congress.pieces import cached_pieces
from congress.slug_urls import slug_url_parts

# How often subscribers should poll (RFC 7986 REFRESH-INTERVAL; X-PUBLISHED-TTL for Outlook and older clients).
REFRESH_INTERVAL = dt.timedelta(hours=1)
# C0 control characters other than tab and line feed (not allowed in iCalendar TEXT nor in XML 1.0), the two
# non-characters XML refuses, and the byte-order mark parsers drop: nothing an organiser means to show.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Organiser text as calendars and XML can carry it: \\n line ends, no control characters."""
    return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def session_urls(site_url: str) -> Callable[[Session], str]:
    """The absolute page address of a session, in the active language; `reverse()` runs once, not per session."""
    before, after = slug_url_parts("congress:session-detail")
    return lambda session: f"{site_url}{before}{session.slug}{after}"


def session_location(session: Session, venue: Venue | None) -> str:
    parts = [session.room.name if session.room_id else ""]
    if venue is not None:
        parts += [venue.name, *venue.address_lines]
    return ", ".join(clean_text(part) for part in parts if part)


def session_description(session: Session, url: str) -> str:
    """Plain text: status notice, speakers with their organisations, abstract, page address."""
    notice = ""
    if session.is_cancelled:
        notice = _("This session is cancelled.")
    elif session.time_to_be_confirmed:
        notice = _("Time to be confirmed.")
    speakers = []
    for link in session.speaker_links_in_order:
        speaker = link.speaker
        name = speaker.name
        if speaker.organisation_id:
            name = f"{name} ({speaker.organisation.name})"
        speakers.append(_("%(role)s: %(name)s") % {"role": link.get_role_display(), "name": name})
    blocks = [notice, "\n".join(speakers), session.abstract.strip(), url]
    return clean_text("\n\n".join(block for block in blocks if block))


def session_status(session: Session) -> str:
    if session.is_cancelled:
        return "CANCELLED"
    return "TENTATIVE" if session.time_to_be_confirmed else "CONFIRMED"


def session_event(session: Session, *, congress: Congress, url: str, venue: Venue | None) -> icalendar.Event:
    event = icalendar.Event()
    # A UUID stored on the session, never derived from title, slug or time: a moved or renamed session is an
    # update of the same event in every calendar (and equals the frab guid of the schedule exports).
    event.add("uid", str(session.uid))
    event.add("dtstamp", session.modified_at.astimezone(dt.UTC))
    event.add("created", session.created_at.astimezone(dt.UTC))
    event.add("last-modified", session.modified_at.astimezone(dt.UTC))
    event.add("sequence", session.revision)
    event.add("dtstart", congress.local(session.starts_at))
    event.add("dtend", congress.local(session.ends_at))
    event.add("summary", clean_text(session.title))
    event.add("description", session_description(session, url))
    location = session_location(session, venue)
    if location:
        event.add("location", location)
    if venue is not None and venue.has_coordinates:
        event.add("geo", (float(venue.latitude), float(venue.longitude)))
    event.add("url", url)
    categories = [clean_text(session.track.name)] if session.track_id else []
    categories.append(str(session.get_kind_display()))
    event.add("categories", categories)
    event.add("status", session_status(session))
    return event


def _venues(sessions: list[Session], congress: Congress) -> dict[int, Venue]:
    """The venue of every session (its room's, else the congress's), in one query at most: rooms are normally
    all at the congress venue, which the caller has usually joined already."""
    needed = {_venue_id(session, congress) for session in sessions}
    venues = {congress.venue_id: congress.venue} if congress.venue_id in needed else {}
    missing = needed - venues.keys()
    if missing:
        venues |= Venue.objects.in_bulk(missing)
    return venues


def _venue_id(session: Session, congress: Congress) -> int:
    return session.room.venue_id if session.room_id else congress.venue_id


def _onset(wall: dt.datetime, offset_from: dt.timedelta, offset_to: dt.timedelta, zone: dt.tzinfo) -> dt.datetime:
    """The local time, read with TZOFFSETFROM as RFC 5545 §3.6.5 says, at which the offset changes.

    icalendar writes the spring change as the first wall-clock time after it (Europe/Paris: 03:00), which a
    conforming reader takes as 03:00+01:00, an hour late; the right onset is 02:00 (RFC 5545's own examples).
    """
    for instant in (wall - offset_to, wall - offset_from):
        instant = instant.replace(tzinfo=dt.UTC)
        before = (instant - dt.timedelta(seconds=1)).astimezone(zone).utcoffset()
        if before == offset_from and instant.astimezone(zone).utcoffset() == offset_to:
            return (instant + offset_from).replace(tzinfo=None)
    return wall


@functools.lru_cache(maxsize=64)  # the same few zones and dates for every feed; a zone without changes scans a year
def _previous_change(zone: dt.tzinfo, moment: dt.datetime) -> tuple[dt.datetime, dt.timedelta] | None:
    """The last change of UTC offset in `zone` at or before `moment` (within a year), and the offset before it."""
    offset = moment.astimezone(zone).utcoffset()
    later = int(moment.timestamp())
    for _day in range(370):
        earlier = later - 86400
        if dt.datetime.fromtimestamp(earlier, zone).utcoffset() != offset:
            while later - earlier > 1:  # to the second: offset differs at `earlier`, is `offset` at `later`
                middle = (earlier + later) // 2
                if dt.datetime.fromtimestamp(middle, zone).utcoffset() == offset:
                    later = middle
                else:
                    earlier = middle
            return dt.datetime.fromtimestamp(later, dt.UTC), dt.datetime.fromtimestamp(earlier, zone).utcoffset()
        later = earlier
    return None


def add_time_zone(calendar: icalendar.Calendar, congress: Congress, first: dt.date, last: dt.date) -> None:
    """One VTIMEZONE for the congress zone, covering only the dates used (a full 1970–2038 one is ~40 kB).

    Two corrections to icalendar's: onsets as RFC 5545 reads them (see `_onset`), and a first observance
    that starts at the zone's last real change with its real TZOFFSETFROM, instead of a made-up start at
    `first` with TZOFFSETFROM equal to TZOFFSETTO: readers that take the daylight saving amount from the
    difference (dateutil, hence vobject) would otherwise put a summer congress's autumn change an hour early.
    """
    zone = congress.tzinfo
    # Added by name: the events are written apart (congress.pieces), so icalendar cannot find the zone in them.
    calendar.add_component(icalendar.Timezone.from_tzid(congress.time_zone, first_date=first, last_date=last))
    for vtimezone in calendar.walk("VTIMEZONE"):
        vtimezone.pop("COMMENT", None)  # icalendar's English note on the years it covers: not for subscribers
        for observance in [*vtimezone.walk("STANDARD"), *vtimezone.walk("DAYLIGHT")]:
            offset_from, offset_to = observance.TZOFFSETFROM, observance.TZOFFSETTO
            if offset_from == offset_to:
                change = _previous_change(zone, observance.DTSTART.replace(tzinfo=dt.UTC) - offset_to)
                if change is not None:
                    instant, observance.TZOFFSETFROM = change
                    observance.DTSTART = (instant + observance.TZOFFSETFROM).replace(tzinfo=None)
                continue
            observance.DTSTART = _onset(observance.DTSTART, offset_from, offset_to, zone)
            rdates = [start for start, _end in observance.rdates]
            if rdates:
                observance.pop("RDATE")
                observance.add("rdate", [_onset(start, offset_from, offset_to, zone) for start in rdates])


def _venue_text(venue: Venue | None) -> str:
    if venue is None:
        return ""
    return "|".join([str(venue.pk), venue.name, *venue.address_lines, str(venue.latitude), str(venue.longitude)])


def calendar_bytes(
    sessions: Iterable[Session],
    *,
    congress: Congress,
    site_url: str,
    name: str | None = None,
    feed_id: str = "calendar",
    source_url: str | None = None,
    language: str | None = None,
) -> bytes:
    """A VCALENDAR of `sessions` (from `.for_listing()`, in the order wanted), in `congress`'s zone, as bytes.

    `site_url` is the site's absolute root without a trailing slash (request.build_absolute_uri("/") or
    settings.SITE_URL). `name` makes it a subscription (NAME, X-WR-CALNAME, refresh hints); leave it out for a
    one-session download, which Outlook would otherwise file into a new calendar. `feed_id` names the feed
    in PRODID ("calendar", "session", "agenda"): clients tell feeds apart by it. `source_url` is the feed's
    own address (RFC 7986 SOURCE).

    Each VEVENT is written once per change of its session and kept (congress.pieces): writing out and folding
    lines is most of icalendar's time. The calendar is its head and time zone, then the kept events.
    """
    sessions = list(sessions)
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        calendar = _calendar_head(congress, site_url, name, feed_id, source_url, language)
        venues = _venues(sessions, congress)
        url_of = session_urls(site_url)

        def event_text(session: Session) -> str:
            venue = venues.get(_venue_id(session, congress))
            event = session_event(session, congress=congress, url=url_of(session), venue=venue)
            return event.to_ical().decode()

        def variant(session: Session) -> tuple:
            # The page address holds the edition's prefix when the feed is an edition's own.
            return url_of(session), congress.time_zone, _venue_text(venues.get(_venue_id(session, congress)))

        events = cached_pieces("vevent", sessions, event_text, variant=variant)
    if sessions:
        first = min(congress.local(session.starts_at).date() for session in sessions)
        last = max(congress.local(session.ends_at).date() for session in sessions)
        add_time_zone(calendar, congress, first, last + dt.timedelta(days=1))
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return head[: -len(end)] + "".join(events).encode() + end


def _calendar_head(
    congress: Congress, site_url: str, name: str | None, feed_id: str, source_url: str | None, language: str
) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{urlsplit(site_url).netloc}//{feed_id}//{language.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        # As TEXT (escaped) explicitly: icalendar writes NAME and X-WR-CALNAME raw otherwise, and a line
        # break in a congress or room name then broke every feed.
        calendar.add("name", icalendar.vText(clean_text(name)))
        calendar.add("x-wr-calname", icalendar.vText(clean_text(name)))
        if congress.short_description:
            calendar.add("description", clean_text(congress.short_description))
            calendar.add("x-wr-caldesc", icalendar.vText(clean_text(congress.short_description)))
        # icalendar writes these as "REFRESH-INTERVAL:PT1H" and "X-PUBLISHED-TTL:1:00:00" unless told:
        # RFC 7986 requires VALUE=DURATION, and Outlook reads the TTL only as a duration.
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
        if source_url:
            calendar.add("source", source_url, parameters={"VALUE": "URI"})
    calendar.add("x-wr-timezone", congress.time_zone)
    return calendar
