"""Speakers of the current edition: the alphabetical list and each speaker's page."""

import unicodedata
from itertools import groupby

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from congress.caching import public_page
from congress.models import Congress
from congress.rendering import HtmxHttpRequest, bad_request_page, not_found, render_page, with_edition
from speakers import queries


def _sort_key(speaker) -> tuple[str, str]:
    """Élodie files under E, as in a printed index (the database would put accented capitals after Z)."""
    plain = unicodedata.normalize("NFKD", speaker.sort_name or speaker.name)
    return "".join(char for char in plain if not unicodedata.combining(char)).casefold(), speaker.name


def _initial(speaker) -> str:
    letter = _sort_key(speaker)[0][:1].upper()
    return letter if letter.isalpha() else "#"


@public_page(bad_request=bad_request_page)
@require_safe
@with_edition
def speaker_list(request: HtmxHttpRequest, congress: Congress) -> HttpResponse:
    speakers = sorted(queries.speakers_for_list(congress), key=_sort_key)
    letters = [(letter, list(group)) for letter, group in groupby(speakers, key=_initial)]
    context = {"speakers": speakers, "letters": letters}
    return render_page(request, "speakers/speaker_list.html", context, congress=congress)


@public_page(bad_request=bad_request_page)
@require_safe
@with_edition
def speaker_detail(request: HtmxHttpRequest, congress: Congress, slug: str) -> HttpResponse:
    speaker = queries.speaker_for_page(congress, slug)
    if speaker is None:
        return not_found(request, congress)
    for link in speaker.public_links:
        link.session.congress = congress  # local times without another query
    context = {"speaker": speaker, "links": speaker.public_links}
    return render_page(request, "speakers/speaker_detail.html", context, congress=congress)
