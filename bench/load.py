"""The December page mix under load, on the nation-sized database, against a trivial endpoint
of the same server measured in the same run.

The nation's demo (`bench/databases.py` `kept_nation`, built once and kept) is served by
gunicorn as in production (2 workers × 4 threads, DEBUG off) on 127.0.0.1; locust
(`bench/locustfile.py`, headless, bounded in time) drives it first through a trivial endpoint,
then through the mix: members' self-review pages and draft saves, cells' review pages,
communes' decision pages, a district's report and pending dashboard, all in one district of
the first province. The users are signed in here, beforehand (sessions written to the
database, with the second factor for those who need one), so that signing in is not timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load.py [--provinces 34] [--users 50] [--seconds 60]

Prints, for each run: requests, failures, requests per second, median and 95th percentile,
and per page of the mix; then the mix's rate as a share of the trivial one. Exits non-zero
when a request failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import databases

HERE = Path(__file__).resolve().parent
DISTRICT = "T01-H01"  # the district whose people make the traffic
MIX = ["Member", "CellSecretary", "GrassrootsOfficer", "DistrictOfficer"]
MEMBERS = 600  # members signed in (each user takes the next one)
YEAR = 2026


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    env = databases.kept_nation(args.provinces)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    with tempfile.TemporaryDirectory() as directory:
        plan = Path(directory) / "plan.json"
        plan.write_text(json.dumps(sign_in()))
        port = _free_port()
        server = _serve(env, port, args.workers, args.threads)
        try:
            host = f"http://127.0.0.1:{port}"
            print(
                f"gunicorn {args.workers} workers × {args.threads} threads, {args.users} users,"
                f" {args.seconds} s a run, district {DISTRICT} of the nation"
                f" ({args.provinces} provinces)"
            )
            print(f"{'run':<22} {'requests':>9} {'failed':>7} {'req/s':>8} {'p50':>7} {'p95':>7}")
            ceiling = _locust(host, plan, ["Trivial"], args, Path(directory) / "trivial")
            mix = _locust(host, plan, MIX, args, Path(directory) / "mix")
        finally:
            server.terminate()
            server.wait(timeout=30)
    share = mix["Aggregated"]["rate"] / ceiling["Aggregated"]["rate"]
    print(f"the mix is served at {share:.0%} of the trivial endpoint's rate")
    if any(row["failed"] for row in (*ceiling.values(), *mix.values())):
        raise SystemExit("some requests failed")


def sign_in() -> dict[str, list[dict[str, str]]]:
    """Users for the district's people, signed in: their session keys and pages."""
    from django.db.models import Q
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from xeploai.accounts.models import Role, RoleKind, User
    from xeploai.cycles.models import MemberEvaluation, Step
    from xeploai.units.models import Unit, UnitKind

    district = Unit.objects.get(code=DISTRICT)

    def session(username: str, *, member: Any = None, role: Any = None, unit: Any = None) -> str:
        user, created = User.objects.get_or_create(username=username, defaults={"member": member})
        if created:
            user.set_unusable_password()
            user.save()
            if role is not None:
                Role.objects.create(user=user, unit=unit, kind=role)
        client = Client()
        client.force_login(user)
        if role in (RoleKind.GRASSROOTS_OFFICER, RoleKind.BOARD_OFFICER):
            device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True)
            stored = client.session
            stored["otp_device_id"] = device.persistent_id
            stored.save()
        return str(client.cookies["sessionid"].value)

    # Members no persona is (each load user is a member of its own), as in an earlier run.
    free = Q(member__user__isnull=True) | Q(member__user__username__startswith="load-")
    evaluations = (
        MemberEvaluation.objects.filter(
            free, cycle__year=YEAR, step=Step.SELF_REVIEW, unit_path__startswith=district.path
        )
        .select_related("member")
        .order_by("pk")[:MEMBERS]
    )
    cells = Unit.objects.in_subtree(district).filter(kind=UnitKind.CELL).order_by("path")
    communes = Unit.objects.filter(parent=district).order_by("path")
    return {
        "member": [
            {
                "session": session(f"load-{e.member.code}", member=e.member),
                "self_review": f"/kiem-diem/{YEAR}/{e.member.code}/",
            }
            for e in evaluations
        ],
        "cell": [
            {
                "session": session(f"load-{c.code}", role=RoleKind.CELL_SECRETARY, unit=c),
                "cell": f"/kiem-diem/chi-bo/{c.code}/",
            }
            for c in cells[:100]
        ],
        "grassroots": [
            {
                "session": session(f"load-{c.code}", role=RoleKind.GRASSROOTS_OFFICER, unit=c),
                "decide": f"/kiem-diem/quyet-dinh/{c.code}/",
            }
            for c in communes[:40]
        ],
        "district": [
            {
                "session": session(
                    f"load-{district.code}", role=RoleKind.BOARD_OFFICER, unit=district
                ),
                "report": f"/bao-cao/{district.code}/{YEAR}/",
                "pending": f"/kiem-diem/tien-do/{district.code}/",
            }
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "xeploai.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--worker-class", "gthread", "--threads", str(threads), "--no-control-socket"]
    server = subprocess.Popen(  # noqa: S603  (our own server)
        command, env={**env, "DEBUG": "false"}, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/tai-khoan/dang-nhap/", timeout=2)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute")


def _locust(
    host: str, plan: Path, users: list[str], args: argparse.Namespace, prefix: Path
) -> dict[str, dict[str, Any]]:
    locust = shutil.which("locust") or str(Path(sys.executable).parent / "locust")
    command = [locust, "-f", str(HERE / "locustfile.py"), "--headless", "--host", host]
    command += ["-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s"]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *users]
    subprocess.run(  # noqa: S603  (our own load)
        command,
        env={**os.environ, "LOAD_PLAN": str(plan)},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=args.seconds + 120,
    )
    rows: dict[str, dict[str, Any]] = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failed": int(row["Failure Count"]),
                "rate": float(row["Requests/s"]),
                "p50": row["50%"],
                "p95": row["95%"],
            }
    title = "trivial endpoint" if users == ["Trivial"] else "page mix"
    for name, row in rows.items():
        if name != "Aggregated" and users == ["Trivial"]:
            continue
        label = title if name == "Aggregated" else f"  {name}"
        print(
            f"{label:<22} {row['count']:>9} {row['failed']:>7} {row['rate']:>8.1f}"
            f" {row['p50']:>5}ms {row['p95']:>5}ms"
        )
    return rows


if __name__ == "__main__":
    main()
