"""Types of field as offices write them ("Xã", "Phường", "DN", "Trường học"...), the nearest
one suggested when none matches, and required only from the grassroots level down."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.imports import values
from xeploai.imports.base import run_import
from xeploai.imports.kinds import UNITS
from xeploai.imports.kinds.units import FIELD_TYPE_ALIASES, FIELD_TYPE_NAMES
from xeploai.units.models import FieldType, Unit

HEADER = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Loại hình;Ngày thành lập"
DISTRICT = "H1;Đảng bộ huyện;Đảng bộ huyện;;;03/02/1930"


class ImportFieldTypesTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())

    def run_csv(self, *lines: str, header: str = HEADER) -> list[str]:
        path = self.tmp / "units.csv"
        path.write_text("\n".join([header, *lines]), encoding="utf-8")
        return [str(e) for e in run_import(UNITS, path).errors]

    def test_it_reads_the_short_names_and_spellings_offices_write(self) -> None:
        written = {
            "Xã": FieldType.COMMUNE,
            "PHƯỜNG": FieldType.COMMUNE,
            "thi tran": FieldType.COMMUNE,
            "Đặc khu": FieldType.COMMUNE,
            "Xã - phường - đặc khu": FieldType.COMMUNE,
            "Cơ quan": FieldType.ADMINISTRATION,
            "Cơ quan hành chính": FieldType.ADMINISTRATION,
            "Cơ quan Đảng": FieldType.PARTY_AGENCY,
            "Sự nghiệp": FieldType.PUBLIC_SERVICE,
            "Đơn vị sự nghiệp": FieldType.PUBLIC_SERVICE,
            "Trường học": FieldType.PUBLIC_SERVICE,
            "Doanh nghiệp": FieldType.ENTERPRISE,
            "DN": FieldType.ENTERPRISE,
            "Quân đội": FieldType.MILITARY,
            "Quân sự": FieldType.MILITARY,
            "Công an": FieldType.POLICE,
            "Tổ dân phố": FieldType.RESIDENTIAL,
            "Khác": FieldType.OTHER,
        }
        rows = [
            f"X{n};Đảng bộ {n};Đảng bộ cơ sở;H1;{spelling};01/05/1975"
            for n, spelling in enumerate(written)
        ]
        self.assertEqual(self.run_csv(DISTRICT, *rows), [])
        for n, field_type in enumerate(written.values()):
            self.assertEqual(Unit.objects.get(code=f"X{n}").field_type, field_type, n)

    def test_no_spelling_names_two_types(self) -> None:
        for field_type, names in FIELD_TYPE_NAMES.items():
            for name in names:
                read = values.choice(name, FieldType.choices, *FIELD_TYPE_ALIASES)
                self.assertEqual(read, field_type, name)

    def test_it_suggests_the_nearest_type_when_none_matches(self) -> None:
        errors = self.run_csv(DISTRICT, "X1;Xã Một;Đảng bộ cơ sở;H1;Xa phuong;01/05/1975")
        self.assertEqual(len(errors), 1)
        self.assertTrue(errors[0].startswith("Dòng 3, cột “Loại hình”: “Xa phuong” không thuộc"))
        self.assertTrue(errors[0].endswith("; có phải “Xã, phường, đặc khu”?"), errors[0])
        far = self.run_csv(DISTRICT, "X1;Xã Một;Đảng bộ cơ sở;H1;Hợp tác xã nông nghiệp;01/05/1975")
        self.assertTrue(far[0].endswith(", Thôn, tổ dân phố, Khác."), far[0])
        self.assertFalse(Unit.objects.exists())

    def test_it_requires_a_type_from_the_grassroots_level_down_only(self) -> None:
        errors = self.run_csv(
            "T1;Đảng bộ tỉnh;Đảng bộ tỉnh;;;03/02/1930",
            "H1;Đảng bộ huyện;Đảng bộ huyện;T1;;03/02/1930",
            "K1;Đảng ủy khối;Đảng ủy khối, đảng bộ trực thuộc;T1;;03/02/1930",
            "X1;Đảng bộ xã;Đảng bộ cơ sở;H1;;01/05/1975",
            "B1;Đảng bộ bộ phận;Đảng bộ bộ phận;X1;;01/05/1975",
            "C1;Chi bộ;Chi bộ trực thuộc;B1;;01/05/1975",
            "C2;Chi bộ cơ sở;Chi bộ cơ sở;H1;;01/05/1975",
        )
        self.assertEqual(
            [e.split(":")[0] for e in errors], [f"Dòng {n}, cột “Loại hình”" for n in (5, 6, 7, 8)]
        )
        self.assertFalse(Unit.objects.exists())
        self.assertEqual(
            self.run_csv(
                "T1;Đảng bộ tỉnh;Đảng bộ tỉnh;;;03/02/1930",
                "H1;Đảng bộ huyện;Đảng bộ huyện;T1;;03/02/1930",
                "X1;Đảng bộ xã;Đảng bộ cơ sở;H1;Xã;01/05/1975",
            ),
            [],
        )
        self.assertEqual(Unit.objects.get(code="H1").field_type, FieldType.OTHER)

    def test_a_file_without_the_column_reads_every_type_as_other(self) -> None:
        header = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập"
        errors = self.run_csv(
            "H1;Đảng bộ huyện;Đảng bộ huyện;;03/02/1930",
            "X1;Đảng bộ xã;Đảng bộ cơ sở;H1;01/05/1975",
            header=header,
        )
        self.assertEqual(errors, [])
        self.assertEqual(Unit.objects.get(code="X1").field_type, FieldType.OTHER)
