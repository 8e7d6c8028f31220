"""What Django does not do on its own for this site: security headers, personal pages, health probes.

Imported by the logging configuration (MaskAgendaTokens, from congress.masking), so nothing here imports
models at module level.
"""

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from congress.masking import MaskAgendaTokens, mask_agenda_tokens  # noqa: F401  (LOGGING names this module)


@cache
def _personal_path() -> re.Pattern:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:(?:{languages})/)?(?:agenda/|(?:[^/]+/)?sessions/[^/]+/star/$)")


def is_personal_path(path: str) -> bool:
    """Pages and feeds that belong to one visitor: their agenda and its feed, and the answer to a star."""
    return bool(_personal_path().match(path))


def client_ip(request: HttpRequest) -> str | None:
    """The client address for login throttling, trusting only the configured number of proxies."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class RefuseNulMiddleware:
    """A NUL character in the query string answers 400 before any view: PostgreSQL refuses NUL in text (a
    search or a filter would fail with a 500 there), and no link of the site holds one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            message = _("The address holds a character that is not allowed (NUL).")
            return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answers /healthz before host validation: probes come by IP address over plain HTTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            from congress.health import healthz

            return healthz(request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer; personal answers kept out of shared caches and referrers;
    HEAD answers without a body (gunicorn logs a warning for each HEAD answer that carries one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if is_personal_path(request.path_info):
            cache_control = response.get("Cache-Control", "")
            if "private" not in cache_control and "no-store" not in cache_control:
                patch_cache_control(response, private=True, no_store=True)  # also drops "public"
            # Shown tokens must not travel in a Referer header (the attach page carries one in its address).
            response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.method == "HEAD" and not response.streaming and response.content:
            response.headers.setdefault("Content-Length", str(len(response.content)))
            response.content = b""
        return response
