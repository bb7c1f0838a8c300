from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.core.testing import make_unit
from xeploai.imports.base import run_import
from xeploai.imports.kinds import MEMBERS
from xeploai.members.models import Member
from xeploai.units.models import UnitKind

HEADER = (
    "Mã đảng viên,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Mã chi bộ,Ngày vào Đảng,"
    "Ngày chính thức,Làm việc trong hệ thống chính trị"
)


class ImportMembersTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        self.commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        self.cell = make_unit(self.commune, code="CB1")

    def run_csv(self, *lines: str) -> object:
        path = self.tmp / "members.csv"
        path.write_text("\n".join([HEADER, *lines]), encoding="utf-8")
        return run_import(MEMBERS, path)

    def test_it_imports_members_and_is_idempotent(self) -> None:
        rows = (
            "DV1,Nguyễn Văn An,01/02/1980,Nam,001080000001,CB1,19/05/2010,19/05/2011,Có",
            "DV2,Trần Thị Bình,1985-03-04,nữ,,CB1,03/02/2026,,không",
        )
        report = self.run_csv(*rows)
        self.assertEqual(report.errors, [])  # type: ignore[attr-defined]
        an = Member.objects.get(code="DV1")
        self.assertEqual((an.cell, an.gender, an.in_political_system), (self.cell, "M", True))
        self.assertEqual(an.search_key, "nguyen van an")
        self.assertIsNone(Member.objects.get(code="DV2").full_member_since)
        again = self.run_csv(*rows)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 2))  # type: ignore[attr-defined]

    def test_it_refuses_bad_rows_and_writes_nothing(self) -> None:
        report = self.run_csv(
            "DV1,Nguyễn Văn An,01/02/1980,Nam,123,CB1,19/05/2010,,Có",
            "DV2,Trần Thị Bình,04/03/1985,Nữ,,X1,19/05/2010,,",
            "DV3,Lê Văn Cường,04/03/1985,Nam,,CB9,19/05/2010,,",
            "DV4,Phạm Thị Dung,04/03/1985,Khác,,CB1,19/05/2010,,",
            "DV5,Hồ Văn Em,04/03/2990,Nam,,CB1,19/05/2010,,",
            "DV1,Trùng Mã,04/03/1985,Nam,,CB1,19/05/2010,,",
            "DV6,Vũ Văn Phúc,04/03/1985,Nam,,CB1,19/05/2010,01/01/2009,",
        )
        messages = "\n".join(str(e) for e in report.errors)  # type: ignore[attr-defined]
        for expected in (
            "Dòng 2, cột “Số CCCD”: Số CCCD phải gồm 12 chữ số",
            "Dòng 3, cột “Mã chi bộ”: Chi bộ số",
            "không phải chi bộ: đảng viên phải thuộc một chi bộ",
            "Dòng 4, cột “Mã chi bộ”: Không có đơn vị mã CB9",
            "Dòng 5, cột “Giới tính”: “Khác” không thuộc các giá trị: Nam, Nữ.",
            "Dòng 6, cột “Ngày sinh”: Ngày không thể sau hôm nay",
            "Dòng 7, cột “Mã đảng viên”: Mã DV1 trùng với dòng 2",
            "Dòng 8, cột “Ngày chính thức”: Ngày chính thức trước ngày vào Đảng",
        ):
            self.assertIn(expected, messages)
        self.assertFalse(Member.objects.exists())
