"""Now & next: per room, the session running and the one that follows, for /now/, the signage screen at a
room's door (/now/?room=<slug>) and the home page during the congress."""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from congress.caching import public_page
from congress.models import Congress, Room, Session
from congress.rendering import HtmxHttpRequest, bad_request_page, render_page, wants_fragment, with_edition

# "Starting in N minutes" up to this many minutes ahead; beyond, the start time is shown.
SOON_MINUTES = 60
# Seconds between two refreshes of /now/ (htmx polling; the cache renders it again as often).
REFRESH_SECONDS = 60


def _minutes(delta: dt.timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds() / 60))


@dataclass
class RoomNow:
    room: Room | None  # None: sessions held in no particular room (breaks, networking)
    current: Session | None
    next: Session | None
    moment: dt.datetime

    @property
    def minutes_left(self) -> int | None:
        return _minutes(self.current.ends_at - self.moment) if self.current else None

    @property
    def starts_in(self) -> int | None:
        return _minutes(self.next.starts_at - self.moment) if self.next else None

    @property
    def next_is_soon(self) -> bool:
        return self.next is not None and self.starts_in <= SOON_MINUTES

    @property
    def next_is_today(self) -> bool:
        return self.next is not None and self.next.local_day == self.next.congress.local(self.moment).date()


@dataclass
class NowAndNext:
    BEFORE, DURING, AFTER = "before", "during", "after"

    congress: Congress
    moment: dt.datetime  # in the congress zone
    state: str
    rooms: list[RoomNow]
    first_sessions: list[Session]
    room: Room | None = None  # the signage view of one room
    opens_at: dt.datetime | None = None  # first session, in the congress zone

    @property
    def countdown(self) -> str:
        """ "3 days and 4 hours", "2 hours and 5 minutes": the wait until the first session, in words."""
        minutes = _minutes((self.opens_at or self.congress.starts_at) - self.moment)
        days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
        words = {
            "days": ngettext("%(count)d day", "%(count)d days", days) % {"count": days},
            "hours": ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours},
            "minutes": ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes},
        }
        if days:
            return _("%(days)s and %(hours)s") % words
        if hours:
            return _("%(hours)s and %(minutes)s") % words
        return words["minutes"]


def _room_key(room: Room | None) -> tuple:
    return (1, 0, "") if room is None else (0, room.position, room.name)


def now_and_next(congress: Congress, *, room: Room | None = None) -> NowAndNext:
    """Per room, the session running now and the following one, at `timezone.now()` (two queries)."""
    moment = congress.local(timezone.now()).replace(microsecond=0)
    # The first two published sessions of each room that have not ended: the running one (if any) and the next.
    upcoming = (
        congress.sessions.published()
        .filter(ends_at__gt=moment)
        .annotate(place=Window(RowNumber(), partition_by=[F("room_id")], order_by=[F("starts_at"), F("pk")]))
        .filter(place__lte=2)
        .for_listing()
        .order_by("starts_at", "pk")
    )
    # Every room even for one room's screen: whether the congress is over is a question about all of them.
    sessions = list(upcoming)
    by_room: dict[int | None, list[Session]] = {}
    for session in sessions:
        by_room.setdefault(session.room_id, []).append(session)
    rows = []
    for room_sessions in by_room.values():
        first = room_sessions[0]
        if first.starts_at <= moment:
            rows.append(RoomNow(first.room, first, room_sessions[1] if len(room_sessions) > 1 else None, moment))
        else:
            rows.append(RoomNow(first.room, None, first, moment))
    rows.sort(key=lambda row: _room_key(row.room))

    opens_at = congress.local(sessions[0].starts_at) if sessions else None
    if moment < congress.starts_at:
        state = NowAndNext.BEFORE
    elif sessions:
        state = NowAndNext.DURING
    else:
        state = NowAndNext.AFTER
    if room is not None:
        rows = [row for row in rows if row.room == room] or [RoomNow(room, None, None, moment)]
    first_sessions = []
    if state == NowAndNext.BEFORE and sessions:
        # The opening sessions of the first day; on a room's screen, that room's first one whatever its day.
        first_day = sessions[0].local_day
        first_sessions = [row.next for row in rows if row.next and (room or row.next.local_day == first_day)]
        first_sessions.sort(key=lambda session: (session.starts_at, _room_key(session.room)))
    return NowAndNext(congress, moment, state, rows, first_sessions, room, opens_at)


def home_board(congress: Congress) -> NowAndNext | None:
    """The board of the home page (templates/congress/includes/now_block.html): only during the congress.

    It is as fresh as the home page itself, rendered again every REFRESH_SECONDS."""
    board = now_and_next(congress)
    return board if board.state == NowAndNext.DURING else None


@public_page(params=("room",), targets=("now-board",), refresh_every=REFRESH_SECONDS, bad_request=bad_request_page)
@require_safe
@with_edition
def now(request: HtmxHttpRequest, congress: Congress) -> HttpResponse:
    """/now/ (every room) and /now/?room=<slug> (the signage screen at a room's door); htmx polls #now-board."""
    room = None
    room_slug = request.GET.get("room", "").strip()
    if room_slug:  # "?room=" alone, as an emptied form leaves it, is every room
        room = Room.objects.filter(venue_id=congress.venue_id, slug=room_slug).first()
        if room is None:
            raise Http404(_("There is no room with this address."))
    board = now_and_next(congress, room=room)
    template_name = "congress/now.html"
    if wants_fragment(request):
        template_name += "#now-board"
    context = {"board": board, "room": room, "refresh_seconds": REFRESH_SECONDS}
    return render_page(request, template_name, context, congress=congress)
