"""/healthz for load balancers and uptime probes: 200 when the database and the cache answer, else 503."""

import logging
import os
import socket
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    # One key per process (not per call: the cache would fill with them), a fresh value per call: a value left
    # by an earlier probe or another process must not make a dead cache look alive.
    key, value = f"healthz:{socket.gethostname()}:{os.getpid()}", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the value written was not read back")


CHECKS = {"database": _database, "cache": _cache}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure of a backend is a failed check, reported by name
            logger.error("Health check failed: %s: %s", name, error)
            results[name] = "error"
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    body = {"status": "error" if failed else "ok", **results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
