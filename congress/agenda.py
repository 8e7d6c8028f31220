"""Placeholder: not built yet."""

from django.http import Http404


def star(request, *args, **kwargs):
    raise Http404("not built yet")


def now(request, *args, **kwargs):
    raise Http404("not built yet")


def agenda(request, *args, **kwargs):
    raise Http404("not built yet")


def reset(request, *args, **kwargs):
    raise Http404("not built yet")


def attach(request, *args, **kwargs):
    raise Http404("not built yet")


def agenda_calendar(request, *args, **kwargs):
    raise Http404("not built yet")


def visitor_stars(request):
    return set(), 0


def now_context(congress):
    """Placeholder: context for templates/congress/includes/now_block.html (empty when nothing to show)."""
    return {}
