"""Copied and evasive self-review sections (`integrity.texts`): copies survive light edits,
honest varied texts are not copies, and the cost follows the sections, not their pairs."""

from __future__ import annotations

import random

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from xeploai.demo import texts as demo_texts
from xeploai.integrity import texts
from xeploai.integrity.texts import Section


def honest(rng: random.Random) -> str:
    """A text of one's own: the strengths of a self-review of the demo, written from stock
    phrases, each with words of one's choosing."""
    return demo_texts.own(rng)["strengths"]


BASE = (
    "Năm 2025 tôi đã hoàn thành tốt nhiệm vụ được giao tại phòng Tài chính - Kế hoạch huyện. "
    "Tham mưu cho lãnh đạo phòng xây dựng dự toán ngân sách năm 2026 đúng thời hạn. "
    "Thường xuyên học tập nghị quyết, chỉ thị của Đảng và quán triệt đến đồng nghiệp. "
    "Tham gia đầy đủ các buổi sinh hoạt của chi bộ Phòng Tài chính, đóng góp nhiều ý kiến. "
    "Giữ gìn đạo đức, lối sống giản dị, gần gũi với nhân dân nơi cư trú ở thôn Đông. "
    "Phối hợp với đồng chí Nguyễn Văn Bình hoàn thành báo cáo quyết toán năm 2024."
)


def edited(text: str) -> str:
    """The light edits of someone who copies: another name and date, the sentences in
    another order, a few words added."""
    parts = [p.strip() for p in text.split(".") if p.strip()]
    parts = parts[3:] + parts[:3]
    parts[0] = parts[0] + " một cách nghiêm túc"
    body = ". ".join(parts) + ". Bản thân luôn cố gắng phấn đấu trong công việc hằng ngày."
    return body.replace("Nguyễn Văn Bình", "Trần Thị Hoa").replace("2024", "2025")


class CopiesTests(SimpleTestCase):
    def test_an_edited_copy_is_found_with_the_sentences_they_share(self) -> None:
        original = Section("an", "DV1", 2026, BASE)
        copy = Section("binh", "DV2", 2026, edited(BASE))
        rng = random.Random(1)
        others = [Section(f"x{n}", f"DV{n + 10}", 2026, honest(rng)) for n in range(50)]
        found = texts.near_copies([original, *others, copy]).copies
        self.assertEqual([(c.section.key, c.source.key) for c in found], [("binh", "an")])
        self.assertGreaterEqual(found[0].score, 0.8)
        shared = [copy.text[a:b] for a, b in found[0].spans]
        self.assertIn(
            "Phối hợp với đồng chí Trần Thị Hoa hoàn thành báo cáo quyết toán năm 2025", shared
        )
        source = [original.text[a:b] for a, b in found[0].source_spans]
        self.assertEqual(len(source), 6)  # every sentence of the original is in the copy

    def test_honest_varied_texts_are_not_copies_and_few_pairs_are_compared(self) -> None:
        rng = random.Random(2026)
        population = [Section(n, f"DV{n}", 2026, honest(rng)) for n in range(400)]
        result = texts.near_copies(population)
        self.assertEqual(result.copies, [])
        # 79,800 pairs; locality-sensitive hashing confirms a few of them only.
        self.assertLess(result.candidates, len(population))

    def test_a_persons_earlier_year_counts_not_their_other_sections_of_the_year(self) -> None:
        this_year = Section("plan-2026", "DV1", 2026, BASE)
        same_year = Section("strengths-2026", "DV1", 2026, BASE)
        last_year = Section("weaknesses-2025", "DV1", 2025, edited(BASE))
        found = texts.near_copies([this_year, same_year, last_year]).copies
        # The two of this year are written alike: the first stands for both.
        self.assertEqual(
            [(c.section.key, c.source.key) for c in found], [("plan-2026", "weaknesses-2025")]
        )

    def test_texts_alike_to_the_letter_are_each_compared_with_the_first(self) -> None:
        population = [Section(n, f"DV{n}", 2026, BASE) for n in range(30)]
        result = texts.near_copies(population)
        self.assertEqual({c.source.key for c in result.copies}, {0})
        self.assertEqual(len(result.copies), 29)
        self.assertEqual(result.candidates, 29)
        self.assertTrue(all(c.score == 1.0 for c in result.copies))

    def test_short_sections_are_never_copies(self) -> None:
        short = "Đôi khi còn chậm trễ trong việc nộp báo cáo."
        result = texts.near_copies([Section(n, f"DV{n}", 2026, short) for n in range(5)])
        self.assertEqual(result.copies, [])

    @settings(max_examples=100, deadline=None)
    @given(st.randoms(use_true_random=False))
    def test_a_lightly_edited_copy_is_always_found(self, rng: random.Random) -> None:
        """A word changed in half of the sentences (a name, a date), the sentences in another
        order, a sentence added."""
        original = honest(rng)
        sentences = [s for s in original.split(". ") if s]
        changed = []
        for n, sentence in enumerate(sentences):
            words = sentence.split()
            if n % 2:
                words[rng.randrange(len(words))] = rng.choice(["Hoa", "Bình", "2024", "2025"])
            changed.append(" ".join(words))
        rng.shuffle(changed)
        changed.insert(rng.randrange(len(changed)), "Bản thân luôn cố gắng trong công việc")
        population = [
            Section("source", "DV1", 2025, original),
            Section("copy", "DV2", 2026, ". ".join(changed)),
        ]
        found = texts.near_copies(population).copies
        self.assertEqual([(c.section.key, c.source.key) for c in found], [("copy", "source")])


class EvasionTests(SimpleTestCase):
    def kinds(self, **sections: str) -> list[str]:
        return [e.kind for e in texts.evasions(sections)]

    def test_nothing_said_is_empty(self) -> None:
        for said in ("", "Không có.", "  chưa có hạn chế, khuyết điểm ", "Không"):
            self.assertEqual(self.kinds(weaknesses=said), [texts.EMPTY], said)

    def test_a_line_is_a_one_liner(self) -> None:
        self.assertEqual(self.kinds(weaknesses="Đôi khi còn chậm nộp báo cáo."), [texts.ONE_LINER])

    def test_a_weakness_far_shorter_than_the_strengths_is_lopsided(self) -> None:
        weak = "Có lúc chưa mạnh dạn phê bình đồng chí trong chi bộ khi thấy sai, còn nể nang."
        self.assertEqual(self.kinds(strengths=BASE * 4, weaknesses=weak), [texts.LOPSIDED])
        self.assertEqual(self.kinds(strengths=BASE, weaknesses=weak), [])

    def test_only_the_units_stock_phrases_is_stock(self) -> None:
        stock = (
            "Đôi lúc còn nể nang, né tránh trong phê bình, ngại va chạm với đồng chí, đồng nghiệp."
        )
        own = "Việc theo dõi công nợ của hợp tác xã còn để chậm {n} tuần, do tôi chưa đôn đốc."
        unit = [(f"DV{n}", stock) for n in range(8)]
        unit += [(f"DV{n}", own.format(n=n)) for n in range(8, 20)]
        found = texts.stock_sentences(unit)
        self.assertEqual(len(found), 1)
        self.assertEqual(
            [e.kind for e in texts.evasions({"weaknesses": stock}, stock=found)], [texts.STOCK]
        )
        self.assertEqual(texts.evasions({"weaknesses": own.format(n=9)}, stock=found), [])

    def test_no_word_of_ones_own_where_the_collective_was_weak(self) -> None:
        weak = "Việc theo dõi công nợ của hợp tác xã còn để chậm hai tháng, do tôi chưa đôn đốc."
        said = {"weaknesses": weak, "collective_responsibility": "Không có."}
        kinds = [e.kind for e in texts.evasions(said, collective_weak=True)]
        self.assertEqual(kinds, [texts.NO_RESPONSIBILITY])
        self.assertEqual(texts.evasions(said, collective_weak=False), [])

    def test_follow_ups_declared_fixed_with_nothing_said(self) -> None:
        weak = "Việc theo dõi công nợ của hợp tác xã còn để chậm hai tháng, do tôi chưa đôn đốc."
        found = texts.evasions({"weaknesses": weak}, fixed_unsaid=2)
        self.assertEqual([(e.kind, e.measures["items"]) for e in found], [(texts.FIXED_UNSAID, 2)])
