"""Turning cells into values: dates written the Vietnamese way or as Excel dates, yes/no
words, and labels of enumerations matched without regard to case, accents, spaces or
punctuation (the nearest one suggested when none matches)."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import re
from collections.abc import Sequence
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from xeploai.core.text import fold

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
YES = {"co", "x", "1", "true", "yes", "dung"}
NO = {"khong", "0", "false", "no", "sai", ""}


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is for the user, in Vietnamese."""


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 123.0 → "123"
    return " ".join(str(value).split())


def date(value: object) -> dt.date | None:
    """dd/mm/yyyy (also yyyy-mm-dd) or an Excel date cell; None for an empty cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    if day_month_year := _DMY.fullmatch(raw):  # the usual way, read without strptime
        day, month, year_ = map(int, day_month_year.groups())
        with contextlib.suppress(ValueError):  # 31/02/2020 is refused below, with its message
            return dt.date(year_, month, day)
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007  (a calendar date)
        except ValueError:
            continue
    raise ValueProblem(_("“{value}” không phải ngày hợp lệ (dd/mm/yyyy).").format(value=raw))


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueProblem(_("“{value}” không phải Có hoặc Không.").format(value=text(value)))


def choice(value: object, choices: Sequence[tuple[Any, object]], *extra: tuple[Any, str]) -> Any:
    """The value of the choice whose label (or value, or an extra alias) the cell names,
    however its accents, case, spaces and punctuation are written; when none matches, the
    message names the nearest label, if one is near."""
    options: list[tuple[Any, object]] = [*choices, *extra]
    key = fold(text(value))
    named = _folded(tuple((stored, str(label)) for stored, label in options))
    if key in named:
        return named[key]
    bare = _bare(key)
    keys = {_bare(fold(str(name))): stored for stored, label in options for name in (label, stored)}
    if bare in keys:
        return keys[bare]
    names = ", ".join(dict.fromkeys(str(label) for _stored, label in choices))
    near = _nearest(bare, options, choices)
    message = (
        _("“{value}” không thuộc các giá trị: {names}; có phải “{near}”?")
        if near
        else _("“{value}” không thuộc các giá trị: {names}.")
    )
    raise ValueProblem(message.format(value=text(value), names=names, near=near))


@functools.lru_cache(maxsize=256)
def _folded(options: tuple[tuple[Any, str], ...]) -> dict[str, Any]:
    """The choices by their folded label and value, the first option winning; kept, since
    a column folds the same few labels for every row of a file."""
    named: dict[str, Any] = {}
    for stored, label in reversed(options):
        named[fold(str(stored))] = stored
        named[fold(label)] = stored
    return named


_NOT_WORD = re.compile(r"[\W_]+")


def _bare(folded: str) -> str:
    """A folded text without its punctuation: "xa - phuong" → "xa phuong"."""
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def _nearest(
    bare: str, options: Sequence[tuple[Any, object]], choices: Sequence[tuple[Any, object]]
) -> str:
    """The label of the choice whose label or alias is nearest to the cell, or ""."""
    by_key = {_bare(fold(str(label))): stored for stored, label in options}
    near = difflib.get_close_matches(bare, list(by_key), n=1, cutoff=0.6)
    if not near:
        return ""
    return next((str(label) for stored, label in choices if stored == by_key[near[0]]), "")


def year(value: object) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not raw.isdigit():
        raise ValueProblem(_("“{value}” không phải năm (ví dụ 2024).").format(value=raw))
    return int(raw)


def label(value: object, choices: Sequence[tuple[object, object]]) -> object:
    """How a stored choice is written in a file: its Vietnamese label."""
    return next((str(lbl) for stored, lbl in choices if stored == value), value)


def yes_no_text(value: bool) -> str:
    return str(_("Có")) if value else str(_("Không"))


YES_NO_NOTE = gettext_lazy("Có hoặc Không; để trống là Không.")


def one_of(choices: Sequence[tuple[object, object]]) -> StrOrPromise:
    """A template note listing the labels a column accepts, translated when shown."""
    return format_lazy(
        gettext_lazy("Một trong: {names}."), names=", ".join(str(lbl) for _v, lbl in choices)
    )
