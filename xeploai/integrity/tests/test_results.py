"""The signals the levels raise, read from the tally: a commune whose share of EXCELLENT
results stands out among the communes of its district (`inflation`), one that stays at the
quota's ceiling year after year (`quota_ceiling`), and honest communes left alone."""

from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_member, make_unit
from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.integrity import actions, results
from xeploai.integrity.models import Finding
from xeploai.integrity.views import facts
from xeploai.members.models import Member
from xeploai.reports import tally
from xeploai.rules.levels import Level
from xeploai.units.models import Unit, UnitKind

ORGANISATION = UnitEvaluationKind.ORGANISATION
HONEST = {Level.EXCELLENT: 1, Level.GOOD: 15, Level.COMPLETED: 4}
# Each commune's levels in 2025, then in 2026: six honest ones, one that inflates in 2026,
# and one at the ceiling both years (15 GOOD allow 3 EXCELLENT).
COMMUNES = {
    **{f"X{i}": (HONEST, HONEST) for i in range(1, 7)},
    "X-THOI": (HONEST, {Level.EXCELLENT: 12, Level.GOOD: 6, Level.COMPLETED: 2}),
    "X-TRAN": ({Level.EXCELLENT: 3, Level.GOOD: 15, Level.COMPLETED: 2},) * 2,
}


def levels_of(cycle: Cycle, counts: dict[Level, int], members: list[Member]) -> None:
    rows = []
    levels = [level for level, n in counts.items() for _ in range(n)]
    for member, level in zip(members, levels, strict=True):
        rows.append(
            MemberEvaluation(
                member=member,
                cycle=cycle,
                cell=member.cell,
                unit_path=member.cell.path,
                level_decided=level,
                level_final=level,
                step=Step.PUBLISHED,
            )
        )
    MemberEvaluation.objects.bulk_create(rows)


class ResultsTestCase(TestCase):
    district: Unit
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.district = make_unit(None, kind=UnitKind.DISTRICT, code="H", name="Huyện")
        last, cls.cycle = make_cycle(2025), make_cycle(2026)
        for code, (before, now) in COMMUNES.items():
            commune = make_unit(
                cls.district, kind=UnitKind.GRASSROOTS_COMMITTEE, code=code, name=f"Xã {code}"
            )
            cell = make_unit(commune, code=f"{code}-C", name=f"Chi bộ {code}")
            members = [make_member(cell, code=f"{code}-{i}") for i in range(20)]
            levels_of(last, before, members)
            levels_of(cls.cycle, now, members)
        tally.rebuild([last, cls.cycle])

    def found(self, unit: Unit | None = None) -> list[tuple[str, str]]:
        return sorted((s.kind, s.subject) for s in results.find(unit or self.district, self.cycle))

    def test_it_finds_the_inflated_and_the_ceiling_and_leaves_the_honest(self) -> None:
        self.assertEqual(
            self.found(),
            [("inflation", "X-THOI"), ("inflation", "X-THOI"), ("quota_ceiling", "X-TRAN")],
        )
        thoi = [s for s in results.find(self.district, self.cycle) if s.subject == "X-THOI"]
        self.assertEqual({s.evidence["against"] for s in thoi}, {"peers", "history"})
        peers = next(s for s in thoi if s.evidence["against"] == "peers")
        self.assertEqual((peers.evidence["k"], peers.evidence["n"]), (12, 20))
        self.assertIn("60,0 % (12/20)", peers.text)
        self.assertIn("cùng loại hình", peers.text)
        self.assertLessEqual(peers.evidence["q"], 0.05)
        ceiling = next(
            s for s in results.find(self.district, self.cycle) if s.kind == "quota_ceiling"
        )
        self.assertEqual(ceiling.evidence["years"], [2025, 2026])
        self.assertIn("2 năm liền (2025-2026)", ceiling.text)

    def test_a_commune_analysed_alone_is_compared_with_its_districts_communes(self) -> None:
        thoi = Unit.objects.get(code="X-THOI")
        self.assertEqual(self.found(thoi), [("inflation", "X-THOI"), ("inflation", "X-THOI")])
        self.assertEqual(self.found(Unit.objects.get(code="X1")), [])

    def test_an_analysis_keeps_them_beside_the_texts_signals(self) -> None:
        actions.analyse(self.district, cycle=self.cycle, by=None)
        kept = Finding.objects.filter(cycle=self.cycle).order_by("kind", "subject")
        self.assertEqual(
            [(f.kind, f.subject) for f in kept],
            [("inflation", "X-THOI"), ("inflation", "X-THOI"), ("quota_ceiling", "X-TRAN")],
        )
        self.assertEqual(len({f.key for f in kept}), 3)
        peers = next(f for f in kept if f.evidence.get("against") == "peers")
        self.assertEqual(
            facts(peers),
            [
                ("Số kết quả có mức xếp loại", "20"),
                ("Tỷ lệ của đơn vị", "60,0 %"),
                ("Tỷ lệ so sánh (các đơn vị cùng loại)", "6,4 %"),
                ("Khả năng một đơn vị bình thường có tỷ lệ như vậy", "< 0,0001"),
                ("Sau hiệu chỉnh cho số đơn vị được kiểm tra", "< 0,0001"),
            ],
        )
        ceiling = next(f for f in kept if f.kind == "quota_ceiling")
        self.assertEqual(facts(ceiling), [("Các năm", "2025, 2026")])


class OrganisationsTestCase(TestCase):
    """Seven communes of ten cells each: six rate one cell EXCELLENT, one rates nine."""

    def test_a_commune_rating_its_cells_above_its_peers(self) -> None:
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H")
        cycle = make_cycle(2026)
        rows = []
        for code, excellent in (*((f"X{i}", 1) for i in range(1, 7)), ("X-THOI", 9)):
            commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code=code)
            for n in range(10):
                cell = make_unit(commune, code=f"{code}-{n}")
                level = Level.EXCELLENT if n < excellent else Level.GOOD
                rows.append(
                    UnitEvaluation(
                        cycle=cycle,
                        unit=cell,
                        unit_path=cell.path,
                        kind=UnitEvaluationKind.ORGANISATION,
                        status=Status.CLASSIFIED,
                        level_decided=level,
                        level_final=level,
                        step=Step.PUBLISHED,
                    )  # fmt: skip
                )
        UnitEvaluation.objects.bulk_create(rows)
        tally.rebuild([cycle])
        (signal,) = [s for s in results.find(district, cycle) if s.evidence["against"] == "peers"]
        self.assertEqual((signal.kind, signal.subject), ("inflation", "X-THOI"))
        self.assertEqual(signal.evidence["subjects"], "cells")
        self.assertIn(
            "Tỷ lệ chi bộ trực thuộc hoàn thành xuất sắc nhiệm vụ là 90,0 % (9/10)", signal.text
        )
