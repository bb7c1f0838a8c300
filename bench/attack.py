"""Attack harness: what got through, counted, for the security review.

Every part attacks the demo district in this process through Django's test client (nothing
leaves the machine) and prints what it tried beside what got through:

1. Permission matrix: every URL pattern of the project, the admin's included, for anonymous,
   each persona and a signed-in user with no role, by GET and by POST, on objects inside and
   outside their scope. A leak is a page answered (2xx) for an object outside the user's
   scope, any admin or import page answered to a user who is not staff, any other page but
   the public ones answered to anonymous, or a POST that was refused, or was about an object
   outside the scope, and still changed the database (the count of every table, checksums of
   the evaluations' levels, steps and versions, of users, roles and units, and every INSERT,
   UPDATE or DELETE it ran). Each request runs in a transaction rolled back afterwards, so
   that every one meets the same demo.
2. CSRF: every route some user may POST to, posted without its token by that user: each
   must answer 403 and change nothing.
3. Quota race: eight threads, each with its own connection, decide EXCELLENT at once for
   different members of the same grassroots unit, round after round; then no grassroots unit
   may stand over its quota. The quota check waits a little before writing, as
   `reviews/tests/test_decide_concurrently.py` does, so that a missing lock shows.
4. XSS and injection: hostile text typed through the pages (and the import, for names) into
   every free-text field, then every page part 1 answered read again, the minutes, the
   report's .xlsx and .docx and the exports: no markup unescaped, no template evaluated, no
   formula left for a spreadsheet, the .docx text exactly as typed.
5. Bad files: hostile and faulty import files (`attack_files.py`) through `xeploai import
   KIND FILE --dry-run`: each must end with a clear message, in bounded memory.

    .venv/bin/python bench/attack.py [--database sqlite|postgres] [--verbose]

Runs in a temporary data directory with a fresh SQLite database, or, with `--database
postgres`, in a database it creates on 127.0.0.1:5432 (user postgres) and drops at the end.
Exits 1 when anything got through.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import hashlib
import io
import logging
import os
import re
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from unittest import mock
from urllib.parse import quote, urlsplit

from attack_files import BadFile, Place, build_all

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    from xeploai.accounts.models import User
    from xeploai.cycles.models import Cycle
    from xeploai.members.models import Member
    from xeploai.units.models import Unit

R = TypeVar("R")
POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
NO_ROLE = "khongvaitro"  # a signed-in user with no role and no member record
THREADS = 8
ROUNDS = 20  # 8 deciders a round: 160 decisions
RACE_WINDOW = 0.05  # seconds each quota check waits before its decision is written
MEMORY_LIMIT = 256 << 20  # bytes an import may allocate for any of the bad files
NEW_PASSWORD = "Tan-cong-2026-mat-khau"  # noqa: S105  (posted by the attack, never accepted)

# Pages anyone may open: signing in and its steps, password reset, the icon.
PUBLIC = frozenset(
    {
        "accounts:login",
        "accounts:verify",
        "accounts:logout",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:unlock",
        "favicon.ico",
        "quan-tri/login/",  # the admin's login, replaced by a redirect to the one login page
    }
)
# Routes whose `code` is a member's; every other `code` is a unit's.
MEMBER_ROUTES = frozenset(
    {"members:member_detail", "reviews:self_review", "reviews:propose", "reviews:add_input"}
)
# Routes a member may open for their own cell, though no role covers it (policy.unit_scope).
OWN_CELL_ROUTES = frozenset({"units:unit_detail", "units:unit_children", "reviews:published"})
# Written by every request, refused or not: the session, the access log, login failures.
LOG_TABLES = frozenset({"django_session", "accounts_accesslog", "accounts_loginthrottle"})
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+"?(\w+)"?', re.IGNORECASE)
REDIRECTS = frozenset({301, 302, 303, 307, 308})

# Part 4: every payload in one text, a tag after it naming the field it was typed into.
PAYLOADS = (
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "X</w:t></w:r></w:p><w:p>",
    "&",
    "<",
)
HOSTILE = " ".join(PAYLOADS)
UNESCAPED = ("<script>alert(1)", "<img src=x onerror")
SHOWN = "&lt;script&gt;alert(1)"
EVALUATED = "49 X&lt;/w:t&gt;"  # {{7*7}} rendered by a template engine
FORMULA_STARTS = "=+-@"
SHORT_HOSTILE = "=1+1 <script>alert(1)</script>"  # for fields of 64 characters


def hostile(tag: str) -> str:
    """The hostile text, tagged with where it was typed (no hyphen: absences split on it)."""
    return f"{HOSTILE} #{tag}"


# --- Setting up --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--verbose", action="store_true", help="also the patterns nobody reached, each file"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as data_dir, _database(args.database) as url:
        os.environ["XEPLOAI_DATA_DIR"] = data_dir
        if url:
            os.environ["DATABASE_URL"] = url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "xeploai.settings"
        import django

        django.setup()
        try:
            found = attack(Path(data_dir), verbose=args.verbose)
        finally:
            _close_connections()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"took {time.perf_counter() - started:.0f} s, peak RSS {peak} MiB")
    sys.exit(1 if found else 0)


@contextlib.contextmanager
def _database(kind: str) -> Iterator[str]:
    """The URL of a database of this run's own: empty for SQLite (a file in the data
    directory); for PostgreSQL one created here and dropped at the end."""
    if kind == "sqlite":
        yield ""
        return
    import psycopg
    from psycopg import sql

    name = f"xeploai_attack_{os.getpid()}"
    try:
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as server:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as e:
        sys.exit(f"PostgreSQL at 127.0.0.1:5432 (user postgres): {e}")
    try:
        yield POSTGRES + name
    finally:
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as server:
            drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
            server.execute(sql.SQL(drop).format(sql.Identifier(name)))


def _close_connections() -> None:
    """Every connection closed, the pool's too, so that the database can be dropped."""
    from django.db import connections

    for conn in connections.all():
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


def _pool_for_threads() -> None:
    """PostgreSQL's pool holds four connections unless told: one each for the deciders."""
    from django.db import connections

    options = connections.settings["default"].setdefault("OPTIONS", {})
    if options.get("pool"):
        options["pool"] = {"min_size": 1, "max_size": THREADS + 2}


def attack(data_dir: Path, *, verbose: bool) -> list[str]:
    """Every part, in an order where none disturbs another; the findings, listed."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    _pool_for_threads()
    setup_test_environment()  # the test client's host, mail kept in memory
    # Refusals are what parts 1 and 2 count, not news: a log line each otherwise. Server
    # errors still print their traceback.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    logging.getLogger("django.security").setLevel(logging.CRITICAL)
    print(f"loading the demo district into {connection.vendor}...", flush=True)
    call_command("demo", "--no-serve", stdout=io.StringIO())
    call_command("collectstatic", interactive=False, verbosity=0)
    world = World.build(data_dir)
    matrix, t1 = _timed(lambda: permission_matrix(world))
    csrf, t2 = _timed(lambda: csrf_part(world, matrix))
    injection, t4 = _timed(lambda: injection_part(world, matrix, data_dir))
    race, t3 = _timed(lambda: quota_race(world))
    files, t5 = _timed(lambda: bad_files_part(world, data_dir))
    lines = [matrix.line(world), csrf.line(), race.line(connection.vendor), injection.line()]
    _table([*lines, files.line()], [t1, t2, t3, t4, t5])
    found = [*matrix.leaks, *matrix.errors, *csrf.failed, *race.breaches, *race.errors]
    found += [*injection.findings, *files.unclear]
    if verbose:
        unreached = sorted({r.pattern for r in world.requests} - matrix.reached)
        print(f"\npatterns no user got an answer from (refused or absent for all): {unreached}")
        for line in [*files.details, *injection.details]:
            print(f"  {line}")
    if found:
        print(f"\n{len(found)} finding(s):")
        for line in found:
            print(f"  {line}")
    return found


def _timed(part: Callable[[], R]) -> tuple[R, float]:
    started = time.perf_counter()
    return part(), time.perf_counter() - started


def _table(lines: list[tuple[str, str, str]], seconds: list[float]) -> None:
    width = max(len(tried) for _name, tried, _through in lines)
    print(f"\n{'':2}{'part':17} {'s':>4}  {'tried':{width}}  got through")
    for n, ((name, tried, through), took) in enumerate(zip(lines, seconds, strict=True), 1):
        print(f"{n} {name:17} {took:4.0f}  {tried:{width}}  {through}")


# --- Who, and on what -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """What a request is about, for deciding whether its user may see it."""

    kind: str  # "public", "own" (the signed-in user's own pages), "staff", "unit", "member"
    label: str = ""
    path: str = ""  # the unit's path; the member's cell's
    pk: int = 0


@dataclasses.dataclass
class Identity:
    """Anonymous, a persona or the user with no role, and the scope their roles give."""

    name: str
    user: User | None = None
    staff: bool = False
    everything: bool = False
    paths: tuple[str, ...] = ()
    own_member: int | None = None
    own_cell: int | None = None

    def covers(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths)

    def may_see(self, target: Target, route: str) -> bool:
        """RULES.md S1 read independently of `accounts.policy`: a role covers its unit's
        subtree; a member sees their own record and the name of their own cell."""
        if target.kind == "public":
            return True
        if self.user is None:
            return False
        if target.kind == "staff":
            return self.staff
        if target.kind == "member":
            return self.covers(target.path) or target.pk == self.own_member
        if target.kind == "unit":
            own = route in OWN_CELL_ROUTES and target.pk == self.own_cell
            return self.covers(target.path) or own
        return True


@dataclasses.dataclass(frozen=True)
class Request:
    route: str  # namespace:name, or the pattern itself when it has no name
    pattern: str
    url: str
    target: Target
    data: dict[str, str]


@dataclasses.dataclass
class World:
    """The demo as the attack sees it: who signs in, the objects it names, the requests."""

    cycle: Cycle
    identities: list[Identity]
    units: dict[str, Unit]
    members: dict[str, Member]
    tables: list[str]
    scratch: Path  # files the attack writes: in the run's own data directory
    baseline: dict[str, object] = dataclasses.field(default_factory=dict)
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    requests: list[Request] = dataclasses.field(default_factory=list)
    sign_in_pages: frozenset[str] = frozenset()

    @classmethod
    def build(cls, scratch: Path) -> World:
        from django.urls import reverse

        from xeploai.cycles.models import Cycle

        cycle = Cycle.objects.current()
        assert cycle is not None, "the demo has an open cycle"
        outside = _outside(cycle)
        world = cls(cycle, _identities(), {}, {}, _tables(), scratch)
        world.units = _sample_units(cycle, outside)
        world.members = _sample_members(cycle, outside)
        world.values = _values(world)
        world.requests = _requests(world)
        for identity in world.identities:  # a device for whoever needs one, before counting
            world.client(identity)
        world.baseline = snapshot(world.tables)
        pages = ("accounts:login", "accounts:verify", "accounts:two_factor")
        world.sign_in_pages = frozenset({*(reverse(p) for p in pages), "/quan-tri/login/"})
        return world

    def client(self, identity: Identity, **options: Any) -> Client:
        from django.test import Client

        client = Client(raise_request_exception=False, **options)
        if identity.user is not None:
            self.sign_in(client, identity)
        return client

    def sign_in(self, client: Client, identity: Identity) -> None:
        """As the login page does, the second factor included (`core.testing.sign_in`)."""
        from xeploai.core.testing import sign_in

        assert identity.user is not None
        sign_in(client, identity.user)

    def refused(self, answer: Answer) -> bool:
        """A 4xx, or a redirect to signing in (the admin's login page included)."""
        if 400 <= answer.status < 500:
            return True
        return answer.status in REDIRECTS and urlsplit(answer.location).path in self.sign_in_pages


def _identities() -> list[Identity]:
    from xeploai.accounts.models import User
    from xeploai.demo.management.commands.demo import PERSONAS

    User.objects.create_user(NO_ROLE, email=f"{NO_ROLE}@xeploai.invalid")
    found = [Identity("anonymous")]
    users = User.objects.select_related("member").filter(username__in=(*PERSONAS, NO_ROLE))
    for user in users.order_by("pk"):  # those of the demo loaded: `tinh` is only in larger ones
        name = user.username
        found.append(
            Identity(
                name,
                user,
                staff=user.is_staff,
                everything=user.is_superuser,
                paths=tuple(user.roles.values_list("unit__path", flat=True)),
                own_member=user.member_id,
                own_cell=user.member.cell_id if user.member else None,
            )
        )
    return found


def _outside(cycle: Cycle) -> tuple[Unit, Unit, Member]:
    """A district of its own beside the demo's, which even the demo's district officer does
    not cover: a grassroots cell and one member with this year's evaluation."""
    from xeploai.core.testing import make_evaluation, make_member, make_unit
    from xeploai.units.models import UnitKind

    district = make_unit(None, kind=UnitKind.DISTRICT, code="NGOAI", name="Đảng bộ huyện Ngoài")
    cell = make_unit(
        district, kind=UnitKind.GRASSROOTS_CELL, code="NGOAI-CB", name="Chi bộ Ngoài Phạm Vi"
    )
    member = make_member(cell, code="DVNGOAI01", full_name="Nguyễn Văn Ngoài")
    make_evaluation(member, cycle)
    return district, cell, member


def _sample_units(cycle: Cycle, outside: tuple[Unit, Unit, Member]) -> dict[str, Unit]:
    """Units inside and outside each persona's scope."""
    from xeploai.accounts.models import Role, User
    from xeploai.cycles.models import MemberEvaluation, Step
    from xeploai.demo import load
    from xeploai.reviews.rules import grassroots_of
    from xeploai.units.models import Unit

    an, em = (User.objects.select_related("member__cell").get(username=n) for n in ("an", "em"))
    assert an.member is not None and em.member is not None
    waiting = MemberEvaluation.objects.filter(cycle=cycle, step=Step.PROPOSED)
    proposed = waiting.select_related("cell").first()
    assert proposed is not None, "the demo has proposals waiting for a decision"
    district = Unit.objects.get(code=load.ROOT_CODES["district"])
    return {
        "cell A": an.member.cell,
        "cell B": em.member.cell,
        "commune": Role.objects.get(user__username="chi").unit,
        "grassroots deciding": grassroots_of(proposed.cell),
        "district": district,
        "outside cell": outside[1],
        "outside district": outside[0],
    }


def _sample_members(cycle: Cycle, outside: tuple[Unit, Unit, Member]) -> dict[str, Member]:
    from xeploai.accounts.models import User
    from xeploai.cycles.models import MemberEvaluation, Step
    from xeploai.members.models import Member

    an, em = (User.objects.select_related("member").get(username=n) for n in ("an", "em"))
    assert an.member is not None and em.member is not None
    personas = User.objects.exclude(member=None).values_list("member_id", flat=True)
    other = Member.objects.filter(cell=an.member.cell_id).exclude(pk__in=personas).first()
    proposed = MemberEvaluation.objects.filter(cycle=cycle, step=Step.PROPOSED).first()
    assert other is not None and proposed is not None
    return {
        "an": an.member,
        "member of cell A": other,
        "em": em.member,
        "member proposed": proposed.member,
        "outside member": outside[2],
    }


def _tables() -> list[str]:
    """Every table of the project (many-to-many ones too) but the logs of the requests."""
    from django.apps import apps

    tables = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    return sorted(tables - LOG_TABLES)


# --- The requests -----------------------------------------------------------------------------


def url_patterns() -> Iterator[tuple[str, str]]:
    """(route, pattern) of every URL pattern of the project, walked from the root."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ":".join(n for n in (namespace, p.namespace) if n)
                yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
            else:
                pattern = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace else p.name
                yield (name if p.name else pattern), pattern

    yield from walk(get_resolver().url_patterns, "", "")


def _route_text(pattern: str) -> str:
    """A pattern with regex groups written as route parameters: `<name>`."""
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern).replace("^", "").replace("$", "")


def parameters(pattern: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", _route_text(pattern))


def fill(pattern: str, values: dict[str, str]) -> str:
    text = _route_text(pattern)

    def value(match: re.Match[str]) -> str:
        return quote(values[match.group(1)], safe="/")

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, text)


def _requests(world: World) -> list[Request]:
    """Each pattern filled with every sample object its `code` may name (one value for any
    other parameter); the same URL reached by two patterns is requested once."""
    from django.urls import Resolver404, resolve

    requests, seen = [], set()
    for route, pattern in url_patterns():
        for values, target, subject in _fills(world, route, pattern):
            url = fill(pattern, values)
            if url in seen:
                continue
            seen.add(url)
            try:
                resolve(urlsplit(url).path)
            except Resolver404:
                print(f"  skipped {url} (pattern {pattern}): filled, it does not resolve")
                continue
            data = payload(world, route, subject)
            requests.append(Request(route, pattern, url, target, data))
    return requests


def _fills(world: World, route: str, pattern: str) -> list[tuple[dict[str, str], Target, Any]]:
    names = parameters(pattern)
    fixed = {n: _value(world, n, pattern) for n in names if n != "code"}
    if "code" not in names:
        return [(fixed, _target_of(route, pattern), None)]
    fills: list[tuple[dict[str, str], Target, Any]] = []
    if route in MEMBER_ROUTES:
        for label, member in world.members.items():
            target = Target("member", label, member.cell.path, member.pk)
            fills.append(({**fixed, "code": member.code}, target, member))
    else:
        for label, unit in world.units.items():
            fills.append(
                ({**fixed, "code": unit.code}, Target("unit", label, unit.path, unit.pk), unit)
            )
    return fills


def _target_of(route: str, pattern: str) -> Target:
    if route in PUBLIC:
        return Target("public")
    if pattern.startswith("quan-tri/") or route.startswith("imports:"):
        return Target("staff")
    return Target("own")


def _value(world: World, name: str, pattern: str) -> str:
    """A real value for a parameter other than `code`: the same for every pattern, but the
    token of a password reset and the admin's object ids."""
    from django.contrib.auth.tokens import default_token_generator

    from xeploai.accounts.models import User

    if name == "token" and "uidb64" in pattern:
        return str(default_token_generator.make_token(User.objects.get(username=NO_ROLE)))
    if name == "object_id":  # the admin's "view on site" names a unit by its content type
        return str(
            world.units["cell A"].pk if "content_type_id" in pattern else _admin_object(pattern)
        )
    return world.values.get(name, "1")


def _values(world: World) -> dict[str, str]:
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from xeploai.accounts.models import User
    from xeploai.units.models import Unit

    nobody = User.objects.get(username=NO_ROLE)
    return {
        "year": str(world.cycle.year),
        "fmt": "xlsx",  # the same access function serves .docx and .pdf
        "kind": "members",
        "run_id": str(_import_run()),
        "uidb64": urlsafe_base64_encode(force_bytes(nobody.pk)),
        "token": "khong-hop-le",  # the unlock link's
        "content_type_id": str(ContentType.objects.get_for_model(Unit).pk),
        "id": str(User.objects.get(username="em").pk),  # whose password the admin would set
        "app_label": "units",
        "url": "khong-co/",
    }


def _import_run() -> object:
    from xeploai.accounts.models import User
    from xeploai.imports.models import ImportRun

    run = ImportRun.objects.first()
    if run is None:
        quantri = User.objects.get(username="quantri")
        run = ImportRun.objects.create(kind="members", file_name="dang-vien.csv", by=quantri)
    return run.pk


def _admin_object(pattern: str) -> object:
    """The first object of the model an admin pattern is about (1 when it has none)."""
    from django.apps import apps

    app_label, model_name = pattern.split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    return model._default_manager.order_by("pk").values_list("pk", flat=True).first() or 1


def payload(world: World, route: str, subject: Any) -> dict[str, str]:
    """What an attacker posts: data the view would act on if it let the user through."""
    if route.startswith("admin:") and route.endswith("_delete"):
        return {"post": "yes"}
    if route == "admin:auth_user_password_change":
        return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    today = _today()
    if route == "reviews:cell_review":
        return {"held_on": today, "chair": "Người Lạ", "summoned": "3", "present": "3"}
    if route == "reviews:propose":
        return {"level": "1", "votes_1": "1", "conclusion": "Đề xuất trái phép"}
    if route == "reviews:add_input":
        return {"kind": "RESIDENCE", "source": "Chi bộ nơi cư trú", "text": "Ý kiến trái phép"}
    if route == "reviews:self_review":
        return {"version": str(_version(world, subject)), "section_strengths": "Sửa trái phép"}
    if route == "reviews:decide":
        return {"number": "1-QĐ/ĐU", "date": today, **_excellent_for_all(world, subject)}
    if route == "reviews:appraise":
        return {"approve_all": "1"}
    if route == "imports:index":
        return {"kind": "members", "dry_run": "on"}
    return {}


def _today() -> str:
    """Today as a date field of a form takes it, in the server's time zone."""
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _version(world: World, member: Member) -> int:
    from xeploai.cycles.models import MemberEvaluation

    found = MemberEvaluation.objects.filter(member=member, cycle=world.cycle)
    return found.values_list("version", flat=True).first() or 0


def _excellent_for_all(world: World, unit: Unit) -> dict[str, str]:
    from xeploai.cycles.models import Level, MemberEvaluation, Step

    proposed = MemberEvaluation.objects.filter(
        cycle=world.cycle, unit_path__startswith=unit.path, step=Step.PROPOSED
    ).values_list("pk", flat=True)
    return {f"level_{pk}": str(Level.EXCELLENT.value) for pk in proposed}


# --- Sending, and what changed ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    location: str
    html: bool  # a page, not a file
    changed: tuple[str, ...]  # what the request changed in the database, when compared
    body: str = ""


def send(
    world: World,
    client: Client,
    method: str,
    url: str,
    data: dict[str, str],
    *,
    compare: bool = False,
    read: bool = False,
) -> Answer:
    """One request in a transaction rolled back afterwards; with `compare`, what it changed
    in the database, read before the rollback; with `read`, the page's text."""
    from django.db import connection, transaction

    written: set[str] = set()
    with transaction.atomic():
        try:
            with connection.execute_wrapper(_Writes(written)):
                response = client.get(url) if method == "GET" else client.post(url, data)
            changed = _changes(world, written) if compare else ()
        finally:
            transaction.set_rollback(True)
    html = response.get("Content-Type", "").startswith("text/html")
    body = response.content.decode(errors="replace") if read and html else ""
    response.close()
    return Answer(response.status_code, response.get("Location", ""), html, changed, body)


@dataclasses.dataclass(frozen=True)
class _Writes:
    """Notes the tables each statement writes to, as it runs (logs aside)."""

    tables: set[str]

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        match = WRITE.match(sql)
        if match and match[1] not in LOG_TABLES:
            self.tables.add(match[1])
        return execute(sql, params, many, context)


def _changes(world: World, written: set[str]) -> tuple[str, ...]:
    """The tables a request wrote to, and how the snapshot differs from the demo's."""
    from django.db import DatabaseError

    try:
        # The checksums read every evaluation: only worth it after a write, without which
        # they cannot have moved.
        now = snapshot(world.tables, checksums=bool(written))
    except DatabaseError as e:  # the request left the transaction unusable
        return (*sorted(f"wrote {t}" for t in written), f"could not compare: {e}")
    moved = [f"{k}: {world.baseline[k]} → {v}" for k, v in now.items() if world.baseline[k] != v]
    return (*sorted(f"wrote {t}" for t in written), *moved)


def snapshot(tables: list[str], *, checksums: bool = True) -> dict[str, object]:
    """The count of every table, in one query, and checksums of what counts do not show."""
    from django.db import connection

    counts = ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)  # noqa: S608  (ours)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = _fetch(cursor)
    return {**dict(zip(tables, row, strict=True)), **(_checksums() if checksums else {})}


def _fetch(cursor: CursorWrapper) -> tuple[Any, ...]:
    row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def _checksums() -> dict[str, object]:
    """Evaluations summed in the database (each level, step and status weighted by the id,
    and the versions); users, roles and units hashed whole (they are few)."""
    from django.db.models import BigIntegerField, Case, ExpressionWrapper, F, Sum, Value, When
    from django.db.models.functions import Coalesce

    from xeploai.accounts.models import Role, User
    from xeploai.cycles.models import MemberEvaluation, Status, Step, UnitEvaluation
    from xeploai.units.models import Unit

    def weighted(expression: Any) -> Sum:
        return Sum(ExpressionWrapper(F("id") * expression, output_field=BigIntegerField()))

    def coded(field: str, choices: list[str]) -> Case:
        whens = [When(**{field: c}, then=Value(n)) for n, c in enumerate(choices, start=1)]
        return Case(*whens, default=Value(0), output_field=BigIntegerField())

    levels = {f: weighted(Coalesce(f, 0)) for f in ("level_self", "level_proposed")}
    levels |= {f: weighted(Coalesce(f, 0)) for f in ("level_decided", "level_final")}
    common = {"version": Sum("version"), "status": weighted(coded("status", Status.values))}
    members = MemberEvaluation.objects.aggregate(
        **levels, **common, step=weighted(coded("step", Step.values))
    )
    units = UnitEvaluation.objects.aggregate(**levels, **common)
    people = User.objects.order_by("pk").values_list(
        "pk", "username", "password", "is_active", "is_staff", "is_superuser", "member_id"
    )
    return {
        "member evaluations": members,
        "unit evaluations": units,
        "users": _digest(people),
        "roles": _digest(Role.objects.order_by("pk").values_list("user_id", "unit_id", "kind")),
        "units": _digest(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path")),
    }


def _digest(rows: Any) -> str:
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def _signed_out(client: Client) -> bool:
    return "_auth_user_id" not in client.session


# --- 1. The permission matrix -----------------------------------------------------------------


@dataclasses.dataclass
class Matrix:
    requests: int = 0
    refused: int = 0
    answered: int = 0
    patterns: int = 0
    leaks: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    pages: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # HTML answered
    reached: set[str] = dataclasses.field(default_factory=set)  # patterns someone could use
    posters: dict[str, tuple[int, Request]] = dataclasses.field(default_factory=dict)

    def line(self, world: World) -> tuple[str, str, str]:
        tried = (
            f"{self.requests:,} requests: {len(world.identities)} users, {len(world.requests)}"
            f" URLs of {self.patterns} patterns, GET+POST"
        )
        through = (
            f"{len(self.leaks)} leaks; {self.refused:,} refused, {self.answered:,} answered,"
            f" {len(self.errors)} server errors"
        )
        return "permission matrix", tried, through

    def record(self, world: World, who: int, request: Request, method: str, a: Answer) -> None:
        identity = world.identities[who]
        self.requests += 1
        refused = world.refused(a)
        may = identity.may_see(request.target, request.route)
        where = f"{method} {request.url} as {identity.name}: {a.status}"
        if a.status >= 500:
            self.errors.append(f"server error: {where}")
        elif refused:
            self.refused += 1
        else:
            self.answered += 1
            self.reached.add(request.pattern)
        if 200 <= a.status < 300 and not may:
            self.leaks.append(f"leak: {where}, {_outside_why(request, identity)}")
        if a.changed and (refused or not may):
            self.leaks.append(f"leak: {where}, changed {'; '.join(a.changed)}")
        if method == "GET" and a.html and 200 <= a.status < 300:
            self.pages.append((who, request.url))
        if method == "POST" and not refused and a.status < 500:
            self.posters.setdefault(request.pattern, (who, request))


def _outside_why(request: Request, identity: Identity) -> str:
    if request.target.kind == "staff":
        return "an admin or import page for a user who is not staff"
    if identity.user is None:
        return "a page for anonymous"
    return f"{request.target.label} is outside the scope"


def permission_matrix(world: World) -> Matrix:
    print(f"1. permission matrix: {len(world.requests)} URLs...", flush=True)
    matrix = Matrix(patterns=len({r.pattern for r in world.requests}))
    for who, identity in enumerate(world.identities):
        client = world.client(identity)
        for request in world.requests:
            for method in ("GET", "POST"):
                post = method == "POST"
                answer = send(world, client, method, request.url, request.data, compare=post)
                matrix.record(world, who, request, method, answer)
                if post and identity.user is not None and _signed_out(client):
                    world.sign_in(client, identity)  # the request signed the user out
    return matrix


# --- 2. CSRF ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Csrf:
    held: int = 0
    tried: int = 0
    failed: list[str] = dataclasses.field(default_factory=list)

    def line(self) -> tuple[str, str, str]:
        tried = f"{self.tried} routes, each by a user who may post there, no token"
        return "CSRF", tried, f"held {self.held}/{self.tried}"


def csrf_part(world: World, matrix: Matrix) -> Csrf:
    """Each pattern some user could post to, posted again by that user with a CSRF cookie
    but no token: the check must refuse it before the view changes anything."""
    from django.conf import settings

    print(f"2. CSRF: {len(matrix.posters)} routes...", flush=True)
    result = Csrf()
    clients: dict[int, Client] = {}
    for who, request in matrix.posters.values():
        identity = world.identities[who]
        client = clients.get(who)
        if client is None or (identity.user is not None and _signed_out(client)):
            client = clients[who] = world.client(identity, enforce_csrf_checks=True)
        client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32  # a cookie; the token is missing
        answer = send(world, client, "POST", request.url, request.data, compare=True)
        result.tried += 1
        if answer.status == 403 and not answer.changed:
            result.held += 1
        else:
            changed = "; ".join(answer.changed) or "nothing changed"
            result.failed.append(
                f"CSRF: POST {request.url} as {identity.name}: {answer.status}, {changed}"
            )
    return result


# --- 4. XSS and injection ---------------------------------------------------------------------


@dataclasses.dataclass
class Injection:
    fields: int = 0
    pages: int = 0
    shown: int = 0
    texts: int = 0  # typed texts looked for in the .docx files
    exact: int = 0
    cells: int = 0  # formula-like text cells in the sheets and .csv files
    neutral: int = 0
    files: int = 0
    findings: list[str] = dataclasses.field(default_factory=list)
    details: list[str] = dataclasses.field(default_factory=list)

    def line(self) -> tuple[str, str, str]:
        tried = f"{self.fields} fields typed; {self.pages} pages read again, {self.files} files"
        unescaped = sum(f.startswith("unescaped") for f in self.findings)
        through = (
            f"{unescaped} unescaped ({self.shown} pages show it escaped); .docx"
            f" {self.exact}/{self.texts} texts as typed;"
            f" formulas {self.neutral}/{self.cells} quoted"
        )
        return "XSS, injection", tried, through


def injection_part(world: World, matrix: Matrix, data_dir: Path) -> Injection:
    print("4. XSS and injection: typing, then reading every page again...", flush=True)
    result = Injection()
    typed = _plant(world, result)
    _read_pages(world, matrix, result)
    _read_files(world, result, typed, data_dir)
    return result


def _plant(world: World, result: Injection) -> list[str]:
    """Type the hostile text into every free-text field, each step as its persona does it
    on the pages (names through the import); returns the tags of the fields typed."""
    from xeploai.cycles.models import MemberEvaluation, Step

    typed: list[str] = []
    an = world.members["an"]
    steps: list[tuple[str, Callable[[World, list[str]], str]]] = [
        ("names, by the import", _type_names),
        ("self-review, by an", _type_self_review),
        ("meeting, by binh", _type_meeting),
        ("comments, by binh", _type_inputs),
        ("proposal, by binh", _type_proposal),
        ("decision, by chi", _type_decision),
        ("appraisal, by dung", _type_appraisal),
    ]
    for name, step in steps:
        problem = step(world, typed)
        if problem:
            result.findings.append(f"could not type {name}: {problem}")
    final = MemberEvaluation.objects.get(member=an, cycle=world.cycle).step
    if final != Step.APPRAISED:
        result.findings.append(f"could not take an's review to its appraisal: it is at {final}")
    result.fields = len(typed)
    return typed


def _persona(world: World, name: str) -> Client:
    return world.client(next(i for i in world.identities if i.name == name))


def _posted(
    client: Client, url: str, data: dict[str, str], typed: list[str], tags: list[str]
) -> str:
    """POST for real (kept); the problem, if the page did not take it."""
    response = client.post(url, data)
    if response.status_code != 302:
        return f"POST {url}: {response.status_code}"
    typed.extend(tags)
    return ""


def _type_names(world: World, typed: list[str]) -> str:
    """A member's name and their cell's name, changed through `xeploai import`, as an office
    would by exporting a file, editing it and loading it back."""
    from django.core.management import call_command

    from xeploai.imports import files
    from xeploai.imports.kinds import KINDS

    cell, victim = world.units["cell A"], world.members["member of cell A"]
    edits = [
        ("members", "full_name", victim.code, hostile("ten")),
        ("units", "name", cell.code, hostile("donvi")),
    ]
    for kind, field, code, text in edits:
        # Exported from above the cell: the root of an export is written without its parent.
        rows = [r for r in KINDS[kind].export(world.units["commune"]) if r["code"] == code]
        rows[0][field] = text
        path = world.scratch / f"{kind}-typed.csv"
        files.write_rows(KINDS[kind], rows, path)
        try:
            call_command("import", kind, str(path), stdout=io.StringIO(), stderr=io.StringIO())
        except SystemExit:
            return f"the import refused the {kind} file"
        typed.append(text.rsplit(" #", 1)[1])
    return ""


def _type_self_review(world: World, typed: list[str]) -> str:
    """an's self-review: every section (and last year's weaknesses) hostile, the sheet
    scored in full, then submitted."""
    from django.urls import reverse

    from xeploai.cycles.models import Level, MemberEvaluation
    from xeploai.reviews import actions
    from xeploai.reviews.models import SECTIONS
    from xeploai.reviews.tests.flow import scores_for

    an = world.members["an"]
    evaluation = MemberEvaluation.objects.select_related("member", "cycle").get(
        member=an, cycle=world.cycle
    )
    tags = [f"muc{n}" for n in range(len(SECTIONS))]
    data = {f"section_{key}": hostile(tag) for key, tag in zip(SECTIONS, tags, strict=True)}
    for follow_up in actions.open_follow_ups(evaluation):  # last year's weaknesses
        data[f"follow_up_{follow_up.pk}"] = hostile("khacphuc")
        tags.append("khacphuc")
    data |= {f"score_{code}": str(v) for code, v in scores_for(evaluation).items()}
    data |= {"version": str(evaluation.version), "tasks_done": "100", "tasks_exceeded": "40"}
    data |= {"level_self": str(Level.GOOD.value), "submit": "1"}
    url = reverse("reviews:self_review", args=[world.cycle.year, an.code])
    return _posted(_persona(world, "an"), url, data, typed, tags)


def _type_meeting(world: World, typed: list[str]) -> str:
    """Cell A's meeting: its chair, minutes taker and an absence with its reason."""
    from django.urls import reverse

    data = {
        "held_on": _today(),
        "chair": hostile("chutri"),
        "minutes_taker": hostile("thuky"),
        "summoned": "4",
        "present": "3",
        "absences": f"{hostile('vang')} — {hostile('lydo')}",
        "secret_ballot": "on",
    }
    url = reverse("reviews:cell_review", args=[world.units["cell A"].code])
    return _posted(_persona(world, "binh"), url, data, typed, ["chutri", "thuky", "vang", "lydo"])


def _type_inputs(world: World, typed: list[str]) -> str:
    """The comments an's review needs, and one more from a source named by the attacker."""
    from django.urls import reverse

    from xeploai.cycles.models import MemberEvaluation
    from xeploai.reviews.rules import missing_inputs

    an = world.members["an"]
    evaluation = MemberEvaluation.objects.get(member=an, cycle=world.cycle)
    url = reverse("reviews:add_input", args=[world.cycle.year, an.code])
    client = _persona(world, "binh")
    needed = [(r.kind, r.source, ["ykien"]) for r in missing_inputs(evaluation)]
    for kind, source, tags in [*needed, ("RESIDENCE", hostile("nguon"), ["nguon", "ykienthem"])]:
        data = {"kind": kind, "source": source, "text": hostile(tags[-1])}
        problem = _posted(client, url, data, typed, tags)
        if problem:
            return problem
    return ""


def _type_proposal(world: World, typed: list[str]) -> str:
    """The cell's proposal for an: the comments, the chair's conclusion, the weaknesses."""
    from django.urls import reverse

    from xeploai.cycles.models import Level

    data = {
        "level": str(Level.GOOD.value),
        "votes_2": "3",
        "comments": hostile("gopy"),
        "conclusion": hostile("ketluan"),
        "weaknesses": hostile("hanche"),
    }
    url = reverse("reviews:propose", args=[world.cycle.year, world.members["an"].code])
    return _posted(_persona(world, "binh"), url, data, typed, ["gopy", "ketluan", "hanche"])


def _type_decision(world: World, typed: list[str]) -> str:
    """The commune decides an's level under a hostile decision number."""
    from django.urls import reverse

    from xeploai.cycles.models import Level, MemberEvaluation

    evaluation = MemberEvaluation.objects.get(member=world.members["an"], cycle=world.cycle)
    data = {
        "number": SHORT_HOSTILE,
        "date": _today(),
        f"level_{evaluation.pk}": str(Level.GOOD.value),
    }
    url = reverse("reviews:decide", args=[world.units["commune"].code])
    return _posted(_persona(world, "chi"), url, data, typed, ["soquyetdinh"])


def _type_appraisal(world: World, typed: list[str]) -> str:
    """The district lowers an's level, with a hostile reason."""
    from django.urls import reverse

    from xeploai.cycles.models import Level, MemberEvaluation

    evaluation = MemberEvaluation.objects.get(member=world.members["an"], cycle=world.cycle)
    data = {
        "evaluation": str(evaluation.pk),
        "action": "adjust",
        "level": str(Level.COMPLETED.value),
        "reason": hostile("lydodieuchinh"),
    }
    url = reverse("reviews:appraise", args=[world.units["commune"].code])
    return _posted(_persona(world, "dung"), url, data, typed, ["lydodieuchinh"])


def _read_pages(world: World, matrix: Matrix, result: Injection) -> None:
    """Every page part 1 answered, read again by the same user: nothing unescaped."""
    clients: dict[int, Client] = {}
    for who, url in matrix.pages:
        client = clients.get(who) or clients.setdefault(who, world.client(world.identities[who]))
        answer = send(world, client, "GET", url, {}, read=True)
        if not answer.body:
            continue
        result.pages += 1
        result.shown += SHOWN in answer.body
        name = world.identities[who].name
        if any(mark in answer.body for mark in UNESCAPED):
            result.findings.append(f"unescaped: GET {url} as {name}")
        if EVALUATED in answer.body:
            result.findings.append(f"template evaluated the text: GET {url} as {name}")


def _read_files(world: World, result: Injection, typed: list[str], data_dir: Path) -> None:
    """The minutes and the report as .docx (every typed text exactly), the report and the
    exports as sheets (no formula a spreadsheet would compute)."""
    from django.core.management import call_command
    from django.urls import reverse

    cell, commune, year = world.units["cell A"], world.units["commune"], world.cycle.year
    minutes = _download(_persona(world, "binh"), reverse("reviews:minutes", args=[cell.code]))
    in_minutes = ["donvi", "chutri", "thuky", "vang", "lydo", "gopy", "ketluan"]
    _check_docx(result, "minutes", minutes, [hostile(t) for t in in_minutes if t in typed])
    chi = _persona(world, "chi")
    report = reverse("reports:download", args=[commune.code, year, "docx"])
    _check_docx(result, "report.docx", _download(chi, report), [hostile("donvi")])
    report_xlsx = _download(chi, reverse("reports:download", args=[commune.code, year, "xlsx"]))
    _check_sheet(result, "report.xlsx", report_xlsx)
    exports = data_dir / "exports"
    exports.mkdir()
    checks = ((".csv", _check_csv), (".xlsx", _check_sheet))
    for kind, unit in (("members", cell), ("units", commune)):
        for suffix, check in checks:
            path = exports / f"{kind}{suffix}"
            args = ["export", kind, str(path), "--unit", unit.code, "--as", "quantri"]
            call_command(*args, stdout=io.StringIO())
            check(result, path.name, path.read_bytes())


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    content = response.getvalue()  # a file, streamed or not
    response.close()
    return content if response.status_code == 200 else b""


def _check_docx(result: Injection, name: str, content: bytes, expected: list[str]) -> None:
    """Every typed text, whole and unchanged, in the document's text."""
    from docx import Document

    result.files += 1
    result.texts += len(expected)
    try:
        document = Document(io.BytesIO(content))
    except Exception as e:  # noqa: BLE001  (any failure to read it is the finding)
        result.findings.append(f"{name}: not a readable .docx ({type(e).__name__}: {e})")
        return
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    for typed in expected:
        if typed in text:
            result.exact += 1
        else:
            where = typed.rsplit(" #", 1)[1]
            result.findings.append(f"{name}: the text typed as #{where} is not as typed")


def _formula_like(text: str) -> bool:
    return text.lstrip()[:1] in tuple(FORMULA_STARTS) or text[:1] in ("\t", "\r")


def _check_sheet(result: Injection, name: str, content: bytes) -> None:
    from xeploai.imports.tests.spreadsheet import cells

    result.files += 1
    shown = 0
    for cell in cells(content):
        shown += "#" in cell.text and HOSTILE in cell.text
        if cell.formula:
            result.findings.append(f"{name}: a formula: {cell.text[:60]}")
        elif not cell.number and _formula_like(cell.text):
            result.cells += 1
            if cell.quote_prefix or cell.text.startswith("'"):
                result.neutral += 1
            else:
                result.findings.append(
                    f"{name}: formula-like text not neutralised: {cell.text[:60]}"
                )
    result.details.append(f"{name}: {shown} cells with the hostile text")


def _check_csv(result: Injection, name: str, content: bytes) -> None:
    result.files += 1
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        for text in row:
            if _is_number(text):
                continue
            quoted = text.startswith("'") and _formula_like(text[1:])
            if quoted or _formula_like(text):
                result.cells += 1
                result.neutral += quoted
                if not quoted:
                    result.findings.append(
                        f"{name}: formula-like text not neutralised: {text[:60]}"
                    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- 3. The quota race ------------------------------------------------------------------------


@dataclasses.dataclass
class Race:
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)
    groups: int = 0
    breaches: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def note(self, outcome: str, error: str = "") -> None:
        """One decider's outcome (from its own thread)."""
        with self.lock:
            self.outcomes[outcome] += 1
            if error:
                self.errors.append(f"quota race: {error}")

    def line(self, vendor: str) -> tuple[str, str, str]:
        how = "row locks" if vendor == "postgresql" else "serialised by the database lock"
        tried = f"{sum(self.outcomes.values())} decisions by {THREADS} threads at once ({how})"
        through = (
            f"{len(self.breaches)} breaches in {self.groups} grassroots units;"
            f" {self.outcomes['made']} made, {self.outcomes['over quota']} refused by the quota,"
            f" {sum(self.outcomes.values()) - self.outcomes['made'] - self.outcomes['over quota']}"
            " otherwise"
        )
        return "quota race", tried, through


def quota_race(world: World) -> Race:
    """Grassroots units of nine members proposed GOOD, each allowed EXCELLENT, where the
    quota lets one be decided EXCELLENT: eight deciders choose EXCELLENT for eight of them
    at once, one unit a round."""

    from xeploai.accounts.models import RoleKind
    from xeploai.core.testing import make_user
    from xeploai.reviews.actions import decision

    print(f"3. quota race: {ROUNDS} rounds of {THREADS} deciders...", flush=True)
    groups = _race_groups(world)
    roles = tuple((RoleKind.GRASSROOTS_OFFICER, group) for group, _ in groups)
    decider = make_user("tranhchap", roles=roles)
    result = Race()
    quota = decision._quota

    def slow_quota(*args: Any) -> Any:
        checked = quota(*args)
        time.sleep(RACE_WINDOW)  # both deciders would pass here if the group were not locked
        return checked

    with mock.patch.object(decision, "_quota", slow_quota):
        for group, evaluations in groups:
            _round(world, group, evaluations[:THREADS], decider.pk, result)
    _count_breaches(world, result)
    return result


def _race_groups(world: World) -> list[tuple[Unit, list[int]]]:
    from xeploai.core.testing import make_evaluation, make_member, make_unit
    from xeploai.cycles.models import Level, Step
    from xeploai.units.models import UnitKind

    district = world.units["district"]
    groups = []
    for n in range(ROUNDS):
        group = make_unit(
            district,
            kind=UnitKind.GRASSROOTS_COMMITTEE,
            code=f"TRANHCHAP{n:02d}",
            name=f"Đảng bộ thử tranh chấp {n + 1}",
        )
        cell = make_unit(group, code=f"TRANHCHAP{n:02d}-C", name=f"Chi bộ tranh chấp {n + 1}")
        evaluations = [
            make_evaluation(
                make_member(cell), world.cycle, step=Step.PROPOSED, level_proposed=Level.GOOD
            ).pk
            for _ in range(THREADS + 1)
        ]
        groups.append((group, evaluations))
    return groups


def _round(world: World, group: Unit, evaluations: list[int], decider: int, result: Race) -> None:
    start = threading.Barrier(len(evaluations))
    threads = [
        threading.Thread(target=_decide, args=(world, group.pk, pk, decider, start, result))
        for pk in evaluations
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _decide(
    world: World, group_pk: int, pk: int, decider_pk: int, start: threading.Barrier, result: Race
) -> None:
    """One decider, on its own connection: everything read first, then all start at once."""
    from django.db import OperationalError, connection
    from django.utils import timezone

    from xeploai.accounts.models import User
    from xeploai.cycles.models import Level
    from xeploai.reviews import actions
    from xeploai.units.models import Unit

    try:
        group, decider = Unit.objects.get(pk=group_pk), User.objects.get(pk=decider_pk)
        decision = actions.Decision("1-QĐ/ĐU", timezone.localdate())
        start.wait()
        actions.decide(
            group, cycle=world.cycle, by=decider, levels={pk: Level.EXCELLENT}, decision=decision
        )
        result.note("made")
    except actions.QuotaBreach:
        result.note("over quota")
    except actions.ReviewError as e:
        result.note("refused", f"refused for another reason: {e.explanation()}")
    except OperationalError as e:
        result.note("busy", f"the database was busy: {e}")
    finally:
        connection.close()


def _count_breaches(world: World, result: Race) -> None:
    """Every grassroots unit of the demo district within its quota, or covered by an
    exception its deciding body recorded."""
    from xeploai.reviews.actions import quota_standing
    from xeploai.reviews.models import QuotaException
    from xeploai.units.models import GRASSROOTS_KINDS, Unit

    # Each group as its evaluations stand, not as the tally has counted them.
    groups = Unit.objects.in_subtree(world.units["district"]).filter(kind__in=GRASSROOTS_KINDS)
    standings = [(group, quota_standing(group, world.cycle)[0]) for group in groups]
    result.groups = len(standings)
    for group, quota in standings:
        covered = QuotaException.objects.covering(world.cycle, group, quota.excellent).exists()
        if not quota.within and not covered:
            result.breaches.append(
                f"quota breach: {group.code}: {quota.excellent} excellent, {quota.allowed} allowed"
            )


# --- 5. Bad files -----------------------------------------------------------------------------


@dataclasses.dataclass
class Files:
    tried: int = 0
    clear: int = 0
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)
    peak: int = 0
    grew: int = 0
    unclear: list[str] = dataclasses.field(default_factory=list)
    details: list[str] = dataclasses.field(default_factory=list)

    def line(self) -> tuple[str, str, str]:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items(), reverse=True))
        tried = f"{self.tried} hostile or faulty files through import --dry-run"
        through = (
            f"{self.clear}/{self.tried} clear messages ({kinds}); peak"
            f" {self.peak / 2**20:.0f} MiB allocated, RSS +{self.grew / 2**20:.0f} MiB"
        )
        return "bad import files", tried, through


def bad_files_part(world: World, data_dir: Path) -> Files:
    print("5. bad import files...", flush=True)
    directory = data_dir / "bad-files"
    directory.mkdir()
    place = Place(cell=world.units["cell A"].code, district=world.units["district"].code)
    result = Files()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10
    tracemalloc.start()
    try:
        for bad in build_all(directory, place):
            _import_bad(bad, result)
    finally:
        tracemalloc.stop()
    result.grew = max(0, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10) - before)
    if result.grew > MEMORY_LIMIT:
        result.unclear.append(f"bad files: the process grew by {result.grew >> 20} MiB")
    return result


def _import_bad(bad: BadFile, result: Files) -> None:
    """One file through the command: its outcome, its message and the memory it took."""
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    outcome, message = _run_import(bad)
    peak = tracemalloc.get_traced_memory()[1] - base
    result.peak = max(result.peak, peak)
    result.tried += 1
    result.outcomes[outcome] += 1
    clear = outcome in ("refused", "accepted") and message.strip() and "Traceback" not in message
    first = message.strip().splitlines()[0][:110] if message.strip() else ""
    result.details.append(f"{bad.name}: {outcome}, {peak / 2**20:.1f} MiB; {first}")
    if clear and peak <= MEMORY_LIMIT:
        result.clear += 1
    else:
        result.unclear.append(f"bad file {bad.name}: {outcome}, {peak >> 20} MiB: {message[:300]}")
    if bad.expect == "refused" and outcome == "accepted":
        result.unclear.append(f"bad file {bad.name}: accepted, where a refusal was due")


def _run_import(bad: BadFile) -> tuple[str, str]:
    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            args = ["import", bad.kind, str(bad.path), "--dry-run"]
            call_command(*args, stdout=out, stderr=err)
    except SystemExit as e:
        return ("refused" if e.code == 1 else f"exit {e.code}"), _last_lines(err.getvalue())
    except CommandError as e:
        return "refused", str(e)
    except Exception as e:  # noqa: BLE001  (any other exception is what this part looks for)
        return "crashed", f"{type(e).__name__}: {e}"
    return "accepted", out.getvalue()


def _last_lines(text: str) -> str:
    """The messages, without the progress bar's redraws."""
    return "\n".join(line.split("\r")[-1] for line in text.splitlines() if line.strip())


if __name__ == "__main__":
    main()
