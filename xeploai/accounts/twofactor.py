"""Two-factor sign-in: a TOTP device per user (django-otp), the session state between the
password and the code, and what a signed-in session still owes before it may see a page.

Who must use a second factor is decided in `policy.needs_second_factor`; anyone else may
enrol, and is then asked for a code as well.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from typing import TYPE_CHECKING, Any

import segno
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .policy import needs_second_factor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

DEVICE_NAME = "TOTP"
CODE = re.compile(r"\d{6}")
CODE_MAX_LENGTH = 12  # six digits, with room for the spaces some apps show between them
# The session of a user whose password was right and whose code is still to come.
PENDING = "accounts.pending"
PENDING_SECONDS = 5 * 60
# When a signed-in session was last found to owe no second factor: the middleware decides
# afresh at most this often, so that pages cost no query for it in between, and a role
# granted or a device reset since sign-in takes effect within that time.
CHECKED = "accounts.second_factor_checked"
RECHECK_SECONDS = 5 * 60


def confirmed_device(user: User) -> Any:
    """The user's TOTP device, once they have confirmed it with a code; None before."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: User) -> Any:
    """The device being set up: created at the first visit, the same one until confirmed,
    so that the code on the user's phone matches whatever page they submit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm(device: Any) -> None:
    """The user typed a code from the new device: it replaces whatever device they had."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def reset(users: Any) -> int:
    """Remove the users' devices (a lost phone): each enrols again at the next sign-in."""
    deleted, _by_model = TOTPDevice.objects.filter(user__in=users).delete()
    return int(deleted)


def ensure_device(user: User) -> Any:
    """The user's confirmed device, created when missing: for the demo's personas and the
    tests, which sign in without a phone."""
    return confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=True
    )


def verify(device: Any, code: str) -> bool:
    """Whether `code` is the device's current one, never used before (django-otp keeps the
    last step verified, so a code read over a shoulder works once)."""
    code = "".join(code.split())
    if not CODE.fullmatch(code):
        return False
    with transaction.atomic():
        held = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        # `accounts.throttle` guards every code typed; the device's own uncapped doubling
        # would let anyone who types codes for a locked username lock its owner out for days.
        held.throttling_enabled = False
        return bool(held.verify_token(code))


def current_code(device: Any) -> str:
    """The code the user's phone shows now (`xeploai totp`, the browser tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def seconds_left(device: Any) -> int:
    """Seconds until the device's current code gives way to the next."""
    return int(device.step - (time.time() - device.t0) % device.step)


def secret(device: Any) -> str:
    """The key in base32, in groups of four, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: Any) -> SafeString:
    """The key as a QR code an authenticator app scans, inline SVG (no image to serve)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=_("Mã QR để quét bằng ứng dụng xác thực")
    )
    return mark_safe(svg)  # noqa: S308  (segno's own markup; the title is our text)


def hold(session: SessionBase, user: User, next_url: str) -> None:
    """Remember a user whose password was right until their code is typed; they are not
    signed in meanwhile."""
    session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "at": time.time(),
        "next": next_url,
    }


def held(session: SessionBase) -> tuple[User, str, str] | None:
    """The user held by `hold`, their authentication backend and where they were going;
    None when nobody is held or the hold is older than `PENDING_SECONDS`."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not 0 <= time.time() - pending["at"] < PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending["backend"], pending["next"]) if user else None


def release(session: SessionBase) -> None:
    session.pop(PENDING, None)


def mark_checked(session: SessionBase) -> None:
    session[CHECKED] = time.time()


def is_checked(session: SessionBase) -> bool:
    """Whether the session was found to owe nothing lately. Either way round: a clock set
    back (or a test travelling in time) must not make every page ask again."""
    checked = session.get(CHECKED)
    return isinstance(checked, float) and abs(time.time() - checked) < RECHECK_SECONDS


def missing_step(request: HttpRequest) -> str | None:
    """The page a signed-in session must pass before any other: the code step when the user
    has a device and has not typed its code in this session, enrolment when they must have
    one and do not; None when the session owes nothing."""
    user: User | AnonymousUser = request.user
    if not isinstance(user, User) or user.is_verified():  # type: ignore[attr-defined]
        return None
    if confirmed_device(user) is not None:
        return "accounts:verify"
    if needs_second_factor(user):
        return "accounts:two_factor"
    return None
