"""The visitor's own agenda (stars, /agenda/, its calendar feed, the link to another device) and "now & next".

An agenda belongs to a browser, not to an account: it is created on the first star and found again through a
random token held in an HttpOnly cookie. Only the SHA-256 digest of the token is stored, so every app process
can serve it and a database dump does not reveal live feed addresses. The token also is the address of the
personal feed and of the "use on another device" link; a reset retires it (the old feed then answers 410).

Public pages are cached and shared (congress.http): they carry both states of every star button and the
visitor's own state is chosen per request from `visitor_stars`. The pages here are personal: never cached,
`Cache-Control: private, no-store`, no Referer (the token is in some of their addresses).
"""

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.html import escape, format_html
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from congress import http, ical, queries, ratelimit
from congress.feeds import FEED_LANGUAGE, CalendarResponse
from congress.models import (
    Agenda,
    Congress,
    ProgrammeVersion,
    RetiredAgendaToken,
    Room,
    Session,
    Star,
)
from congress.rows import slug_url_parts

COOKIE_NAME = "agenda"
# Browsers keep a cookie 400 days at most (RFC 6265bis); each star renews it.
COOKIE_MAX_AGE = 400 * 24 * 60 * 60
PUBLIC_STATUSES = (Session.Status.PUBLISHED, Session.Status.CANCELLED)
# The personal feed may be kept by the subscriber's own client only, and is revalidated on every poll.
AGENDA_FEED_CACHE_CONTROL = "private, no-cache"
# "Starting in N minutes" up to this many minutes ahead; beyond, the start time is shown.
SOON_MINUTES = 60
# Seconds between two refreshes of /now/ (htmx polling; the shared cache renders it again as often).
NOW_REFRESH_SECONDS = 60


# Tokens and the cookie ----------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _cookie_token(request: HttpRequest) -> str | None:
    return request.COOKIES.get(COOKIE_NAME) or None


def _set_cookie(response: HttpResponse, request: HttpRequest, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )


def _delete_cookie(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, samesite="Lax")


def _visitor_agenda(request: HttpRequest) -> Agenda | None:
    """The agenda this browser holds (one query when it has the cookie, none otherwise)."""
    if not hasattr(request, "_visitor_agenda"):
        token = _cookie_token(request)
        request._visitor_agenda = (
            Agenda.objects.filter(token_digest=token_digest(token)).first() if token is not None else None
        )
    return request._visitor_agenda


def visitor_stars(request: HttpRequest) -> tuple[set[int], int]:
    """Ids of the visitor's starred sessions shown on the site (current edition, not drafts), and how many.

    No query without the agenda cookie, one otherwise: every public page calls this (congress.http).
    """
    if not hasattr(request, "_agenda_stars"):
        token = _cookie_token(request)
        starred: set[int] = set()
        if token is not None:
            starred = set(
                Star.objects.filter(
                    agenda__token_digest=token_digest(token),
                    session__congress__is_current=True,
                    session__status__in=PUBLIC_STATUSES,
                ).values_list("session_id", flat=True)
            )
        request._agenda_stars = (starred, len(starred))
    return request._agenda_stars


def _personal(response: HttpResponse) -> HttpResponse:
    """Headers of every answer that belongs to one visitor."""
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ("Cookie",))
    # Some of these addresses hold the token: it must not leave in a Referer header, nor be indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _render(
    request: HttpRequest, template_name: str, context: dict, *, congress: Congress | None, status: int = 200
) -> HttpResponse:
    """A personal page: the site's layout (congress.views.render_page), then the per-visitor markers filled."""
    from congress.views import render_page  # views imports this module for the home page's now block

    response = render_page(request, template_name, context, congress=congress, status=status)
    starred, count = visitor_stars(request)
    response.content = http.personalise(response.content.decode(), request, starred, count).encode()
    return _personal(response)


# The star button ----------------------------------------------------------------------------------------------


# Built here rather than from a template: a schedule page holds one per session, two states each, and a
# template render per state would cost more than the rest of the page.
STAR_FORM = (
    '<form id="star-{pk}" class="star{on_class}" method="post" action="{url}" hx-post="{url}" hx-target="this"'
    ' hx-swap="outerHTML">{csrf}<input type="hidden" name="next" value="{next_url}">'
    '<input type="hidden" name="starred" value="{wanted}">'
    '<button type="submit" id="star-{pk}-button" class="star__button" aria-pressed="{pressed}">'
    '<span class="star__icon" aria-hidden="true">{icon}</span> <span class="star__label">{label}</span>'
    '<span class="star__title">: {title}</span></button>{message}</form>'
)


@lru_cache(maxsize=32)
def _star_page_parts(language: str | None, script_prefix: str, next_url: str) -> tuple[str, str, dict[str, str]]:
    """What all the star forms of a page share, escaped: worked out once rather than for each session."""
    url_before, url_after = slug_url_parts("congress:session-star")
    page = {"csrf": http.csrf_field(), "next_url": escape(next_url), "label": escape(_("My agenda"))}
    return escape(url_before), escape(url_after), page


def star_block(session: Session, next_url: str, *, message: str = "") -> SafeString:
    """Both states of the star button of `session` (congress.http keeps the visitor's one): a toggle button
    (aria-pressed) named "My agenda: <title>"; without JS a plain form that comes back to `next_url`.

    A cancelled session can be removed from an agenda, not added: its unstarred state is empty.
    """
    url_before, url_after, page = _star_page_parts(get_language(), get_script_prefix(), next_url)
    shared = {  # escaped once for both states
        **page,
        "pk": session.pk,
        "url": f"{url_before}{escape(session.slug)}{url_after}",
        "title": escape(session.title),
        "message": format_html('<p class="star__message" role="alert">{}</p>', message) if message else "",
    }
    on = STAR_FORM.format(**shared, on_class=" star--on", wanted="0", pressed="true", icon="★")
    off = "" if session.is_cancelled else STAR_FORM.format(**shared, on_class="", wanted="1", pressed="false", icon="☆")
    return http.star_block(session.pk, off, on)


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.history_restore_request


@require_POST
@ratelimit.limited("stars")
def star(request: HttpRequest, slug: str) -> HttpResponse:
    """Add the session to the visitor's agenda or remove it (`starred` = 1 or 0; toggles when absent)."""
    session = get_object_or_404(
        Session.objects.filter(congress__is_current=True, status__in=PUBLIC_STATUSES).select_related("congress"),
        slug=slug,
    )
    owned = _visitor_agenda(request)
    starred, total = False, 0
    if owned is not None:
        counts = owned.stars.aggregate(total=Count("pk"), this=Count("pk", filter=Q(session=session)))
        starred, total = bool(counts["this"]), counts["total"]
    wanted = {"1": True, "0": False}.get(request.POST.get("starred", ""), not starred)
    if session.is_cancelled:
        wanted = False  # kept visible so that it can be removed, never added

    new_token_value = None
    full = wanted and not starred and total >= Agenda.MAX_STARS
    if wanted != starred and not full:
        if owned is None:
            ratelimit.hit(request, "agendas")  # 429 past the limit of new agendas per address
            new_token_value = new_token()
        digest = token_digest(new_token_value) if new_token_value else ""
        owned, full = Agenda.objects.set_star(owned, session, wanted, new_digest=digest)
    if wanted != starred and not full:
        starred = wanted
        # The visitor's stars have changed: count them again for the agenda link of the page.
        for name in ("_agenda_stars", "_visitor_agenda"):
            request.__dict__.pop(name, None)
        if new_token_value is not None:
            request.COOKIES[COOKIE_NAME] = new_token_value

    message = ""
    if full:
        message = _(
            "Your agenda already holds %(count)d sessions, the most it can. Remove one before adding another."
        ) % {"count": Agenda.MAX_STARS}

    next_url = _safe_next(request, session.get_absolute_url())
    if _wants_fragment(request):
        ids, count = visitor_stars(request)
        body = http.personalise(str(star_block(session, next_url, message=message)), request, ids, count)
        # The agenda count in the navigation (header.html) follows, out of band.
        body += format_html('<span id="agenda-count" class="count" hx-swap-oob="innerHTML">{}</span>', count or "")
        response = HttpResponse(body)
        trigger_client_event(response, "agenda-changed", {"count": count, "session": session.pk, "starred": starred})
    elif full:
        messages.warning(request, message)
        response = HttpResponseRedirect(reverse("congress:agenda"))
    else:
        if "#" not in next_url:
            next_url += f"#star-{session.pk}"  # back to the same place on the page
        response = HttpResponseRedirect(next_url)
    if new_token_value is not None:
        _set_cookie(response, request, new_token_value)
    elif owned is not None and starred:
        _set_cookie(response, request, _cookie_token(request))  # renews the 400 days
    return _personal(response)


# The agenda page ----------------------------------------------------------------------------------------------


@dataclass
class AgendaEntry:
    session: Session
    changed: bool  # moved, renamed or cancelled since the owner last opened /agenda/
    overlaps: list[Session]


@dataclass
class AgendaDay:
    day: dt.date
    entries: list[AgendaEntry]


def agenda_stars(agenda: Agenda) -> list[Star]:
    """The agenda's stars on sessions the site shows, with everything a row touches (constant queries)."""
    from speakers.models import SessionSpeaker

    return list(
        Star.objects.filter(agenda=agenda, session__congress__is_current=True, session__status__in=PUBLIC_STATUSES)
        .select_related("session__congress", "session__room", "session__track")
        .prefetch_related(
            Prefetch(
                "session__speaker_links",
                queryset=SessionSpeaker.objects.select_related("speaker__organisation").order_by("position", "pk"),
            )
        )
        .order_by("session__starts_at", "session__room__position", "session__title")
    )


def agenda_entries(stars: list[Star]) -> list[AgendaEntry]:
    """One entry per star, in time order, with the other starred sessions each one overlaps."""
    entries = [AgendaEntry(star.session, star.session.revision > star.seen_revision, []) for star in stars]
    live = [entry for entry in entries if not entry.session.is_cancelled]
    for index, entry in enumerate(live):  # sorted by start: only the following ones that start before it ends
        for other in live[index + 1 :]:
            if other.session.starts_at >= entry.session.ends_at:
                break
            entry.overlaps.append(other.session)
            other.overlaps.append(entry.session)
    return entries


def _mark_seen(stars: list[Star]) -> None:
    changed = [star.pk for star in stars if star.session.revision > star.seen_revision]
    if changed:
        revision = Session.objects.filter(pk=OuterRef("session_id")).values("revision")[:1]
        Star.objects.filter(pk__in=changed).update(seen_revision=Subquery(revision))


@require_safe
def agenda(request: HttpRequest) -> HttpResponse:
    """/agenda/: the visitor's starred sessions by day, what changed since the last visit, the private links."""
    congress = queries.current_congress()
    owned = _visitor_agenda(request)
    token = _cookie_token(request)
    context: dict = {"days": [], "changed": [], "token": None}
    reset_elsewhere = False
    if owned is not None:
        stars = agenda_stars(owned)
        # Seeds the per-request stars: the page's own buttons and count cost no further query.
        ids = {star.session_id for star in stars}
        request._agenda_stars = (ids, len(ids))
        entries = agenda_entries(stars)
        feed_url = request.build_absolute_uri(reverse("feeds:agenda-calendar", args=[token]))
        context |= {
            "token": token,
            "changed": [entry for entry in entries if entry.changed],
            "days": [
                AgendaDay(day, list(day_entries))
                for day, day_entries in groupby(entries, key=lambda entry: entry.session.local_day)
            ],
            "overlap_count": sum(1 for entry in entries if entry.overlaps),
            # This page is never shared: its addresses follow the host it was asked on, like the feeds.
            "feed_url": feed_url,
            "webcal_url": urlunsplit(("webcal", *urlsplit(feed_url)[1:])),
            "device_url": request.build_absolute_uri(reverse("congress:agenda-attach", args=[token])),
            "star_count": len(entries),
            "max_stars": Agenda.MAX_STARS,
        }
        # HEAD looks without marking anything as seen; so does the service worker keeping a copy (sw.js).
        if request.method == "GET" and "X-Offline-Copy" not in request.headers:
            _mark_seen(stars)
            Agenda.objects.filter(pk=owned.pk).update(last_visited_at=timezone.now())
    elif token is not None:
        reset_elsewhere = RetiredAgendaToken.objects.filter(token_digest=token_digest(token)).exists()
    context["reset_elsewhere"] = reset_elsewhere
    response = _render(request, "congress/agenda.html", context, congress=congress)
    if token is not None and owned is None:
        _delete_cookie(response)  # a reset or removed agenda: this browser starts afresh on its next star
    return response


@require_POST
@ratelimit.limited("resets")
def reset(request: HttpRequest) -> HttpResponse:
    """New private token: the old feed answers 410 Gone, the old "other device" link stops working."""
    owned = _visitor_agenda(request)
    response = HttpResponseClientRedirect(reverse("congress:agenda")) if _wants_fragment(request) else None
    response = response or HttpResponseRedirect(reverse("congress:agenda"))
    if owned is not None:
        token = new_token()
        with transaction.atomic():
            RetiredAgendaToken.objects.create(token_digest=owned.token_digest)
            Agenda.objects.filter(pk=owned.pk).update(token_digest=token_digest(token), changed_at=timezone.now())
        _set_cookie(response, request, token)
        messages.success(
            request,
            _(
                "Your agenda has new private links. Calendars subscribed to the old one stop receiving it; "
                "add the new one. Other devices must be attached again."
            ),
        )
    return _personal(response)


def _agenda_for_token(token: str) -> Agenda | None:
    # Every token, well-formed or not, is hashed and looked up the same way: no early answer on its shape.
    return Agenda.objects.filter(token_digest=token_digest(token)).first()


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit.limited("attaches", methods=("GET", "HEAD", "POST"))
def attach(request: HttpRequest, token: str) -> HttpResponse:
    """/agenda/attach/<token>/: a page whose button makes this browser use that agenda too (POST, CSRF)."""
    shared = _agenda_for_token(token)
    if shared is None:
        raise Http404(_("This link to an agenda does not work (it may have been reset)."))
    if request.method == "POST":
        response = HttpResponseRedirect(reverse("congress:agenda"))
        _set_cookie(response, request, token)
        messages.success(request, _("This browser now shows the same agenda as your other device."))
        return _personal(response)
    current = _visitor_agenda(request)
    context = {
        "token": token,
        "already_here": current is not None and current.pk == shared.pk,
        "replaces": current is not None and current.pk != shared.pk,
        "current_count": visitor_stars(request)[1] if current is not None else 0,
    }
    return _render(request, "congress/agenda_attach.html", context, congress=queries.current_congress())


# The personal feed --------------------------------------------------------------------------------------------


def _plain(status: int, message: str) -> HttpResponse:
    return _personal(HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8"))


@require_safe
def agenda_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """/agenda/<token>.ics: the starred sessions as a calendar subscription that follows every change."""
    digest = token_digest(token)
    owned = Agenda.objects.filter(token_digest=digest).first()
    if owned is None:
        if RetiredAgendaToken.objects.filter(token_digest=digest).exists():
            # Gone, not empty: calendar apps then drop the subscription instead of showing an empty calendar.
            return _plain(410, _("This personal calendar was replaced by a new address."))
        raise Http404(_("No personal calendar has this address."))

    version = ProgrammeVersion.current()
    state = f"{version.number}.{version.changed_at.timestamp():.0f}|{owned.pk}|{owned.changed_at.timestamp():.6f}"
    etag = f'"{hashlib.sha256(state.encode()).hexdigest()[:32]}"'
    changed_at = max(version.changed_at, owned.changed_at)
    # As for the public feeds (congress.http): an instant this recent might still see a change in its second.
    settled = (timezone.now() - changed_at).total_seconds() >= http.LAST_MODIFIED_SETTLE_SECONDS
    last_modified = int(changed_at.timestamp()) if settled else None

    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        congress = queries.current_congress()
        if congress is None:
            return _plain(404, _("No congress is published yet."))
        sessions = [star.session for star in agenda_stars(owned)]
        site_url = request.build_absolute_uri("/").rstrip("/")
        with translation.override(FEED_LANGUAGE):
            content = ical.calendar_bytes(
                sessions,
                congress=congress,
                site_url=site_url,
                name=_("My agenda — %(congress)s") % {"congress": congress.name},
                feed_id="agenda",
                source_url=site_url + reverse("feeds:agenda-calendar", args=[token]),
                language=FEED_LANGUAGE,
            )
        response = CalendarResponse(content, f"{congress.acronym}-agenda.ics", cache_control=AGENDA_FEED_CACHE_CONTROL)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = AGENDA_FEED_CACHE_CONTROL
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Now & next ---------------------------------------------------------------------------------------------------


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


def now_context(congress: Congress | None) -> dict:
    """Context of templates/congress/includes/now_block.html on the home page: empty outside the congress.

    The home page shows it from the morning of the first day to the last session; it is as fresh as the
    home page itself (render that page again every minute: programme_response(refresh_every=60)).
    """
    if congress is None:
        return {}
    board = now_and_next(congress)
    if board.state != NowAndNext.DURING:
        return {}
    return {"board": board, "congress": congress, "on_home": True}


@http.programme_response(refresh_every=NOW_REFRESH_SECONDS)
@require_safe
def now(request: HttpRequest) -> HttpResponse:
    """/now/ (every room) and /now/?room=<slug> (the signage screen at a room's door); htmx polls #now-board."""
    from congress.views import no_congress, render_page

    congress = queries.current_congress()
    if congress is None:
        return no_congress(request)
    room = None
    room_slug = request.GET.get("room", "").strip()
    if room_slug:  # "?room=" alone, as an emptied form leaves it, is every room
        room = Room.objects.filter(venue_id=congress.venue_id, slug=room_slug).first()
        if room is None:
            raise Http404(_("There is no room with this address."))
    board = now_and_next(congress, room=room)
    template_name = "congress/now.html"
    if _wants_fragment(request):
        template_name += "#now-board"
    context = {"board": board, "room": room, "refresh_seconds": NOW_REFRESH_SECONDS}
    response = render_page(request, template_name, context, congress=congress)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response
