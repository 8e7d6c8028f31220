"""Page-shaped reads for the public pages, and the schedule filters shared with the calendar feed.

`ScheduleFilters.from_query(congress, request.GET)` parses the filters of a schedule view (day, track, room,
kind, q) and raises `BadFilter` with a message for people on an unknown value; `.apply(sessions)` narrows a
Session queryset to what the schedule page shows. The calendar feed calls the same two, so a filtered page
and its calendar always hold the same sessions.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from congress import pieces
from congress.models import Congress, Participation, Room, Session, Track

FILTER_NAMES = ("day", "track", "room", "kind", "q")
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 8


class BadFilter(ValueError):
    """A filter value nobody can act on; `message` is written for the visitor (400 page, feed error)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def current_congress() -> Congress | None:
    return Congress.objects.current().select_related("venue").first()


def next_edition(congress: Congress) -> Congress | None:
    """The published edition after `congress`, if organisers have announced one."""
    return Congress.objects.published().filter(start_date__gt=congress.end_date).order_by("start_date").first()


def _single(params: Mapping, name: str) -> str:
    """One value per filter: `?day=a&day=b` would be ambiguous, so it is refused."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name, "")]
    values = [value.strip() for value in values if value is not None and value.strip()]
    if len(values) > 1:
        raise BadFilter(_("Choose only one value for “%(name)s”.") % {"name": name})
    return values[0] if values else ""


# `?day=all`: every day, where a page would otherwise open on one (the schedule during the congress).
EVERY_DAY = "all"


def congress_today(congress: Congress) -> dt.date | None:
    """Today in the congress's zone, when it is one of the congress days."""
    today = timezone.localtime(timezone.now(), congress.tzinfo).date()
    return today if today in congress.days else None


@dataclass(frozen=True)
class ScheduleFilters:
    congress: Congress
    day: dt.date | None = None
    track: Track | None = None
    room: Room | None = None
    kind: str = ""
    q: str = ""
    words: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_query(
        cls,
        congress: Congress,
        params: Mapping,
        *,
        tracks: Iterable[Track] | None = None,
        rooms: Iterable[Room] | None = None,
    ) -> "ScheduleFilters":
        """Parse `params` (request.GET); `tracks`/`rooms` already loaded by the caller save a query each."""
        day = cls._parse_day(congress, _single(params, "day"))
        track = cls._find(
            _single(params, "track"),
            tracks,
            lambda: Track.objects.filter(congress=congress),
            _("Unknown track “%(value)s”. Known tracks: %(known)s."),
        )
        room = cls._find(
            _single(params, "room"),
            rooms,
            lambda: Room.objects.filter(venue_id=congress.venue_id),
            _("Unknown room “%(value)s”. Known rooms: %(known)s."),
        )
        kind = _single(params, "kind")
        if kind and kind not in Session.Kind.values:
            raise BadFilter(
                _("Unknown kind “%(value)s”. Known kinds: %(known)s.")
                % {"value": kind, "known": ", ".join(Session.Kind.values)}
            )
        q = " ".join(_single(params, "q").split())
        if len(q) > MAX_SEARCH_LENGTH:
            raise BadFilter(_("The search text is too long: at most %(max)d characters.") % {"max": MAX_SEARCH_LENGTH})
        words = tuple(dict.fromkeys(q.split()))[:MAX_SEARCH_WORDS]
        return cls(congress=congress, day=day, track=track, room=room, kind=kind, q=q, words=words)

    @staticmethod
    def _parse_day(congress: Congress, value: str) -> dt.date | None:
        if not value or value == EVERY_DAY:
            return None
        known = ", ".join(day.isoformat() for day in congress.days)
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or len(value) != 10 or day not in congress.days:
            raise BadFilter(
                _("Unknown day “%(value)s”. Use a day of the congress, written YYYY-MM-DD: %(known)s.")
                % {"value": value, "known": known}
            )
        return day

    @staticmethod
    def _find(slug: str, loaded: Iterable | None, load, message: str):
        if not slug:
            return None
        if loaded is None:
            found = load().filter(slug=slug).first()
            if found is not None:
                return found
            loaded = load()
        else:
            found = next((item for item in loaded if item.slug == slug), None)
            if found is not None:
                return found
        raise BadFilter(message % {"value": slug, "known": ", ".join(item.slug for item in loaded) or "—"})

    @property
    def is_active(self) -> bool:
        return any((self.day, self.track, self.room, self.kind, self.q))

    def apply(self, sessions):
        """Narrow a Session queryset; the search matches every word in a title, an abstract or a speaker name."""
        if self.day:
            sessions = sessions.on_day(self.congress, self.day)
        if self.track:
            sessions = sessions.filter(track_id=self.track.pk)
        if self.room:
            sessions = sessions.filter(room_id=self.room.pk)
        if self.kind:
            sessions = sessions.filter(kind=self.kind)
        for word in self.words:
            match = Q()
            # SQLite folds the case of ASCII letters only: also try the usual spellings ("élodie" → "Élodie").
            for variant in dict.fromkeys((word, word.lower(), word.capitalize(), word.upper())):
                # Both languages, named explicitly: django-modeltranslation would turn `title` into the page's.
                for name in ("title_fr", "title_en", "abstract_fr", "abstract_en"):
                    match |= Q(**{f"{name}__icontains": variant})
                match |= Q(speaker_links__speaker__name__icontains=variant)
            # A subquery, not a join on the whole queryset: a session with two matching speakers appears once.
            sessions = sessions.filter(pk__in=Session.objects.filter(match).values("pk"))
        return sessions

    def as_params(self, **changes) -> dict[str, str]:
        """The active filters as query parameters, with `changes` applied (None or "" removes one)."""
        params = {
            "day": self.day.isoformat() if self.day else "",
            "track": self.track.slug if self.track else "",
            "room": self.room.slug if self.room else "",
            "kind": self.kind,
            "q": self.q,
        }
        params.update({name: value or "" for name, value in changes.items()})
        return {name: params[name] for name in FILTER_NAMES if params.get(name)}

    def query_string(self, **changes) -> str:
        """`?day=…&track=…` for links (empty string when no filter is active)."""
        params = self.as_params(**changes)
        return "?" + urlencode(params) if params else ""


def public_sessions(congress: Congress):
    """Published and cancelled sessions (cancelled ones stay visible, struck through); never drafts."""
    # Through the related manager: every session fetched gets this very congress (no join, no query).
    return congress.sessions.public()


def schedule_sessions(filters: ScheduleFilters) -> list[Session]:
    """The programme for the schedule page and the calendar feed, loaded for their per-session pieces
    (congress.pieces: speakers as rows, links built only for the sessions rendered again)."""
    return pieces.for_pieces(filters.apply(public_sessions(filters.congress)).chronological())


def congress_tracks(congress: Congress) -> list[Track]:
    """The edition's tracks that its public programme uses (the schedule's filter offers no empty choice)."""
    used = Exists(public_sessions(congress).filter(track_id=OuterRef("pk")))
    return list(Track.objects.filter(used, congress=congress).order_by("position", "name"))


def congress_rooms(congress: Congress) -> list[Room]:
    """The venue's rooms that the edition's public programme uses."""
    used = Exists(public_sessions(congress).filter(room_id=OuterRef("pk")))
    return list(Room.objects.filter(used, venue_id=congress.venue_id).order_by("position", "name"))


def congress_kinds(congress: Congress) -> list[tuple[str, str]]:
    """The kinds of session the edition's public programme has, in the order of Session.Kind."""
    used = set(public_sessions(congress).values_list("kind", flat=True).distinct().order_by())
    return [(value, label) for value, label in Session.Kind.choices if value in used]


@dataclass
class ScheduleDay:
    day: dt.date
    sessions: list[Session]
    rooms: list[Room]
    slots: list["ScheduleSlot"]


@dataclass
class ScheduleSlot:
    """Sessions starting at the same local time: one row of the list, one line of the grid."""

    starts_at: dt.datetime
    sessions: list[Session]


def group_by_day(congress: Congress, sessions: list[Session]) -> list[ScheduleDay]:
    """Sessions (already chronological) grouped by local day, then by start time; rooms used that day in order."""
    days = []
    for day, day_sessions in groupby(sessions, key=lambda session: congress.local(session.starts_at).date()):
        day_sessions = list(day_sessions)
        rooms = {session.room_id: session.room for session in day_sessions if session.room_id}
        slots = [
            ScheduleSlot(starts_at=congress.local(starts_at), sessions=list(slot_sessions))
            for starts_at, slot_sessions in groupby(day_sessions, key=lambda session: session.starts_at)
        ]
        days.append(
            ScheduleDay(
                day=day,
                sessions=day_sessions,
                rooms=sorted(rooms.values(), key=lambda room: (room.position, room.name)),
                slots=slots,
            )
        )
    return days


def highlighted_sessions(congress: Congress, limit: int = 6) -> list[Session]:
    return list(public_sessions(congress).published().filter(is_highlighted=True).for_listing().chronological()[:limit])


def session_for_page(congress: Congress, slug: str) -> Session | None:
    return public_sessions(congress).filter(slug=slug).for_listing().first()


def room_neighbours(session: Session) -> tuple[Session | None, Session | None]:
    """The public sessions just before and just after `session` in the same room (two small queries)."""
    if not session.room_id:
        return None, None
    same_room = public_sessions(session.congress).filter(room_id=session.room_id).exclude(pk=session.pk)
    previous = (
        same_room.filter(Q(starts_at__lt=session.starts_at) | Q(starts_at=session.starts_at, pk__lt=session.pk))
        .order_by("-starts_at", "-pk")
        .only("slug", "title", "starts_at", "ends_at", "status")
        .first()
    )
    following = (
        same_room.filter(Q(starts_at__gt=session.starts_at) | Q(starts_at=session.starts_at, pk__gt=session.pk))
        .order_by("starts_at", "pk")
        .only("slug", "title", "starts_at", "ends_at", "status")
        .first()
    )
    return previous, following


def participations(congress: Congress) -> list[Participation]:
    return list(
        Participation.objects.filter(congress=congress)
        .select_related("organisation")
        .order_by("position", "organisation__name")
    )


@dataclass
class PartnerGroup:
    label: str
    role: str
    tier: str
    participations: list[Participation]


def partner_groups(congress: Congress) -> list[PartnerGroup]:
    """Organisers, co-organisers, then partners tier by tier (premium first). Each organisation gets
    `public_speakers` and `public_sessions` in this congress: two queries whatever the number of partners."""
    SessionSpeaker = Session._meta.get_field("speaker_links").related_model  # speakers depends on congress
    rows = participations(congress)
    links = (
        SessionSpeaker.objects.filter(
            session__in=public_sessions(congress),
            speaker__organisation_id__in=[row.organisation_id for row in rows],
        )
        .select_related("speaker", "session")
        .order_by("session__starts_at", "session__title", "speaker__sort_name")
    )
    speakers_by_org: dict[int, dict] = {}
    sessions_by_org: dict[int, dict] = {}
    for link in links:
        organisation_id = link.speaker.organisation_id
        speakers_by_org.setdefault(organisation_id, {})[link.speaker.pk] = link.speaker
        sessions_by_org.setdefault(organisation_id, {})[link.session.pk] = link.session
    for row in rows:
        speakers = speakers_by_org.get(row.organisation_id, {}).values()
        row.organisation.public_speakers = sorted(speakers, key=lambda speaker: (speaker.sort_name, speaker.name))
        row.organisation.public_sessions = list(sessions_by_org.get(row.organisation_id, {}).values())
    groups = []
    for role in (Participation.Role.ORGANISER, Participation.Role.CO_ORGANISER):
        members = [row for row in rows if row.role == role]
        if members:
            label = group_label(role, "", len(members))
            groups.append(PartnerGroup(label=label, role=role, tier="", participations=members))
    for tier in Participation.TIER_ORDER:
        members = [row for row in rows if row.role == Participation.Role.PARTNER and row.tier == tier]
        if members:
            label = group_label(Participation.Role.PARTNER, tier, len(members))
            groups.append(PartnerGroup(label=label, role=Participation.Role.PARTNER, tier=tier, participations=members))
    return groups


def group_label(role: str, tier: str, count: int) -> str:
    """A heading for `count` organisations of one role or tier ("Premium partner" / "Premium partners")."""
    labels = {
        "organiser": lambda n: npgettext("heading", "Organiser", "Organisers", n),
        "co-organiser": lambda n: npgettext("heading", "Co-organiser", "Co-organisers", n),
        "premium": lambda n: npgettext("heading", "Premium partner", "Premium partners", n),
        "gold": lambda n: npgettext("heading", "Gold partner", "Gold partners", n),
        "silver": lambda n: npgettext("heading", "Silver partner", "Silver partners", n),
        "bronze": lambda n: npgettext("heading", "Bronze partner", "Bronze partners", n),
        "exhibitor": lambda n: npgettext("heading", "Exhibitor", "Exhibitors", n),
        "supporter": lambda n: npgettext("heading", "Supporter", "Supporters", n),
    }
    return labels[tier or role](count)


def venue_rooms(congress: Congress) -> list[Room]:
    return list(
        Room.objects.filter(venue_id=congress.venue_id)
        .annotate(
            session_count=Count(
                "sessions",
                filter=Q(sessions__congress=congress, sessions__status=Session.Status.PUBLISHED),
            )
        )
        .order_by("position", "name")
    )


def sitemap_sessions(congress: Congress):
    return public_sessions(congress).only("slug", "modified_at").order_by("starts_at", "pk")
