"""Copies among the reports of organisations and leadership collectives: a cell's report that
copies another cell's of the same grassroots unit, a collective's that repeats its own report
of last year; an organisation's report and its committee's are never compared as one."""

from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_unit
from xeploai.cycles.models import Cycle, UnitEvaluation, UnitEvaluationKind
from xeploai.integrity import signals
from xeploai.reviews.models import UnitSelfReview
from xeploai.units.models import Unit, UnitKind

from .test_texts import BASE, edited

OWN = (
    "Chi bộ đã lãnh đạo hoàn thành việc cứng hóa 2,4 km đường giao thông nông thôn ở xóm Đông,"
    " vận động 38 hộ hiến đất, tổ chức đủ 12 kỳ sinh hoạt thường kỳ và 2 kỳ chuyên đề về"
    " chuyển đổi số trong sản xuất nông nghiệp, kết nạp được 2 đảng viên mới."
)

COMMUNE = (
    "Đảng bộ xã lãnh đạo thu ngân sách vượt 12 % dự toán, hoàn thành sáp nhập trường mầm non"
    " thôn Bắc vào trường trung tâm, giải quyết dứt điểm 7 đơn thư tồn đọng về đất đai từ các"
    " năm trước và đưa trạm y tế đạt chuẩn quốc gia giai đoạn mới."
)


def report(
    unit: Unit, cycle: Cycle, kind: str = UnitEvaluationKind.ORGANISATION, **sections: str
) -> None:
    evaluation = UnitEvaluation.objects.create(
        cycle=cycle, unit=unit, unit_path=unit.path, kind=kind
    )
    UnitSelfReview.objects.create(evaluation=evaluation, form="M01", sections=sections)


class CollectivesTestCase(TestCase):
    def test_copied_reports_of_units_are_found(self) -> None:
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1", name="Xã 1")
        cell_a = make_unit(commune, code="C1", name="Chi bộ 1")
        cell_b = make_unit(commune, code="C2", name="Chi bộ 2")
        last, this = make_cycle(2025, closed=True), make_cycle(2026)
        report(cell_a, this, strengths=BASE)
        report(cell_b, this, strengths=edited(BASE))
        collective = UnitEvaluationKind.COLLECTIVE
        report(commune, last, collective, strengths=OWN)
        report(commune, this, collective, strengths=OWN.replace("38", "40"))
        # The organisation's own report, beside its committee's: another owner.
        report(commune, this, strengths=COMMUNE)
        found = [s for s in signals.find(district, this) if s.kind == signals.COPIED_TEXT]
        self.assertEqual(
            sorted(
                (s.subject, s.evidence["other"], s.evidence["year"], s.evidence["report"])
                for s in found
            ),
            [("C2", "C1", 2026, "organisation"), ("X1", "X1", 2025, "collective")],
        )
        own = next(s for s in found if s.subject == "X1")
        self.assertIn("giống báo cáo kiểm điểm năm 2025 của chính tập thể", own.text)
        other = next(s for s in found if s.subject == "C2")
        self.assertIn("giống báo cáo kiểm điểm năm 2026 của Chi bộ 1 (C1)", other.text)
        self.assertEqual(other.unit_path, cell_b.path)
        self.assertEqual(len({s.key for s in found}), 2)
