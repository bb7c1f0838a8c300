"""Every door to members' records leaves its entry in the access log (RULES.md S3): pages,
the admin and the command line, one entry per list, none for a member's own record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shlex
import tempfile
from pathlib import Path
from unittest import mock

import time_machine
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from xeploai.accounts.audit import LoggedReadsAdmin
from xeploai.accounts.models import AccessAction, AccessLog, User
from xeploai.core.testing import (
    PASSWORD,
    Personas,
    make_cycle,
    make_discipline,
    make_member,
    make_personas,
)
from xeploai.cycles.models import Cycle, MemberEvaluation
from xeploai.integrity.models import Finding
from xeploai.members.models import (
    Discipline,
    Member,
    Post,
    PostKind,
    StatusKind,
    StatusPeriod,
    Transfer,
)
from xeploai.oversight import actions as oversight
from xeploai.oversight.models import Attendance, AttendanceKind, Suggestion
from xeploai.reviews.actions.leaders import open_leaders
from xeploai.reviews.models import (
    FollowUp,
    Input,
    InputKind,
    LevelChange,
    Meeting,
    Proposal,
    SelfReview,
)
from xeploai.reviews.tests.flow import evaluation_of, proposed_commune

# After the self-review deadline: the home page of cell A's secretary names Cường, late.
LATE = dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class Door:
    """A way to members' records, and the one entry it must leave: by whom, of which kind,
    about which member (None for a list or an export), with what in its detail."""

    path: str  # a page, or a command as typed
    reader: str
    action: AccessAction
    member: str | None
    detail: str


# The pages that read no one's record, each with why (admin pages are checked on their own).
NOT_READS = {
    "units:unit_children": "sub-units and their member counts",
    "reviews:propose": "a write (POST); refused, it shows again the cell's page, logged on GET",
    "reviews:add_input": "a write (POST); refused, it shows again the cell's page, logged on GET",
    "reviews:publish": "a write (POST) answered by a redirect",
    "reviews:open_cycle": "a write (POST) answered by a redirect",
    "reports:latest": "a redirect to the report of the latest year",
    "reports:report": "figures of a subtree, no one's record",
    "reports:charts": "figures of a subtree, no one's record",
    "reports:prepare": "a write (POST) answered by a redirect",
    "reports:file": "the progress of a report's file, no one's record",
    "reports:file_download": "a report's file, an export logged (test_report_files)",
    "imports:index": "the upload form and the user's own imports",
    "imports:template": "an empty file with an example row",
    "imports:run": "the progress of an import the user sent",
    "imports:errors": "the refused rows of a file the user sent",
    "oversight:received": "the suggestions sent to the user, or to a collective they report for",
    "oversight:suggestion_new": "an empty form: the subject is typed, nobody's record is shown",
    "oversight:attendance_new": "an empty form: the subject is typed, nobody's record is shown",
    "oversight:release": "a write (POST) answered by a redirect",
    "integrity:analyse": "a write (POST) answered by a redirect",
    "integrity:unexamine": "a write (POST) answered by a redirect",
}
# Whole namespaces: the signed-in user's own account, and the admin (checked below).
NOT_READ_NAMESPACES = {"accounts", "admin"}

# Admin models naming a member that are not logged, each with why.
ADMIN_EXEMPT: dict[type[Model], str] = {
    User: "an account shows the member it belongs to by name, nothing of their record",
    AccessLog: "the log itself: who read what, read by the auditors",
}


def view_names() -> set[str]:
    """Every named page of the project, as `namespace:name`."""
    names = set()
    pending: list[tuple[str, URLResolver | URLPattern]] = [
        ("", p) for p in get_resolver().url_patterns
    ]
    while pending:
        namespace, pattern = pending.pop()
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            pending += [(inner, p) for p in pattern.url_patterns]
        elif pattern.name and namespace:
            names.add(f"{namespace}:{pattern.name}")
    return names


def names_a_member(model: type[Model]) -> bool:
    """Whether the model's rows are a member's, or belong to one member's evaluation."""
    return model is Member or any(
        field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model in (Member, MemberEvaluation)
        for field in model._meta.get_fields()
    )


class AccessLogPathsTestCase(TestCase):
    """The 2026 cycle proposed in the commune, An's record in every table the admin shows,
    Cường of cell A late with his self-review; a superuser, Quản, with a record of her own."""

    p: Personas
    cycle: Cycle
    quan: User
    quan_member: Member
    records: dict[type[Model], Model]
    suggestion: Suggestion
    attendance: Attendance
    finding: Finding

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        make_member(p.cell_a, code="DV-CUONG", full_name="Ngô Văn Cường")
        cls.cycle = make_cycle(2026, self_review_due=dt.date(2026, 12, 5))
        proposed_commune(p, cls.cycle)
        cls.quan_member = make_member(p.cell_b, code="DV-QUAN", full_name="Đinh Thị Quản")
        cls.quan = User.objects.create_superuser("quan", password=PASSWORD, member=cls.quan_member)
        cls.records = cls.make_records()
        cls.suggestion, cls.attendance = cls.make_oversight()
        open_leaders(p.commune, cycle=cls.cycle)  # An's post, made with her records
        cls.finding = Finding.objects.create(
            cycle=cls.cycle,
            unit_path=p.cell_a.path,
            kind="evasive_text",
            subject="DV-AN",
            name="Trần Thị An",
            key="evasive_text:DV-AN::2026",
            score=1.0,
            text="Phần hạn chế, khuyết điểm để trống hoặc ghi “không có”.",
            evidence={"year": 2026, "found": ["empty"], "text": ""},
        )

    @classmethod
    def make_oversight(cls) -> tuple[Suggestion, Attendance]:
        """The district's suggestion to An, sent, and its record of her review attended."""
        an, district, dung = evaluation_of(cls.p.an_member, cls.cycle), cls.p.district, cls.p.dung
        points = oversight.SuggestionData(points=["Vấn đề"], issued_on=dt.date(2026, 11, 2))
        suggestion = oversight.issue_suggestion(
            district, cycle=cls.cycle, subject=an, data=points, by=dung
        )
        oversight.release_suggestion(suggestion, by=dung)
        went = oversight.AttendanceData(
            kind=AttendanceKind.ATTENDED, held_on=dt.date(2026, 11, 20), group="Lê Văn Hùng"
        )
        record = oversight.record_attendance(
            district, cycle=cls.cycle, subject=an, data=went, by=dung
        )
        return suggestion, record

    @classmethod
    def make_records(cls) -> dict[type[Model], Model]:
        """One row of each model the admin shows of An's record; the cell's meeting."""
        an, cell_a = cls.p.an_member, cls.p.cell_a
        evaluation = evaluation_of(an, cls.cycle)
        return {
            Member: an,
            Post: Post.objects.create(
                member=an,
                kind=PostKind.PARTY,
                title="Phó bí thư",
                unit=cell_a,
                start=dt.date(2020, 1, 1),
            ),
            StatusPeriod: StatusPeriod.objects.create(
                member=an,
                kind=StatusKind.SICK_LEAVE,
                start=dt.date(2019, 3, 1),
                end=dt.date(2019, 5, 1),
            ),
            Transfer: Transfer.objects.create(
                member=an,
                from_outside="Đảng bộ huyện Quỳnh Lưu",
                to_cell=cell_a,
                date=dt.date(2015, 1, 1),
            ),
            Discipline: make_discipline(an, dt.date(2018, 6, 1)),
            MemberEvaluation: evaluation,
            SelfReview: SelfReview.objects.get(evaluation=evaluation),
            Input: Input.objects.create(
                evaluation=evaluation,
                kind=InputKind.RESIDENCE,
                source="Chi bộ khối 3",
                text="Gương mẫu nơi cư trú",
                entered_by=cls.p.binh,
                from_paper=True,
            ),
            Proposal: Proposal.objects.get(evaluation=evaluation),
            FollowUp: FollowUp.objects.create(member=an, cycle=cls.cycle, text="Còn chậm"),
            LevelChange: LevelChange.objects.filter(evaluation=evaluation).order_by("pk")[0],
            Meeting: Meeting.objects.get(cycle=cls.cycle, cell=cell_a),
        }

    def doors(self) -> list[Door]:
        view, export = AccessAction.VIEW, AccessAction.EXPORT
        out = tempfile.mkdtemp()
        return [
            Door("/", "binh", view, None, "đảng viên quá hạn ở CB-A; 1 dòng"),
            Door("/don-vi/CB-A/", "binh", view, None, "danh sách đảng viên CB-A; 3 dòng"),
            Door("/don-vi/DB-XA/?q=an", "chi", view, None, "tìm đảng viên trong DB-XA; lọc: q=an"),
            Door("/dang-vien/DV-AN/", "binh", view, "DV-AN", ""),
            Door(
                "/dang-vien/danh-gia-cong-chuc/DB-XA/?nam=2026",
                "chi",
                view,
                None,
                "kết quả đánh giá công chức DB-XA năm 2026",
            ),
            Door("/kiem-diem/2026/DV-AN/", "binh", view, "DV-AN", ""),
            Door("/kiem-diem/lanh-dao/2026/CB-A/DV-AN/", "binh", view, "DV-AN", ""),
            Door(
                "/kiem-diem/lanh-dao/quyet-dinh/DB-XA/?nam=2026",
                "chi",
                view,
                None,
                "cán bộ lãnh đạo DB-XA năm 2026",
            ),
            Door("/kiem-diem/chi-bo/CB-A/?nam=2026", "binh", view, None, "chi bộ CB-A năm 2026"),
            Door("/kiem-diem/chi-bo/CB-A/bien-ban/?nam=2026", "binh", export, None, "biên bản"),
            Door("/kiem-diem/cong-khai/CB-A/?nam=2026", "an", view, None, "công khai chi bộ CB-A"),
            Door("/kiem-diem/quyet-dinh/DB-XA/?nam=2026", "chi", view, None, "3 dòng"),
            Door("/kiem-diem/tham-dinh/DB-XA/?nam=2026", "dung", view, None, "thẩm định DB-XA"),
            Door("/kiem-diem/tien-do/CB-A/?nam=2026", "binh", view, None, "tiến độ kiểm điểm"),
            Door("/kiem-diem/to-chuc/2026/CB-A/", "chi", view, None, "tổ chức đảng CB-A năm 2026"),
            Door("/kiem-diem/tap-the/2026/DB-XA/", "dung", view, None, "tập thể lãnh đạo DB-XA"),
            Door(
                "/kiem-diem/cap-tren/don-vi/DB-HUYEN/?nam=2026",
                "dung",
                view,
                None,
                "gợi ý, dự và chỉ đạo kiểm điểm của DB-HUYEN năm 2026; lọc: nam=2026; 2 dòng",
            ),
            Door(f"/kiem-diem/cap-tren/goi-y/{self.suggestion.pk}/", "dung", view, "DV-AN", ""),
            Door(
                f"/kiem-diem/cap-tren/goi-y/{self.suggestion.pk}/giai-trinh/",
                "chi",
                view,
                "DV-AN",
                "",
            ),
            Door(
                f"/kiem-diem/cap-tren/du-chi-dao/{self.attendance.pk}/", "dung", view, "DV-AN", ""
            ),
            Door(
                "/kiem-diem/to-chuc/quyet-dinh/DB-XA/?nam=2026", "chi", view, None, "tổ chức DB-XA"
            ),
            Door("/bao-cao/DB-XA/2026/tai-ve.xlsx", "chi", export, None, "báo cáo DB-XA 2026"),
            Door(
                "/dau-hieu/don-vi/DB-HUYEN/?nam=2026",
                "dung",
                view,
                None,
                "dấu hiệu cần xem lại DB-HUYEN 2026; lọc: nam=2026; 1 dòng",
            ),
            Door(
                "/dau-hieu/don-vi/DB-XA/?nam=2026&export=xlsx",
                "chi",
                export,
                None,
                "dấu hiệu cần xem lại DB-XA 2026 xlsx",
            ),
            Door(f"/dau-hieu/{self.finding.pk}/", "dung", view, "DV-AN", "để trống"),
            Door("/bao-cao/DB-XA/2026/de-xuat/", "chi", view, None, "đề xuất sau xếp loại DB-XA"),
            Door("/bao-cao/DB-XA/2026/de-xuat/tai-ve.csv", "chi", export, None, "đề xuất DB-XA"),
            *self.admin_doors(),
            Door(
                "/quan-tri/autocomplete/?app_label=members&model_name=post&field_name=member&term=An",
                "quan",
                view,
                None,
                "tìm đảng viên; lọc:",
            ),
            Door(
                f"xeploai export members {out}/dv.xlsx --as dung",
                "dung",
                export,
                None,
                "xuất members, đơn vị tất cả; dòng lệnh, người dùng hệ điều hành:",
            ),
            Door(
                "xeploai report --cycle 2026 --unit DB-XA --format json --as chi",
                "chi",
                export,
                None,
                "báo cáo DB-XA 2026 json; dòng lệnh",
            ),
            Door(
                "xeploai integrity --cycle 2026 --unit DB-XA --as chi",
                "chi",
                export,
                None,
                "dấu hiệu cần xem lại DB-XA 2026; dòng lệnh",
            ),
        ]

    def admin_doors(self) -> list[Door]:
        """The change list and the change page of each record, read by the superuser."""
        doors = []
        for model, record in self.records.items():
            opts = model._meta
            url = f"/quan-tri/{opts.app_label}/{opts.model_name}/"
            member = None if model is Meeting else "DV-AN"
            doors += [
                Door(url, "quan", AccessAction.VIEW, None, f"danh sách {opts.verbose_name_plural}"),
                Door(
                    f"{url}{record.pk}/change/",
                    "quan",
                    AccessAction.VIEW,
                    member,
                    str(opts.verbose_name),
                ),
            ]
        return doors

    def open(self, door: Door) -> None:
        if door.path.startswith("xeploai "):
            call_command(*shlex.split(door.path)[1:], stdout=io.StringIO())
            return
        reader = User.objects.get(username=door.reader)
        response = self.p.client(reader).get(door.path)
        self.assertEqual(response.status_code, 200, door.path)

    def test_it_logs_every_door_once(self) -> None:
        with time_machine.travel(LATE):
            for door in self.doors():
                with self.subTest(door.path):
                    last = AccessLog.objects.order_by("pk").last()
                    self.open(door)
                    new = list(AccessLog.objects.filter(pk__gt=last.pk if last else 0))
                    self.assertEqual(len(new), 1, door.path)
                    (log,) = new
                    self.assertEqual(log.user.username, door.reader)
                    self.assertEqual(log.action, door.action)
                    self.assertEqual(log.member.code if log.member else None, door.member)
                    self.assertIn(door.detail, log.detail)

    def test_it_knows_every_page_and_every_admin_of_a_members_record(self) -> None:
        # A page or an admin added later must join the doors above, or say why it reads no one.
        logged = {resolve(d.path.split("?")[0]).view_name for d in self.doors() if d.path[0] == "/"}
        for name in sorted(view_names()):
            if name.split(":")[0] not in NOT_READ_NAMESPACES:
                self.assertTrue(name in logged or name in NOT_READS, name)
        for model, model_admin in admin.site._registry.items():
            if model in ADMIN_EXEMPT:
                continue
            if names_a_member(model) or model is Meeting:
                self.assertIsInstance(model_admin, LoggedReadsAdmin, model)
                self.assertIn(model, self.records)

    def test_it_does_not_log_a_member_reading_their_own_record(self) -> None:
        an = self.p.client(self.p.an)
        self.assertEqual(an.get("/dang-vien/DV-AN/").status_code, 200)
        self.assertEqual(an.get("/kiem-diem/2026/DV-AN/").status_code, 200)
        own_post = Post.objects.create(
            member=self.quan_member,
            kind=PostKind.PARTY,
            title="Đảng viên",
            unit=self.p.cell_b,
            start=dt.date(2020, 1, 1),
        )
        quan = self.p.client(self.quan)
        self.assertEqual(
            quan.get(f"/quan-tri/members/member/{self.quan_member.pk}/change/").status_code, 200
        )
        self.assertEqual(quan.get(f"/quan-tri/members/post/{own_post.pk}/change/").status_code, 200)
        self.assertFalse(AccessLog.objects.exists())

    def test_it_logs_a_list_once_whatever_its_length(self) -> None:
        for _n in range(60):
            make_member(self.p.cell_a)
        self.assertEqual(self.p.client(self.p.binh).get("/don-vi/CB-A/").status_code, 200)
        log = AccessLog.objects.get()
        self.assertEqual((log.member, log.detail), (None, "danh sách đảng viên CB-A; 63 dòng"))

    def test_it_does_not_log_a_save_in_the_admin_as_a_read(self) -> None:
        # The page the form was sent from was logged when shown; refused, it shows again.
        follow_up = self.records[FollowUp]
        url = f"/quan-tri/reviews/followup/{follow_up.pk}/change/"
        quan = self.p.client(self.quan)
        data = {"member": self.p.an_member.pk, "cycle": self.cycle.pk, "fixed": "on"}
        self.assertEqual(quan.post(url, data | {"text": ""}).status_code, 200)
        self.assertEqual(quan.post(url, data | {"text": "Đã khắc phục"}).status_code, 302)
        self.assertTrue(FollowUp.objects.get(pk=follow_up.pk).fixed)
        self.assertFalse(AccessLog.objects.exists())

    def test_it_keeps_a_search_typed_with_a_nul_byte(self) -> None:
        # PostgreSQL refuses a NUL in any string: the entry drops it rather than fail the page.
        r = self.p.client(self.p.chi).get("/don-vi/DB-XA/", {"q": "\x00Trần"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            AccessLog.objects.get().detail, "tìm đảng viên trong DB-XA; lọc: q= Trần; 1 dòng"
        )

    def test_it_refuses_an_export_with_no_account_to_log_it_under(self) -> None:
        path = Path(tempfile.mkdtemp()) / "dv.xlsx"
        self.p.dung.is_active = False
        self.p.dung.save()
        for args in (["--as", "dung"], ["--as", "khong-co"], []):
            with (
                self.subTest(args=args),
                mock.patch("getpass.getuser", return_value="khong-co"),
                self.assertRaisesMessage(CommandError, "hãy ghi rõ --as TÊN_ĐĂNG_NHẬP"),
            ):
                call_command("export", "members", str(path), *args)
        self.assertFalse(path.exists())
        self.assertFalse(AccessLog.objects.exists())

    def test_it_logs_a_command_under_the_account_named_as_the_system_user(self) -> None:
        out = io.StringIO()
        with mock.patch("getpass.getuser", return_value="dung"):
            call_command("report", "--cycle", "2026", "--unit", "DB-XA", stdout=out)
        log = AccessLog.objects.get()
        self.assertEqual((log.user, log.action), (self.p.dung, AccessAction.EXPORT))
        self.assertEqual(
            log.path, "xeploai report --cycle 2026 --unit DB-XA --format text --decimals 1"
        )
        self.assertTrue(log.detail.endswith("người dùng hệ điều hành: dung"), log.detail)

    def test_it_does_not_log_an_empty_template(self) -> None:
        path = Path(tempfile.mkdtemp()) / "mau.xlsx"
        call_command("export", "members", str(path), "--template", "--as", "dung")
        self.assertTrue(path.exists())
        self.assertFalse(AccessLog.objects.exists())
