from __future__ import annotations

import threading
import time
import unittest
from typing import Any

from django.db import connection
from django.test import TransactionTestCase

from xeploai.core.testing import make_cycle, make_member, make_personas
from xeploai.cycles.models import Level, MemberEvaluation, Step
from xeploai.reviews import actions
from xeploai.reviews.actions import decision

from .flow import DECISION, meet, propose, submit


@unittest.skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL")
class DecideConcurrentlyTestCase(TransactionTestCase):
    """Two deciders at once can never push a group over its quota (R27)."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        self.cycle = make_cycle(2026)
        for cell in (p.cell_a, p.cell_a, p.cell_b, p.cell_b):
            make_member(cell)
        actions.open_cycle(p.commune, cycle=self.cycle, by=p.chi)
        meet(p.cell_a, self.cycle, p.binh, summoned=4, present=4)
        meet(p.cell_b, self.cycle, p.em, summoned=3, present=3)
        # Seven members proposed GOOD, each allowed EXCELLENT: one may be decided EXCELLENT
        # (6 GOOD allow 1), two may not (5 GOOD allow 1).
        self.rows = []
        for e in MemberEvaluation.objects.filter(cycle=self.cycle).select_related("cell"):
            secretary = p.binh if e.cell == p.cell_a else p.em
            self.rows.append(propose(submit(e, secretary), secretary, Level.GOOD))

    def test_it_lets_only_one_of_two_concurrent_deciders_through(self) -> None:
        slow_quota = decision._quota

        def quota_then_wait(*args: Any) -> Any:
            result = slow_quota(*args)
            time.sleep(0.5)  # both deciders would pass here if the group were not locked
            return result

        outcomes: list[str] = []
        start = threading.Barrier(2)

        def decide(evaluation: MemberEvaluation) -> None:
            start.wait()
            try:
                actions.decide(
                    self.p.commune,
                    cycle=self.cycle,
                    by=self.p.chi,
                    levels={evaluation.pk: Level.EXCELLENT},
                    decision=DECISION,
                )
                outcomes.append("decided")
            except actions.QuotaBreach:
                outcomes.append("refused")
            finally:
                connection.close()

        decision._quota = quota_then_wait  # type: ignore[assignment]
        try:
            threads = [threading.Thread(target=decide, args=(e,)) for e in self.rows[:2]]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            decision._quota = slow_quota
        self.assertEqual(sorted(outcomes), ["decided", "refused"])
        decided = MemberEvaluation.objects.filter(step=Step.DECIDED, level_decided=Level.EXCELLENT)
        self.assertEqual(decided.count(), 1)
