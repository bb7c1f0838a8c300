"""The Content-Security-Policy: on every kind of response a page can be, strict about script,
allowing no inline style but the report's charts', and shaped like Django 6's own."""

from __future__ import annotations

import re
from collections.abc import Callable
from unittest import mock

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory, TestCase, override_settings

from xeploai.core.csp import CSP, ContentSecurityPolicyMiddleware, build_policy, source_hash
from xeploai.core.testing import make_cycle, make_evaluation, make_personas, make_user
from xeploai.cycles.models import Status
from xeploai.reports.charts import charts, svg
from xeploai.reports.data import report
from xeploai.rules import Level

HEADER = "Content-Security-Policy"


def directives(response: HttpResponseBase) -> dict[str, list[str]]:
    policy = response[HEADER]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


class ContentSecurityPolicyTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()

    def test_it_is_on_every_kind_of_page(self) -> None:
        make_evaluation(self.p.an_member, make_cycle(2026))
        admin = make_user("quantri")
        admin.is_staff = True
        admin.save()
        anonymous, binh = Client(), self.p.client(self.p.binh)
        responses = {
            "sign-in page": anonymous.get("/tai-khoan/dang-nhap/"),
            "redirect to sign in": anonymous.get("/"),
            "home": binh.get("/"),
            "record": binh.get(f"/dang-vien/{self.p.an_member.code}/"),
            "htmx part": binh.get(f"/don-vi/{self.p.cell_a.code}/con/", HTTP_HX_REQUEST="true"),
            "download": self.p.client(admin).get("/nhap-du-lieu/mau/units.xlsx"),
            "not found": binh.get("/khong-co-trang-nay/"),
            "forbidden": binh.get("/nhap-du-lieu/"),
            "too large": anonymous.post("/tai-khoan/dang-nhap/", CONTENT_LENGTH=str(10**9)),
            "admin": self.p.client(admin).get("/quan-tri/"),
        }
        binh.raise_request_exception = False
        with (
            mock.patch("xeploai.units.views.render", side_effect=RuntimeError("hỏng")),
            self.assertLogs("django.request", "ERROR"),
        ):
            responses["server error"] = binh.get("/")
        self.assertEqual(responses["server error"].status_code, 500)
        for page, response in responses.items():
            with self.subTest(page):
                self.assertEqual(directives(response)["script-src"], ["'self'"])

    def test_it_refuses_inline_script_and_eval_and_every_inline_style_but_the_charts(self) -> None:
        policy = directives(Client().get("/tai-khoan/dang-nhap/"))
        self.assertEqual(policy["default-src"], ["'self'"])
        self.assertEqual(policy["script-src"], ["'self'"])
        self.assertEqual(policy["img-src"], ["'self'", "data:"])
        for directive in ("object-src", "base-uri", "frame-ancestors"):
            self.assertEqual(policy[directive], ["'none'"])
        self.assertEqual(policy["form-action"], ["'self'"])
        self.assertNotIn("'unsafe-inline'", policy["style-src"])
        self.assertEqual(policy["style-src"][0], "'self'")

    def test_it_allows_each_style_element_of_the_charts(self) -> None:
        """The charts are inline SVG, drawn by matplotlib: a new version that writes another
        <style> would have it refused."""
        cycle = make_cycle(2026)
        make_evaluation(self.p.an_member, cycle, status=Status.CLASSIFIED, level_final=Level.GOOD)
        drawn = [svg(figure) for _title, figure in charts(report(self.p.district, cycle))]
        styles = {s for chart in drawn for s in re.findall(r"<style[^>]*>(.*?)</style>", chart)}
        self.assertTrue(styles)
        policy = directives(Client().get("/tai-khoan/dang-nhap/"))
        for style in styles:
            self.assertIn(source_hash(style), policy["style-src"])

    def test_it_keeps_a_policy_a_view_set_and_honours_an_override(self) -> None:
        def view(header: str | None, override: object = None) -> HttpResponse:
            response = HttpResponse()
            if header:
                response[HEADER] = header
            if override is not None:
                response._csp_config = override  # type: ignore[attr-defined]
            return response

        request = RequestFactory().get("/")
        for response, expected in (
            (view("default-src 'none'"), "default-src 'none'"),
            (view(None, {"img-src": [CSP.SELF]}), "img-src 'self'"),
        ):
            middleware = ContentSecurityPolicyMiddleware(answering(response))
            self.assertEqual(middleware(request)[HEADER], expected)
        middleware = ContentSecurityPolicyMiddleware(answering(view(None, {})))
        self.assertNotIn(HEADER, middleware(request))  # an empty override: no header

    @override_settings(SECURE_CSP_REPORT_ONLY={"script-src": [CSP.NONE]})
    def test_it_sends_a_policy_to_try_in_report_only(self) -> None:
        response = Client().get("/tai-khoan/dang-nhap/")
        self.assertEqual(response["Content-Security-Policy-Report-Only"], "script-src 'none'")
        self.assertIn(HEADER, response)

    def test_it_writes_directives_as_django_does(self) -> None:
        self.assertEqual(
            build_policy(
                {
                    "default-src": [CSP.SELF],
                    "img-src": [CSP.SELF, "data:"],
                    "upgrade-insecure-requests": True,
                    "sandbox": False,
                    "report-uri": None,
                    "media-src": [],
                }
            ),
            "default-src 'self'; img-src 'self' data:; upgrade-insecure-requests",
        )


def answering(response: HttpResponse) -> Callable[[HttpRequest], HttpResponse]:
    return lambda request: response
