"""The session row of the programme pages (schedule, home highlights, agenda), written in Python.

A schedule shows every session of the congress, and the same row in the template language cost about
0.3 ms each: most of the page's render. `SessionRows` works out once per page what every row shares (labels
in the active language, URL prefixes, the time zone); `render` writes one row, with the markup the template
had. Everything organisers typed is escaped, with html.escape: django.utils.html.escape calls it too, but
through a wrapper for lazy strings that costs four times the escaping, and a row escapes a dozen strings.
"""

import datetime as dt
from functools import lru_cache
from html import escape as _escape  # what django.utils.html.escape calls, without its lazy-string wrapper

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from congress.models import Session
from congress.templatetags.pages import content_lang, track_dot

SLUG_MARKER = "0slug0"


@lru_cache(maxsize=64)
def _slug_url_parts(view_name: str, language: str | None, script_prefix: str) -> tuple[str, str]:
    before, after = reverse(view_name, kwargs={"slug": SLUG_MARKER}).split(SLUG_MARKER)
    return before, after


def slug_url_parts(view_name: str) -> tuple[str, str]:
    """The address of `view_name` (a URL with a single <slug:slug>) before and after the slug, in the active
    language: reverse() once per language rather than once per row of a long page. Slugs need no quoting."""
    return _slug_url_parts(view_name, get_language(), get_script_prefix())


class SessionRows:
    """What the session rows of one page share; `render(session, …)` writes one of them.

    Build it while the page's language and time zone are active (render_page activates the congress's zone,
    in which the times are shown).
    """

    def __init__(self, *, default_next_url: str = ""):
        from congress.agenda import star_block  # the agenda module imports slug_url_parts from here
        from speakers.models import SessionSpeaker  # speakers imports congress, not the reverse

        self.star_block = star_block
        self.default_next_url = default_next_url
        self.zone = timezone.get_current_timezone()
        self.session_url = tuple(map(_escape, slug_url_parts("congress:session-detail")))
        self.speaker_url = tuple(map(_escape, slug_url_parts("speakers:speaker-detail")))
        self.content_lang = content_lang()  # lang="fr" on organisers' text when the page is in English
        self.kinds = {value: _escape(str(label)) for value, label in Session.Kind.choices}
        self.roles = {value: _escape(str(label).lower()) for value, label in SessionSpeaker.Role.choices}
        self.tbc_badge = format_html(' <span class="badge badge--tbc">{}</span>', _("Time to be confirmed"))
        self.cancelled_badge = format_html('<span class="badge badge--cancelled">{}</span> ', _("Cancelled"))
        self.speakers_label = _escape(_("Speakers"))
        self.dots: dict[str, str] = {}

    def _time(self, moment: dt.datetime) -> str:
        local = timezone.localtime(moment, self.zone)
        return f'<time datetime="{local.isoformat()}">{local.hour:02d}:{local.minute:02d}</time>'

    def _dot(self, colour: str) -> str:
        dot = self.dots.get(colour)
        if dot is None:
            dot = self.dots[colour] = _escape(track_dot(colour))
        return dot

    def render(
        self,
        session: Session,
        *,
        heading_level: int | str = 4,
        next_url: str = "",
        hide_star: bool = False,
        grid: bool = False,
    ) -> SafeString:
        pk = session.pk
        kind = session.kind
        classes = f"session session--{_escape(kind)}"
        if session.is_cancelled:
            classes += " is-cancelled"
        if session.is_highlighted:
            classes += " is-highlighted"
        if grid:  # placed by views._place_in_grid (whole numbers)
            column = session.grid_column or "all"
            classes += f" gc-{column} grs-{session.grid_row_start} gre-{session.grid_row_end}"
        badge = self.tbc_badge if session.time_to_be_confirmed else ""
        before, after = self.session_url
        title = f'<a href="{before}{_escape(session.slug)}{after}"{self.content_lang}>{_escape(session.title)}</a>'
        if session.is_cancelled:
            title = f"{self.cancelled_badge}<s>{title}</s>"
        level = _escape(str(heading_level))
        meta = f'<span class="session__kind">{self.kinds.get(kind) or _escape(kind)}</span>'
        room = session.room
        if room is not None:
            meta += f' <span class="session__room">{_escape(room.name)}</span>'
        track = session.track
        if track is not None:
            meta += (
                f' <span class="session__track"><img src="{self._dot(track.colour)}" alt="" width="10" height="10">'
                f" {_escape(track.name)}</span>"
            )
        parts = [
            f'<article id="session-{pk}" class="{classes}" aria-labelledby="session-{pk}-title">\n'
            f'<p class="session__time">{self._time(session.starts_at)}–{self._time(session.ends_at)}{badge}</p>\n'
            f'<h{level} id="session-{pk}-title" class="session__title">{title}</h{level}>\n'
            f'<p class="session__meta">{meta}</p>\n'
        ]
        links = session.speaker_links_in_order
        if links:
            before, after = self.speaker_url
            parts.append(f'<ul class="session__speakers" aria-label="{self.speakers_label}">\n')
            for link in links:
                speaker = link.speaker
                item = f'<li><a href="{before}{_escape(speaker.slug)}{after}">{_escape(speaker.name)}</a>'
                organisation = speaker.organisation
                if organisation is not None:
                    item += f' <span class="session__org">{_escape(organisation.name)}</span>'
                if link.role != "speaker":
                    role = self.roles.get(link.role) or _escape(link.role.lower())
                    item += f' <span class="session__role">({role})</span>'
                parts.append(item + "</li>\n")  # whitespace between items, as the template had
            parts.append("</ul>\n")
        if not hide_star:
            parts.append(self.star_block(session, next_url or self.default_next_url))
        parts.append("\n</article>")
        return mark_safe("".join(parts))
