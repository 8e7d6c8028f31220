"""Per-address limits on the visitor actions that write rows: stars, new agendas, resets, attaching a device.

Counted in the shared cache (every app process sees the same count) in fixed windows; over the limit, the
answer is 429 Too Many Requests with Retry-After. Sized for a congress, where hundreds of attendees share the
venue Wi-Fi's one public address: settings.CONGRESS_RATE_LIMITS, each "<count>/<period>" (s, m, h, d) or "off".
A cache that fails lets the request through: a failing cache is a slow cache, not an outage.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from congress.middleware import client_ip

logger = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int] | None:
    """ "500/h" → (500, 3600); "off" (or empty) → None."""
    rate = rate.strip().lower()
    if rate in ("", "off", "0"):
        return None
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip() or "h"]


def hit(request: HttpRequest, scope: str) -> None:
    """Count one `scope` action of the client's address; RateLimited once its limit is passed."""
    rate = parse_rate(settings.CONGRESS_RATE_LIMITS.get(scope, "off"))
    if rate is None:
        return
    limit, period = rate
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{client_ip(request)}:{window}"
    try:
        cache.add(key, 0, timeout=period + 1)
        count = cache.incr(key)
    except Exception as error:  # Redis away, or the key evicted between add and incr
        logger.warning("Rate limit not counted (%s): %s", scope, error)
        return
    if count > limit:
        raise RateLimited(max(1, int((window + 1) * period - now)))


def too_many_requests(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        _("Too many requests from your network. Please try again in a moment.") + "\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    patch_cache_control(response, private=True, no_store=True)
    return response


def limited(scope: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """View decorator: counts each request in `methods` under `scope`, and answers 429 for a RateLimited raised
    by the view itself (e.g. the "agendas" scope, counted only when a star creates an agenda)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                if request.method in methods:
                    hit(request, scope)
                return view(request, *args, **kwargs)
            except RateLimited as limit:
                return too_many_requests(limit.retry_after)

        return wrapper

    return decorator
