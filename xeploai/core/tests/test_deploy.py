"""The deployment of docs/deploy.md, as far as this machine allows: gunicorn with the production
settings (HTTPS on, DEBUG off, a migrated SQLite database in a data directory of its own),
behind a proxy that says the request came by HTTPS; every answer carries the security headers,
a signed-in page is kept by no cache, an oversized body is refused before it is sent, and
gunicorn stops cleanly. `check --deploy` finds nothing to warn of."""

from __future__ import annotations

import dataclasses
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.test import SimpleTestCase

from xeploai.demo.management.commands.demo import stop
from xeploai.demo.tests.test_demo_serving import free_port

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
PASSWORD = "mat-khau-trien-khai-2026"  # noqa: S105  (a test user's)
# What docs/deploy.md has the administrator run once, and a user to sign in as.
PREPARE = (
    "from django.core.management import call_command;"
    " call_command('migrate', verbosity=0);"
    " call_command('collectstatic', interactive=False, verbosity=0);"
    " from xeploai.accounts.models import User;"
    f" User.objects.create_user('an', password='{PASSWORD}')"
)


class DeployTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.data = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.data, ignore_errors=True)
        self.env = {
            **os.environ,
            "XEPLOAI_DATA_DIR": str(self.data),
            "HTTPS": "true",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUSTED_PROXIES": "127.0.0.1",
        }
        self.env.pop("DATABASE_URL", None)  # SQLite in the folder above
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' own (conftest.py)

    def xeploai(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [PYTHON, "-m", "xeploai.manage", *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)  # noqa: S603

    def test_the_deployment_checks_pass(self) -> None:
        checked = self.xeploai("check", "--deploy", "--fail-level", "WARNING")
        self.assertEqual(checked.returncode, 0, checked.stderr + checked.stdout)
        self.assertIn("no issues", checked.stdout)

    def test_gunicorn_serves_with_the_security_headers_and_stops_cleanly(self) -> None:
        prepared = self.xeploai("shell", "-c", PREPARE)
        self.assertEqual(prepared.returncode, 0, prepared.stderr)
        self.assertEqual(oct((self.data / "xeploai.sqlite3").stat().st_mode & 0o777), "0o600")
        self.port = free_port()
        server = self.serve()

        # Sent by plain HTTP past the proxy: redirected to HTTPS.
        answer = self.get("/", https=False)
        self.assertEqual(
            (answer.status, answer.headers["location"]), (301, f"https://127.0.0.1:{self.port}/")
        )
        page = self.get("/tai-khoan/dang-nhap/")
        self.assertEqual(page.status, 200)
        self.assert_secure(page)
        self.assertTrue(page.cookies["csrftoken"]["secure"])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token is not None

        # Signing in, then a personal page.
        form = {"username": "an", "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        signed_in = self.request("POST", "/tai-khoan/dang-nhap/", page.cookies, form=form)
        self.assertEqual(signed_in.status, 302, signed_in.body[:2000])
        page.cookies.update(signed_in.cookies)
        home = self.get("/", page.cookies)
        self.assertEqual(home.status, 200)
        self.assert_secure(home)
        self.assertIn("no-store", home.headers["cache-control"])
        self.assertIn("Đăng xuất", home.body)

        # 510 MB announced, nothing sent: refused at once, not waited for.
        refused = self.request("POST", "/tai-khoan/dang-nhap/", length=510 * 2**20)
        self.assertEqual(refused.status, 413)
        self.assertIn("Dữ liệu gửi lên quá lớn", refused.body)

        os.killpg(server.pid, signal.SIGTERM)
        self.assertEqual(server.wait(timeout=60), 0, self.log())

    def serve(self) -> subprocess.Popen[bytes]:
        """gunicorn as docs/deploy.md starts it, behind a proxy at 127.0.0.1."""
        log = (self.data / "gunicorn.log").open("wb")
        self.addCleanup(log.close)
        command = [GUNICORN, "xeploai.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--worker-class", "gthread", "--workers", "1", "--threads", "4"]
        command += ["--forwarded-allow-ips", "127.0.0.1", "--no-control-socket"]
        server = subprocess.Popen(  # noqa: S603
            command, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        self.addCleanup(stop, [server])
        deadline = time.monotonic() + 60
        while not self.answers():
            self.assertIsNone(server.poll(), self.log())
            self.assertLess(time.monotonic(), deadline, self.log())
            time.sleep(0.2)
        return server

    def answers(self) -> bool:
        try:
            self.get("/favicon.ico")
        except OSError:
            return False
        return True

    def log(self) -> str:
        return (self.data / "gunicorn.log").read_text(errors="replace")

    def assert_secure(self, answer: Answer) -> None:
        self.assertIn("max-age=31536000", answer.headers["strict-transport-security"])
        self.assertIn("script-src 'self'", answer.headers["content-security-policy"])
        self.assertIn("frame-ancestors 'none'", answer.headers["content-security-policy"])
        self.assertEqual(answer.headers["x-content-type-options"], "nosniff")

    def get(self, path: str, cookies: SimpleCookie | None = None, *, https: bool = True) -> Answer:
        return self.request("GET", path, cookies, https=https)

    def request(
        self,
        method: str,
        path: str,
        cookies: SimpleCookie | None = None,
        *,
        https: bool = True,
        form: dict[str, str] | None = None,
        length: int | None = None,
    ) -> Answer:
        """One request as the proxy sends it on: the scheme the client used and its address.
        With `length`, that length is announced and nothing sent."""
        headers = {"X-Real-IP": "203.0.113.7"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if length is not None:
            headers["Content-Length"] = str(length)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            jar: SimpleCookie = SimpleCookie()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                jar.load(cookie)
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read().decode(errors="replace"),
                jar,
            )
        finally:
            connection.close()


@dataclasses.dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    cookies: SimpleCookie
