"""Status periods, transfers, discipline and posts: rows by member code, natural keys, the
forms' rules, history on change."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_member, make_unit
from xeploai.imports.base import Run, run_import
from xeploai.imports.kinds import DISCIPLINE, POSTS, STATUSES, TRANSFERS
from xeploai.imports.report import Report
from xeploai.members.models import Discipline, Post, PostTier, StatusPeriod, Transfer
from xeploai.units.models import UnitKind


class ImportRecordsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        self.commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        self.cell = make_unit(self.commune, code="CB1")
        self.other = make_unit(self.commune, code="CB2")
        self.an = make_member(self.cell, code="DV1")

    def run_csv(self, kind: object, *lines: str, **options: object) -> Report:
        path = self.tmp / "file.csv"
        path.write_text("\n".join(lines), encoding="utf-8")
        return run_import(kind, path, **options)  # type: ignore[arg-type]

    def messages(self, report: Report) -> str:
        return "\n".join(str(e) for e in report.errors)

    def test_status_periods_are_imported_once_and_updated_with_history(self) -> None:
        header = "Mã đảng viên;Tình trạng;Từ ngày;Đến ngày;Lý do;Mã chi bộ sinh hoạt tạm thời"
        row = "DV1;mien cong tac va sinh hoat dang;01/03/2024;;Tuổi cao;"
        temporary = "DV1;Sinh hoạt tạm thời;01/01/2025;30/06/2025;Đi làm xa;CB2"
        report = self.run_csv(STATUSES, header, row, temporary)
        self.assertEqual((report.errors, report.created), ([], 2))
        period = StatusPeriod.objects.get(kind="EXEMPT")
        self.assertEqual(
            (period.member, period.start, period.end), (self.an, dt.date(2024, 3, 1), None)
        )
        self.assertEqual(StatusPeriod.objects.get(kind="TEMPORARY").temporary_cell, self.other)
        again = self.run_csv(STATUSES, header, row, temporary)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 2))
        changed = self.run_csv(
            STATUSES, header, "DV1;Miễn công tác và sinh hoạt đảng;01/03/2024;31/12/2025;Khỏi bệnh;"
        )
        self.assertEqual((changed.created, changed.updated), (0, 1))
        period.refresh_from_db()
        self.assertEqual(period.end, dt.date(2025, 12, 31))
        versions = period.history.order_by("history_date")
        self.assertEqual([v.history_type for v in versions], ["+", "~"])
        self.assertEqual(versions.last().history_change_reason, "Nhập tệp file.csv")

    def test_bad_status_rows_are_refused_with_their_column(self) -> None:
        report = self.run_csv(
            STATUSES,
            "Mã đảng viên;Tình trạng;Từ ngày;Đến ngày;Mã chi bộ sinh hoạt tạm thời",
            "DV9;Nghỉ thai sản;01/03/2024;;",
            "DV1;Nghỉ thai sản;01/03/2024;01/01/2024;",
            "DV1;Sinh hoạt tạm thời;01/03/2024;;",
            "DV1;Sinh hoạt tạm thời;01/04/2024;;X1",
            "DV1;Nghỉ phép;01/04/2024;;",
        )
        messages = self.messages(report)
        for expected in (
            "Dòng 2, cột “Mã đảng viên”: Không có đảng viên mã DV9.",
            "Dòng 3, cột “Đến ngày”: Ngày kết thúc trước ngày bắt đầu.",
            "Dòng 4, cột “Mã chi bộ sinh hoạt tạm thời”: Sinh hoạt tạm thời phải ghi chi bộ",
            "không phải chi bộ: đảng viên phải thuộc một chi bộ.",
            "Dòng 6, cột “Tình trạng”: “Nghỉ phép” không thuộc các giá trị",
        ):
            self.assertIn(expected, messages)
        self.assertFalse(StatusPeriod.objects.exists())

    def test_transfers_name_their_cells(self) -> None:
        header = "Mã đảng viên;Mã chi bộ đi;Từ đảng bộ ngoài hệ thống;Mã chi bộ đến;Ngày chuyển"
        report = self.run_csv(
            TRANSFERS, header, "DV1;CB2;;CB1;01/07/2025", "DV1;;Tỉnh khác;CB2;01/07/2020"
        )
        self.assertEqual(report.errors, [])
        moved = Transfer.objects.get(date=dt.date(2025, 7, 1))
        self.assertEqual((moved.from_cell, moved.to_cell), (self.other, self.cell))
        refused = self.run_csv(
            TRANSFERS, header, "DV1;CB1;;CB1;01/07/2024", "DV1;CB1;Tỉnh khác;X1;01/08/2024"
        )
        messages = self.messages(refused)
        self.assertIn("Dòng 2, cột “Mã chi bộ đến”: Chi bộ đến trùng chi bộ đi.", messages)
        self.assertIn("Dòng 3, cột “Từ đảng bộ ngoài hệ thống”: Chỉ ghi chi bộ cũ", messages)
        self.assertEqual(Transfer.objects.count(), 2)

    def test_discipline_may_name_the_cycle_it_was_counted_in(self) -> None:
        make_cycle(2024, closed=True)
        header = (
            "Mã đảng viên;Hình thức;Ngày quyết định;Số quyết định;Ngày vi phạm;"
            "Mã đơn vị khi vi phạm;Đã tính khi xếp loại năm;Tự phát hiện, đã khắc phục"
        )
        report = self.run_csv(
            DISCIPLINE, header, "DV1;khien trach;20/09/2024;45-QĐ/ĐU;10/06/2024;CB1;2024;có"
        )
        self.assertEqual(report.errors, [])
        record = Discipline.objects.get()
        assert record.counted_in is not None
        self.assertEqual(
            (record.form, record.counted_in.year, record.self_remedied), (1, 2024, True)
        )
        refused = self.run_csv(
            DISCIPLINE,
            header,
            "DV1;Cảnh cáo;20/09/2023;;10/10/2023;CB1;2023;",
            "DV1;Cảnh cáo;20/09/2022;;10/06/2022;CB7;;",
        )
        messages = self.messages(refused)
        self.assertIn(
            "Dòng 2, cột “Ngày quyết định”: Ngày quyết định trước ngày vi phạm.", messages
        )
        self.assertIn("Dòng 3, cột “Mã đơn vị khi vi phạm”: Không có đơn vị mã CB7.", messages)
        self.assertEqual(Discipline.objects.count(), 1)

    def test_posts_default_to_leaders_and_keep_who_imported_them(self) -> None:
        header = "Mã đảng viên;Loại chức vụ;Chức vụ;Mã đơn vị;Người đứng đầu;Từ ngày"
        report = self.run_csv(
            POSTS, header, "DV1;Đảng;Bí thư chi bộ;CB1;Có;01/10/2025", run=Run(reason="Đợt 1")
        )
        self.assertEqual(report.errors, [])
        post = Post.objects.get()
        self.assertEqual((post.leader, post.head, post.unit), (True, True, self.cell))
        self.assertEqual(post.history.get().history_change_reason, "Đợt 1")
        duplicate = self.run_csv(
            POSTS,
            header,
            "DV1;Đảng;Bí thư chi bộ;CB1;Có;01/10/2025",
            "DV1;Đảng;Bí thư chi bộ;CB1;Không;01/10/2025",
        )
        self.assertIn("Dòng 3, cột “Từ ngày”: Trùng với dòng 2", self.messages(duplicate))

    def test_a_post_names_its_title_from_the_list_offices_keep(self) -> None:
        header = "Mã đảng viên;Loại chức vụ;Chức vụ;Chức danh;Mã đơn vị;Người đứng đầu;Từ ngày"
        report = self.run_csv(
            POSTS,
            header,
            "DV1;Đảng;Phó Bí thư Chi bộ 3;pho bi thu chi bo;CB1;Không;01/10/2025",
            "DV1;Đảng;Bí thư Đoàn;Bí thư Đoàn;CB2;Có;01/10/2025",
            "DV1;Đảng;Chủ tịch xã;Chủ tịch Ủy ban nhân dân;X1;Có;01/10/2025",
        )
        messages = self.messages(report)
        self.assertIn(
            "Dòng 3, cột “Chức danh”: Chức danh “Bí thư Đoàn” không có trong danh mục", messages
        )
        self.assertIn(
            "Dòng 4, cột “Chức danh”: Chức danh “Chủ tịch Ủy ban nhân dân” là chức vụ chính quyền",
            messages,
        )
        self.assertFalse(Post.objects.exists())
        report = self.run_csv(
            POSTS, header, "DV1;Đảng;Phó Bí thư Chi bộ 3;pho bi thu chi bo;CB1;Không;01/10/2025"
        )
        self.assertEqual(report.errors, [])
        post = Post.objects.select_related("post_title").get()
        assert post.post_title is not None
        self.assertEqual((post.post_title.name, post.tier), ("Phó Bí thư chi bộ", PostTier.DEPUTY))
