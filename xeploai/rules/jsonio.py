"""The engine's JSON contract (docs/rules-cli.md): strict parsing, plain output.

Every error names the subject and the field, so that a caller can fix its file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from .engine import Verdict, classify_member, classify_unit
from .facts import (
    Discipline,
    Exemption,
    MemberFacts,
    Period,
    Score,
    StateLevel,
    Tasks,
    UnitFacts,
    UnitKind,
    Weaknesses,
)
from .i18n import _
from .legacy import rank_label
from .levels import DisciplineForm, Grade, Level, Status
from .quota import Proposal, QuotaResult, check_proposals, check_quota
from .reasons import Reason
from .regimes import SETTINGS, Method, Regime, RegimeSettings

E = TypeVar("E", bound=enum.Enum)
_MISSING = object()


class InputError(Exception):
    """A problem with the input, located by subject and field."""

    def __init__(self, message: str, subject: str = "", field: str = "") -> None:
        self.subject, self.field, self.message = subject, field, message
        where = " ".join(
            part
            for part in (
                f"subject {subject!r}" if subject else "",
                f"field {field!r}" if field else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class _Reader:
    """Reads one JSON object field by field, remembering which keys it used."""

    def __init__(self, data: Any, subject: str, prefix: str = "") -> None:
        self.subject, self.prefix = subject, prefix
        if not isinstance(data, dict):
            raise InputError("must be an object", subject, prefix.rstrip(".") or "")
        self.data: dict[str, Any] = data
        self.used: set[str] = set()

    def _get(self, name: str, required: bool) -> Any:
        self.used.add(name)
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise InputError("missing", self.subject, self.prefix + name)
            return _MISSING
        return value

    def error(self, name: str, message: str) -> InputError:
        return InputError(message, self.subject, self.prefix + name)

    def text(self, name: str, default: str = "", required: bool = False) -> str:
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            raise self.error(name, "must be a string")
        return value

    def boolean(self, name: str) -> bool:
        return bool(self.optional_boolean(name))

    def optional_boolean(self, name: str) -> bool | None:
        """True or false when given, None when left out."""
        value = self._get(name, False)
        if value is _MISSING:
            return None
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def date(self, name: str, required: bool = True) -> dt.date | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.error(name, f"must be a date YYYY-MM-DD, not {value!r}") from None

    def number(
        self, name: str, default: Decimal | None = None, low: int = 0, high: int | None = None
    ) -> Decimal | None:
        value = self._get(name, default is None)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.error(name, "must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.error(name, f"must be a number, not {value!r}") from None
        if not number.is_finite() or number < low or (high is not None and number > high):
            limit = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self.error(name, f"must be {limit}, not {value!r}")
        return number

    def integer(self, name: str, default: int = 0) -> int:
        value = self._get(name, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(name, "must be a whole number, at least 0")
        return int(value)

    def choice(self, name: str, kind: type[E], required: bool = False) -> E | None:
        """A member of `kind`, by its documented word: the value of a text enum
        ("collective"), the name of any other (`GOOD`); a name is accepted for both."""
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and value in kind.__members__:
            return kind[value]
        try:
            return kind(value)
        except ValueError:
            words = ", ".join(m.value if isinstance(m.value, str) else m.name for m in kind)
            raise self.error(name, f"must be one of {words}, not {value!r}") from None

    def child(self, name: str, required: bool = False) -> _Reader | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        return _Reader(value, self.subject, f"{self.prefix}{name}.")

    def items(self, name: str) -> list[_Reader]:
        value = self._get(name, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            raise self.error(name, "must be a list")
        return [
            _Reader(item, self.subject, f"{self.prefix}{name}[{i}].")
            for i, item in enumerate(value)
        ]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown field")


def _tasks(reader: _Reader | None, *, unit_results: bool) -> Tasks | None:
    """A tasks object; `key_targets_missed` and `force_majeure` (R10) belong to the results
    of a unit only, and are refused on a member's own tasks rather than ignored."""
    if reader is None:
        return None
    hundred = Decimal(100)
    if not unit_results:
        for name in ("key_targets_missed", "force_majeure"):
            if name in reader.data:
                raise reader.error(name, "applies to the results of a unit only (R10)")
    tasks = Tasks(
        done_percent=reader.number("done", high=100) or Decimal(0),
        late_percent=reader.number("late", Decimal(0), high=100) or Decimal(0),
        exceeded_percent=reader.number("exceeded", Decimal(0), high=100) or Decimal(0),
        key_targets_missed=reader.optional_boolean("key_targets_missed"),
        force_majeure=reader.boolean("force_majeure"),
    )
    reader.done()
    if tasks.late_percent > tasks.done_percent or tasks.done_percent > hundred:
        raise reader.error("late", "cannot exceed the share done")
    return tasks


def _score(reader: _Reader | None, settings: RegimeSettings) -> Score | None:
    if reader is None:
        return None
    score = Score(
        general=reader.number("general", high=int(settings.general_max)) or Decimal(0),
        task_results=reader.number("task_results", high=int(settings.task_results_max))
        or Decimal(0),
    )
    reader.done()
    return score


def _grades(
    reader: _Reader | None, settings: RegimeSettings, subject: str
) -> dict[str, Grade] | None:
    if reader is None:
        return None
    criteria = settings.criteria_for(subject)
    grades = {c: g for c in criteria if (g := reader.choice(c, Grade, required=True)) is not None}
    reader.done()
    return grades


def _weaknesses(reader: _Reader | None) -> Weaknesses:
    if reader is None:
        return Weaknesses()
    weaknesses = Weaknesses(reader.integer("total"), reader.integer("fixed"))
    reader.done()
    if weaknesses.fixed > weaknesses.total:
        raise reader.error("fixed", "cannot exceed total")
    return weaknesses


def _sheets(r: _Reader, settings: RegimeSettings, subject: str) -> dict[str, Any]:
    """The regime's sheet: required unless the subject is out of scope (checked later)."""
    sheets: dict[str, Any] = {"tasks": _tasks(r.child("tasks"), unit_results=subject == "unit")}
    if settings.method is Method.SCORE:
        sheets["score"] = _score(r.child("score"), settings)
    else:
        sheets["grades"] = _grades(r.child("grades"), settings, subject)
    sheets["weaknesses"] = _weaknesses(r.child("weaknesses"))
    return sheets


def parse_member(r: _Reader, settings: RegimeSettings) -> MemberFacts:
    head = r.choice("head_of_unit_level", Level)
    facts = MemberFacts(
        id=r.subject,
        admitted=r.date("admitted") or dt.date.min,
        exempt=r.boolean("exempt"),
        exempt_reason=r.text("exempt_reason"),
        exemptions=tuple(_exemption(e) for e in r.items("exemptions")),
        suspended=r.boolean("suspended"),
        suspended_from_committee_only=r.boolean("suspended_from_committee_only"),
        discipline=tuple(_discipline(d) for d in r.items("discipline")),
        degraded=r.boolean("degraded"),
        civil_servant=r.boolean("civil_servant"),
        state_level=r.choice("state_level", StateLevel),
        sick_leave_months=r.number("sick_leave_months", Decimal(0), high=12) or Decimal(0),
        maternity_leave_months=r.number("maternity_leave_months", Decimal(0), high=12)
        or Decimal(0),
        leader=r.boolean("leader"),
        led_units_tasks=_tasks(r.child("led_units_tasks"), unit_results=True),
        head_of_unit_level=head,
        head_of_unit_final=not r.boolean("head_of_unit_pending"),
        **_sheets(r, settings, "member"),
    )
    r.done()
    return facts


def _exemption(r: _Reader) -> Exemption:
    start = r.date("start")
    assert start is not None
    end = r.date("end", required=False)
    exemption = Exemption(start, end, r.text("reason"))
    r.done()
    if end is not None and end < start:
        raise r.error("end", "is before start")
    return exemption


def _discipline(r: _Reader) -> Discipline:
    form = r.choice("form", DisciplineForm, required=True)
    assert form is not None
    counted = r.integer("counted_in_year", default=-1)
    d = Discipline(
        form=form,
        decided=r.date("decided") or dt.date.min,
        counted_in_year=None if counted < 0 else counted,
        self_remedied=r.boolean("self_remedied"),
    )
    r.done()
    return d


def parse_unit(r: _Reader, settings: RegimeSettings) -> UnitFacts:
    def levels(name: str) -> tuple[Level, ...]:
        value = r.data.get(name)
        r.used.add(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise r.error(name, "must be a list of levels")
        holder = _Reader({str(i): v for i, v in enumerate(value)}, r.subject, f"{r.prefix}{name}.")
        return tuple(holder.choice(str(i), Level, required=True) for i in range(len(value)))  # type: ignore[misc]

    leadership = r.data.get("leadership_discipline") or []
    r.used.add("leadership_discipline")
    if not isinstance(leadership, list):
        raise r.error("leadership_discipline", "must be a list of discipline forms")
    forms = _Reader(
        {str(i): v for i, v in enumerate(leadership)}, r.subject, "leadership_discipline."
    )
    facts = UnitFacts(
        id=r.subject,
        founded=r.date("founded") or dt.date.min,
        kind=r.choice("kind", UnitKind) or UnitKind.ORGANISATION,
        grassroots_or_cell=not r.boolean("above_grassroots"),
        disciplined=r.boolean("disciplined"),
        subunits=r.integer("subunits"),
        subunits_disciplined=r.integer("subunits_disciplined"),
        leadership_discipline=tuple(
            forms.choice(str(i), DisciplineForm, required=True)  # type: ignore[misc]
            for i in range(len(leadership))
        ),
        disunity=r.boolean("disunity"),
        degraded_member=r.boolean("degraded_member"),
        sub_results=levels("sub_results"),
        peer_levels=levels("peer_levels"),
        **_sheets(r, settings, "unit"),
    )
    r.done()
    if facts.subunits_disciplined > facts.subunits:
        raise r.error("subunits_disciplined", "cannot exceed subunits")
    return facts


def load(text: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None


def _header(data: Any) -> tuple[_Reader, RegimeSettings]:
    top = _Reader(data, "")
    regime = top.choice("regime", Regime, required=True)
    assert regime is not None
    return top, SETTINGS[regime]


def _period(top: _Reader) -> Period:
    reference = top.date("reference_date")
    assert reference is not None
    start = top.date("period_start", required=False) or dt.date(reference.year, 1, 1)
    end = top.date("period_end", required=False) or dt.date(reference.year, 12, 31)
    if end < start:
        raise top.error("period_end", "is before period_start")
    return Period(start, end, reference)


def classify(data: Any) -> dict[str, Any]:
    """`xeploai rules classify`: one result per subject."""
    top, settings = _header(data)
    period = _period(top)
    subjects = top.items("subjects")
    top.done()
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(subjects):
        subject_id = raw.data.get("id")
        raw.used.add("id")
        if not isinstance(subject_id, str) or not subject_id:
            raise InputError("missing or not a string", f"#{index + 1}", "id")
        if subject_id in seen:
            raise InputError("appears twice", subject_id, "id")
        seen.add(subject_id)
        r = _Reader(raw.data, subject_id)
        r.used.add("id")
        results.append(_classify_one(r, settings, period))
    return {
        "regime": settings.regime.value,
        "reference_date": period.reference_date.isoformat(),
        "results": results,
    }


def _classify_one(r: _Reader, settings: RegimeSettings, period: Period) -> dict[str, Any]:
    kind = r.text("type", required=True)
    if settings.method is Method.LABELS:
        return _legacy(r, settings)
    if kind == "member":
        verdict = classify_member(parse_member(r, settings), period, settings)
    elif kind == "unit":
        verdict = classify_unit(parse_unit(r, settings), period, settings)
    else:
        raise r.error("type", f"must be member or unit, not {kind!r}")
    if verdict.missing:
        raise r.error(verdict.missing[0], f"missing (needed under {settings.regime.value})")
    return verdict_json(verdict)


def _legacy(r: _Reader, settings: RegimeSettings) -> dict[str, Any]:
    label = r.text("label", required=True)
    r.done()
    ranked = rank_label(label)
    if ranked is None:
        raise r.error("label", f"unknown result label {label!r}")
    reason = Reason(
        "R34",
        settings.regime,
        _('Kết quả nhập từ hồ sơ: "{label}", hạng {ordinal}', label=label, ordinal=ranked.ordinal),
    )
    return {
        "id": r.subject,
        "status": Status.CLASSIFIED.value,
        "level": None,
        "label": label,
        "ordinal": ranked.ordinal,
        "exemplary": ranked.exemplary,
        "reasons": [_reason_json(reason)],
    }


def _reason_json(reason: Reason) -> dict[str, str]:
    return {"rule": reason.rule, "regime": reason.regime.value, "text": reason.text}


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "id": verdict.id,
        "status": verdict.status.value,
        "level": verdict.level.name if verdict.level else None,
        "reviewed": verdict.reviewed,
        "reasons": [_reason_json(r) for r in verdict.reasons],
    }


def quota(data: Any) -> dict[str, Any]:
    """`xeploai rules quota`: the quota verdict of each group."""
    top, settings = _header(data)
    groups = top.items("groups")
    top.done()
    return {"regime": settings.regime.value, "groups": [_quota_group(g, settings) for g in groups]}


def _quota_group(r: _Reader, settings: RegimeSettings) -> dict[str, Any]:
    name = r.data.get("group")
    r.used.add("group")
    if not isinstance(name, str) or not name:
        raise r.error("group", "missing or not a string")
    r.subject = name
    result: QuotaResult
    if "proposals" in r.data:
        proposals = []
        for p in r.items("proposals"):
            p.subject = name
            level = p.choice("level", Level, required=True)
            assert level is not None
            proposals.append(
                Proposal(
                    p.text("id", required=True), level, p.number("rank", Decimal(0)) or Decimal(0)
                )
            )
            p.done()
        result = check_proposals(name, proposals, settings)
    else:
        result = check_quota(name, r.integer("good"), r.integer("excellent"), settings)
    r.done()
    return {
        **{k: v for k, v in dataclasses.asdict(result).items() if k != "drop"},
        "drop": list(result.drop),
    }
