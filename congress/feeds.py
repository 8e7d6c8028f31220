"""Placeholder: not built yet."""

from django.http import Http404


def congress_calendar(request, *args, **kwargs):
    raise Http404("not built yet")


def session_calendar(request, *args, **kwargs):
    raise Http404("not built yet")


def schedule_xml(request, *args, **kwargs):
    raise Http404("not built yet")


def schedule_json(request, *args, **kwargs):
    raise Http404("not built yet")
