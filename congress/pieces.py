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


# What the pieces show of a session's speakers, read as plain rows (`for_pieces`): the stamp needs no model
# instance, and links are built only for the sessions whose pieces must be rendered again.
LINK_COLUMNS = ("id", "session_id", "speaker_id", "role", "position")
SPEAKER_COLUMNS = ("speaker__name", "speaker__slug", "speaker__organisation_id", "speaker__organisation__name")


def _link_model():
    return Session._meta.get_field("speaker_links").related_model  # congress never imports speakers


def for_pieces(queryset) -> list[Session]:
    """The sessions of `queryset` with room and track joined and their speakers as rows: two queries whatever
    the number, and far fewer objects than `.for_listing()` when most pieces come from the cache."""
    sessions = list(queryset.select_related("room", "track"))
    by_pk = {}
    for session in sessions:
        session.speaker_rows = []
        by_pk[session.pk] = session
    if by_pk:
        rows = (
            _link_model()
            # The sessions' own query as a subquery: a list of ids costs more to build than the query takes.
            .objects.filter(session__in=queryset.values("pk"))
            .order_by("position", "pk")
            .values_list(*LINK_COLUMNS, *SPEAKER_COLUMNS)
        )
        for row in rows:
            by_pk[row[1]].speaker_rows.append(row)
    return sessions


def _build_links(session: Session) -> None:
    """`listed_speaker_links` from the rows `for_pieces` read (what `.for_listing()` would have prefetched);
    the speaker's other columns are left deferred, so that a piece reading one costs a query, not a wrong value."""
    if hasattr(session, "listed_speaker_links") or not hasattr(session, "speaker_rows"):
        return
    link_model = _link_model()
    speaker_model = link_model._meta.get_field("speaker").related_model
    organisation_model = speaker_model._meta.get_field("organisation").related_model
    links = []
    for row in session.speaker_rows:
        link = link_model.from_db(None, ["id", "session_id", "speaker_id", "role", "position"], row[:5])
        name, slug, organisation_id, organisation_name = row[5:]
        speaker = speaker_model.from_db(
            None, ["id", "name", "slug", "organisation_id"], [row[2], name, slug, organisation_id]
        )
        if organisation_id:
            speaker.organisation = organisation_model.from_db(
                None, ["id", "name"], [organisation_id, organisation_name]
            )
        link.speaker = speaker
        link.session = session
        links.append(link)
    session.listed_speaker_links = links


def _fields(instance) -> list[str]:
    """The loaded values of a row's own columns (never a deferred one: no query)."""
    loaded = instance.__dict__
    return [str(loaded[field.attname]) for field in instance._meta.concrete_fields if field.attname in loaded]


def session_stamp(session: Session, shared: dict | None = None) -> str:
    """A digest of what any piece of `session` shows: its loaded columns, its room, its track, its speakers
    with their organisations (no query). From the values themselves rather than `modified_at`, so that a bulk
    `update()` (which leaves `modified_at` alone) is seen too. `shared` keeps the rooms' and tracks' parts
    between the sessions of one page."""
    shared = {} if shared is None else shared
    parts = _fields(session)
    for name in ("room", "track"):
        related_id = getattr(session, f"{name}_id")
        if related_id:
            key = (name, related_id)
            if key not in shared:
                shared[key] = "\x1e".join(_fields(getattr(session, name)))
            parts += [name, shared[key]]
    if hasattr(session, "speaker_rows") and not hasattr(session, "listed_speaker_links"):
        parts += [str(row) for row in session.speaker_rows]
    else:
        for link in session.speaker_links_in_order:
            speaker = link.speaker
            organisation = speaker.organisation.name if speaker.organisation_id else ""
            row = (link.pk, link.session_id, speaker.pk, link.role, link.position, speaker.name, speaker.slug)
            parts.append(str((*row, speaker.organisation_id, organisation)))
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def _variant_text(variant: tuple) -> str:
    if not variant:
        return ""
    # A digest: variants carry organiser text (a venue's address), which no cache key should hold as such.
    return hashlib.blake2b("\x1f".join(str(part) for part in variant).encode(), digest_size=8).hexdigest()


def cached_pieces(
    kind: str,
    sessions: Iterable[Session],
    render: Callable[[Session], str],
    *,
    variant: Callable[[Session], tuple] = lambda session: (),
    keep: bool = True,
) -> list[str]:
    """The piece `kind` of each session, in order: one `get_many`, `render(session)` for the missing ones,
    one `set_many`. A failing cache is a slow cache (everything rendered). `keep=False` renders them all
    and touches no cache (a free-text search's page, which the page cache does not keep either)."""
    sessions = list(sessions)
    if not keep:
        for session in sessions:
            _build_links(session)
        return [render(session) for session in sessions]
    shared: dict = {}
    prefix = f"piece:{kind}:{release()}:{get_language() or ''}"
    keys = [
        f"{prefix}:{_variant_text(variant(session))}:{session.pk}:{session_stamp(session, shared)}"
        for session in sessions
    ]
    found: dict = {}
    with contextlib.suppress(Exception):  # the cache backend logs its failures
        found = cache.get_many(keys)
    rendered = {}
    pieces = []
    for key, session in zip(keys, sessions, strict=True):
        piece = found.get(key)
        if piece is None:
            _build_links(session)
            piece = rendered[key] = render(session)
        pieces.append(piece)
    if rendered:
        with contextlib.suppress(Exception):
            cache.set_many(rendered, PIECE_TIMEOUT)
    return pieces
