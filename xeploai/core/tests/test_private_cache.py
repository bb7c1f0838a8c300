"""Personal pages and downloads are kept by no cache: `Cache-Control: no-store` on every
response to a signed-in user and on every download; what is the same for everyone keeps its
caching (static files, the icon)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseBase
from django.templatetags.static import static
from django.test import Client, RequestFactory, TestCase

from xeploai.core.middleware import PrivateCacheMiddleware
from xeploai.core.testing import make_cycle, make_evaluation, make_personas, make_user


def kept_by_no_cache(response: HttpResponseBase) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and response.get("Pragma") == "no-cache"


class PrivateCacheTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()

    def test_it_keeps_every_page_of_a_signed_in_user_out_of_caches(self) -> None:
        make_evaluation(self.p.an_member, make_cycle(2026))
        binh = self.p.client(self.p.binh)
        for url in (
            "/",
            f"/dang-vien/{self.p.an_member.code}/",
            f"/don-vi/{self.p.cell_a.code}/",
            "/khong-co-trang-nay/",
        ):
            with self.subTest(url):
                self.assertTrue(kept_by_no_cache(binh.get(url)))

    def test_it_keeps_downloads_out_of_caches(self) -> None:
        admin = make_user("quantri")
        admin.is_staff = True
        admin.save()
        response = self.p.client(admin).get("/nhap-du-lieu/mau/units.xlsx")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertTrue(kept_by_no_cache(response))
        # A download is personal whoever asks for it.
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        download = HttpResponse(headers={"Content-Disposition": 'attachment; filename="a.xlsx"'})
        self.assertTrue(kept_by_no_cache(PrivateCacheMiddleware(lambda r: download)(request)))

    def test_it_lets_caches_keep_what_is_the_same_for_everyone(self) -> None:
        self.assertFalse(kept_by_no_cache(Client().get(f"/don-vi/{self.p.cell_a.code}/")))
        for client in (Client(), self.p.client(self.p.binh)):
            icon = client.get("/favicon.ico")
            self.assertIn("public", icon["Cache-Control"])
            self.assertFalse(kept_by_no_cache(icon))
            stylesheet = client.get(static("xeploai/site.css"))
            self.assertIn("immutable", stylesheet["Cache-Control"])
            self.assertFalse(kept_by_no_cache(stylesheet))
