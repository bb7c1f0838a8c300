"""Request bodies are refused by the length they announce, before a byte of them is read: a
few megabytes on every page, more only on the import upload and only for a signed-in user; a
body that announces no length is refused too."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings

from xeploai.core.testing import make_personas, make_user
from xeploai.imports.models import ImportRun

LOGIN = "/tai-khoan/dang-nhap/"
IMPORT = "/nhap-du-lieu/"
HUGE = str(510 * 1024 * 1024)
CSV = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập\n".encode()


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def unread(length: str = HUGE) -> dict[str, Any]:
    """A form with a file, as a browser sends one: Django's parser would stream it to disk."""
    return {
        "CONTENT_LENGTH": length,
        "CONTENT_TYPE": "multipart/form-data; boundary=xeploai",
        "wsgi.input": Unreadable(),
    }


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(), REQUEST_MAX_SIZE=4096)
class RequestSizeTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.admin = make_user("quantri")
        self.admin.is_staff = True
        self.admin.save()

    def test_it_refuses_a_large_anonymous_post_without_reading_it(self) -> None:
        response = Client().post(LOGIN, **unread())
        self.assertContains(response, "Dữ liệu gửi lên quá lớn", status_code=413)
        self.assertContains(response, "4,0\xa0KB", status_code=413)  # what the page takes

    def test_it_refuses_a_large_body_on_every_other_page_even_signed_in(self) -> None:
        for url in ("/", f"/don-vi/{self.p.cell_a.code}/", "/khong-co-trang-nay/"):
            with self.subTest(url):
                response = self.p.client(self.admin).post(url, **unread())
                self.assertEqual(response.status_code, 413)

    def test_it_takes_a_large_file_on_the_import_page_from_a_signed_in_user(self) -> None:
        big = CSV + b"X;" * 4096  # larger than the pages' limit, within the import's
        response = self.p.client(self.admin).post(
            IMPORT, {"kind": "units", "file": SimpleUploadedFile("don-vi.csv", big)}
        )
        run = ImportRun.objects.get()
        self.assertRedirects(response, f"{IMPORT}{run.pk}/", fetch_redirect_response=False)
        self.assertEqual(run.file.size, len(big))
        # Signed in, the import page's limit lets the body through (to the view's own check).
        self.assertEqual(self.p.client(self.p.binh).post(IMPORT, **unread("5000")).status_code, 403)

    @override_settings(REQUEST_MAX_SIZE_BY_ROUTE={"imports:index": 8192})
    def test_it_refuses_the_import_page_above_its_own_limit_or_anonymous(self) -> None:
        response = self.p.client(self.admin).post(IMPORT, **unread("8193"))
        self.assertContains(response, "8,0\xa0KB", status_code=413)
        self.assertEqual(Client().post(IMPORT, **unread("5000")).status_code, 413)

    def test_it_refuses_a_body_of_unknown_length(self) -> None:
        chunked: dict[str, Any] = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": Unreadable()}
        response = Client().generic("POST", LOGIN, **chunked)
        self.assertContains(response, "không cho biết độ dài", status_code=411)

    def test_it_lets_ordinary_forms_through(self) -> None:
        response = Client().post(LOGIN, {"username": "binh", "password": "sai"})
        self.assertContains(response, "Đăng nhập")
        self.assertEqual(response.status_code, 200)
