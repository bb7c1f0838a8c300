"""`xeploai integrity`: the signals of a unit's subtree as JSON and .xlsx, which agree; copies
are found among a grassroots unit's members and against a member's own earlier years, never
across grassroots units; evasive weakness sections are found; every export is logged."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.test import TestCase
from python_calamine import CalamineWorkbook

from xeploai.accounts.models import AccessLog
from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit, make_user
from xeploai.cycles.models import Cycle
from xeploai.integrity import signals
from xeploai.members.models import Member
from xeploai.reviews.models import FollowUp, SelfReview
from xeploai.units.models import Unit, UnitKind

from .test_texts import BASE, edited

OWN = (
    "Việc theo dõi công nợ của hợp tác xã còn để chậm hai tháng, do tôi chưa đôn đốc kế toán."
    " Có lúc chưa mạnh dạn phê bình đồng chí trong chi bộ khi thấy sai."
)
CHI_2025 = (
    "Đôi khi còn chậm nộp báo cáo tháng cho văn phòng đảng ủy, chưa sắp xếp công việc hợp lý"
    " giữa việc cơ quan và việc gia đình."
)
STRENGTHS = (
    "Trong năm đã chủ trì rà soát danh sách hộ nghèo của thôn Đông, đề xuất đưa ra khỏi danh"
    " sách 12 hộ đã có thu nhập ổn định. Tham gia đầy đủ sinh hoạt chi bộ."
)


class IntegrityCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1", name="Huyện 1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1", name="Xã 1")
        other = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X2", name="Xã 2")
        cell_a = make_unit(commune, code="C1", name="Chi bộ 1")
        cell_b = make_unit(commune, code="C2", name="Chi bộ 2")
        cell_c = make_unit(other, code="C3", name="Chi bộ 3")
        last, this = make_cycle(2025), make_cycle(2026)

        def review(member: Member, cycle: object, **sections: str) -> None:
            evaluation = make_evaluation(member, cycle)  # type: ignore[arg-type]
            SelfReview.objects.create(evaluation=evaluation, form="M01", sections=sections)

        an = make_member(cell_a, code="DV-AN", full_name="Trần Thị An")
        binh = make_member(cell_b, code="DV-BINH", full_name="Lê Văn Bình")
        chi = make_member(cell_a, code="DV-CHI", full_name="Nguyễn Văn Chi")
        dung = make_member(cell_c, code="DV-DUNG", full_name="Phạm Văn Dũng")
        # Bình copies An, of another cell of the same commune, with light edits.
        review(an, this, strengths=BASE, weaknesses=OWN)
        review(binh, this, strengths=edited(BASE), weaknesses=OWN.replace("hai", "ba"))
        # Chi writes last year's text again, and no weakness at all.
        review(chi, last, strengths=STRENGTHS, weaknesses=CHI_2025)
        review(chi, this, strengths=STRENGTHS.replace("12", "15"), weaknesses="Không có.")
        # Dũng, of another commune, writes An's text: not compared (another grassroots unit).
        review(dung, this, strengths=BASE, weaknesses=OWN.replace("hai", "bốn"))
        FollowUp.objects.create(member=dung, cycle=last, text="Chậm báo cáo.", fixed=True)
        make_user("thanhtra")

    def signals(self, unit: str = "H1") -> list[dict[str, Any]]:
        out = io.StringIO()
        call_command("integrity", "--cycle", "2026", "--unit", unit, "--as", "thanhtra", stdout=out)
        return json.loads(out.getvalue())  # type: ignore[no-any-return]

    def test_copies_and_evasive_sections_are_found_strongest_first(self) -> None:
        found = self.signals()
        kinds = [(s["kind"], s["subject"], s["evidence"].get("other")) for s in found]
        self.assertEqual(
            sorted(kinds, key=str),
            sorted(
                [
                    ("copied_text", "DV-BINH", "DV-AN"),  # strengths
                    ("copied_text", "DV-BINH", "DV-AN"),  # weaknesses
                    ("copied_text", "DV-CHI", "DV-CHI"),  # their own last year's
                    ("evasive_text", "DV-CHI", None),
                    ("evasive_text", "DV-DUNG", None),  # a follow-up fixed, nothing said
                ],
                key=str,
            ),
        )
        self.assertEqual(
            [s["score"] for s in found], sorted((s["score"] for s in found), reverse=True)
        )
        own = next(s for s in found if s["subject"] == "DV-CHI" and s["kind"] == "copied_text")
        self.assertEqual(own["evidence"]["year"], 2025)
        self.assertIn("năm 2025 của chính đảng viên", str(own["text"]))
        copy = next(s for s in found if s["subject"] == "DV-BINH")
        self.assertIn("Trần Thị An (DV-AN)", str(copy["text"]))
        self.assertNotIn("DV-DUNG", {s["evidence"].get("other") for s in found})
        evasive = next(s for s in found if s["subject"] == "DV-CHI" and s["kind"] == "evasive_text")
        self.assertEqual(evasive["text"], "Phần hạn chế, khuyết điểm để trống hoặc ghi “không có”.")

    def test_other_processes_find_the_same(self) -> None:
        unit, cycle = Unit.objects.get(code="H1"), Cycle.objects.get(year=2026)
        self.assertEqual(
            signals.find(unit, cycle, processes=2), signals.find(unit, cycle, processes=1)
        )

    def test_a_unit_sees_its_own_subtree_only(self) -> None:
        self.assertEqual({s["subject"] for s in self.signals("X2")}, {"DV-DUNG"})

    def test_the_xlsx_lists_what_the_json_lists_and_the_export_is_logged(self) -> None:
        found = self.signals()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "dau-hieu.xlsx"
            call_command(
                "integrity", "--cycle", "2026", "--unit", "H1", "--format", "xlsx",
                "--output", str(path), "--as", "thanhtra",
            )  # fmt: skip
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        self.assertEqual(
            [(r[0], r[1], r[3]) for r in rows[1:]],
            [(str(signals.KINDS[s["kind"]]), s["subject"], s["text"]) for s in found],
        )
        logged = AccessLog.objects.filter(user__username="thanhtra").values_list("path", flat=True)
        self.assertEqual(len(logged), 2)
        self.assertTrue(all("xeploai integrity --cycle 2026 --unit H1" in p for p in logged))

    def test_bad_arguments_get_a_clear_message(self) -> None:
        with self.assertRaisesMessage(CommandError, "Không có đơn vị mã KHONG."):
            call_command("integrity", "--cycle", "2026", "--unit", "KHONG", "--as", "thanhtra")
        with self.assertRaisesMessage(CommandError, "Không có kỳ đánh giá năm 1999."):
            call_command("integrity", "--cycle", "1999", "--unit", "H1", "--as", "thanhtra")
        with self.assertRaisesMessage(CommandError, "cần --output"):
            call_command("integrity", "--cycle", "2026", "--unit", "H1", "--format", "xlsx")
