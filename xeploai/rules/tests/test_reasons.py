"""The reasons a member reads: Vietnamese sentences, with no code of a criterion or a rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from decimal import Decimal
from typing import Any
from unittest import TestCase

from hypothesis import given, settings
from hypothesis import strategies as st

from xeploai.rules import facts as facts_module
from xeploai.rules import jsonio, levels, regimes
from xeploai.rules.engine import Verdict, classify_member, classify_unit
from xeploai.rules.facts import (
    Discipline,
    Exemption,
    MemberFacts,
    Score,
    StateLevel,
    Tasks,
    UnitFacts,
    UnitKind,
    Weaknesses,
)
from xeploai.rules.legacy import rank_label
from xeploai.rules.levels import DisciplineForm, Grade, Level
from xeploai.rules.reasons import number
from xeploai.rules.regimes import SETTINGS, Method, Regime, RegimeSettings

from .factories import PERIOD, grades, member, score, unit
from .factories import tasks as factory_tasks

COMPUTED = [r for r in Regime if SETTINGS[r].method is not Method.LABELS]
RULE_CODE = re.compile(r"^R\d+$")


def _codes() -> set[str]:
    """Every word of the engine's own vocabulary that a member must never read."""
    words: set[str] = set()
    for s in SETTINGS.values():
        words |= {*s.member_criteria, *s.unit_criteria, s.task_criterion}
    for module in (levels, regimes, facts_module):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum):
                words |= {m.name for m in value} | {str(m.value) for m in value}
            if dataclasses.is_dataclass(value):
                words |= {f.name for f in dataclasses.fields(value)}
    return {w for w in words if w.isascii() and not w.isdigit()}


CODES = _codes()


def codes_in(text: str) -> list[str]:
    """The ASCII words of `text` that are a code: a rule, a criterion, a field, an enum."""
    ascii_words = [w for w in re.findall(r"\w+", text) if w.isascii()]
    return [w for w in ascii_words if w in CODES or RULE_CODE.match(w) or "_" in w]


percents = st.integers(0, 100).map(Decimal)
days = st.dates(dt.date(2025, 7, 1), dt.date(2027, 3, 31))
tasks = st.builds(
    Tasks,
    done_percent=percents,
    late_percent=st.just(Decimal(0)) | percents,
    exceeded_percent=percents,
)
unit_tasks = st.builds(
    Tasks,
    done_percent=percents,
    late_percent=st.just(Decimal(0)) | percents,
    exceeded_percent=percents,
    key_targets_missed=st.none() | st.booleans(),
    force_majeure=st.booleans(),
)
scores = st.builds(
    Score,
    general=st.integers(0, 30).map(Decimal),
    task_results=st.integers(0, 140).map(lambda n: Decimal(n) / 2),
)
weaknesses = st.integers(0, 4).flatmap(
    lambda total: st.builds(Weaknesses, st.just(total), st.integers(0, total))
)
disciplines = st.lists(
    st.builds(
        Discipline,
        form=st.sampled_from(DisciplineForm),
        decided=days,
        counted_in_year=st.none() | st.integers(2024, 2026),
        self_remedied=st.booleans(),
    ),
    max_size=2,
).map(tuple)
exemptions = st.builds(Exemption, days, st.none() | days, st.sampled_from(("", "Ốm dài ngày")))


def rarely(draw: st.DrawFn) -> bool:
    """True about once in eight draws: for facts that end a classification early."""
    return draw(st.integers(0, 7)) == 0


def criterion_grades(regime: Regime, subject: str) -> st.SearchStrategy[dict[str, Grade]]:
    criteria = SETTINGS[regime].criteria_for(subject) or SETTINGS[Regime.HD21].criteria_for(subject)
    return st.fixed_dictionaries({c: st.sampled_from(Grade) for c in criteria})


@st.composite
def member_facts(draw: st.DrawFn, regime: Regime) -> MemberFacts:
    leader = draw(st.booleans())
    return MemberFacts(
        id="DV",
        admitted=draw(st.dates(dt.date(1970, 1, 1), dt.date(2026, 12, 31))),
        exempt=rarely(draw),
        exempt_reason=draw(st.sampled_from(("", "Tuổi cao, sức yếu"))),
        exemptions=(draw(exemptions),) if rarely(draw) else (),
        suspended=rarely(draw),
        suspended_from_committee_only=draw(st.booleans()),
        discipline=draw(disciplines),
        degraded=rarely(draw),
        tasks=None if rarely(draw) else draw(tasks),
        grades=None if rarely(draw) else draw(criterion_grades(regime, "member")),
        score=None if rarely(draw) else draw(scores),
        weaknesses=draw(weaknesses),
        civil_servant=draw(st.booleans()),
        state_level=draw(st.none() | st.sampled_from(StateLevel)),
        sick_leave_months=draw(st.integers(0, 24).map(lambda n: Decimal(n) / 2)),
        maternity_leave_months=draw(st.integers(0, 12).map(Decimal)),
        leader=leader,
        led_units_tasks=draw(unit_tasks) if leader else None,
        head_of_unit_level=draw(st.none() | st.sampled_from(Level)),
        head_of_unit_final=not rarely(draw),
    )


@st.composite
def unit_facts(draw: st.DrawFn, regime: Regime) -> UnitFacts:
    subunits = draw(st.integers(0, 12))
    return UnitFacts(
        id="CB",
        founded=draw(st.dates(dt.date(1990, 1, 1), dt.date(2026, 12, 31))),
        kind=draw(st.sampled_from(UnitKind)),
        grassroots_or_cell=draw(st.booleans()),
        disciplined=rarely(draw),
        subunits=subunits,
        subunits_disciplined=draw(st.integers(0, subunits)),
        leadership_discipline=tuple(draw(st.lists(st.sampled_from(DisciplineForm), max_size=2))),
        disunity=rarely(draw),
        degraded_member=rarely(draw),
        tasks=None if rarely(draw) else draw(unit_tasks),
        grades=None if rarely(draw) else draw(criterion_grades(regime, "unit")),
        score=None if rarely(draw) else draw(scores),
        weaknesses=draw(weaknesses),
        sub_results=tuple(draw(st.lists(st.sampled_from(Level), max_size=12))),
        peer_levels=tuple(draw(st.lists(st.sampled_from(Level), max_size=3))),
    )


@st.composite
def regime_settings(draw: st.DrawFn, regime: Regime) -> RegimeSettings:
    """The regime as it stands, or with its (config) rules switched on or off."""
    return dataclasses.replace(
        SETTINGS[regime],
        self_remedied_exception=draw(st.booleans()),
        sub_results_rule=draw(st.booleans()),
        peer_organisations_rule=draw(st.booleans()),
        exempt_basis=draw(st.sampled_from(regimes.ExemptBasis)),
    )


@st.composite
def verdicts(draw: st.DrawFn) -> Verdict:
    regime = draw(st.sampled_from(COMPUTED))
    rules = draw(regime_settings(regime))
    if draw(st.booleans()):
        return classify_member(draw(member_facts(regime)), PERIOD, rules)
    return classify_unit(draw(unit_facts(regime)), PERIOD, rules)


# One change of the factories' facts for each rule that gives a reason (the grades apply
# under HD21 and QD124 only, and each regime keeps the rules it has).
MEMBER_CASES: list[dict[str, Any]] = [
    {"exempt": True, "exempt_reason": "Tuổi cao, sức yếu"},
    {"exemptions": (Exemption(dt.date(2026, 3, 1), None, "Đi lao động ở nước ngoài"),)},
    {"suspended": True},
    {"suspended": True, "suspended_from_committee_only": True},
    {"admitted": dt.date(2026, 10, 1)},
    {"discipline": (Discipline(DisciplineForm.WARNING, dt.date(2026, 3, 1)),)},
    {"discipline": (Discipline(DisciplineForm.WARNING, dt.date(2026, 3, 1), 2025),)},
    {"degraded": True},
    {"tasks": factory_tasks(done=40)},
    {"tasks": factory_tasks(exceeded=10)},
    {"tasks": factory_tasks(late=10)},
    {"leader": True, "led_units_tasks": factory_tasks(done=40, key_targets_missed=True)},
    {"leader": True, "led_units_tasks": factory_tasks(done=40)},
    {"leader": True, "led_units_tasks": factory_tasks(exceeded=10)},
    {"score": score(20, 20)},
    {"score": score(25, 50)},
    {"weaknesses": Weaknesses(3, 1)},
    {"civil_servant": True, "state_level": StateLevel.NOT_COMPLETED},
    {"civil_servant": True, "state_level": StateLevel.GOOD},
    {"sick_leave_months": Decimal("3.25")},
    {"maternity_leave_months": Decimal(4)},
    {"head_of_unit_level": Level.GOOD},
    {"head_of_unit_final": False},
]
GRADE_CASES: list[dict[str, Any]] = [
    {"grades": grades(Regime.HD21, ethics=Grade.POOR, politics=Grade.POOR)},
    {"grades": grades(Regime.HD21, ethics=Grade.AVERAGE, tasks=Grade.AVERAGE)},
]
UNIT_CASES: list[dict[str, Any]] = [
    {"founded": dt.date(2026, 9, 1)},
    {"kind": UnitKind.COLLECTIVE, "leadership_discipline": (DisciplineForm.DISMISSAL,)},
    {"disciplined": True},
    {"subunits": 10, "subunits_disciplined": 3},
    {"disunity": True},
    {"degraded_member": True},
    {"sub_results": (Level.COMPLETED,) * 4 + (Level.NOT_COMPLETED,)},
    {"peer_levels": (Level.COMPLETED,)},
    {"tasks": factory_tasks(done=45, key_targets_missed=True)},
    {"tasks": factory_tasks(late=30)},
    {"grades": grades(Regime.HD21, "unit", leadership=Grade.POOR)},
]


class ReasonWordsTestCase(TestCase):
    @settings(max_examples=400)
    @given(verdicts())
    def test_it_writes_no_code_in_any_reason(self, verdict: Verdict) -> None:
        for reason in verdict.reasons:
            self.assertEqual(codes_in(reason.text), [], reason)
            self.assertRegex(reason.rule, RULE_CODE)

    def test_it_writes_no_code_in_the_reason_of_any_rule(self) -> None:
        seen: set[str] = set()
        for regime in COMPUTED:
            rules = dataclasses.replace(SETTINGS[regime], sub_results_rule=True)
            found = [classify_member(member(regime, **c), PERIOD, rules) for c in MEMBER_CASES]
            found += [classify_member(member(regime, **c), PERIOD, rules) for c in GRADE_CASES]
            found += [classify_unit(unit(regime, **c), PERIOD, rules) for c in UNIT_CASES]
            for reason in (r for v in found for r in v.reasons):
                self.assertEqual(codes_in(reason.text), [], reason)
                seen.add(reason.rule)
        every_rule = {f"R{n}" for n in range(2, 26)} - {"R6", "R7"}  # no reason of their own
        self.assertEqual(every_rule - seen, set())

    def test_it_writes_no_code_in_legacy_results(self) -> None:
        subjects = [
            {"id": f"S{n}", "type": "member", "label": label}
            for n, label in enumerate(("Trong sạch vững mạnh", "Vi phạm tư cách", "HTTNV"))
        ]
        answer = jsonio.classify(
            {"regime": "LEGACY", "reference_date": "2016-12-31", "subjects": subjects}
        )
        for result in answer["results"]:
            self.assertIsNotNone(rank_label(result["label"]))
            self.assertEqual(codes_in(result["reasons"][0]["text"]), [])

    def test_it_names_criteria_in_vietnamese(self) -> None:
        facts = member(Regime.HD21, grades=grades(Regime.HD21, ethics=Grade.POOR))
        v = classify_member(facts, PERIOD, SETTINGS[Regime.HD21])
        self.assertEqual(
            v.reasons[0].text,
            "Tiêu chí xếp loại Kém: Phẩm chất đạo đức, lối sống"
            " (QĐ 132-QĐ/TW, HD 21-HD/BTCTW) → Không hoàn thành nhiệm vụ",
        )
        facts = member(Regime.HD21, grades=grades(Regime.HD21, tasks=Grade.GOOD))
        v = classify_member(facts, PERIOD, SETTINGS[Regime.HD21])
        self.assertEqual(
            v.reasons[0].text,
            "Chưa đạt điều kiện mức Hoàn thành xuất sắc nhiệm vụ: tiêu chí Kết quả thực hiện"
            " nhiệm vụ được giao xếp loại Tốt, chưa đạt Xuất sắc (QĐ 132-QĐ/TW, HD 21-HD/BTCTW)",
        )

    def test_it_has_a_name_for_every_criterion_of_every_regime(self) -> None:
        for s in SETTINGS.values():
            for criterion in (*s.member_criteria, *s.unit_criteria, s.task_criterion):
                self.assertIn(criterion, regimes.CRITERION_LABELS)
                self.assertEqual(codes_in(s.criterion_label(criterion)), [])

    def test_it_writes_numbers_the_vietnamese_way(self) -> None:
        self.assertEqual(number(Decimal("92.50")), "92,5")
        self.assertEqual(number(Decimal("100")), "100")
        self.assertEqual(number(1250), "1.250")
        self.assertEqual(number(Decimal("1234567.25")), "1.234.567,25")
