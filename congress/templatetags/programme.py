from django import template
from django.utils.safestring import mark_safe

from congress import http
from congress.agenda import star_block

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
