"""Reasons as reports count them: by what they say, not by each person's dates.

The engine words an exemption (R2, `rules/engine.py`) with the dates of the member's own
exemption where they are known — "Miễn công tác và sinh hoạt đảng từ ngày 01/01/2020: Tuổi
cao, sức yếu …" — which is right on the member's page. A report that grouped by that text
would give every exempt member a reason of their own; it counts the exemption without its
dates, as the engine words one whose dates are unknown."""

from __future__ import annotations

import functools
import re

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

# The engine's words, the same messages: a translation of the one is a translation of the other.
_UNDATED = gettext_noop("Miễn công tác và sinh hoạt đảng")
_DATED = (
    gettext_noop("Miễn công tác và sinh hoạt đảng từ ngày {start} đến ngày {end}"),
    gettext_noop("Miễn công tác và sinh hoạt đảng từ ngày {start}"),
)
_DATE = r"\d{2}/\d{2}/\d{4}"


def counted_reason(text: str) -> str:
    """`text` with the dates of an exemption taken out."""
    return _counted(get_language(), text) if text else text


@functools.lru_cache(maxsize=4096)
def _counted(language: str | None, text: str) -> str:
    """`counted_reason` in `language` (the active one): reports count the same few reasons
    over and over."""
    undated = _(_UNDATED)
    return _dated(language).sub(lambda _match: undated, text)


@functools.cache
def _dated(language: str | None) -> re.Pattern[str]:
    """The dated wordings in `language` (the active one), the longer first."""
    alternatives = [
        re.sub(r"\\\{(start|end)\\\}", lambda _match: _DATE, re.escape(_(wording)))
        for wording in _DATED
    ]
    return re.compile("|".join(alternatives))
