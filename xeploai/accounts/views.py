"""Signing in (the password, then a code for users with a device), setting up the second
factor, the account page, changing and resetting the password, lifting a lock by mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import throttle, twofactor
from .forms import CodeForm, EnrolForm, LoginForm, PasswordResetForm, client_address
from .http import AuthenticatedHttpRequest
from .models import User
from .policy import needs_second_factor


def next_url(request: HttpRequest, default: str = "") -> str:
    """Where to go afterwards: `next` when it is a page of ours, `default` otherwise."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def signed_in(
    request: HttpRequest, user: User, *, device: Any, backend: str | None, to: str
) -> HttpResponse:
    """Sign the user in (a new session key), verified by `device` when they typed its code,
    and forget their failures; a user who must have a device and has none sets one up."""
    twofactor.release(request.session)
    auth_login(request, user, backend=backend or None)
    throttle.succeed(user.get_username(), client_address(request), second_factor=device is not None)
    if device is not None:
        otp_login(request, device)
    elif needs_second_factor(user):
        return redirect(f"{reverse('accounts:two_factor')}?{_next_query(to)}")
    twofactor.mark_checked(request.session)
    return redirect(to)


def _posted(request: HttpRequest) -> Any:
    """The form's data on a POST, even an empty one (a bound form says what is missing)."""
    return request.POST if request.method == "POST" else None


def _next_query(to: str) -> str:
    return urlencode({"next": to})


class LoginView(auth_views.LoginView):
    """Django's login page with the throttled form. A user with a device is held, not signed
    in, until they type its code on the next page."""

    authentication_form = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        assert isinstance(user, User)
        to = self.get_success_url()
        device = form.device or twofactor.confirmed_device(user)
        if form.device is None and device is not None:
            throttle.give_back(user.get_username(), client_address(self.request))
            twofactor.hold(self.request.session, user, to)
            return redirect("accounts:verify")
        return signed_in(self.request, user, device=device, backend=None, to=to)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code step: for a user held after their password, or a signed-in session that has
    not typed its device's code yet (sent here by the middleware)."""
    held = twofactor.held(request.session)
    if held is not None:
        user, backend, to = held
    elif isinstance(request.user, User):
        user, backend, to = request.user, None, next_url(request)
        if user.is_verified():  # type: ignore[attr-defined]
            return redirect(to)
    else:
        return redirect("accounts:login")
    device = twofactor.confirmed_device(user)
    if device is None:  # reset by an administrator meanwhile: sign in again, then enrol
        twofactor.release(request.session)
        return redirect("accounts:login")
    form = CodeForm(_posted(request), request=request, user=user, device=device)
    if request.method == "POST" and form.is_valid():
        return signed_in(request, user, device=device, backend=backend, to=to)
    return render(request, "accounts/verify.html", {"form": form, "next": to})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Setting up a device: scan the QR code (or type the key), type the code it shows. A
    user who already has one replaces it only after typing its code in this session."""
    user = request.user
    if not user.is_verified() and twofactor.confirmed_device(user):  # type: ignore[attr-defined]
        return redirect(f"{reverse('accounts:verify')}?{_next_query(request.get_full_path())}")
    device = twofactor.enrolment_device(user)
    form = EnrolForm(_posted(request), device=device)
    if request.method == "POST" and form.is_valid():
        twofactor.confirm(device)
        otp_login(request, device)
        twofactor.mark_checked(request.session)
        messages.success(request, _("Đã bật xác thực hai bước cho tài khoản."))
        return redirect(next_url(request, "accounts:account"))
    context = {
        "form": form,
        "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret(device),
        "required": needs_second_factor(user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own account: password, second factor."""
    context = {
        "device": twofactor.confirmed_device(request.user),
        "required": needs_second_factor(request.user),
    }
    return render(request, "accounts/account.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page behind the mailed link; the new password also lifts a lock on the
    username: the link proved the mailbox, as the unlock link does."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        throttle.lift(form.user.get_username())
        return response


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed unlock link: a page with a button, so that a mail scanner fetching the
    link does not use it up."""
    if request.method == "POST":
        if throttle.lift_with_token(token):
            messages.success(request, _("Đã mở khóa tài khoản. Mời đồng chí đăng nhập."))
            return redirect("accounts:login")
        return render(request, "accounts/unlock.html", {"invalid": True}, status=400)
    return render(request, "accounts/unlock.html", {"invalid": False})


def admin_login(request: HttpRequest) -> HttpResponseBase:
    """The admin's login page, replaced: everyone signs in through the one throttled page
    with its second factor, never by a password checked anywhere else."""
    to = next_url(request, "admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(to)
        raise PermissionDenied  # signed in, but no administrator: no loop back to the login
    return auth_views.redirect_to_login(to, reverse("accounts:login"))
