"""`xeploai demo`: a realistic district (or province) to try the system on, then serve it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeploai.demo import load
from xeploai.imports import files
from xeploai.units.models import Unit

DEFAULT_SEED = 2026


class Command(BaseCommand):
    help = "Load the demo district (or --size province) and serve it at 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(load.SIZES), default="district")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--no-serve", action="store_true", help="load, print logins, stop")
        parser.add_argument("--logins", action="store_true", help="only print the persona logins")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument(
            "--write-files",
            type=Path,
            metavar="DIR",
            help="write the demo as import files (one .xlsx per kind) into DIR, then stop",
        )

    def handle(
        self,
        *args: Any,
        size: str,
        seed: int,
        no_serve: bool,
        logins: bool,
        bind: str,
        write_files: Path | None,
        **options: Any,
    ) -> None:
        if not logins:
            call_command("migrate", interactive=False, verbosity=0)
            self._load(size, seed)
        if write_files is not None:
            root = Unit.objects.get(code=load.ROOT_CODES[size])
            for path in files.export_all(write_files, root):
                self.stdout.write(str(path))
            return
        self.stdout.write(f"Tài khoản thử (mật khẩu chung: {load.PASSWORD}):")
        for line in load.persona_lines():
            self.stdout.write(line)
        if not (no_serve or logins):
            self._serve(bind)

    def _load(self, size: str, seed: int) -> None:
        if load.is_loaded(size):
            self.stdout.write(f"Dữ liệu mẫu ({size}) đã có sẵn, không tạo lại.")
            return
        self.stdout.write(f"Đang tạo dữ liệu mẫu ({size}, seed {seed})...")
        started = time.monotonic()
        counts = load.load(size, seed, progress=self.stdout.write)
        took = time.monotonic() - started
        self.stdout.write(
            f"Xong trong {took:.0f} giây: {counts['units']} tổ chức, {counts['members']} đảng viên,"
            f" {counts['evaluations']} kết quả đánh giá."
        )

    def _serve(self, bind: str) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
        if not Path(gunicorn).exists():
            raise CommandError("gunicorn is not installed: pip install -e .")
        self.stdout.write(f"Mở http://{bind}/ — Ctrl+C để dừng.")
        self.stdout.flush()
        # The background worker runs the imports started from the web page.
        worker = subprocess.Popen(  # noqa: S603  (our own command)
            [sys.executable, "-m", "xeploai.manage", "db_worker", "--no-reload", "-v", "0"]
        )
        argv = [
            gunicorn,
            "xeploai.wsgi",
            "--bind",
            bind,
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ]
        try:
            subprocess.run(argv, check=False)  # noqa: S603  (the web server, until Ctrl+C)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            worker.wait(timeout=30)
