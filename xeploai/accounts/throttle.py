"""Throttling of attempts to prove who one is (passwords, second-factor codes) and of mails.

Each attempt at signing in counts twice, in rows of `LoginThrottle`:

- on its (username, address) pair, which after k failures waits 2^k seconds, at most
  `PAIR_MAX_DELAY`, before its next attempt is even checked: a guesser slows down, while the
  owner typing from another address is not held back;
- on the username alone, which past `USERNAME_CEILING` failures from any addresses is locked
  for `LOCK`. While locked, the right password counts only together with a second-factor code, or
  after the link mailed to the account lifted the lock: never the password alone.

An address alone is never counted: behind a commune's shared address, one guesser must not
lock everyone else out. The attempt is reserved (counted as a failure) before the password is
checked, inside a transaction holding both rows, and given back once it turns out right: a
burst of simultaneous attempts gets no more checks than the counts allow.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginThrottle

# The limits, here and nowhere else.
PAIR_MAX_DELAY = 15 * 60  # seconds: 2, 4, 8, ... then a quarter of an hour between attempts
USERNAME_CEILING = 20  # failures from any addresses checked before the username is locked
LOCK = dt.timedelta(hours=24)  # how long a lock lasts when nobody lifts it
FAILURE_MEMORY = dt.timedelta(hours=24)  # a key left alone this long starts afresh
MAIL_FIRST_DELAY = 60  # seconds before a second mail to one mailbox, then doubling
MAIL_MAX_DELAY = 60 * 60
CLEANUP_BATCH = 100  # forgotten rows deleted by each attempt, a few at a time

UNLOCK_SALT = "xeploai.accounts.unlock"


@dataclasses.dataclass(frozen=True)
class Attempt:
    """What the throttle made of an attempt at signing in.

    `wait` > 0: refused unchecked, try again in that many seconds. Otherwise the attempt is
    reserved and may be checked; `locked` says the username is locked, `newly_locked` that
    this very attempt locked it (the moment to mail the unlock link).
    """

    wait: int = 0
    locked: bool = False
    newly_locked: bool = False
    locked_until: dt.datetime | None = None


def _digest(*parts: str) -> str:
    # Hashed: any username or address makes a key of fixed length.
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def username_key(username: str) -> str:
    """Usernames count case-insensitively: "BINH" and "binh" share one counter."""
    return f"user:{_digest(username.casefold())}"


def pair_key(username: str, address: str | None) -> str:
    return f"pair:{_digest(username.casefold(), address or '')}"


def mail_key(email: str) -> str:
    return f"mail:{_digest(email.strip().casefold())}"


def pair_delay(failures: int) -> int:
    """Seconds the pair waits after its `failures`-th failure: 2^k, capped."""
    return min(1 << min(failures, 32), PAIR_MAX_DELAY)


def mail_delay(mails: int) -> int:
    """Seconds before one more mail to a mailbox that got `mails` already."""
    return min(MAIL_FIRST_DELAY << min(max(mails - 1, 0), 32), MAIL_MAX_DELAY)


def reserve(username: str, address: str | None) -> Attempt:
    """Count an attempt at signing in as `username` from `address` as failed, before it is
    checked; refuse it unchecked while its pair must still wait."""
    now = timezone.now()
    user_key, pair = username_key(username), pair_key(username, address)
    with transaction.atomic():
        rows = _hold([user_key, pair], now)
        user_row, pair_row = rows[user_key], rows[pair]
        if user_row.locked_until is not None and user_row.locked_until <= now:
            user_row.failures, user_row.locked_until = 0, None  # the lock ran out
        if pair_row.not_before is not None and now < pair_row.not_before:
            return Attempt(
                wait=_seconds(pair_row.not_before - now),
                locked=user_row.locked_until is not None,
                locked_until=user_row.locked_until,
            )
        pair_row.failures += 1
        pair_row.not_before = now + dt.timedelta(seconds=pair_delay(pair_row.failures))
        user_row.failures += 1
        newly_locked = user_row.locked_until is None and user_row.failures > USERNAME_CEILING
        if newly_locked:
            user_row.locked_until = now + LOCK
        for row in (user_row, pair_row):
            row.forget_at = max(now + FAILURE_MEMORY, row.locked_until or now)
            row.save()
    return Attempt(
        locked=user_row.locked_until is not None,
        newly_locked=newly_locked,
        locked_until=user_row.locked_until,
    )


def give_back(username: str, address: str | None) -> None:
    """The password was right and a code is still to come: the attempt was no failure. Its
    pair returns to the delay it had before, so that the owner types the code at once."""
    now = timezone.now()
    keys = [username_key(username), pair_key(username, address)]
    with transaction.atomic():
        for row in LoginThrottle.objects.select_for_update().filter(key__in=keys):
            row.failures = max(0, row.failures - 1)
            if row.key.startswith("pair:"):
                row.not_before = (
                    now + dt.timedelta(seconds=pair_delay(row.failures)) if row.failures else None
                )
            row.save()


def succeed(username: str, address: str | None, *, second_factor: bool) -> None:
    """Signed in: forget the pair's failures and the username's. Its lock goes only with a
    second factor: the password alone never lifts it."""
    keys = [pair_key(username, address), username_key(username)]
    rows = LoginThrottle.objects.filter(key__in=keys)
    if not second_factor:
        rows = rows.exclude(key=username_key(username), locked_until__gt=timezone.now())
    rows.delete()


def is_locked(username: str) -> bool:
    row = LoginThrottle.objects.filter(key=username_key(username)).first()
    return row is not None and row.locked_until is not None and row.locked_until > timezone.now()


def lift(username: str) -> None:
    """Lift the username's lock and forget its failures: the owner proved who they are by
    mail (an unlock or reset link), or an administrator vouched for them."""
    LoginThrottle.objects.filter(key=username_key(username)).delete()


def unlock_token(username: str, locked_until: dt.datetime) -> str:
    """The token of the mailed unlock link: valid for this one lock only, so it works once."""
    return signing.dumps([username_key(username), locked_until.isoformat()], salt=UNLOCK_SALT)


def lift_with_token(token: str) -> bool:
    """Lift the lock the token was made for; False when the token is forged, used, or its
    lock is over."""
    try:
        key, until = signing.loads(token, salt=UNLOCK_SALT, max_age=LOCK)
        locked_until = dt.datetime.fromisoformat(until)
    except (signing.BadSignature, TypeError, ValueError):
        return False
    rows = LoginThrottle.objects.filter(
        key=key, locked_until=locked_until, locked_until__gt=timezone.now()
    )
    deleted, _rows = rows.delete()
    return deleted > 0


def reserve_mail(email: str) -> int:
    """Count one mail to `email` (a reset link), whether or not an account has that address;
    the seconds to wait instead when the mailbox got one too recently (0: send it)."""
    now = timezone.now()
    key = mail_key(email)
    with transaction.atomic():
        row = _hold([key], now)[key]
        if row.not_before is not None and now < row.not_before:
            return _seconds(row.not_before - now)
        row.failures += 1
        row.not_before = now + dt.timedelta(seconds=mail_delay(row.failures))
        row.forget_at = now + FAILURE_MEMORY
        row.save()
    return 0


def wait_message(seconds: int) -> str:
    """How long to wait, in words: seconds under a minute, minutes above."""
    if seconds < 60:
        return str(_("Vui lòng chờ %(n)d giây rồi thử lại.") % {"n": seconds})
    return str(_("Vui lòng chờ %(n)d phút rồi thử lại.") % {"n": math.ceil(seconds / 60)})


def _hold(keys: list[str], now: dt.datetime) -> dict[str, LoginThrottle]:
    """The rows of `keys`, created when missing, held by this transaction until it ends: an
    attempt under the same key meanwhile waits for it (SQLite: its transactions are IMMEDIATE,
    one writer at a time; PostgreSQL: the upsert and FOR UPDATE lock the rows)."""
    keys = sorted(keys)  # always locked in one order: no deadlock between two attempts
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=key, forget_at=now + FAILURE_MEMORY) for key in keys],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["key"],  # a no-op update: it locks an existing row on PostgreSQL
    )
    rows = {row.key: row for row in LoginThrottle.objects.select_for_update().filter(key__in=keys)}
    for row in rows.values():
        if row.forget_at <= now:  # left alone long enough: starts afresh
            row.failures, row.not_before, row.locked_until = 0, None, None
    _forget_old(now, keys)
    return rows


def _forget_old(now: dt.datetime, keep: list[str]) -> None:
    """Delete a few rows nobody touched for `FAILURE_MEMORY`, skipping those another attempt
    holds, so that the table stays small without ever waiting on one."""
    old = (
        LoginThrottle.objects.select_for_update(skip_locked=True)
        .filter(forget_at__lte=now)
        .exclude(key__in=keep)
        .values_list("pk", flat=True)[:CLEANUP_BATCH]
    )
    LoginThrottle.objects.filter(pk__in=list(old)).delete()


def _seconds(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
