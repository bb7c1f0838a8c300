"""Past self-reviews: one column per section, headed by its title on the form; a member's
result of that year comes first, the year's cycle is closed; all rows or none; each version
kept; and the first year in the system compares with them (integrity)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit
from xeploai.cycles.models import Level, Status
from xeploai.imports.base import run_import
from xeploai.imports.kinds import SELF_REVIEWS
from xeploai.imports.report import Report
from xeploai.integrity import signals
from xeploai.reviews.models import SECTIONS, SelfReview
from xeploai.units.models import UnitKind

HEADER = ["Mã đảng viên", "Năm", *SECTIONS.values()]
STRENGTHS = (
    "Năm 2024 tôi phụ trách tổ dân phố số 3, vận động 42 hộ hiến đất mở rộng đường ngõ, hoàn"
    " thành trước kế hoạch hai tháng. Tham gia đầy đủ sinh hoạt chi bộ, đóng đảng phí đúng hạn."
)
WEAKNESSES = (
    "Việc học tập nghị quyết có lúc chưa thường xuyên, nhất là vào mùa thu hoạch. Có lúc chưa"
    " mạnh dạn phê bình đồng chí trong tổ khi thấy làm chưa đúng quy định của chi bộ."
)


def row(code: str, year: object, **sections: str) -> list[str]:
    return [code, str(year), *(sections.get(key, "") for key in SECTIONS)]


class ImportSelfReviewsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        cell = make_unit(commune, code="CB1")
        self.an = make_member(cell, code="DV1", full_name="Trần Thị An")
        self.binh = make_member(cell, code="DV2", full_name="Lê Văn Bình")
        self.past = make_cycle(2024, closed=True)
        self.now = make_cycle(2026)
        self.graded = make_evaluation(
            self.an, self.past, status=Status.CLASSIFIED, level_final=Level.GOOD
        )

    def run_csv(self, *rows: list[str]) -> Report:
        path = self.tmp / "ban-tu-kiem-diem.csv"
        out = io.StringIO()
        csv.writer(out).writerows([HEADER, *rows])
        path.write_text(out.getvalue(), encoding="utf-8")
        return run_import(SELF_REVIEWS, path)

    def test_a_past_self_review_is_imported_with_its_version(self) -> None:
        report = self.run_csv(row("DV1", 2024, strengths=STRENGTHS, weaknesses=WEAKNESSES))
        self.assertEqual((report.errors, report.created), ([], 1))
        review = SelfReview.objects.get(evaluation=self.graded)
        self.assertEqual(review.sections, {"strengths": STRENGTHS, "weaknesses": WEAKNESSES})
        again = self.run_csv(row("DV1", 2024, strengths=STRENGTHS, weaknesses=WEAKNESSES))
        self.assertEqual((again.errors, again.unchanged), ([], 1))
        changed = self.run_csv(row("DV1", 2024, strengths=STRENGTHS, weaknesses="Còn chậm."))
        self.assertEqual((changed.errors, changed.updated), ([], 1))
        versions = SelfReview.versions.filter(evaluation=self.graded).order_by("history_date")
        self.assertEqual(
            [v.sections.get("weaknesses") for v in versions], [WEAKNESSES, "Còn chậm."]
        )

    def test_bad_rows_say_what_is_wrong_and_nothing_is_written(self) -> None:
        make_evaluation(self.an, self.now)
        report = self.run_csv(
            row("DV1", 2024, strengths=STRENGTHS),
            row("DV2", 2024, strengths=STRENGTHS),
            row("DV1", 2026, strengths=STRENGTHS),
            row("DV1", 2019, strengths=STRENGTHS),
            row("DV1", 2024),
            row("DV9", "năm ngoái", strengths=STRENGTHS),
        )
        messages = "\n".join(str(e) for e in report.errors)
        for expected in (
            "Dòng 3, cột “Mã đảng viên”: Chưa có kết quả xếp loại năm 2024 của đảng viên mã DV2",
            "Dòng 4, cột “Năm”: Kỳ đánh giá năm 2026 đang diễn ra",
            "Dòng 5, cột “Năm”: Chưa có kỳ đánh giá năm 2019",
            "Dòng 6: Dòng không có phần nào của bản kiểm điểm.",
            "Dòng 7, cột “Năm”: “năm ngoái” không phải năm",
        ):
            self.assertIn(expected, messages)
        self.assertFalse(SelfReview.objects.exists())

    def test_the_first_year_in_the_system_compares_with_the_imported_one(self) -> None:
        self.run_csv(row("DV1", 2024, strengths=STRENGTHS, weaknesses=WEAKNESSES))
        this = make_evaluation(self.an, self.now)
        SelfReview.objects.create(
            evaluation=this,
            form="M01",
            sections={"strengths": STRENGTHS.replace("42", "45"), "weaknesses": WEAKNESSES},
        )
        found = signals.find(self.an.cell.parent, self.now)  # type: ignore[arg-type]
        copies = [s for s in found if s.kind == signals.COPIED_TEXT]
        self.assertEqual(
            {(s.subject, s.evidence["other"], s.evidence["year"]) for s in copies},
            {("DV1", "DV1", 2024)},
        )
