from __future__ import annotations

import datetime as dt
import io
from typing import Any

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, TestCase, modify_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xeploai.accounts import twofactor
from xeploai.accounts.models import Role, RoleKind, User
from xeploai.accounts.policy import needs_second_factor
from xeploai.core.testing import PASSWORD, Personas, make_personas, make_user
from xeploai.demo import people

LOGIN = "/tai-khoan/dang-nhap/"
VERIFY = "/tai-khoan/ma-xac-thuc/"
ENROL = "/tai-khoan/xac-thuc-hai-buoc/"
WRONG_CODE = "Mã xác thực không đúng, hoặc đã được dùng."
# The setting to add after django-otp's OTPMiddleware; appended here until it is.
WITH_MIDDLEWARE = modify_settings(
    MIDDLEWARE={"append": "xeploai.accounts.middleware.SecondFactorMiddleware"}
)


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@WITH_MIDDLEWARE
class TwoFactorTestCase(TestCase):
    """Deciders, appraisers, administrators and importers sign in with a password and then
    a code from their phone's authenticator app; anyone else may choose to."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def setUp(self) -> None:
        self.traveller = time_machine.travel(timezone.now(), tick=False)
        self.clock = self.traveller.start()
        self.addCleanup(self.traveller.stop)

    def later(self, seconds: float) -> None:
        self.clock.shift(dt.timedelta(seconds=seconds))

    def password(self, username: str, client: Client | None = None, **data: str) -> Any:
        client = client or Client()
        return client.post(LOGIN, {"username": username, "password": PASSWORD, **data})

    def test_it_requires_a_second_factor_of_those_who_decide_appraise_administer_import(
        self,
    ) -> None:
        committee = make_user("uy-vien", roles=((RoleKind.CELL_COMMITTEE, self.p.cell_a),))
        administrator = make_user("qt", roles=((RoleKind.ADMINISTRATOR, self.p.district),))
        staff = make_user("nhap-lieu")
        staff.is_staff = True
        superuser = User.objects.create_superuser("quantri", password=PASSWORD)
        required = {
            u.username: needs_second_factor(u)
            for u in (self.p.an, self.p.binh, self.p.em, self.p.nobody, committee)
            + (self.p.chi, self.p.dung, administrator, staff, superuser)
        }
        self.assertEqual(
            required,
            {
                **dict.fromkeys(["an", "binh", "em", "nobody", "uy-vien"], False),
                **dict.fromkeys(["chi", "dung", "qt", "nhap-lieu", "quantri"], True),
            },
        )

    def test_it_sends_anonymous_users_to_login(self) -> None:
        self.assertRedirects(Client().get(ENROL), f"{LOGIN}?next={ENROL}")
        self.assertRedirects(Client().get(VERIFY), LOGIN)  # nobody held: nothing to verify
        self.assertRedirects(Client().post(VERIFY, {"code": "123456"}), LOGIN)

    def test_it_asks_for_the_code_before_signing_in(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        client = Client()
        r = self.password("chi", client, next="/don-vi/CB-A/")
        self.assertRedirects(r, VERIFY, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", client.session)  # not signed in meanwhile
        self.assertRedirects(client.get("/"), "/tai-khoan/dang-nhap/?next=/")
        page = client.get(VERIFY)
        self.assertContains(page, "Xác thực hai bước")
        self.assertContains(page, 'autocomplete="one-time-code"')
        r = client.post(VERIFY, {"code": twofactor.current_code(device)})
        self.assertRedirects(r, "/don-vi/CB-A/", fetch_redirect_response=False)
        self.assertEqual(client.session["_auth_user_id"], str(self.p.chi.pk))
        self.assertEqual(client.get("/").status_code, 200)

    def test_it_refuses_a_wrong_code_and_a_code_used_already(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        client = Client()
        self.password("chi", client)
        code = twofactor.current_code(device)
        r = client.post(VERIFY, {"code": other_than(code)})
        self.assertContains(r, WRONG_CODE)
        self.assertNotIn("_auth_user_id", client.session)
        self.later(2)
        self.assertEqual(client.post(VERIFY, {"code": code}).status_code, 302)
        again = Client()
        self.password("chi", again)
        self.assertContains(again.post(VERIFY, {"code": code}), WRONG_CODE)

    def test_it_refuses_a_code_that_is_not_six_digits_in_vietnamese(self) -> None:
        twofactor.ensure_device(self.p.chi)
        client = Client()
        self.password("chi", client)
        self.assertContains(client.post(VERIFY, {"code": "abc"}), WRONG_CODE)
        self.later(2)
        r = client.post(VERIFY, {"code": "1" * 40})
        self.assertContains(r, "Giá trị này dài tối đa 12 ký tự (đang có 40).")
        self.assertContains(client.post(VERIFY, {}), "Trường này là bắt buộc.")

    def test_it_forgets_a_held_password_after_five_minutes(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        client = Client()
        self.password("chi", client)
        self.later(twofactor.PENDING_SECONDS + 1)
        r = client.post(VERIFY, {"code": twofactor.current_code(device)})
        self.assertRedirects(r, LOGIN, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", client.session)

    def test_it_sends_a_user_who_must_have_a_device_to_enrolment_before_any_page(self) -> None:
        client = Client()
        r = self.password("chi", client)
        self.assertRedirects(r, f"{ENROL}?next=/", fetch_redirect_response=False)
        for url in ("/", "/don-vi/CB-A/", "/tai-khoan/", "/quan-tri/"):
            self.assertRedirects(
                client.get(url), f"{ENROL}?next={url}", fetch_redirect_response=False
            )
        page = client.get(ENROL)
        self.assertContains(page, "Thiết lập xác thực hai bước")
        self.assertContains(page, "<svg")  # the QR code, inline
        device = TOTPDevice.objects.get(user=self.p.chi, confirmed=False)
        self.assertContains(page, twofactor.secret(device))
        code = twofactor.current_code(device)
        self.assertContains(client.post(ENROL, {"code": other_than(code)}), WRONG_CODE)
        r = client.post(ENROL, {"code": code, "next": "/don-vi/CB-A/"})
        self.assertRedirects(r, "/don-vi/CB-A/", fetch_redirect_response=False)
        self.assertEqual(twofactor.confirmed_device(self.p.chi), device)
        self.assertEqual(client.get("/").status_code, 200)

    def test_it_lets_other_users_sign_in_with_the_password_and_enrol_if_they_wish(self) -> None:
        client = Client()
        self.assertRedirects(self.password("binh", client), "/", fetch_redirect_response=False)
        self.assertEqual(client.get("/").status_code, 200)
        self.assertContains(client.get("/tai-khoan/"), "Chưa bật.")
        client.get(ENROL)
        device = TOTPDevice.objects.get(user=self.p.binh)
        client.post(ENROL, {"code": twofactor.current_code(device)})
        self.assertContains(client.get("/tai-khoan/"), "Đang bật")
        self.later(30)
        self.assertRedirects(self.password("binh"), VERIFY, fetch_redirect_response=False)

    def test_it_holds_every_page_of_a_session_that_has_not_typed_the_code(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        client = Client()
        client.force_login(self.p.chi)  # a session from before two-factor sign-in
        self.assertRedirects(client.get("/"), f"{VERIFY}?next=/", fetch_redirect_response=False)
        # Replacing the device needs the old one's code first.
        self.assertRedirects(
            client.get(ENROL), f"{VERIFY}?next={ENROL}", fetch_redirect_response=False
        )
        r = client.post(f"{VERIFY}?next=/don-vi/CB-A/", {"code": twofactor.current_code(device)})
        self.assertRedirects(r, "/don-vi/CB-A/", fetch_redirect_response=False)
        self.assertEqual(client.get("/").status_code, 200)

    def test_it_asks_within_minutes_once_a_deciding_role_is_granted(self) -> None:
        client = self.p.client(self.p.binh)
        self.assertEqual(client.get("/").status_code, 200)
        Role.objects.create(user=self.p.binh, unit=self.p.commune, kind=RoleKind.GRASSROOTS_OFFICER)
        self.assertEqual(client.get("/").status_code, 200)  # decided a moment ago
        self.later(twofactor.RECHECK_SECONDS + 1)
        self.assertRedirects(client.get("/"), f"{ENROL}?next=/", fetch_redirect_response=False)

    def test_it_costs_pages_no_query_between_checks(self) -> None:
        for user in (self.p.an, self.p.chi):
            client = self.p.client(user)
            client.get("/")
            with CaptureQueriesContext(connection) as held:
                client.get("/")
            with self.modify_settings(
                MIDDLEWARE={"remove": "xeploai.accounts.middleware.SecondFactorMiddleware"}
            ):
                free = Client()  # a client keeps the middleware it started with
                free.cookies = client.cookies
                with CaptureQueriesContext(connection) as without:
                    free.get("/")
            self.assertEqual(len(held), len(without), user.username)

    def test_it_lets_an_administrator_reset_a_lost_device(self) -> None:
        twofactor.ensure_device(self.p.chi)
        admin = User.objects.create_superuser("quantri", password=PASSWORD)
        r = self.p.client(admin).post(
            "/quan-tri/accounts/user/",
            {"action": "reset_two_factor", "_selected_action": [self.p.chi.pk]},
            follow=True,
        )
        self.assertContains(r, "Đã đặt lại xác thực hai bước cho 1 người dùng.")
        self.assertIsNone(twofactor.confirmed_device(self.p.chi))
        self.assertIsNotNone(twofactor.confirmed_device(admin))
        r = self.password("chi")
        self.assertRedirects(r, f"{ENROL}?next=/", fetch_redirect_response=False)

    def test_it_hides_the_devices_keys_from_administrators(self) -> None:
        twofactor.ensure_device(self.p.chi)
        admin = User.objects.create_superuser("quantri", password=PASSWORD)
        client = self.p.client(admin)
        self.assertEqual(client.get("/quan-tri/otp_totp/totpdevice/").status_code, 404)

    def test_it_shows_each_user_their_own_second_factor(self) -> None:
        self.assertRedirects(Client().get("/tai-khoan/"), "/tai-khoan/dang-nhap/?next=/tai-khoan/")
        self.assertContains(self.p.client(self.p.chi).get("/tai-khoan/"), "Đang bật")
        nobody = self.p.client(self.p.nobody).get("/tai-khoan/")
        self.assertContains(nobody, "Chưa bật.")
        self.assertContains(nobody, f'href="{ENROL}"')

    def test_it_prints_the_current_code_on_the_command_line(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        out = io.StringIO()
        call_command("totp", "chi", stdout=out)
        self.assertTrue(out.getvalue().startswith(twofactor.current_code(device) + "  (valid"))
        with self.assertRaisesMessage(CommandError, "no user named 'khong-co'"):
            call_command("totp", "khong-co")
        with self.assertRaisesMessage(CommandError, "an has no two-factor device set up"):
            call_command("totp", "an")

    def test_it_gives_the_demo_personas_who_must_have_one_a_device(self) -> None:
        superuser = User.objects.create_superuser("quantri", password=PASSWORD)
        names = ("an", "binh", "chi", "dung", "em", "quantri")
        people.give_devices(names)
        people.give_devices(names)  # once is enough
        self.assertEqual(people.with_devices(names), ["chi", "dung", "quantri"])
        self.assertEqual(TOTPDevice.objects.filter(user=superuser).count(), 1)
