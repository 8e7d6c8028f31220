from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from congress import http
from congress.agenda import star_block
from congress.rows import SessionRows

register = template.Library()


@register.simple_tag
def csrf_field():
    """Hidden CSRF input for forms on cached public pages (filled in per request)."""
    return http.csrf_field()


@register.simple_tag
def agenda_count():
    """The visitor's number of starred sessions, filled in per request (empty when none)."""
    return mark_safe(http.AGENDA_COUNT_MARKER)  # an HTML comment, replaced before the page leaves


@register.simple_tag(takes_context=True)
def star_button(context, session, next_url=""):
    """The star form of `session`, both states (see congress.http); without JS it comes back to `next_url`,
    by default the page it is on. Use it once per session on a page: the form's id is the session's."""
    if not next_url:
        request = context.get("request")
        next_url = request.get_full_path() if request is not None else ""
    return star_block(session, next_url)


@register.simple_tag(takes_context=True)
def session_row(context, session):
    """The programme row of `session` (congress.rows), with what the including template set: heading_level
    (default 4), next_url (default this page), hide_star, and day.grid for a schedule day laid out as a grid."""
    day = context.get("day")
    return _session_rows(context).render(
        session,
        heading_level=context.get("heading_level") or 4,
        next_url=context.get("next_url") or "",
        hide_star=bool(context.get("hide_star")),
        grid=bool(getattr(day, "grid", False)),
    )


def _session_rows(context) -> SessionRows:
    # One per page, language and zone. Each {% partial %} and {% include %} of the row pushes a fresh scope
    # on the render context, so the renderer is kept in its bottom one, which lasts as long as the page.
    scope = context.render_context.dicts[0]
    key = ("session_rows", get_language(), timezone.get_current_timezone())
    rows = scope.get(key)
    if rows is None:
        request = context.get("request")
        rows = scope[key] = SessionRows(default_next_url=request.get_full_path() if request is not None else "")
    return rows
