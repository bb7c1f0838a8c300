"""The pages every part of the application shares: the error pages, in Vietnamese with a way
back, and the icon browsers ask for on their own."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from .db import is_busy

FAVICON_MAX_AGE = 24 * 3600  # the icon's URL changes with its content; the redirect may not
RETRY_AFTER = 30  # seconds: a busy database is mostly an import's write, done in minutes


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: also what a user sees of a record outside their scope (STYLE.md 7)."""
    return _error_page(request, "404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a missing or stale security token (CSRF_FAILURE_VIEW): reloading the
    page gives it a fresh one."""
    return _error_page(request, "403_csrf.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when what failed was a database held busy by another writer: the
    exceptions raised outside a view, which BusyDatabaseMiddleware does not see, end here."""
    error = sys.exc_info()[1]
    if error is not None and is_busy(error):
        return busy(request)
    return defaults.server_error(request)


def busy(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After; like 500.html, the page needs no database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413, before the body was read: nothing the user sent was kept."""
    context = {"limit": limit, "back": _came_from(request)}
    return HttpResponse(render_to_string("413.html", context), status=413)


def length_required(request: HttpRequest) -> HttpResponse:
    """411: a body sent without its length, which the server does not read."""
    context = {"back": _came_from(request)}
    return HttpResponse(render_to_string("411.html", context), status=411)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page names: send them to the icon."""
    response = redirect(static("xeploai/favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, {"back": _came_from(request)}, status=status)


def _came_from(request: HttpRequest) -> str | None:
    """The page the user came from, when it is one of ours."""
    referer = request.headers.get("Referer")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None
