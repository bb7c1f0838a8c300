"""The demo's self-review texts: varied, each member's own, deterministic; the copies it plants
are the ones `integrity.texts` finds, and few honest texts are taken for copies."""

from __future__ import annotations

from django.test import SimpleTestCase

from xeploai.demo import texts
from xeploai.integrity.texts import Section, near_copies

GROUPS = [[f"DV{g:02d}{n:03d}" for n in range(150)] for g in range(8)]


class DemoTextsTests(SimpleTestCase):
    def test_the_same_seed_writes_the_same_texts(self) -> None:
        first, again = texts.for_members(GROUPS, 2026, 1), texts.for_members(GROUPS, 2026, 1)
        self.assertEqual(first.sections, again.sections)
        other = texts.for_members(GROUPS, 2026, 2)
        self.assertNotEqual(first.sections, other.sections)

    def test_members_write_in_their_own_words(self) -> None:
        written = texts.for_members(GROUPS, 2026, 2026)
        strengths = [s["strengths"] for s in written.sections.values()]
        self.assertEqual(len(set(strengths)), len(strengths))
        self.assertGreater(len(written.copied), 10)  # a few copy (3 %)
        self.assertLess(len(written.copied), 0.06 * len(strengths))
        self.assertTrue(
            all(written.sections[c]["weaknesses"] in texts.EMPTY for c in written.empty)
        )
        self.assertNotIn("{", "".join(strengths))

    def test_the_planted_copies_are_found_and_few_honest_texts_are_taken_for_copies(self) -> None:
        written = texts.for_members(GROUPS, 2026, 2026)
        found = set()
        for group in GROUPS:
            for key in ("strengths", "weaknesses", "plan"):
                population = [Section(c, c, 2026, written.sections[c][key]) for c in group]
                found |= {(c.section.owner, c.source.owner) for c in near_copies(population).copies}

        def origin(code: str) -> str:
            while code in written.copied:
                code = written.copied[code]
            return code

        planted = set(written.copied.items())
        true = {pair for pair in found if origin(pair[0]) == origin(pair[1])}
        self.assertGreaterEqual(len(planted & found) / len(planted), 0.95)  # recall
        self.assertGreaterEqual(len(true) / len(found), 0.8)  # precision
