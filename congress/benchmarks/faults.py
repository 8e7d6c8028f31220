"""What `manage.py benchmark --faults` measures: pages while Redis hangs, and junk addresses against the cache."""

import contextlib
import logging
import socket
import statistics
import threading
import time
from collections import Counter

from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings

from congress import resilience

JUNK_REQUESTS = 3000


class HungServer:
    """Accepts connections and never answers: a Redis that hangs."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                accepted, _address = self.listener.accept()
            except OSError:
                return
            self.accepted.append(accepted)

    def close(self):
        self.listener.close()
        for accepted in self.accepted:
            accepted.close()


def _client() -> Client:
    return Client(raise_request_exception=False)


def _median_ms(path: str, requests: int) -> tuple[float, float]:
    client, samples = _client(), []
    for _request in range(requests):
        started = time.perf_counter()
        client.get(path, secure=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, max(samples) * 1000


def hung_redis(path: str, *, requests: int = 20) -> dict:
    """Uncached answers with no cache at all, then with the cache pointing at a Redis that never answers."""
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(
        ALLOWED_HOSTS=hosts, CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        _median_ms(path, 2)
        normal = _median_ms(path, requests)
    server = HungServer()
    hung_cache = {
        "BACKEND": "congress.resilience.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{server.port}/0",
        "OPTIONS": settings.CACHES["default"].get("OPTIONS")
        if "Redis" in settings.CACHES["default"]["BACKEND"]
        else {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
    }
    try:
        with override_settings(ALLOWED_HOSTS=hosts, CACHES={"default": hung_cache}):
            hung = _median_ms(path, requests)
    finally:
        server.close()
        resilience._breakers.clear()
    return {"path": path, "normal": normal, "hung": hung, "connections": len(server.accepted)}


def _key_count() -> int:
    cache = caches["default"]
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # local memory
        return len(cache._cache)
    client = cache._cache.get_client(None, write=False)  # Django's Redis backend
    return sum(1 for _key in client.scan_iter(match=f"{cache.key_prefix}:*"))


@contextlib.contextmanager
def _quiet(logger: logging.Logger):
    """Without a "Bad Request" line for each of the thousands of refusals."""
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def junk_addresses(cache_settings: dict, *, requests: int = JUNK_REQUESTS) -> dict:
    """Distinct made-up query strings and htmx targets: none of them may leave anything in the cache."""
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    client = _client()
    request_log = logging.getLogger("django.request")
    with override_settings(ALLOWED_HOSTS=hosts, CACHES=cache_settings), _quiet(request_log):
        client.get("/schedule/", secure=True)
        before = _key_count()
        statuses = Counter()
        for number in range(requests):
            if number % 2:
                response = client.get(f"/schedule/?junk{number}={number}", secure=True)
            else:
                response = client.get(
                    "/schedule/", secure=True, headers={"HX-Request": "true", "HX-Target": f"x{number}"}
                )
            statuses[response.status_code] += 1
        after = _key_count()
    return {"requests": requests, "statuses": dict(statuses), "keys_before": before, "keys_after": after}


def format_faults(hung: dict, junk: dict) -> str:
    normal_median, normal_max = hung["normal"]
    hung_median, hung_max = hung["hung"]
    return "\n".join(
        [
            f"Redis hung (accepts, never answers), {hung['path']} uncached: median {hung_median:.1f} ms, worst "
            f"{hung_max:.1f} ms, against {normal_median:.1f} ms / {normal_max:.1f} ms with no cache "
            f"(+{hung_median - normal_median:.1f} ms at the median; {hung['connections']} connection(s) tried)",
            f"Junk addresses: {junk['requests']} requests answered {junk['statuses']}; cache keys "
            f"{junk['keys_before']} before, {junk['keys_after']} after",
        ]
    )
