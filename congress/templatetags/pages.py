"""Tags and filters of the attendee pages: edition and date wording, time zones, JSON-LD, language links."""

import datetime as dt
import json
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, gettext, gettext_lazy

from congress.pieces import cached_pieces
from congress.slug_urls import slug_url as _slug_url

register = template.Library()

# Same escapes as Django's json_script: the data can never close the <script> element it sits in.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def edition_label(number: int) -> str:
    """ "9e édition" / "9th edition": ordinals differ by language, so each form is its own message."""
    number = int(number)
    if number == 1:
        return gettext("1st edition")
    if number % 10 == 2 and number % 100 != 12:
        return gettext("%(number)dnd edition") % {"number": number}
    if number % 10 == 3 and number % 100 != 13:
        return gettext("%(number)drd edition") % {"number": number}
    if number % 10 == 1 and number % 100 != 11:
        return gettext("%(number)dst edition") % {"number": number}
    return gettext("%(number)dth edition") % {"number": number}


@register.filter
def date_range(start: dt.date, end: dt.date) -> str:
    """ "19–20 mars 2025"; "31 mars – 1 avril 2025"; "30 déc. 2025 – 2 janv. 2026" spelled out in full."""
    if start == end:
        return formats.date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{formats.date_format(start, 'j')}–{formats.date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{formats.date_format(start, 'j F')} – {formats.date_format(end, 'j F Y')}"
    return f"{formats.date_format(start, 'j F Y')} – {formats.date_format(end, 'j F Y')}"


@register.filter(expects_localtime=True)
def utc_offset(moment: dt.datetime) -> str:
    """UTC+01:00: the offset in force at that moment (it changes across the spring and autumn DST days)."""
    offset = moment.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@register.filter(expects_localtime=True)
def iso(moment: dt.datetime | dt.date) -> str:
    """ISO 8601 with the offset, for <time datetime> (already in the congress zone)."""
    return moment.isoformat()


@register.filter
@lru_cache(maxsize=256)
def track_dot(colour: str) -> str:
    """A small disc of the track's colour as a data: image (CSP allows data: images; no style attribute)."""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'>"
        f"<circle cx='5' cy='5' r='5' fill='{colour}'/></svg>"
    )
    return "data:image/svg+xml," + quote(svg)


@register.simple_tag
def jsonld(data) -> str:
    """schema.org data block; a data block is not script for CSP, and it is escaped like json_script."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload.translate(_JSON_ESCAPES)))


class Clock(NamedTuple):
    start_iso: str
    start: str  # HH:MM
    end_iso: str
    end: str


@register.filter
def clock(session) -> Clock:
    """A session's start and end in the active zone, as a programme row shows them: one conversion each is
    cheaper than four filters, and a schedule has hundreds of rows."""
    zone = timezone.get_current_timezone()
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return Clock(start.isoformat(), f"{start:%H:%M}", end.isoformat(), f"{end:%H:%M}")


@register.filter
def grid_place(session, day) -> str:
    """The classes that place a row on a day laid out as a grid (views._place_in_grid), else ""."""
    if not getattr(day, "grid", False):
        return ""
    return f"gc-{session.grid_column or 'all'} grs-{session.grid_row_start} gre-{session.grid_row_end}"


@register.filter
def display(instance, field_name: str) -> str:
    """`{{ session|display:"kind" }}`: what get_kind_display() gives, with the labels worked out once per
    language (get_FOO_display rebuilds the field's choices on every call; a schedule has hundreds of rows)."""
    value = getattr(instance, field_name)
    return _choice_labels(type(instance), field_name, get_language()).get(value, value)


@lru_cache(maxsize=32)
def _choice_labels(model, field_name: str, language: str | None) -> dict[str, str]:
    return {value: str(text) for value, text in model._meta.get_field(field_name).flatchoices}


@register.filter
def slug_url(slug: str, view_name: str) -> str:
    """`{{ session.slug|slug_url:"congress:session-detail" }}`: the page's address without a reverse() per row."""
    return _slug_url(view_name, slug)


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The same page in every other language, as plain links (no form: cached pages are shared)."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = get_language()
    links = []
    for code, _name in context.get("LANGUAGES") or []:
        if code == current:
            continue
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": translate_url(path, code)})
    return links


@register.simple_tag(takes_context=True)
def alternate_urls(context) -> list[dict]:
    """Every language version of this page, for <link rel="alternate" hreflang>."""
    request = context.get("request")
    if request is None:
        return []
    path = request.get_full_path()
    return [{"code": code, "url": translate_url(path, code)} for code, _name in context.get("LANGUAGES") or []]


@register.simple_tag(takes_context=True)
def canonical_path(context) -> str:
    """This page's permanent address: at a short address of the current edition, the same page under the
    edition's prefix (`/schedule/` → `/2025/schedule/`)."""
    from congress.editions import permanent_url  # it imports the views, which render with this library

    request = context.get("request")
    if request is None:
        return ""
    if getattr(request, "edition", None) is not None:
        return request.path
    return permanent_url(request.path, context.get("congress")) or request.path


@register.simple_tag
def edition_home(congress) -> str:
    from congress.edition_urls import edition_reverse

    return edition_reverse(congress, "congress:home")


@register.simple_tag
def og_locale() -> str:
    return {"fr": "fr_FR", "en": "en_GB"}.get(get_language() or "fr", "fr_FR")


# (view name, label, other views of the same section): the section is marked for those with aria-current="true".
NAV = [
    ("congress:home", gettext_lazy("Home"), ()),
    ("congress:schedule", gettext_lazy("Programme"), ("congress:session-detail",)),
    ("congress:now", gettext_lazy("Now"), ()),
    ("speakers:speaker-list", gettext_lazy("Speakers"), ("speakers:speaker-detail",)),
    ("congress:partners", gettext_lazy("Partners"), ()),
    ("congress:venue", gettext_lazy("Venue"), ()),
]


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items = []
    for view_name, label, section in NAV:
        state = "page" if current == view_name else "true" if current in section else ""
        items.append({"url": reverse(view_name), "label": label, "current": state})
    return items


@register.simple_tag(takes_context=True)
def agenda_current(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return "page" if match and match.view_name == "congress:agenda" else ""


@register.simple_tag
def site_url() -> str:
    return settings.SITE_URL


@register.simple_tag
def optional_static(path: str) -> str:
    """The URL of a static file that another part of the site may not have shipped yet ("" when absent)."""
    return static(path) if finders.find(path) else ""


@register.filter
def in_default_language(instance, field_name: str) -> bool:
    """`{% if session|in_default_language:"abstract" %}`: the page is in another language than French and this
    text has no version in it, so the French text is shown (django-modeltranslation's fallback)."""
    language = get_language()
    if language == settings.LANGUAGE_CODE:
        return False
    return not getattr(instance, f"{field_name}_{language}", None)


@register.simple_tag
def content_lang(instance=None, field_name: str = ""):
    """` lang="fr"` on text organisers wrote when it is shown in French on a page in another language (no
    English version), so that screen readers read it with the right voice (WCAG 3.1.2, language of parts)."""
    if instance is not None and field_name and not in_default_language(instance, field_name):
        return ""
    if get_language() == settings.LANGUAGE_CODE:
        return ""
    return format_html(' lang="{}"', settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def session_rows(context, sessions, day=None, heading_level: int = 4) -> str:
    """`{% session_rows day.sessions day %}`: gives each session its `row_html`, the programme row
    (schedule.html#session-row-body) from the cache when its session has not changed since (congress.pieces),
    else rendered here with the page's context. Writes nothing itself; the template prints `session.row_html`."""
    body = get_template("congress/schedule.html#session-row-body").template

    def render(session) -> str:
        with context.push(session=session, day=day, heading_level=heading_level, starred=False, next_url=""):
            return body.render(context)

    sessions = list(sessions)
    keep = bool(getattr(context.get("request"), "content_version", None))  # set by public_page, not for searches
    pieces = cached_pieces(
        "row",
        sessions,
        render,
        # Rows link under the page's edition prefix and follow its state (no "to be confirmed" in an archive).
        variant=lambda session: (
            heading_level,
            grid_place(session, day),
            context.get("link_prefix", ""),
            context.get("edition_state", ""),
        ),
        keep=keep,
    )
    for session, piece in zip(sessions, pieces, strict=True):
        session.row_html = mark_safe(piece)  # rendered by the template above, autoescaped there
    return ""
