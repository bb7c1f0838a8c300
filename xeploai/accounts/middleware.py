"""Every page waits for the second factor (`accounts.twofactor`): a signed-in session whose
user has a device types its code first, a user who must have one and has none sets it up
first. Installed after django-otp's OTPMiddleware, which tells whether the session typed a
code."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import twofactor

# The pages a session owing its second factor may still reach: the steps, and the way out.
OPEN_PAGES = ("accounts:verify", "accounts:two_factor", "accounts:logout")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.step_owed(request) or self.get_response(request)

    def step_owed(self, request: HttpRequest) -> HttpResponseBase | None:
        """The redirect to the step the session owes, if any; the answer is kept in the
        session for a few minutes (`twofactor.RECHECK_SECONDS`), so pages cost no query."""
        if not request.user.is_authenticated or twofactor.is_checked(request.session):
            return None
        if request.path in {reverse(name) for name in OPEN_PAGES}:
            return None
        step = twofactor.missing_step(request)
        if step is None:
            twofactor.mark_checked(request.session)
            return None
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
