"""The login form, throttled against password guessing."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# The limits of login throttling, here and nowhere else. Counters live in Django's cache:
# with the default per-process memory cache each server process counts on its own, which
# still bounds guessing; a shared cache (Redis, database) makes the limits exact.
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60


def _username_key(username: str) -> str:
    # Case-insensitive, and hashed so that any username makes a valid cache key.
    digest = hashlib.sha256(username.casefold().encode()).hexdigest()
    return f"login-failures:username:{digest}"


def _address_key(address: str) -> str:
    return f"login-failures:address:{address}"


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as the server saw it.

    X-Forwarded-For is not read: any client can forge it to dodge the limit. Behind a
    reverse proxy, the proxy must hand the client's address over as REMOTE_ADDR.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(_username_key(username), MAX_FAILURES_PER_USERNAME)]
    if address:
        keys.append((_address_key(address), MAX_FAILURES_PER_ADDRESS))
    return keys


def is_throttled(username: str, address: str | None) -> bool:
    """Whether the username or the address has used up its failed logins."""
    return any(cache.get(key, 0) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str | None) -> None:
    """Count a failed login; the failure that reaches a limit starts the lockout."""
    for key, limit in _keys(username, address):
        cache.add(key, 0, FAILURE_WINDOW_SECONDS)  # the window opens at the first failure
        try:
            count = cache.incr(key)
        except ValueError:  # the window closed between add and incr
            count = 1
            cache.set(key, count, FAILURE_WINDOW_SECONDS)
        if count == limit:
            cache.set(key, count, LOCKOUT_SECONDS)


def clear_failures(username: str) -> None:
    """Forget the username's failures. The address keeps its count: one valid account
    must not let its holder reset the limit on guessing other accounts."""
    cache.delete(_username_key(username))


class LoginForm(AuthenticationForm):
    """Django's login form, refusing without checking the password once a limit is hit."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "throttled": _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if is_throttled(username, address):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": LOCKOUT_SECONDS // 60},
            )
        try:
            cleaned_data = super().clean()
        except ValidationError:
            record_failure(username, address)
            raise
        if self.user_cache is not None:  # not merely a form missing its password
            clear_failures(username)
        return cleaned_data
