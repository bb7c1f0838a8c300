"""Near copies among self-review sections, and weakness sections that avoid the point. Pure:
plain strings in, findings out, no Django, so that the page, the command and the benchmark
judge alike.

A section is read as its syllables (Vietnamese writes one syllable per word), lower-cased,
and as its shingles: every run of `SHINGLE` syllables. Copies are found in two steps, so
that the cost grows with the number of sections, never with their pairs:

1. *Candidates*: each section's MinHash signature over its shingles, cut into `BANDS` bands
   of `ROWS` rows; two sections are candidates when they agree on every row of some band
   (locality-sensitive hashing: sections sharing half their shingles meet with probability
   0.93, a tenth of them 0.02). Sections written alike to the letter are grouped first, each
   compared with the group's first alone.
2. *Confirmation*: the share of a section's shingles found in the other, each shingle
   weighed by how rare it is in the population (`_rarity`). Members write with the
   same stock phrases; a copy also shares what is rare: the person's own facts, their
   choice of words. A name or a date changed, words added, sentences reordered: most
   shingles stay. Words added around a copied text lower its own share, not the share of
   the other found in it, and the larger of the two is the pair's score.

The sentences the two share are then marked, matched with rapidfuzz (`SAME_SENTENCE`), for
showing the texts side by side.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

SHINGLE = 3  # syllables per shingle
ROWS, BANDS = 3, 20  # of the signature: PERMS = ROWS * BANDS hash functions
PERMS = ROWS * BANDS
MIN_SYLLABLES = 30  # shorter sections are never copies (they may be evasive)
SAME_SENTENCE = 80.0  # rapidfuzz's ratio (0-100) from which two sentences are one
COPIED = 0.6  # share of a section found in the other from which it is a copy
MIN_SENTENCE = 3  # syllables: shorter "sentences" (a heading, a number) match nothing
# A shingle in more sections than both is a stock phrase, which makes no candidate pair (the
# share of the population, and at least so many: a few dozen light copies of one text stay).
STOCK_SHINGLE, STOCK_SECTIONS = 0.05, 30
PRIOR = 50  # sections a shingle's rarity is judged among, at the least (`_rarity`)
MIN_OWN = 30  # shingles, not stock, two sections must share to be copies (over a sentence)

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
# Fixed seeds: the same sections give the same signatures, hence the same findings, in every
# process (Python's own hash() changes from one process to the next).
_SEEDS = np.random.default_rng(16).integers(1, 2**63, size=(2, PERMS), dtype=np.uint64)
_A, _B = _SEEDS[0] | np.uint64(1), _SEEDS[1]  # multiply-shift hashing: odd multipliers
_CHUNK = 200_000  # shingles hashed at once (60 uint64 each: about 100 MB)


@dataclasses.dataclass(frozen=True)
class Section:
    """One free-text section of one self-review."""

    key: Hashable  # the caller's name for it (whose review, which year, which section)
    owner: str  # whose: compared with others' sections and with their own earlier ones
    year: int
    text: str


@dataclasses.dataclass(frozen=True)
class Copy:
    """`section` and `source` say nearly the same. `section` is the later one (of one year,
    the one given later); `spans` and `source_spans` are the characters of the sentences
    they share, in each text."""

    section: Section
    source: Section
    score: float  # the larger share of either found in the other, 0-1
    spans: tuple[tuple[int, int], ...]
    source_spans: tuple[tuple[int, int], ...]


@dataclasses.dataclass
class Comparison:
    """What finding the copies of a population cost: sections read, pairs confirmed."""

    sections: int = 0
    candidates: int = 0
    copies: list[Copy] = dataclasses.field(default_factory=list)


def syllables(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


@dataclasses.dataclass(frozen=True)
class _Sentence:
    text: str  # its syllables, space-separated
    size: int  # how many
    span: tuple[int, int]  # its characters in the section's text


def sentences(text: str) -> list[_Sentence]:
    """The section's sentences long enough to compare, each as its syllables."""
    text = unicodedata.normalize("NFC", text)
    found = []
    start = 0
    for end_mark in [*_SENTENCE_END.finditer(text), None]:
        end = end_mark.start() if end_mark else len(text)
        words = _WORD.findall(text[start:end].casefold())
        if len(words) >= MIN_SENTENCE:
            lead = len(text[start:end]) - len(text[start:end].lstrip())
            trail = len(text[start:end]) - len(text[start:end].rstrip())
            found.append(_Sentence(" ".join(words), len(words), (start + lead, end - trail)))
        start = end_mark.end() if end_mark else len(text)
    return found


def copies_among(populations: Sequence[Sequence[Section]]) -> list[list[Copy]]:
    """The copies of each population: one task of a process pool (`signals.find`)."""
    return [near_copies(population).copies for population in populations]


def near_copies(population: Sequence[Section]) -> Comparison:
    """Every pair of sections of `population` that say nearly the same, but a person's two
    sections of one year; the strongest first."""
    result = Comparison(sections=len(population))
    read = [(i, syllables(s.text)) for i, s in enumerate(population)]
    read = [(i, words) for i, words in read if len(words) >= MIN_SYLLABLES]
    shingles = {i: _shingles(words) for i, words in read}
    weights = _rarity(list(shingles.values()))
    # Written alike to the letter: each compared with the first of its kind only.
    alike: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, words in read:
        alike[tuple(words)].append(i)
    pairs: set[tuple[int, int]] = set()
    for group in alike.values():
        pairs.update((group[0], j) for j in group[1:])
    # Candidates by what is not stock: a shingle in many sections makes no pair.
    firsts = [i for i in (group[0] for group in alike.values()) if len(shingles[i])]
    stock = _stock(list(shingles.values()))
    own = [np.setdiff1d(shingles[i], stock, assume_unique=True) for i in firsts]
    firsts, own = (
        [i for i, o in zip(firsts, own, strict=True) if len(o)],
        [o for o in own if len(o)],
    )
    for a, b in _candidates(_signatures(own)):
        pairs.add((firsts[a], firsts[b]))
    for a, b in sorted(pairs):
        first, second = population[a], population[b]
        if first.owner == second.owner and first.year == second.year:
            continue  # one person's own sections of one year
        result.candidates += 1
        score = _score(shingles[a], shingles[b], weights)
        if score >= COPIED and _own_shared(shingles[a], shingles[b], stock) >= MIN_OWN:
            result.copies.append(_copy(first, second, score))
    result.copies.sort(key=lambda c: (-c.score, str(c.section.key), str(c.source.key)))
    return result


def _shingles(words: list[str]) -> NDArray[np.uint64]:
    """The section's distinct shingles, hashed, sorted."""
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), np.uint64, len(grams)))


def _stock(sets: list[NDArray[np.uint64]]) -> NDArray[np.uint64]:
    """The shingles of more than `STOCK_SECTIONS` sections and `STOCK_SHINGLE` of them."""
    if not sets:
        return np.empty(0, np.uint64)
    values, df = np.unique(np.concatenate(sets), return_counts=True)
    return values[df > max(STOCK_SECTIONS, STOCK_SHINGLE * len(sets))]


def _rarity(sets: list[NDArray[np.uint64]]) -> dict[int, float]:
    """Each shingle's weight, `log(1 + (N + PRIOR) / df)`: N sections, df of them with the
    shingle. `PRIOR` sections more, as if without it, keep a few sections from weighing their
    shared shingles down: among two, every shingle of a copy is in half of them."""
    if not sets:
        return {}
    values, df = np.unique(np.concatenate(sets), return_counts=True)
    weight = np.log1p((len(sets) + PRIOR) / df)
    return dict(zip(values.tolist(), weight.tolist(), strict=True))


def _score(a: NDArray[np.uint64], b: NDArray[np.uint64], weights: dict[int, float]) -> float:
    """The larger of the weighted shares of `a` found in `b` and of `b` found in `a`."""
    shared = sum(weights[s] for s in np.intersect1d(a, b, assume_unique=True).tolist())
    whole_a = sum(weights[s] for s in a.tolist())
    whole_b = sum(weights[s] for s in b.tolist())
    return shared / min(whole_a, whole_b)


def _own_shared(a: NDArray[np.uint64], b: NDArray[np.uint64], stock: NDArray[np.uint64]) -> int:
    """How many shingles the two share that are not stock phrases."""
    shared = np.intersect1d(a, b, assume_unique=True)
    return len(np.setdiff1d(shared, stock, assume_unique=True))


def _signatures(sets: list[NDArray[np.uint64]]) -> NDArray[np.uint64]:
    """Each set's MinHash signature (one row per set, `PERMS` columns), a chunk of sets at
    a time so that memory stays bounded whatever their number."""
    signatures = np.empty((len(sets), PERMS), np.uint64)
    start = 0
    while start < len(sets):
        end, size = start, 0
        while end < len(sets) and (size == 0 or size + len(sets[end]) <= _CHUNK):
            size += len(sets[end])
            end += 1
        values = np.concatenate(sets[start:end])
        hashed = values[:, None] * _A + _B  # wraps modulo 2**64, as multiply-shift wants
        offsets = np.cumsum([0, *(len(s) for s in sets[start : end - 1])])
        signatures[start:end] = np.minimum.reduceat(hashed, offsets, axis=0)
        start = end
    return signatures


def _candidates(signatures: NDArray[np.uint64]) -> Iterator[tuple[int, int]]:
    """Pairs of rows (lower first) agreeing on every row of at least one band."""
    for band in range(BANDS):
        rows = np.ascontiguousarray(signatures[:, band * ROWS : (band + 1) * ROWS])
        keys = rows.view(np.dtype((np.void, rows.itemsize * ROWS))).ravel()
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if end - start > 1:
                bucket = sorted(order[start:end].tolist())
                for x, first in enumerate(bucket):
                    for second in bucket[x + 1 :]:
                        yield first, second


def _copy(first: Section, second: Section, score: float) -> Copy:
    """The pair as a copy: the later section copies the earlier (of one year, the one given
    later copies), with the sentences they share marked in both."""
    if second.year < first.year:
        first, second = second, first
    mine, theirs = sentences(second.text), sentences(first.text)
    return Copy(
        section=second,
        source=first,
        score=round(min(score, 1.0), 3),
        spans=tuple(mine[i].span for i in sorted(_matched(mine, theirs))),
        source_spans=tuple(theirs[i].span for i in sorted(_matched(theirs, mine))),
    )


def _matched(these: list[_Sentence], others: list[_Sentence]) -> set[int]:
    """Which of `these` nearly match one of `others`."""
    choices = [s.text for s in others]
    return {
        i
        for i, sentence in enumerate(these)
        if process.extractOne(sentence.text, choices, scorer=fuzz.ratio, score_cutoff=SAME_SENTENCE)
    }


# --- Weakness sections that avoid the point --------------------------------------------------

# What a section says when it says nothing ("Không có", "Chưa có"), without its punctuation.
NOTHING = frozenset(
    {
        "không",
        "không có",
        "không có gì",
        "chưa",
        "chưa có",
        "chưa có gì",
        "không có hạn chế",
        "không có khuyết điểm",
        "không có hạn chế khuyết điểm",
        "chưa có hạn chế",
        "chưa có khuyết điểm",
        "chưa có hạn chế khuyết điểm",
        "không có hạn chế gì",
        "chưa thấy",
        "chưa phát hiện",
        "không phát hiện",
    }
)
ONE_LINE = 12  # syllables: a weakness said in fewer is said in one line
SHORTER = 0.15  # a weakness section under this share of the strengths' length
LONG_STRENGTHS = 60  # syllables of strengths from which `SHORTER` is judged
STOCK_SHARE = 0.3  # a sentence in this share of a unit's weakness sections is a stock phrase
STOCK_PEOPLE = 5  # and in at least this many


@dataclasses.dataclass(frozen=True)
class Evasion:
    """Why a weakness section avoids the point: `kind` (one of the constants below) and the
    measures its explanation quotes."""

    kind: str
    strength: float  # 0-1, how strongly it avoids the point
    measures: Mapping[str, float] = dataclasses.field(default_factory=dict)


EMPTY = "empty"  # nothing, or "Không có"
ONE_LINER = "one_line"  # a line
LOPSIDED = "lopsided"  # far shorter than the strengths
STOCK = "stock"  # only phrases a large share of the unit writes too
NO_RESPONSIBILITY = "no_responsibility"  # the collective had weaknesses; no word of their own
FIXED_UNSAID = "fixed_unsaid"  # weaknesses declared fixed, with nothing said of how


def stock_sentences(weaknesses: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The sentences (as syllables) that a large share of a unit's people write in their
    weakness section: given (owner, text) of the unit's sections."""
    owners: dict[str, set[str]] = defaultdict(set)
    people = set()
    for owner, text in weaknesses:
        people.add(owner)
        for sentence in sentences(text):
            owners[sentence.text].add(owner)
    least = max(STOCK_PEOPLE, STOCK_SHARE * len(people))
    return frozenset(s for s, who in owners.items() if len(who) >= least)


def evasions(
    sections: Mapping[str, str],
    *,
    stock: frozenset[str] = frozenset(),
    collective_weak: bool = False,
    fixed_unsaid: int = 0,
) -> list[Evasion]:
    """How one self-review's weakness sections avoid the point. `sections` by the form's
    keys (`strengths`, `weaknesses`, `collective_responsibility`); `stock`: the unit's stock
    sentences; `collective_weak`: whether the collective the person belongs to had
    weaknesses concluded; `fixed_unsaid`: follow-up items declared fixed with no text."""
    found = []
    weak = syllables(sections.get("weaknesses", ""))
    strong = syllables(sections.get("strengths", ""))
    if " ".join(weak) in NOTHING or not weak:
        found.append(Evasion(EMPTY, 1.0))
    elif len(weak) < ONE_LINE:
        found.append(Evasion(ONE_LINER, 0.8, {"syllables": len(weak)}))
    elif len(strong) >= LONG_STRENGTHS and len(weak) < SHORTER * len(strong):
        ratio = len(weak) / len(strong)
        found.append(Evasion(LOPSIDED, round(1 - ratio / SHORTER * 0.5, 3), {"ratio": ratio}))
    if weak and stock and len(weak) >= ONE_LINE:
        said = sentences(sections.get("weaknesses", ""))
        if said and all(s.text in stock for s in said):
            found.append(Evasion(STOCK, 0.7, {"sentences": len(said)}))
    own = syllables(sections.get("collective_responsibility", ""))
    if collective_weak and (not own or " ".join(own) in NOTHING):
        found.append(Evasion(NO_RESPONSIBILITY, 0.9))
    if fixed_unsaid:
        found.append(
            Evasion(FIXED_UNSAID, min(1.0, 0.5 + 0.1 * fixed_unsaid), {"items": fixed_unsaid})
        )
    return found
