"""Placeholder: not built yet."""

from django.http import Http404


def home(request, *args, **kwargs):
    raise Http404("not built yet")


def schedule(request, *args, **kwargs):
    raise Http404("not built yet")


def session_detail(request, *args, **kwargs):
    raise Http404("not built yet")


def partners(request, *args, **kwargs):
    raise Http404("not built yet")


def venue(request, *args, **kwargs):
    raise Http404("not built yet")


def calendar_help(request, *args, **kwargs):
    raise Http404("not built yet")


def robots_txt(request, *args, **kwargs):
    raise Http404("not built yet")


def sitemap(request, *args, **kwargs):
    raise Http404("not built yet")


def page_not_found(request, *args, **kwargs):
    raise Http404("not built yet")


def server_error(request, *args, **kwargs):
    raise Http404("not built yet")
