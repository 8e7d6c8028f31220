"""Rendered pieces of one session (its programme row, its VEVENT, its frab event), kept in Django's cache.

A page or feed is rendered again after every edit (its key holds the programme version), but most of what it
shows has not changed: each session's piece is kept under a key made of the session's identity and a stamp of
everything the piece shows (the session's own columns, its room, track and speakers with their
organisations), plus the release, language and whatever else the piece depends on (layout,
site address). Editing one session or one speaker changes the stamp of the sessions that show it, and only
their pieces are rendered again; the others come back in one `get_many`.

The stamp is computed from the rows the page loads anyway: it costs no query.
"""

import contextlib
import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.utils.translation import get_language

from congress.caching import release
from congress.models import Session

# A piece outlives programme versions (that is its point); a day bounds what a removed session leaves behind.
PIECE_TIMEOUT = 24 * 60 * 60


def _fields(instance) -> list[str]:
    """The loaded values of a row's own columns (never a deferred one: no query)."""
    loaded = instance.__dict__
    return [str(loaded[field.attname]) for field in instance._meta.concrete_fields if field.attname in loaded]


def session_stamp(session: Session) -> str:
    """A digest of what any piece of `session` shows: its loaded columns, its room, its track, its speakers
    with their organisations (from a `.for_listing()` session: no query). From the values themselves rather
    than `modified_at`, so that a bulk `update()` (which leaves `modified_at` alone) is seen too."""
    parts = _fields(session)
    if session.room_id:
        parts += ["room", *_fields(session.room)]
    if session.track_id:
        parts += ["track", *_fields(session.track)]
    for link in session.speaker_links_in_order:
        parts += ["speaker", *_fields(link), *_fields(link.speaker)]
        if link.speaker.organisation_id:
            parts += _fields(link.speaker.organisation)
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def piece_key(kind: str, session: Session, *variant: object) -> str:
    variant_text = "|".join(str(part) for part in variant).replace(" ", "_")  # keys without spaces
    return f"piece:{kind}:{release()}:{get_language() or ''}:{variant_text}:{session.pk}:{session_stamp(session)}"


def cached_pieces(
    kind: str,
    sessions: Iterable[Session],
    render: Callable[[Session], str],
    *,
    variant: Callable[[Session], tuple] = lambda session: (),
) -> list[str]:
    """The piece `kind` of each session, in order: one `get_many`, `render(session)` for the missing ones,
    one `set_many`. A failing cache is a slow cache (everything rendered)."""
    sessions = list(sessions)
    keys = [piece_key(kind, session, *variant(session)) for session in sessions]
    found: dict = {}
    with contextlib.suppress(Exception):  # the cache backend logs its failures
        found = cache.get_many(keys)
    rendered = {}
    pieces = []
    for key, session in zip(keys, sessions, strict=True):
        piece = found.get(key)
        if piece is None:
            piece = rendered[key] = render(session)
        pieces.append(piece)
    if rendered:
        with contextlib.suppress(Exception):
            cache.set_many(rendered, PIECE_TIMEOUT)
    return pieces
