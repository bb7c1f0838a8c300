"""`xeploai demo`: a realistic district (or province) to try the system on, then serve it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeploai.demo import load, nation, people
from xeploai.imports import files
from xeploai.units.models import Unit

DEFAULT_SEED = 2026
PERSONAS = load.USERNAMES
STOP_TIMEOUT = 10.0  # seconds the web server and the worker have to stop before being killed
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # Ctrl+C, kill, a closed terminal
Handler = Callable[[int, FrameType | None], Any]


class Command(BaseCommand):
    help = (
        "Load the demo district (or --size province, or --size nation on PostgreSQL) and serve"
        " it at 127.0.0.1:8000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(load.SIZES), default="district")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--provinces",
            type=int,
            default=load.SIZES["nation"],
            help="with --size nation: how many provinces (34, the whole country, by default)",
        )
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
        provinces: int,
        no_serve: bool,
        logins: bool,
        bind: str,
        write_files: Path | None,
        **options: Any,
    ) -> None:
        if not logins:
            call_command("migrate", interactive=False, verbosity=0)
            self._load(size, seed, provinces)
            people.give_devices(PERSONAS)
        if write_files is not None:
            root = Unit.objects.get(code=load.root_code(size))
            for path in files.export_all(write_files, root):
                self.stdout.write(str(path))
            return
        self.stdout.write(f"Tài khoản thử (mật khẩu chung: {load.PASSWORD}):")
        for line in load.persona_lines():
            self.stdout.write(line)
        if coded := people.with_devices(PERSONAS):
            self.stdout.write(
                f"Tài khoản {', '.join(coded)} nhập thêm mã xác thực hai bước sau mật khẩu;"
                f" lấy mã bằng lệnh: xeploai totp TÊN (ví dụ: xeploai totp {coded[0]})."
            )
        if not (no_serve or logins):
            self._serve(bind)

    def _load(self, size: str, seed: int, provinces: int) -> None:
        if load.is_loaded(size):
            self.stdout.write(f"Dữ liệu mẫu ({size}) đã có sẵn, không tạo lại.")
            return
        self.stdout.write(f"Đang tạo dữ liệu mẫu ({size}, seed {seed})...")
        started = time.monotonic()
        if provinces < 1:
            raise CommandError("--provinces: at least 1")
        try:
            counts = load.build(size, seed, provinces=provinces, progress=self.stdout.write)
        except nation.NationError as e:
            raise CommandError(str(e)) from None
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
        web = [gunicorn, "xeploai.wsgi", "--bind", bind, "--worker-class", "gthread"]
        web += ["--threads", "4", "--access-logfile", "-", "--no-control-socket"]
        # The background worker runs the imports started from the web page.
        worker = [sys.executable, "-m", "xeploai.manage", "db_worker", "--no-reload", "-v", "0"]
        children: dict[str, subprocess.Popen[bytes]] = {}
        with _on((signal.SIGTERM, signal.SIGHUP), _interrupt):  # stop as on Ctrl+C
            try:
                children["db_worker"] = start(worker)
                children["gunicorn"] = start(web)
                ended = wait_any(children)
            except KeyboardInterrupt:
                ended = None
                self.stdout.write("\nĐang dừng (Ctrl+C lần nữa để dừng ngay)...")
                self.stdout.flush()
            finally:
                stop(list(children.values()))
        if ended is not None:
            status = children[ended].returncode
            raise CommandError(f"{ended} stopped (exit status {status}); the demo stops too.")


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    """A child in a process group of its own, with whatever processes it starts: Ctrl+C
    reaches this command alone, which stops the whole group (`stop`)."""
    return subprocess.Popen(argv, process_group=0)  # noqa: S603  (our own commands)


def wait_any(children: dict[str, subprocess.Popen[bytes]]) -> str:
    """The name of the first child to end (the web server could not bind its address, say)."""
    while True:
        for name, child in children.items():
            if child.poll() is not None:
                return name
        time.sleep(0.2)


def stop(children: list[subprocess.Popen[bytes]], timeout: float = STOP_TIMEOUT) -> None:
    """Ends each child's process group: SIGTERM, then SIGKILL for whatever is left after
    `timeout` seconds, or at once on another Ctrl+C (or SIGTERM, SIGHUP)."""
    with _on(STOPPING, lambda signum, frame: _signal(children, signal.SIGKILL)):
        _signal(children, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(max(0.0, deadline - time.monotonic()))
        # Also what a child left behind (gunicorn's workers, were gunicorn itself gone).
        _signal(children, signal.SIGKILL)
        for child in children:
            child.wait()


def _signal(children: list[subprocess.Popen[bytes]], signum: signal.Signals) -> None:
    for child in children:
        with contextlib.suppress(ProcessLookupError):  # the whole group already ended
            os.killpg(child.pid, signum)


@contextlib.contextmanager
def _on(signals: tuple[signal.Signals, ...], handler: Handler) -> Iterator[None]:
    """`handler` for these signals, the handlers before it put back afterwards."""
    before = {signum: signal.getsignal(signum) for signum in signals}
    for signum in signals:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, earlier in before.items():
            signal.signal(signum, earlier)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
