"""What the server sends besides the pages' content: static files named by their content,
compressed and cached for good; pages compressed; an answer to the browser's own icon request."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli  # type: ignore[import-untyped]  # ships no type information
from django.templatetags.static import static
from django.test import Client, TestCase
from django.urls import reverse

from xeploai.core.testing import make_personas

SITE_CSS = Path(__file__).resolve().parents[1] / "static" / "xeploai" / "site.css"
A_YEAR_OR_MORE = re.compile(r"max-age=(\d{8,})")


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


class ServingTestCase(TestCase):
    def test_it_sends_static_files_by_hashed_name_compressed_and_cached_for_good(self) -> None:
        url = static("xeploai/site.css")
        self.assertRegex(url, r"/site\.[0-9a-f]{12}\.css$")
        for accepted, encoding, decompress in (
            ("gzip, deflate, br", "br", brotli.decompress),
            ("gzip", "gzip", gzip.decompress),
        ):
            response = Client().get(url, HTTP_ACCEPT_ENCODING=accepted)
            self.assertEqual(response["Content-Encoding"], encoding)
            self.assertEqual(decompress(body(response)), SITE_CSS.read_bytes())
            self.assertIn("immutable", response["Cache-Control"])
            self.assertRegex(response["Cache-Control"], A_YEAR_OR_MORE)

    def test_it_compresses_pages(self) -> None:
        client = make_personas().client(None)
        response = client.get(reverse("accounts:login"), HTTP_ACCEPT_ENCODING="gzip, br")
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertIn("Accept-Encoding", response["Vary"])
        self.assertIn("Đăng nhập", gzip.decompress(response.content).decode())
        plain = client.get(reverse("accounts:login"))
        self.assertFalse(plain.has_header("Content-Encoding"))

    def test_it_answers_the_browsers_own_icon_request(self) -> None:
        response = Client().get("/favicon.ico")
        self.assertRedirects(response, static("xeploai/favicon.svg"), fetch_redirect_response=False)
        self.assertIn("max-age", response["Cache-Control"])
        icon = Client().get(response["Location"])
        self.assertEqual((icon.status_code, icon["Content-Type"]), (200, "image/svg+xml"))
