import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so a cached page never leaks from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def french_by_default():
    """Each test starts in French, the default language: a request to /en/ leaves English active in the
    thread, and django-modeltranslation writes `title` into the active language's field (`title_en`)."""
    with translation.override("fr"):
        yield


# What every current browser sends with a request from one of the site's own pages (the agenda's forms
# are checked by it: congress.agenda.visitor.same_origin).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def client():
    """A browser on the site (pytest-django's client, with the headers a browser sends)."""
    return Client(headers=SAME_ORIGIN)
