from __future__ import annotations

import datetime as dt
import io

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_personas
from xeploai.cycles.models import Level
from xeploai.reviews import actions
from xeploai.reviews.reminders import reminders

from .flow import evaluation_of, meet, propose, submit


class RemindersTestCase(TestCase):
    """Reminders go to whoever a step waits on, and to the level above once it is late."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        for user in (p.an, p.binh, p.chi, p.dung, p.em):
            user.email = f"{user.username}@xeploai.invalid"
            user.save()
        self.cycle = make_cycle(
            2026, self_review_due=dt.date(2026, 12, 5), decision_due=dt.date(2026, 12, 20)
        )
        actions.open_cycle(p.commune, cycle=self.cycle, by=p.chi)
        meet(p.cell_a, self.cycle, p.binh)
        # Bình and Em have not submitted; An's proposal waits on the commune's decision.
        propose(submit(evaluation_of(p.an_member, self.cycle), p.an), p.binh, Level.GOOD)

    def who(self, day: dt.date) -> dict[str, int]:
        return {r.user.username: len(r.lines) for r in reminders(self.cycle, day)}

    def test_it_says_nothing_well_before_a_deadline(self) -> None:
        self.assertEqual(self.who(dt.date(2026, 11, 25)), {})

    def test_it_reminds_the_members_before_the_deadline(self) -> None:
        self.assertEqual(self.who(dt.date(2026, 12, 3)), {"binh": 1, "em": 1})

    def test_it_escalates_to_the_cell_secretary_after_the_deadline(self) -> None:
        # Em is late and secretary of cell B: told once, as the member and as the secretary.
        self.assertEqual(self.who(dt.date(2026, 12, 6)), {"binh": 1, "em": 1})
        late = {r.user.username: r.late for r in reminders(self.cycle, dt.date(2026, 12, 6))}
        self.assertTrue(late["binh"])

    def test_it_escalates_a_late_decision_to_the_district(self) -> None:
        self.assertEqual(self.who(dt.date(2026, 12, 21)), {"binh": 1, "em": 1, "chi": 1, "dung": 1})

    def test_it_sends_the_mail(self) -> None:
        out = io.StringIO()
        call_command("reminders", "--date", "2026-12-21", stdout=out)
        self.assertIn("4 sent, 0 without an e-mail address", out.getvalue())
        to_chi = next(m for m in mail.outbox if m.to == ["chi@xeploai.invalid"])
        self.assertIn("đã quá hạn", to_chi.subject)
        self.assertIn("Trần Thị An (Chi bộ xóm 1): Chi bộ đã đề xuất, hạn 20/12/2026", to_chi.body)

    def test_it_refuses_a_bad_date(self) -> None:
        with self.assertRaisesMessage(CommandError, "YYYY-MM-DD"):
            call_command("reminders", "--date", "21/12/2026")
