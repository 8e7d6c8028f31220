"""Placeholder: not built yet."""

from django.http import Http404


def healthz(request, *args, **kwargs):
    raise Http404("not built yet")
