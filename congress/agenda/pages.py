"""/agenda/ (the starred sessions by day, what changed, the private links), its reset, and the page that
attaches another browser to an agenda. Personal pages: `Cache-Control: private, no-store`, no Referer."""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from congress import queries, ratelimit
from congress.agenda.visitor import (
    agenda_for_token,
    delete_cookie,
    new_token,
    personal,
    same_origin,
    set_cookie,
    shown_sessions,
    token_digest,
)
from congress.feeds import FEED_LANGUAGE
from congress.models import Agenda, Congress, RetiredAgendaToken, Session, Star
from congress.rendering import render_page, wants_fragment


@dataclass
class AgendaEntry:
    session: Session
    changed: bool  # moved, renamed or cancelled since the owner last opened /agenda/
    overlaps: list[Session]


@dataclass
class AgendaDay:
    day: dt.date
    entries: list[AgendaEntry]
    edition: Congress  # an agenda keeps the stars of every edition, shown edition by edition


def agenda_stars(agenda: Agenda) -> list[Star]:
    """The agenda's stars on sessions the site shows, with everything a row touches (constant queries)."""
    speaker_links = Session._meta.get_field("speaker_links").related_model  # speakers.SessionSpeaker
    return list(
        Star.objects.filter(agenda=agenda, session__in=shown_sessions())
        .select_related("session__congress", "session__room", "session__track")
        .prefetch_related(
            Prefetch(
                "session__speaker_links",
                queryset=speaker_links.objects.select_related("speaker__organisation").order_by("position", "pk"),
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


def _render(request: HttpRequest, template_name: str, context: dict, *, agenda_count: int) -> HttpResponse:
    context = {"agenda_count": agenda_count or "", **context}
    return personal(render_page(request, template_name, context, congress=queries.current_congress()))


@require_safe
def agenda(request: HttpRequest) -> HttpResponse:
    """/agenda/: the visitor's starred sessions by day, what changed since the last visit, the private links."""
    visitor = request.visitor
    owned, token = visitor.agenda, visitor.token
    context: dict = {"days": [], "changed": [], "token": None}
    reset_elsewhere = False
    entries = []
    if owned is not None:
        stars = agenda_stars(owned)
        entries = agenda_entries(stars)
        with translation.override(FEED_LANGUAGE):  # the personal feed is French only: its unprefixed address
            feed_url = request.build_absolute_uri(reverse("feeds:agenda-calendar", args=[token]))
        context |= {
            "token": token,
            "changed": [entry for entry in entries if entry.changed],
            "days": [
                AgendaDay(day, list(day_entries), edition)
                for (edition, day), day_entries in groupby(
                    entries, key=lambda entry: (entry.session.congress, entry.session.local_day)
                )
            ],
            "edition_count": len({entry.session.congress_id for entry in entries}),
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
    response = _render(request, "congress/agenda.html", context, agenda_count=len(entries))
    if token is not None and owned is None:
        delete_cookie(response)  # a reset or removed agenda: this browser starts afresh on its next star
    return response


@same_origin
@require_POST
@ratelimit.limited("resets")
def reset(request: HttpRequest) -> HttpResponse:
    """New private token: the old feed answers 410 Gone, the old "other device" link stops working."""
    owned = request.visitor.agenda
    url = reverse("congress:agenda")
    response = HttpResponseClientRedirect(url) if wants_fragment(request) else HttpResponseRedirect(url)
    if owned is not None:
        token = new_token()
        with transaction.atomic():
            RetiredAgendaToken.objects.create(token_digest=owned.token_digest)
            Agenda.objects.filter(pk=owned.pk).update(token_digest=token_digest(token), changed_at=timezone.now())
        set_cookie(response, request, token)
        messages.success(
            request,
            _(
                "Your agenda has new private links. Calendars subscribed to the old one stop receiving it; "
                "add the new one. Other devices must be attached again."
            ),
        )
    return personal(response)


@same_origin
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit.limited("attaches", methods=("GET", "HEAD", "POST"))
def attach(request: HttpRequest, token: str) -> HttpResponse:
    """/agenda/attach/<token>/: a page whose button makes this browser use that agenda too."""
    shared = agenda_for_token(token)
    if shared is None:
        raise Http404(_("This link to an agenda does not work (it may have been reset)."))
    if request.method == "POST":
        response = HttpResponseRedirect(reverse("congress:agenda"))
        set_cookie(response, request, token)
        messages.success(request, _("This browser now shows the same agenda as your other device."))
        return personal(response)
    current = request.visitor.agenda
    count = len(request.visitor.starred_ids) if current is not None else 0
    context = {
        "token": token,
        "already_here": current is not None and current.pk == shared.pk,
        "replaces": current is not None and current.pk != shared.pk,
        "current_count": count,
    }
    return _render(request, "congress/agenda_attach.html", context, agenda_count=count)
