"""Page-shaped reads of the speakers' pages (as congress.queries is for the programme's)."""

from django.db.models import Prefetch

from congress.models import Congress
from congress.queries import public_sessions
from speakers.models import SessionSpeaker, Speaker


def speakers_for_list(congress: Congress):
    return list(Speaker.objects.with_public_sessions(congress).select_related("organisation").alphabetical())


def speaker_for_page(congress: Congress, slug: str):
    """The speaker of `slug` if they speak at a public session of `congress`, with those sessions joined."""
    links = (
        SessionSpeaker.objects.filter(session__in=public_sessions(congress))
        .select_related("session__room", "session__track")
        .order_by("session__starts_at", "session__title")
    )
    return (
        Speaker.objects.with_public_sessions(congress)
        .filter(slug=slug)
        .select_related("organisation")
        .prefetch_related(Prefetch("session_links", queryset=links, to_attr="public_links"))
        .first()
    )
