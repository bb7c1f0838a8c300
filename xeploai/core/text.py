"""Vietnamese text helpers shared by models, imports and search."""

from __future__ import annotations

import unicodedata

from xeploai.rules.legacy import fold

__all__ = ["fold", "name_sort_key", "printable", "search_key"]


def printable(text: str) -> str:
    """Text as typed, less what prints nothing (a NUL byte, which PostgreSQL refuses in any
    string, other control characters, zero-width spaces): each such character counts as a
    space, and the ends are trimmed."""
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def search_key(*parts: str) -> str:
    """The accent-folded key stored in `search_key` columns: "Nguyễn Văn Đức" → "nguyen van duc"."""
    return fold(" ".join(p for p in parts if p))


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ORDER = {ch: i for i, ch in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def name_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key following the Vietnamese alphabet: "Đức" after "Dũng", tones second."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    # Breve, circumflex and horn make letters of their own (ă, â, ê, ô, ơ, ư); tones do not.
    letters = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    primary = tuple(-1 if c == " " else _ORDER.get(c, 1000 + ord(c)) for c in letters)
    tones = tuple(
        _TONES.get(c, 0) for c in decomposed if c in _TONES or not unicodedata.combining(c)
    )
    return primary, tones
