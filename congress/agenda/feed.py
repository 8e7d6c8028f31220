"""/agenda/<token>.ics: the starred sessions as a calendar subscription that follows every change."""

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congress import ical, queries
from congress.agenda.pages import agenda_stars
from congress.agenda.visitor import personal, token_digest
from congress.caching import LAST_MODIFIED_SETTLE_SECONDS
from congress.feeds import FEED_LANGUAGE, CalendarResponse, plain
from congress.models import Agenda, ProgrammeVersion, RetiredAgendaToken

# The personal feed may be kept by the subscriber's own client only, and is revalidated on every poll.
AGENDA_FEED_CACHE_CONTROL = "private, no-cache"


def _personal_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = AGENDA_FEED_CACHE_CONTROL
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def agenda_calendar(request: HttpRequest, token: str) -> HttpResponse:
    digest = token_digest(token)
    owned = Agenda.objects.filter(token_digest=digest).first()
    if owned is None:
        if RetiredAgendaToken.objects.filter(token_digest=digest).exists():
            # Gone, not empty: calendar apps then drop the subscription instead of showing an empty calendar.
            return personal(plain(410, _("This personal calendar was replaced by a new address.")))
        raise Http404(_("No personal calendar has this address."))

    version = ProgrammeVersion.current()
    state = f"{version.number}.{version.changed_at.timestamp():.0f}|{owned.pk}|{owned.changed_at.timestamp():.6f}"
    etag = f'"{hashlib.sha256(state.encode()).hexdigest()[:32]}"'
    changed_at = max(version.changed_at, owned.changed_at)
    # As for the public feeds: an instant this recent might still see a change in its second.
    settled = (timezone.now() - changed_at).total_seconds() >= LAST_MODIFIED_SETTLE_SECONDS
    last_modified = int(changed_at.timestamp()) if settled else None

    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        congress = queries.current_congress()
        if congress is None:
            return personal(plain(404, _("No congress is published yet.")))
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
        response = CalendarResponse(content, f"{congress.acronym}-agenda.ics", FEED_LANGUAGE)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    return _personal_headers(response)
