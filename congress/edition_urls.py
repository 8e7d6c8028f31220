"""An edition's permanent addresses (`/2025/calendar.ics`), whatever address the page showing them has."""

import types
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.urls import reverse

from congress.models import Congress
from congress.slug_urls import slug_url


@lru_cache(maxsize=256)
def edition_urlconf(prefix: str) -> types.ModuleType:
    """The site's URLconf with the edition pages under `prefix/` (one module per prefix, for Django's resolver
    cache). The root URLconf is found by its setting: it imports the views, which import this module."""
    root = import_module(settings.ROOT_URLCONF)
    module = types.ModuleType(f"{root.__name__}.edition_{prefix.replace('-', '_')}")
    module.urlpatterns = root.site_patterns(f"{prefix}/")
    module.handler404 = root.handler404
    module.handler500 = root.handler500
    return module


def edition_reverse(congress: Congress | None, view_name: str, **kwargs) -> str:
    """The address of an edition's page or feed under its prefix (the short one for an edition without one)."""
    urlconf = edition_urlconf(congress.prefix) if congress is not None and congress.prefix else None
    return reverse(view_name, urlconf=urlconf, kwargs=kwargs or None)


def edition_slug_url(congress: Congress, view_name: str, slug: str) -> str:
    """edition_reverse for a page with a single slug, without a reverse() per row (congress.slug_urls)."""
    urlconf = edition_urlconf(congress.prefix) if congress.prefix else settings.ROOT_URLCONF
    return slug_url(view_name, slug, urlconf)
