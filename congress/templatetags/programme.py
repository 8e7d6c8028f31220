from django import template

from congress import http

register = template.Library()


@register.simple_tag
def csrf_field():
    """Hidden CSRF input for forms on cached public pages (filled in per request)."""
    return http.csrf_field()


@register.simple_tag
def agenda_count():
    """The visitor's number of starred sessions, filled in per request (empty when none)."""
    return http.AGENDA_COUNT_MARKER


@register.simple_tag
def star_button(session, next_url=""):
    """Placeholder until the agenda lands: the star form of `session` (both states, see congress.http)."""
    return ""
