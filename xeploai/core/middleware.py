"""What every request goes through, against a server made unavailable or a page kept where it
should not be: the client's address behind our proxy, bodies refused by size before they are
read, a busy database answered "try again", and personal pages kept out of every cache."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

from . import views
from .db import is_busy

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class ProxiedAddressMiddleware:
    """The client's address as REMOTE_ADDR, which the login throttle counts by: behind the
    reverse proxy, gunicorn sees the proxy's address only. The proxy sends the client's in
    X-Real-IP, believed only from an address in TRUSTED_PROXIES (empty: never)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.META.get("REMOTE_ADDR") in settings.TRUSTED_PROXIES:
            try:
                client = ipaddress.ip_address(request.headers.get("X-Real-IP", "").strip())
            except ValueError:
                pass  # no address, or not one: the proxy's stands
            else:
                request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)


class RequestSizeMiddleware:
    """Refuses a body larger than its route takes by the length it announces, before anything
    reads it (the CSRF check reads the form later, in process_view): REQUEST_MAX_SIZE, or
    what REQUEST_MAX_SIZE_BY_ROUTE gives a signed-in user on that route. A body of unknown
    length is refused too: WSGI reads no more than the announced length, which it lacks."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length = announced_length(request)
        if length is None:
            return views.length_required(request)
        limit = settings.REQUEST_MAX_SIZE
        if length > limit:
            limit = max(limit, route_limit(request))
            if length > limit:
                return views.request_too_large(request, limit)
        return self.get_response(request)


def announced_length(request: HttpRequest) -> int | None:
    """The body's length from Content-Length: 0 without a body, None for a body sent in
    chunks without one. A malformed length counts as 0, as WSGIRequest reads it."""
    value = request.META.get("CONTENT_LENGTH")
    if not value:
        return None if "HTTP_TRANSFER_ENCODING" in request.META else 0
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


def route_limit(request: HttpRequest) -> int:
    """The larger body a route takes from a signed-in user; 0 when it takes none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        return 0
    limit: int = settings.REQUEST_MAX_SIZE_BY_ROUTE.get(name, 0)
    return limit


class PrivateCacheMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user and on every download,
    so that no browser, shared computer or proxy keeps a copy of a personal page. A response
    its view marked `public` is the same for everyone and keeps its caching (the icon's
    redirect). Static files never come here: WhiteNoise answers them first."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_personal(request, response) and not is_public(response):
            add_never_cache_headers(response)
            response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
        return response


def is_personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return signed_in or response.has_header("Content-Disposition")


def is_public(response: HttpResponseBase) -> bool:
    directives = response.headers.get("Cache-Control", "").split(",")
    return "public" in {d.strip().lower() for d in directives}


class BusyDatabaseMiddleware:
    """A page that found the database busy (another writer held it past the timeout) says so
    with 503 and Retry-After, instead of a server error: trying again later succeeds."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        return views.busy(request) if is_busy(exception) else None
