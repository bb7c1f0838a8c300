"""The forms of signing in: password, second-factor code, enrolment, password reset; each
attempt to prove who one is goes through `accounts.throttle` first."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import tasks, throttle, twofactor
from .models import User

WRONG_CODE = _("Mã xác thực không đúng, hoặc đã được dùng. Vui lòng nhập mã mới trên điện thoại.")


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as the server saw it.

    X-Forwarded-For is not read: any client can forge it to dodge the limit. Behind a
    reverse proxy, the proxy must hand the client's address over as REMOTE_ADDR.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def code_field(*, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("Mã xác thực"),
        required=required,
        max_length=twofactor.CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )


def reserve_attempt(request: HttpRequest | None, username: str) -> throttle.Attempt:
    """Reserve an attempt for `username`, refusing it while its pair must wait; mail the
    unlock link when this attempt locks the username."""
    attempt = throttle.reserve(username, client_address(request))
    if attempt.wait:
        raise ValidationError(throttle.wait_message(attempt.wait), code="throttled")
    if attempt.newly_locked and attempt.locked_until is not None and request is not None:
        token = throttle.unlock_token(username, attempt.locked_until)
        link = request.build_absolute_uri(reverse("accounts:unlock", args=[token]))
        tasks.mail_unlock_link.enqueue(username, link)
    return attempt


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, throttled; while the username is locked it also takes a code
    from the account's device, checked before the password."""

    code = code_field(required=False)
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "locked": _(
            "Tài khoản này đang tạm khóa vì bị đăng nhập sai quá nhiều lần. Để đăng nhập, "
            "nhập mật khẩu cùng mã xác thực hai bước trên điện thoại, hoặc mở liên kết mở "
            "khóa đã gửi tới thư điện tử của tài khoản."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.locked = False
        self.device: Any = None  # the device whose code this form verified, when locked

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the empty field says what is missing
        attempt = reserve_attempt(self.request, username)
        if attempt.locked:
            self.locked = True
            self.user_cache, self.device = self._with_code(username, password)
        else:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _with_code(self, username: str, password: str) -> tuple[User, Any]:
        """A locked username signs in with a code and the password: the code first, so that
        guessing the password alone gets no answer at all."""
        refused = ValidationError(self.error_messages["locked"], code="locked")
        user = User.objects.filter(username=username, is_active=True).first()
        device = twofactor.confirmed_device(user) if user else None
        code = self.cleaned_data.get("code") or ""
        if device is None or not twofactor.verify(device, code):
            raise refused
        checked = authenticate(self.request, username=username, password=password)
        if not isinstance(checked, User):
            raise refused
        return checked, device


class CodeForm(forms.Form):
    """The second step of signing in: the code on the user's phone, throttled like the
    password (same pair, same username)."""

    code = code_field()

    def __init__(self, data: Any = None, *, request: HttpRequest, user: User, device: Any) -> None:
        super().__init__(data)
        self.request, self.user, self.device = request, user, device

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        reserve_attempt(self.request, self.user.get_username())
        if not twofactor.verify(self.device, code):
            raise ValidationError(WRONG_CODE, code="wrong")
        return code


class EnrolForm(forms.Form):
    """Setting up a device: the code it shows proves the user scanned the right key."""

    code = code_field()

    def __init__(self, data: Any = None, *, device: Any) -> None:
        super().__init__(data)
        self.device = device

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not twofactor.verify(self.device, code):
            raise ValidationError(WRONG_CODE, code="wrong")
        return code


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, throttled per mailbox against mail flooding. It answers the same
    whether or not an account has the address: the mail leaves from the background worker."""

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        wait = throttle.reserve_mail(email)
        if wait:
            raise ValidationError(throttle.wait_message(wait), code="throttled")
        return email

    def save(  # type: ignore[override]
        self,
        domain_override: str | None = None,
        use_https: bool = False,
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        domain = domain_override or (request.get_host() if request else "localhost")
        tasks.mail_reset_links.enqueue(self.cleaned_data["email"], domain, use_https)
