"""What the site does when a backing service fails: pages are served without the cache, or a 503 page.

Redis is only an accelerator. `ResilientRedisCache` gives it short socket timeouts (settings) and a breaker:
after a failure, the cache is not called at all for `BREAKER_SECONDS`, so a hung Redis costs one timeout per
interval instead of one per call, and a single warning line is logged per interval instead of a traceback per
call. Reads then miss, writes are dropped, and pages are rendered as if uncached.

A database that is down makes the view fail; `server_error` (handler500) answers those requests with the styled
503 page and `Retry-After`, instead of a 500.
"""

import logging
import sys
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0
RETRY_AFTER_SECONDS = 30


class Breaker:
    """Open for `seconds` after a failure: callers skip the service instead of waiting for it to time out."""

    def __init__(self, name: str, seconds: float = BREAKER_SECONDS):
        self.name = name
        self.seconds = seconds
        self.open_until = 0.0
        self.lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error: Exception) -> None:
        with self.lock:
            if self.is_open:  # another thread tripped it already: that one logged
                return
            self.open_until = time.monotonic() + self.seconds
        logger.warning(
            "%s unavailable (%s: %s); not called for %.0f s", self.name, type(error).__name__, error, self.seconds
        )


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, failing soft: a miss for reads, nothing for writes, while Redis is away."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # Django makes one cache object per thread: they share the breaker of their server.
        with _breakers_lock:
            self.breaker = _breakers.setdefault(
                str(server), Breaker("Cache (Redis)", float(params.get("BREAKER_SECONDS", BREAKER_SECONDS)))
            )

    def _guarded(self, call, fallback):
        if self.breaker.is_open:
            return fallback
        try:
            return call()
        except Exception as error:  # redis-py raises its own ConnectionError/TimeoutError and OSError
            self.breaker.trip(error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), [])

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read is treated as absent, as Django does for a missing key.
        if self.breaker.is_open:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as error:
            self.breaker.trip(error)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from error

    def clear(self):
        return self._guarded(super().clear, False)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500. Renders without the database or the request context: whatever broke must not break this too.

    A database that cannot be reached is the service being unavailable, not a bug: 503 with Retry-After."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(loader.get_template(template_name).render({}), status=500)
