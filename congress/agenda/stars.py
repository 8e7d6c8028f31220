"""Starring a session, and the small private request that shows a page's stars as the visitor left them.

The star form is a template partial (`congress/schedule.html#star-form`): on public pages in its "add" state
for everyone; `state` tells the page's script (static/js/agenda.js) which ones to press and the agenda count.
Without JavaScript the form posts and comes back to where the visitor was; /agenda/ shows the state.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event

from congress import ratelimit
from congress.agenda.visitor import new_token, personal, same_origin, set_cookie, shown_sessions, token_digest
from congress.models import Agenda
from congress.rendering import request_edition, wants_fragment


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where a star sent without JavaScript comes back to: `next` when the form has one (/agenda/), else the page
    it was sent from (the Referer, sent to this same site under SECURE_REFERRER_POLICY), else `fallback`."""
    for candidate in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


@require_safe
def state(request: HttpRequest) -> HttpResponse:
    """/agenda/state/: the visitor's starred sessions and their count, for the page's script (never cached)."""
    starred = request.visitor.starred_ids
    return personal(JsonResponse({"starred": sorted(starred), "count": len(starred)}))


@same_origin
@require_POST
@ratelimit.limited("stars")
def star(request: HttpRequest, slug: str) -> HttpResponse:
    """Add the session to the visitor's agenda or remove it (`starred` = 1 or 0; toggles when absent)."""
    edition = request_edition(request)  # /2025/sessions/<slug>/star/, else the current edition's session
    sessions = shown_sessions().filter(**({"congress": edition} if edition else {"congress__is_current": True}))
    session = get_object_or_404(sessions.select_related("congress"), slug=slug)
    visitor = request.visitor
    owned = visitor.agenda
    starred, total = False, 0
    if owned is not None:
        counts = owned.stars.aggregate(total=Count("pk"), this=Count("pk", filter=Q(session=session)))
        starred, total = bool(counts["this"]), counts["total"]
    wanted = {"1": True, "0": False}.get(request.POST.get("starred", ""), not starred)
    if session.is_cancelled:
        wanted = False  # kept visible so that it can be removed, never added

    issued = None
    full = wanted and not starred and total >= Agenda.MAX_STARS
    if wanted != starred and not full:
        if owned is None:
            ratelimit.hit(request, "agendas")  # 429 past the limit of new agendas per address
            issued = new_token()
        digest = token_digest(issued) if issued else ""
        owned, full = Agenda.objects.set_star(owned, session, wanted, new_digest=digest)
    if wanted != starred and not full:
        starred = wanted
        visitor.forget(token=issued)

    message = ""
    if full:
        message = _(
            "Your agenda already holds %(count)d sessions, the most it can. Remove one before adding another."
        ) % {"count": Agenda.MAX_STARS}

    next_url = safe_next(request, session.get_absolute_url())
    if wants_fragment(request):
        count = len(visitor.starred_ids)
        context = {"session": session, "starred": starred, "next_url": next_url, "message": message, "count": count}
        # The new button, and the agenda count of the navigation out of band (header.html).
        response = render(request, "congress/schedule.html#star-answer", context)
        trigger_client_event(response, "agenda-changed", {"count": count, "session": session.pk, "starred": starred})
    elif full:
        messages.warning(request, message)
        response = HttpResponseRedirect(reverse("congress:agenda"))
    else:
        if "#" not in next_url:
            next_url += f"#star-{session.pk}"  # back to the same place on the page
        response = HttpResponseRedirect(next_url)
    if issued is not None:
        set_cookie(response, request, issued)
    elif owned is not None and starred:
        set_cookie(response, request, visitor.token)  # renews the 400 days
    return personal(response)
