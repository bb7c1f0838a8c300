"""Every rule the engine implements is named by at least one test (RULES.md R1-R27, R34)."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import TestCase

ENGINE_RULES = [f"R{n}" for n in range(1, 28)] + ["R34"]


class RuleCoverageTestCase(TestCase):
    def test_every_engine_rule_has_a_test(self) -> None:
        here = Path(__file__).parent
        named: set[str] = set()
        for path in here.glob("test_*.py"):
            if path.name == Path(__file__).name:
                continue
            named |= set(re.findall(r"\bR\d+\b", path.read_text()))
        missing = [rule for rule in ENGINE_RULES if rule not in named]
        self.assertEqual(missing, [])
