"""Each cell's count of current members (`CellCount`) is kept by the database: whichever way
the members' rows are written, it equals counting them."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count
from django.test import TestCase

from xeploai.core.testing import make_member, make_personas, make_unit
from xeploai.members.models import CellCount, Gender, Member
from xeploai.units.summary import with_counts


class CellCountTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cell_c = make_unit(self.p.commune, name="Chi bộ xóm 3")

    def assertCounted(self) -> None:
        counted = dict(
            Member.objects.current().values_list("cell").annotate(n=Count("id")).order_by()
        )
        kept = {c.cell_id: c.n for c in CellCount.objects.all() if c.n}
        self.assertEqual(kept, counted)

    def test_members_written_one_by_one(self) -> None:
        self.assertCounted()  # counted when the table was made, kept since
        member = make_member(self.cell_c)
        self.assertCounted()
        member.cell = self.p.cell_a
        member.save()
        self.assertCounted()
        member.left = dt.date(2026, 3, 1)
        member.save()
        self.assertCounted()
        member.left = None  # re-admitted
        member.save()
        self.assertCounted()
        member.full_name = "Nguyễn Thị Mới"  # nothing counted changes
        member.save()
        self.assertCounted()
        member.delete()
        self.assertCounted()

    def test_members_written_in_bulk(self) -> None:
        Member.objects.bulk_create(
            Member(
                code=f"BULK{n}",
                full_name=f"Trần Văn {n}",
                birth_date=dt.date(1980, 1, 1),
                gender=Gender.MALE,
                admitted=dt.date(2010, 5, 19),
                cell=(self.p.cell_a, self.p.cell_b, self.cell_c)[n % 3],
                left=dt.date(2020, 1, 1) if n % 5 == 0 else None,
            )
            for n in range(30)
        )
        self.assertCounted()
        Member.objects.filter(cell=self.p.cell_a).update(cell=self.cell_c)
        self.assertCounted()
        Member.objects.filter(code__startswith="BULK", left__isnull=False).update(left=None)
        self.assertCounted()
        Member.objects.filter(code__endswith="1").update(left=dt.date(2026, 1, 1))
        self.assertCounted()
        Member.objects.filter(cell=self.p.cell_b).delete()
        self.assertCounted()

    def test_sql_by_hand_is_counted_too(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE members_member SET cell_id = %s WHERE cell_id = %s",
                [self.cell_c.pk, self.p.cell_b.pk],
            )
        self.assertCounted()

    def test_the_tree_shows_the_kept_counts(self) -> None:
        for _n in range(4):
            make_member(self.cell_c)
        make_member(self.cell_c, left=dt.date(2025, 6, 1))
        every = Member.objects.current()
        with self.assertNumQueries(3):  # cells' counts at the two depths, then the children
            district, commune = with_counts([self.p.district, self.p.commune])
        self.assertEqual(district.member_count, every.in_subtree(self.p.district).count())  # type: ignore[attr-defined]
        self.assertEqual(commune.member_count, every.in_subtree(self.p.commune).count())  # type: ignore[attr-defined]
        (cell,) = with_counts([self.cell_c])
        self.assertEqual(cell.member_count, 4)  # type: ignore[attr-defined]
