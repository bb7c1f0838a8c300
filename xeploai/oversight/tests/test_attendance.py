from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.utils import translation

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import make_user
from xeploai.oversight import actions
from xeploai.oversight.models import Attendance, AttendanceKind
from xeploai.oversight.rules import AttendanceCounts, attendance_counts, attendance_words

from .scene import Scene, attend, make_scene

DIRECTED, ATTENDED = AttendanceKind.DIRECTED, AttendanceKind.ATTENDED


class AttendanceTestCase(TestCase):
    """Reviews of the level below attended or directed: recorded, corrected, counted."""

    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def test_it_records_a_review_with_its_working_group(self) -> None:
        record = attend(self.s, self.s.commune, DIRECTED)
        self.assertEqual(record.subject, self.s.commune)
        self.assertEqual(
            record.group_lines(),
            ["Nguyễn Văn Hùng — Phó Trưởng Ban Tổ chức Huyện ủy", "Lê Thị Hoa — Chuyên viên"],
        )
        self.assertEqual(record.history.get().history_user, self.s.p.dung)

    def test_it_corrects_a_record(self) -> None:
        record = attend(self.s, self.s.an)
        data = actions.AttendanceData(
            kind=DIRECTED, held_on=dt.date(2026, 11, 21), group="\n  Trần Văn Tâm  \n\n"
        )
        actions.update_attendance(record, data=data, by=self.s.thuong)
        record.refresh_from_db()
        self.assertEqual((record.kind, record.group), (DIRECTED, "Trần Văn Tâm"))
        self.assertEqual(record.recorded_by, self.s.thuong)
        self.assertEqual(record.history.count(), 2)

    def test_it_refuses_a_record_without_anyone_who_went(self) -> None:
        data = actions.AttendanceData(kind=ATTENDED, held_on=dt.date(2026, 11, 21), group=" \n ")
        with self.assertRaisesMessage(actions.OversightError, "ít nhất một thành viên"):
            actions.record_attendance(
                self.s.p.district,
                cycle=self.s.cycle,
                subject=self.s.an,
                data=data,
                by=self.s.p.dung,
            )

    def test_it_refuses_those_who_do_not_act_for_the_unit(self) -> None:
        for user in (self.s.p.chi, self.s.p.binh, self.s.p.an):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                attend(self.s, self.s.an, by=user)
        self.assertFalse(Attendance.objects.exists())

    def test_it_counts_distinct_reviews_of_the_subtree(self) -> None:
        p = self.s.p
        ha = make_user("ha", roles=((RoleKind.STANDING_COMMITTEE, p.commune),))
        attend(self.s, self.s.commune, DIRECTED)
        attend(self.s, self.s.commune, ATTENDED)  # directed too: counted once, as directed
        attend(self.s, self.s.an, DIRECTED)
        attend(self.s, self.s.cell_a, ATTENDED)
        attend(self.s, self.s.cell_b, ATTENDED, superior=p.commune, by=ha)  # below the district
        attend(self.s, self.s.cell_b, ATTENDED)  # the same review, from the district too
        self.assertEqual(
            attendance_counts(p.district, self.s.cycle),
            AttendanceCounts(
                directed_collectives=1,
                directed_individuals=1,
                attended_collectives=2,
                attended_individuals=0,
            ),
        )
        self.assertEqual(
            attendance_counts(p.commune, self.s.cycle), AttendanceCounts(attended_collectives=1)
        )

    def test_it_phrases_the_counts_as_a_report_does(self) -> None:
        with translation.override("vi"):
            self.assertEqual(
                attendance_words(AttendanceCounts(9, 9, 9, 1)),
                "thành lập tổ công tác chỉ đạo kiểm điểm 9 tập thể, 9 cá nhân;"
                " dự kiểm điểm 9 tập thể khác và 1 cá nhân",
            )
            self.assertEqual(
                attendance_words(AttendanceCounts(0, 0, 1234, 0)), "dự kiểm điểm 1.234 tập thể"
            )
            self.assertEqual(
                attendance_words(AttendanceCounts(0, 2, 0, 1)),
                "thành lập tổ công tác chỉ đạo kiểm điểm 2 cá nhân; dự kiểm điểm 1 cá nhân khác",
            )
            self.assertEqual(
                attendance_words(AttendanceCounts()),
                "chưa ghi nhận cuộc kiểm điểm nào được dự hoặc chỉ đạo",
            )
