"""Who is asking: the agenda this browser holds, and the checks of the requests that change it.

`VisitorMiddleware` gives every request `request.visitor`, a `Visitor` that reads nothing until asked: public
pages never ask, so they cost no query for it and cannot show anything of it. Views of the agenda ask for
`visitor.agenda` (one query with the cookie, none without) and `visitor.starred_ids` (one more), and call
`visitor.forget()` after changing them. `same_origin` guards the POSTs: the public pages that hold the star
forms carry no CSRF token (they are the same bytes for everyone), so a cross-site request is recognised by
the headers every browser sends with a POST instead.
"""

import hashlib
import secrets
from collections.abc import Callable
from functools import cached_property, wraps

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from congress.models import Agenda, Session, Star

COOKIE_NAME = "agenda"
# Browsers keep a cookie 400 days at most (RFC 6265bis); each star renews it.
COOKIE_MAX_AGE = 400 * 24 * 60 * 60


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def agenda_for_token(token: str) -> Agenda | None:
    # Every token, well-formed or not, is hashed and looked up the same way: no early answer on its shape.
    return Agenda.objects.filter(token_digest=token_digest(token)).first()


def shown_sessions():
    """Sessions an agenda shows: the published and cancelled ones of every published edition (stars stay from
    one edition to the next) and of the current one, never drafts."""
    return Session.objects.public().filter(Q(congress__is_current=True) | Q(congress__is_published=True))


class Visitor:
    """The browser behind a request, as far as its agenda goes; every attribute is read on first use."""

    def __init__(self, request: HttpRequest):
        self.token: str | None = request.COOKIES.get(COOKIE_NAME) or None

    @cached_property
    def agenda(self) -> Agenda | None:
        return agenda_for_token(self.token) if self.token is not None else None

    @cached_property
    def starred_ids(self) -> set[int]:
        """Ids of the starred sessions the site shows (no query without the cookie)."""
        if self.token is None:
            return set()
        stars = Star.objects.filter(agenda__token_digest=token_digest(self.token), session__in=shown_sessions())
        return set(stars.values_list("session_id", flat=True))

    def forget(self, *, token: str | None = None) -> None:
        """After a change: read again on next use (with the new token when one was just issued)."""
        if token is not None:
            self.token = token
        for name in ("agenda", "starred_ids"):
            self.__dict__.pop(name, None)


class VisitorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.visitor = Visitor(request)
        return self.get_response(request)


def set_cookie(response: HttpResponse, request: HttpRequest, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )


def delete_cookie(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, samesite="Lax")


def personal(response: HttpResponse) -> HttpResponse:
    """Headers of every answer that belongs to one visitor."""
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ("Cookie",))
    # Some of these addresses hold the token: it must not leave in a Referer header, nor be indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _trusted_origins(request: HttpRequest) -> set[str]:
    return {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}


def is_same_origin(request: HttpRequest) -> bool:
    """Sent by this site's own pages: Sec-Fetch-Site where the browser sends it (every current one), else the
    Origin header. A request with neither is refused: every browser sends one of them with a POST."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")  # "none": the visitor's own action (address bar, bookmark)
    origin = request.headers.get("Origin")
    return origin is not None and origin in _trusted_origins(request)


def same_origin(view):
    """For a state-changing view that token-less forms post to: cross-site requests get 403."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS") and not is_same_origin(request):
            return personal(HttpResponseForbidden(_("This request did not come from this site's own pages.")))
        return view(request, *args, **kwargs)

    return wrapped
