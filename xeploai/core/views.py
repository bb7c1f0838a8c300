"""The pages every part of the application shares: the error pages, in Vietnamese with a way
back, and the icon browsers ask for on their own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

FAVICON_MAX_AGE = 24 * 3600  # the icon's URL changes with its content; the redirect may not


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: also what a user sees of a record outside their scope (STYLE.md 7)."""
    return _error_page(request, "404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a missing or stale security token (CSRF_FAILURE_VIEW): reloading the
    page gives it a fresh one."""
    return _error_page(request, "403_csrf.html", 403)


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
