from __future__ import annotations

from typing import Any

from django.test import Client, TestCase

from xeploai.core.testing import PASSWORD, Personas, make_personas

LOGIN = "/tai-khoan/dang-nhap/"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


class LoginTestCase(TestCase):
    """The login page itself; its throttle is in test_throttle, its second step in
    test_two_factor."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def login(self, username: str, password: str = PASSWORD, **data: str) -> Any:
        return Client().post(LOGIN, {"username": username, "password": password, **data})

    def test_it_signs_in_with_the_right_password(self) -> None:
        r = self.login("binh")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r["Location"], "/")
        self.assertEqual(r.wsgi_request.session["_auth_user_id"], str(self.p.binh.pk))

    def test_it_refuses_a_wrong_password_in_vietnamese(self) -> None:
        r = self.login("binh", "sai-mat-khau")
        self.assertContains(r, WRONG)
        self.assertNotIn("_auth_user_id", r.wsgi_request.session)

    def test_it_refuses_an_unknown_username_with_the_same_words(self) -> None:
        self.assertContains(self.login("khong-co", "sai-mat-khau"), WRONG)

    def test_it_says_what_is_missing_without_counting_an_attempt(self) -> None:
        r = Client().post(LOGIN, {"username": "binh"})
        self.assertContains(r, WRONG)
        self.assertEqual(self.login("binh").status_code, 302)  # no delay was started

    def test_it_goes_on_to_a_page_of_ours_only(self) -> None:
        r = self.login("binh", next="/don-vi/CB-A/")
        self.assertEqual(r["Location"], "/don-vi/CB-A/")
        r = self.login("binh", next="https://example.com/")
        self.assertEqual(r["Location"], "/")

    def test_it_links_the_password_reset(self) -> None:
        r = Client().get(LOGIN)
        self.assertContains(r, 'href="/tai-khoan/quen-mat-khau/"')
        self.assertContains(r, "Quên mật khẩu?")
