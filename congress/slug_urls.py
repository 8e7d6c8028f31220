"""Addresses of pages with a single <slug:slug>, for long listings: reverse() once per page kind and language,
then each address is a join (a schedule links every session and speaker, and reverse() costs more than the
rest of a row). Slugs need no quoting."""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

SLUG_MARKER = "0slug0"


@lru_cache(maxsize=64)
def _parts(view_name: str, language: str | None, script_prefix: str, urlconf) -> tuple[str, str]:
    before, after = reverse(view_name, urlconf=urlconf, kwargs={"slug": SLUG_MARKER}).split(SLUG_MARKER)
    return before, after


def slug_url_parts(view_name: str, urlconf=None) -> tuple[str, str]:
    """The address of `view_name` before and after the slug, in the active language and URLconf (an edition's
    pages link under its prefix: congress.urls.edition_urlconf)."""
    return _parts(view_name, get_language(), get_script_prefix(), urlconf or get_urlconf())


def slug_url(view_name: str, slug: str, urlconf=None) -> str:
    before, after = slug_url_parts(view_name, urlconf)
    return f"{before}{slug}{after}"
