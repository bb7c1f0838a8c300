"""What a page says of bad input: a clear Vietnamese message beside the field, never an error
page, and nothing written."""

from __future__ import annotations

from django.test import TestCase

from xeploai.oversight.models import Explanation, Suggestion

from .scene import Scene, make_scene, suggest

NEW = "/kiem-diem/cap-tren/don-vi/DB-HUYEN/goi-y/moi/?nam=2026"


class FormsTestCase(TestCase):
    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def post(self, path: str, data: dict[str, str], user: object = None) -> str:
        client = self.s.p.client(user or self.s.p.dung)  # type: ignore[arg-type]
        response = client.post(path, data)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_names_what_is_wrong_with_a_new_suggestion(self) -> None:
        page = self.post(
            NEW, {"subject_kind": "member", "code": "DV-XX", "issued_on": "31/02/2026"}
        )
        self.assertIn("Không tìm thấy đảng viên mã «DV-XX» thuộc Đảng bộ huyện Yên Thành", page)
        self.assertIn("Nhập một ngày hợp lệ.", page)
        self.assertIn("Trường này là bắt buộc.", page)
        data = {"subject_kind": "collective", "code": "CB-A", "issued_on": "2026-11-02"}
        page = self.post(NEW, data | {"points": "Một\n" * 31})
        self.assertIn("Tập thể lãnh đạo chỉ có ở các đảng bộ và chi bộ cơ sở.", page)
        self.assertIn("Tối đa 30 vấn đề; đang có 31.", page)
        page = self.post(NEW, data | {"subject_kind": "organisation", "points": "x" * 2001})
        self.assertIn("Vấn đề 1 dài quá 2000 ký tự.", page)
        self.assertFalse(Suggestion.objects.exists())

    def test_it_says_why_a_second_suggestion_is_refused(self) -> None:
        suggest(self.s, self.s.an)
        data = {"subject_kind": "member", "code": "dv-an", "issued_on": "2026-11-02", "points": "X"}
        page = self.post(NEW, data, self.s.thuong)
        self.assertIn("đã có gợi ý kiểm điểm gửi đồng chí Trần Thị An", page)
        self.assertEqual(Suggestion.objects.count(), 1)

    def test_it_refuses_an_explanation_too_long(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        point = sent.points.get(number=1)
        path = f"/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/"
        page = self.post(path, {f"point_{point.pk}": "x" * 8001}, self.s.p.an)
        self.assertIn("8000", page)
        self.assertFalse(Explanation.objects.exists())
