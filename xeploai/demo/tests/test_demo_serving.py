"""`xeploai demo` stopped as a person stops it, Ctrl+C and at once Ctrl+C again, while it
serves a request that never ends: by the time it exits every process it started has ended,
gunicorn's workers too, and its port is free. And `stop` kills what ignores SIGTERM, with
whatever that started, once its time is up."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase

from xeploai.demo.management.commands.demo import start, stop

PYTHON = sys.executable
# A database of its own with the demo's district in it: the command takes the demo as loaded
# and serves at once.
PREPARE = (
    "from django.core.management import call_command; call_command('migrate', verbosity=0);"
    " from xeploai.core.testing import make_unit; from xeploai.demo.load import ROOT_CODES;"
    " make_unit(None, code=ROOT_CODES['district'])"
)
# A process that ignores SIGTERM and starts another that does too.
STUBBORN = (
    "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " subprocess.Popen([sys.executable, '-c', 'import signal, time;"
    " signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)']); time.sleep(600)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process alive: its parent, its group, its state."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            # The command may hold spaces and parentheses: the fields follow the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":  # a zombie has ended, only its parent has not asked
                found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found


def descendants(pid: int) -> set[int]:
    alive = processes()
    found: set[int] = set()
    parents = {pid}
    while parents:
        parents = {p for p, (ppid, _group, _state) in alive.items() if ppid in parents} - found
        found |= parents
    return found


def answers(port: int) -> bool:
    """Whether a gunicorn worker answers (the master binds the port before its workers run)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/favicon.ico")
        return connection.getresponse().status == 302
    except OSError:
        return False
    finally:
        connection.close()


def kill(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def hold_a_request(port: int) -> socket.socket:
    """A request whose headers never end: a worker's thread waits on it, and the worker,
    told to stop, waits for that thread."""
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return client


class DemoServingTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.data = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.data, ignore_errors=True)
        self.env = {**os.environ, "XEPLOAI_DATA_DIR": str(self.data)}
        self.env.pop("DATABASE_URL", None)  # SQLite in the folder above

    def serve(self, port: int) -> subprocess.Popen[bytes]:
        """The command in a process group of its own, as a terminal starts it."""
        prepare = [PYTHON, "-m", "xeploai.manage", "shell", "-c", PREPARE]
        subprocess.run(prepare, env=self.env, check=True, capture_output=True)  # noqa: S603
        log = (self.data / "demo.log").open("wb")
        self.addCleanup(log.close)
        command = [PYTHON, "-m", "xeploai.manage", "demo", "--bind", f"127.0.0.1:{port}"]
        demo = subprocess.Popen(  # noqa: S603
            command, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        self.addCleanup(self.end, demo)
        deadline = time.monotonic() + 90
        while not answers(port):
            self.assertIsNone(demo.poll(), self.log())
            self.assertLess(time.monotonic(), deadline, self.log())
            time.sleep(0.3)
        return demo

    def end(self, demo: subprocess.Popen[bytes]) -> None:
        """Whatever a failed test left running."""
        kill(descendants(demo.pid) | {demo.pid})
        demo.wait()

    def log(self) -> str:
        return (self.data / "demo.log").read_text(errors="replace")

    def test_it_stops_everything_it_started_on_ctrl_c_twice(self) -> None:
        port = free_port()
        demo = self.serve(port)
        self.addCleanup(hold_a_request(port).close)
        time.sleep(0.3)  # for a worker's thread to take it
        started = descendants(demo.pid)
        self.addCleanup(kill, started)
        groups = {processes()[pid][1] for pid in started} | {demo.pid}
        self.assertGreaterEqual(len(started), 3, self.log())  # db_worker, gunicorn, a worker
        for _ in range(2):  # what Ctrl+C sends: to every process of the terminal's group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(demo.pid, signal.SIGINT)
            time.sleep(0.3)
        demo.wait(timeout=60)
        left = {pid: info for pid, info in processes().items() if pid in started}
        left |= {pid: info for pid, info in processes().items() if info[1] in groups}
        self.assertEqual(left, {}, self.log())
        self.assertTrue(port_is_free(port))

    def test_it_kills_what_ignores_sigterm_and_what_that_started(self) -> None:
        child = start([PYTHON, "-c", STUBBORN])
        self.addCleanup(child.wait)
        self.addCleanup(kill, {child.pid})
        deadline = time.monotonic() + 10
        while not descendants(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        started = descendants(child.pid) | {child.pid}
        self.addCleanup(kill, started)
        self.assertEqual(len(started), 2)
        stop([child], timeout=0.5)
        self.assertEqual(started & set(processes()), set())
