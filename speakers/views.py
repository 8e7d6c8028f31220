"""Placeholder: not built yet."""

from django.http import Http404


def speaker_list(request, *args, **kwargs):
    raise Http404("not built yet")


def speaker_detail(request, *args, **kwargs):
    raise Http404("not built yet")
