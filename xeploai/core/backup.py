"""Backup and restore of one installation (docs/backup.md): the database, the keys and the seal
log kept outside it, and the uploaded files, in one tar archive that a manifest describes.

An archive is read as if it came from anyone: its manifest is checked, then every member is
copied into a folder of our own under a name of our own while its checksum is taken, and only
when all of them match is anything of the installation touched."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "xeploai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/xeploai.sqlite3", "postgresql": "database/xeploai.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The keys settings.secret_key() reads from the environment or else from a file of DATA_DIR.
KEYS = {"secret_key": "SECRET_KEY", "history_key": "HISTORY_KEY"}
SEALS_MEMBER = "seals/history_seals"
MEDIA = "media"

# Bounds against a hostile archive: what it may hold, and how much of it is read at once.
MAX_MEMBERS = 100_000
MAX_MANIFEST = 32 * 2**20
MAX_KEY = 4096
MAX_SEALS = 64 * 2**20
MAX_NAME = 1024
CHUNK = 2**20
MAX_READ = 4 * CHUNK  # a tar header with its extensions, or one chunk of a member
SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """A refusal or a failure, in words for the operator."""


class Cursor(Protocol):
    def execute(self, sql: str, /) -> object: ...
    def fetchall(self) -> list[Any]: ...


@dataclasses.dataclass(frozen=True)
class Entry:
    """A member of the archive as the manifest records it."""

    size: int
    sha256: str


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What the manifest says of a database, read in the same snapshot as its dump."""

    row_counts: dict[str, int]
    migrations: dict[str, list[str]]


@dataclasses.dataclass
class Manifest:
    """The archive's table of contents; `keys` and `seals` name a member, or None when it is not
    in the archive (`notes` say why)."""

    vendor: str
    snapshot: Snapshot
    keys: dict[str, str | None]
    seals: str | None
    files: dict[str, Entry]
    notes: list[str]
    app_version: str = ""
    created_at: str = ""

    @property
    def database(self) -> str:
        return DATABASE_MEMBERS[self.vendor]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "database": {"vendor": self.vendor, "file": self.database},
            "migrations": self.snapshot.migrations,
            "row_counts": self.snapshot.row_counts,
            "keys": self.keys,
            "seals": self.seals,
            "notes": self.notes,
            "files": {name: dataclasses.asdict(entry) for name, entry in self.files.items()},
        }


# -- Backup ------------------------------------------------------------------------------------


def backup(destination: Path) -> tuple[Path, Manifest]:
    """Write an archive of this installation to `destination` (a new file, or a folder to name
    one in), readable by its owner only; returns its path and manifest."""
    path = _archive_path(destination)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".xeploai-backup-") as work:
        members: dict[str, Path] = {}
        vendor = connection.vendor
        if vendor not in DATABASE_MEMBERS:
            raise BackupError(f"cannot back up a {vendor} database (SQLite or PostgreSQL only)")
        dump = Path(work) / "database"
        members[DATABASE_MEMBERS[vendor]] = dump
        snapshot = _dump_sqlite(dump) if vendor == "sqlite" else _dump_postgres(dump)
        notes: list[str] = []
        keys = _add_keys(members, notes)
        seals = _add_seals(members, notes)
        _add_media(members, notes)
        manifest = Manifest(
            vendor=vendor,
            snapshot=snapshot,
            keys=keys,
            seals=seals,
            files={name: _entry(file) for name, file in members.items()},
            notes=notes,
            app_version=_app_version(),
            created_at=timezone.now().isoformat(timespec="seconds"),
        )
        _write_archive(path, manifest, members)
    return path, manifest


def _archive_path(destination: Path) -> Path:
    if destination.is_dir():
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
        destination = destination / f"xeploai-{stamp}.tar"
    if destination.exists():
        raise BackupError(f"{destination} exists already: name a new file")
    if not destination.parent.is_dir():
        raise BackupError(f"no folder {destination.parent} to write the archive in")
    if destination.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError("write the archive outside the uploads folder, which it backs up")
    return destination


def _app_version() -> str:
    try:
        return metadata.version("xeploai")
    except metadata.PackageNotFoundError:
        return "unknown"


def _dump_sqlite(target: Path) -> Snapshot:
    """SQLite's online backup: one consistent copy while the application goes on writing (WAL),
    made a file of its own (no write-ahead log beside it)."""
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        return _snapshot(copy.cursor(), _sqlite_tables(copy))


def _dump_postgres(target: Path) -> Snapshot:
    """`pg_dump --format=custom` reading the snapshot in which the rows are counted, so that
    the manifest describes exactly what the dump holds."""
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        [(snapshot_id,)] = cursor.fetchall()
        argv = [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot_id}"]
        _run([*argv, f"--file={target}"])
        return _snapshot(cursor, connection.introspection.table_names(cursor))


def _snapshot(cursor: Cursor, tables: list[str]) -> Snapshot:
    applied: set[tuple[str, str]] = set()
    if MigrationRecorder.Migration._meta.db_table in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
    return Snapshot(_count_rows(cursor, tables), _latest(applied, _migration_graph()))


def _latest(applied: set[tuple[str, str]], graph: MigrationGraph) -> dict[str, list[str]]:
    """Per app, the applied migrations no other applied migration of the app follows."""
    latest: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        node = graph.node_map.get((app, name))
        children = {child.key for child in node.children} if node else set()
        if not any(key[0] == app and key in applied for key in children):
            latest.setdefault(app, []).append(name)
    return latest


def _migration_graph() -> MigrationGraph:
    graph: MigrationGraph = MigrationLoader(None, ignore_no_migrations=True).graph
    return graph


def _add_keys(members: dict[str, Path], notes: list[str]) -> dict[str, str | None]:
    keys: dict[str, str | None] = {}
    for name, variable in KEYS.items():
        path = settings.DATA_DIR / name
        if os.environ.get(variable) or not path.is_file():
            keys[name] = None
            notes.append(
                f"{variable} comes from the environment: it is not in this archive;"
                " the operator keeps it and sets it again for a restore."
            )
        else:
            keys[name] = f"keys/{name}"
            members[f"keys/{name}"] = path
    return keys


def _add_seals(members: dict[str, Path], notes: list[str]) -> str | None:
    path = Path(settings.HISTORY_SEALS)
    if not path.is_file():
        notes.append(f"No seal file at {path} yet: none in this archive.")
        return None
    members[SEALS_MEMBER] = path
    return SEALS_MEMBER


def _add_media(members: dict[str, Path], notes: list[str]) -> None:
    """Every regular file under MEDIA_ROOT; links and other oddities are named and left out."""
    root = Path(settings.MEDIA_ROOT)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for file in sorted(files):
            path = Path(folder, file)
            name = PurePosixPath(MEDIA, path.relative_to(root).as_posix()).as_posix()
            if not stat.S_ISREG(path.lstat().st_mode) or not _encodable(name):
                notes.append(f"Left out {path}: not a regular file, or a name not in UTF-8.")
                continue
            members[name] = path


def _encodable(name: str) -> bool:
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


def _entry(path: Path) -> Entry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Entry(size, digest.hexdigest())


class _HashingReader:
    """A file that hashes what tarfile reads from it, to find a file changed since its entry
    was taken."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _write_archive(path: Path, manifest: Manifest, members: dict[str, Path]) -> None:
    """The manifest first, then each member; written beside `path` and renamed into place, so
    that a failed backup leaves no archive that looks whole."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            text = json.dumps(manifest.as_json(), ensure_ascii=False, indent=2).encode()
            tar.addfile(_tar_info(MANIFEST, len(text)), io.BytesIO(text))
            for name, file in members.items():
                _add_member(tar, name, file, manifest.files[name])
            tar.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _add_member(tar: tarfile.TarFile, name: str, file: Path, entry: Entry) -> None:
    with file.open("rb") as source:
        reader = _HashingReader(source)
        try:
            tar.addfile(_tar_info(name, entry.size), reader)
        except OSError as e:
            raise BackupError(f"{file} changed while it was archived ({e}): run again") from e
    if reader.digest.hexdigest() != entry.sha256:
        raise BackupError(f"{file} changed while it was archived: run the backup again")


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    return info


# -- Reading an archive ------------------------------------------------------------------------


class _BoundedReads:
    """The archive file, read at most MAX_READ bytes between two seeks or two members: tarfile
    reads an extended header whole, however large the archive says it is."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.unbounded = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0 or self.unbounded + size > MAX_READ:
            raise BackupError("the archive has a header or a block too large to be one of ours")
        data = self.file.read(size)
        self.unbounded += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        self.unbounded = 0
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def write(self, data: bytes) -> int:
        raise io.UnsupportedOperation("read only")

    def close(self) -> None:
        self.file.close()


# What tarfile raises on a damaged archive: its own errors, and some plain ones from within.
_DAMAGED = (tarfile.TarError, EOFError, OSError, ValueError, IndexError)


def read_archive(source: Path, staging: Path) -> tuple[Manifest, dict[str, Path]]:
    """The manifest of the archive at `source` and its members, each copied into `staging` and
    checked against its size and checksum. Raises BackupError on anything amiss."""
    try:
        file = source.open("rb")
    except OSError as e:
        raise BackupError(f"cannot read {source}: {e.strerror}") from e
    bounded = _BoundedReads(file)
    try:
        with tarfile.open(fileobj=bounded, mode="r:") as tar:
            manifest = _read_manifest(tar)
            _check_space(manifest, staging)
            staged = _stage_members(tar, bounded, manifest, staging)
    except BackupError:
        raise
    except _DAMAGED as e:
        raise BackupError(f"{source} is damaged or truncated, or not a tar archive ({e})") from e
    finally:
        file.close()
    if missing := sorted(set(manifest.files) - set(staged)):
        raise BackupError(f"{source} is truncated or incomplete: {missing[0]} is missing")
    return manifest, staged


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg():
        raise BackupError(f"not an xeploai backup: it does not begin with {MANIFEST}")
    if first.size > MAX_MANIFEST:
        raise BackupError(f"the manifest is {first.size} bytes: too large to be one of ours")
    text = _read_member(tar, first)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise BackupError(f"the manifest is not valid JSON ({e})") from e
    return parse_manifest(data)


def _read_member(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    source = tar.extractfile(info)
    assert source is not None  # a regular file
    return b"".join(iter(lambda: source.read(CHUNK), b""))


def _check_space(manifest: Manifest, staging: Path) -> None:
    needed = sum(entry.size for entry in manifest.files.values())
    free = shutil.disk_usage(staging).free
    if needed > free:
        raise BackupError(
            f"the archive says it holds {needed} bytes; {staging.parent} has {free} free"
        )


def _stage_members(
    tar: tarfile.TarFile, bounded: _BoundedReads, manifest: Manifest, staging: Path
) -> dict[str, Path]:
    staged: dict[str, Path] = {}
    while True:
        bounded.unbounded = 0
        info = tar.next()
        if info is None:
            return staged
        entry = _check_member(info, manifest, staged)
        staged[info.name] = target = staging / str(len(staged))
        _copy_member(tar, info, entry, target)


def _check_member(info: tarfile.TarInfo, manifest: Manifest, staged: dict[str, Path]) -> Entry:
    name = info.name
    if not info.isreg():
        raise BackupError(f"member {name!r} is a link, a folder or a device: refused")
    entry = manifest.files.get(name)
    if entry is None:
        raise BackupError(f"member {name!r} is not in the manifest: refused")
    if name in staged:
        raise BackupError(f"member {name!r} appears twice: refused")
    if info.size != entry.size:
        raise BackupError(f"member {name!r} is {info.size} bytes, the manifest says {entry.size}")
    return entry


def _copy_member(tar: tarfile.TarFile, info: tarfile.TarInfo, entry: Entry, target: Path) -> None:
    source = tar.extractfile(info)
    assert source is not None  # a regular file
    digest = hashlib.sha256()
    with _private_file(target) as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            _write(out, chunk)
    if digest.hexdigest() != entry.sha256:
        raise BackupError(
            f"member {info.name!r} does not match its checksum: the archive is damaged"
        )


def _private_file(path: Path) -> IO[bytes]:
    try:
        return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except OSError as e:
        raise BackupError(f"cannot write {path}: {e.strerror}") from e


def _write(out: IO[bytes], data: bytes) -> None:
    """A write of ours, told apart from the archive's faults (a full disk, say)."""
    try:
        out.write(data)
    except OSError as e:
        raise BackupError(f"cannot write {out.name}: {e.strerror}") from e


# -- The manifest, checked ---------------------------------------------------------------------


def parse_manifest(data: Any) -> Manifest:
    """A Manifest from the archive's JSON, every field checked: names that could reach outside
    the target, sizes and checksums of the wrong shape, members that belong nowhere."""
    data = _field(data, "manifest", dict)
    if data.get("format") != FORMAT:
        raise BackupError("not an xeploai backup: the manifest names another format")
    if data.get("format_version") != FORMAT_VERSION:
        version = data.get("format_version")
        raise BackupError(f"archive format {version!r}: this version reads {FORMAT_VERSION} only")
    files = _files(_field(data.get("files"), "files", dict))
    database = _field(data.get("database"), "database", dict)
    vendor = database.get("vendor")
    if vendor not in DATABASE_MEMBERS or database.get("file") != DATABASE_MEMBERS[vendor]:
        raise BackupError(f"the manifest's database is not one this version knows: {database}")
    manifest = Manifest(
        vendor=vendor,
        snapshot=Snapshot(
            _mapping(data.get("row_counts"), "row_counts", int),
            _migrations(data.get("migrations")),
        ),
        keys=_keys(data.get("keys")),
        seals=data.get("seals"),
        files=files,
        notes=[],  # the archive's own words are not repeated to the operator
        app_version=_printable(data.get("app_version")),
        created_at=_printable(data.get("created_at")),
    )
    _check_members(manifest)
    return manifest


def _field(value: Any, name: str, kind: type) -> Any:
    if not isinstance(value, kind):
        raise BackupError(f"the manifest's {name} is not a {kind.__name__}")
    return value


def _mapping(value: Any, name: str, kind: type) -> dict[str, Any]:
    mapping = _field(value, name, dict)
    for key, item in mapping.items():
        _field(item, f"{name}.{key}", kind)
    return dict(mapping)


def _migrations(value: Any) -> dict[str, list[str]]:
    migrations = _mapping(value, "migrations", list)
    for app, names in migrations.items():
        for name in names:
            _field(name, f"migrations.{app} item", str)
    return migrations


def _printable(value: Any, length: int = 40) -> str:
    """A short text of the manifest fit to print on the operator's terminal."""
    return "".join(c if c.isprintable() else "?" for c in str(value)[:length])


def _files(files: dict[str, Any]) -> dict[str, Entry]:
    if len(files) > MAX_MEMBERS:
        raise BackupError(f"the manifest lists {len(files)} files, more than {MAX_MEMBERS}")
    entries = {}
    for name, value in files.items():
        check_name(name)
        entry = _field(value, f"entry of {name!r}", dict)
        size, sha256 = entry.get("size"), entry.get("sha256")
        if type(size) is not int or size < 0 or not SHA256.fullmatch(str(sha256)):
            raise BackupError(f"the manifest's entry of {name!r} has no valid size and sha256")
        entries[name] = Entry(size, str(sha256))
    return entries


def check_name(name: str) -> None:
    """A member's name is relative, plain and inside one of the archive's folders."""
    path = PurePosixPath(name)
    if (
        len(name) > MAX_NAME
        or "\0" in name
        or path.as_posix() != name
        or path.is_absolute()
        or ".." in path.parts
        or len(path.parts) < 2
        or path.parts[0] not in ("database", "keys", "seals", MEDIA)
    ):
        raise BackupError(f"member name {name!r} is not allowed (absolute, .., or unknown folder)")


def _keys(value: Any) -> dict[str, str | None]:
    keys = _field(value, "keys", dict)
    if set(keys) != set(KEYS):
        raise BackupError(f"the manifest's keys are not {', '.join(KEYS)}")
    return {name: keys[name] for name in KEYS}


def _check_members(manifest: Manifest) -> None:
    """Every file belongs to the database, a key, the seals or the uploads, within its bounds."""
    known: dict[str, int | None] = {manifest.database: None}
    for name, member in manifest.keys.items():
        if member is not None:
            if member != f"keys/{name}":
                raise BackupError(f"the manifest's key {name} names {member!r}")
            known[member] = MAX_KEY
    if manifest.seals is not None:
        if manifest.seals != SEALS_MEMBER:
            raise BackupError(f"the manifest's seals name {manifest.seals!r}")
        known[SEALS_MEMBER] = MAX_SEALS
    for name in known:
        if name not in manifest.files:
            raise BackupError(f"the manifest names {name} but lists no such file")
    for name, entry in manifest.files.items():
        if name not in known and not name.startswith(f"{MEDIA}/"):
            raise BackupError(f"member {name!r} belongs to nothing this version restores")
        limit = known.get(name)
        if limit is not None and entry.size > limit:
            raise BackupError(f"member {name!r} is {entry.size} bytes: too large for what it is")


# -- Restore -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Plan:
    """What a restore will write, every refusal decided before any of it."""

    keys: dict[str, Path] = dataclasses.field(default_factory=dict)  # member → file to write
    media: dict[str, Path] = dataclasses.field(default_factory=dict)  # member → upload path
    notes: list[str] = dataclasses.field(default_factory=list)


def check(source: Path) -> Manifest:
    """Read and verify an archive without restoring it."""
    staging = Path(tempfile.mkdtemp(dir=settings.DATA_DIR, prefix=".restore-"))
    try:
        manifest, staged = read_archive(source, staging)
        if manifest.vendor == "sqlite":
            _check_sqlite_copy(staged[manifest.database], manifest)
        else:  # the dump's table of contents, read without a database
            _run([_tool("pg_restore"), "--list", str(staged[manifest.database])])
        return manifest
    finally:
        _forget_keys_generated_now()
        shutil.rmtree(staging, ignore_errors=True)


def restore(source: Path) -> tuple[Manifest, list[str]]:
    """Restore the archive at `source` into this installation, which must hold no data yet;
    returns its manifest and what the operator must know. All checks come first; then the
    database in one step, the keys, the seals and the uploads."""
    staging = Path(tempfile.mkdtemp(dir=settings.DATA_DIR, prefix=".restore-"))
    try:
        manifest, staged = read_archive(source, staging)
        plan = _plan(manifest, staged)
        _restore_database(manifest, staged[manifest.database])
        _write_keys(plan, staged)
        if manifest.seals is not None:
            plan.notes.append(_merge_seals(staged[manifest.seals]))
        _move_media(plan, staged)
        _check_restored(manifest)
        return manifest, plan.notes + _pending_migrations(manifest)
    except BaseException:
        _forget_keys_generated_now()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _plan(manifest: Manifest, staged: dict[str, Path]) -> Plan:
    plan = Plan()
    if manifest.seals is None:
        plan.notes.append("The archive has no seal log: it had none yet.")
    _check_vendor(manifest)
    _check_migrations(manifest)
    _check_empty(manifest)
    for name, member in manifest.keys.items():
        _plan_key(plan, name, member, staged)
    for name in manifest.files:
        if name.startswith(f"{MEDIA}/"):
            _plan_upload(plan, name, staged[name])
    if manifest.vendor == "sqlite":
        _check_sqlite_copy(staged[manifest.database], manifest)
    return plan


def _check_vendor(manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        here = VENDOR_NAMES.get(connection.vendor, connection.vendor)
        raise BackupError(
            f"the archive holds a {VENDOR_NAMES[manifest.vendor]} database and this installation"
            f" uses {here}: restore it into {VENDOR_NAMES[manifest.vendor]} (DATABASE_URL)"
        )


def _check_migrations(manifest: Manifest) -> None:
    graph = _migration_graph()
    for app, names in manifest.snapshot.migrations.items():
        for name in names:
            if (app, name) not in graph.nodes:
                raise BackupError(
                    f"the archive was made by a newer version ({manifest.app_version}): migration"
                    f" {app}.{name} is unknown here. Install that version or a later one first."
                )


def _pending_migrations(manifest: Manifest) -> list[str]:
    """What to tell when the archive is older than this code: migrate it."""
    graph = _migration_graph()
    applied: set[tuple[str, str]] = set()
    for app, names in manifest.snapshot.migrations.items():
        for name in names:
            applied.update(graph.forwards_plan((app, name)))
    if all(leaf in applied for leaf in graph.leaf_nodes()):
        return []
    return ["The archive predates this version's database: run `xeploai migrate` now."]


def _filled_by_migrate() -> set[str]:
    """Tables `xeploai migrate` fills by itself: a database with rows in these only is empty."""
    models = ("contenttypes.ContentType", "auth.Permission", "cycles.Manifestation")
    tables = {apps.get_model(label)._meta.db_table for label in models}
    return tables | {MigrationRecorder.Migration._meta.db_table}


def _check_empty(manifest: Manifest) -> None:
    """Refuses a database with rows of its own, or with tables the archive would not replace
    (a PostgreSQL restore replaces the archive's tables only)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = _count_rows(cursor, sorted(set(tables) - _filled_by_migrate()))
    name = connection.settings_dict["NAME"]
    if holding := [table for table, count in counts.items() if count]:
        raise BackupError(
            f"the database {name} holds data already ({_some(holding)}): restore only into"
            " an empty database. Create an empty database first."
        )
    foreign = sorted(set(tables) - set(manifest.snapshot.row_counts))
    if connection.vendor == "postgresql" and foreign:
        raise BackupError(
            f"the database {name} has tables the archive does not ({_some(foreign)}):"
            " create an empty database first."
        )


def _some(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")


def _plan_key(plan: Plan, name: str, member: str | None, staged: dict[str, Path]) -> None:
    """A key is written where none is, kept where the same is, refused where another is;
    a key the settings generated as this command started (there being none) counts as none."""
    variable = KEYS[name]
    in_environment = os.environ.get(variable)
    if member is None:
        plan.notes.append(
            f"{variable} is not in the archive: set it to the key kept apart before starting."
        )
        return
    archived = _key_text(staged[member], member)
    if in_environment:
        if in_environment != archived:
            raise BackupError(
                f"{variable} in the environment is not the archive's key: unset it, or set it"
                f" to the key kept with the backup"
            )
        return
    path = settings.DATA_DIR / name
    if path.exists() and _key_text(path, str(path)) == archived:
        return
    if path.exists() and not _generated_now(path):
        raise BackupError(
            f"{path} holds another key than the archive's: refused. If nothing uses this data"
            " folder yet, move that file away and restore again."
        )
    plan.keys[member] = path


def _key_text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise BackupError(f"cannot read the key {name}: {e}") from e


def _generated_now(path: Path) -> bool:
    """Whether the settings wrote this key as this process started: there was none before."""
    return path.name.upper() in settings.KEYS_GENERATED


def _forget_keys_generated_now() -> None:
    """Takes away the keys the settings generated as this command started, unused: a restore
    tried again, or after `restore --check`, finds none, as there were none."""
    for name, variable in KEYS.items():
        path = settings.DATA_DIR / name
        if os.environ.get(variable) or not path.exists() or not _generated_now(path):
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if path.read_text(encoding="utf-8").strip() == getattr(settings, variable):
                path.unlink()


def _plan_upload(plan: Plan, name: str, staged: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    target = root.joinpath(*PurePosixPath(name).parts[1:])
    if not target.resolve().is_relative_to(root.resolve()):
        raise BackupError(f"member {name!r} would be written outside {root}: refused")
    if target.exists() and _entry(target) != _entry(staged):
        raise BackupError(f"{target} exists with other content than the archive's: refused")
    plan.media[name] = target


def _check_sqlite_copy(path: Path, manifest: Manifest) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            (result,) = copy.execute("PRAGMA integrity_check").fetchone()
            counts = _count_rows(copy.cursor(), _sqlite_tables(copy))
    except sqlite3.Error as e:
        raise BackupError(f"the archive's database is not a sound SQLite file ({e})") from e
    if result != "ok":
        raise BackupError(f"the archive's database fails SQLite's integrity check: {result}")
    if counts != manifest.snapshot.row_counts:
        raise BackupError("the archive's database does not hold the rows its manifest counts")


def _restore_database(manifest: Manifest, dump: Path) -> None:
    connections.close_all()
    if manifest.vendor == "sqlite":
        _restore_sqlite(dump)
    else:
        _restore_postgres(dump)


def _restore_sqlite(copy: Path) -> None:
    """SQLite's backup API the other way round: the checked copy written over the (empty)
    database in one transaction, while this process holds no other connection to it."""
    target = Path(connection.settings_dict["NAME"])
    try:
        with (
            contextlib.closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as source,
            contextlib.closing(sqlite3.connect(target, timeout=20)) as database,
        ):
            # The copy's page size may differ from the database's, which WAL cannot change.
            database.execute("PRAGMA journal_mode=DELETE")
            source.backup(database)
            (result,) = database.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.Error as e:
        raise BackupError(f"could not write the database {target}: {e}") from e
    if result != "ok":
        raise BackupError(f"the restored database fails SQLite's integrity check: {result}")


def _restore_postgres(dump: Path) -> None:
    """pg_restore in one transaction: all of the dump or nothing. --clean replaces the tables a
    `migrate` may have created (empty, as checked)."""
    argv = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
    argv += ["--clean", "--if-exists", "--no-password"]
    _run([*argv, f"--dbname={connection.settings_dict['NAME']}", str(dump)])


def _write_keys(plan: Plan, staged: dict[str, Path]) -> None:
    for member, path in plan.keys.items():
        partial = path.with_name(f".{path.name}.restoring")
        partial.unlink(missing_ok=True)
        with _private_file(partial) as out:
            _write(out, staged[member].read_bytes())
        os.replace(partial, path)
        plan.notes.append(f"Key written: {path}.")


def _merge_seals(archived: Path) -> str:
    """The archive's seal lines appended to the seal log where it lacks them; appending keeps
    every line there, and works on a file the system lets only grow."""
    path = Path(settings.HISTORY_SEALS)
    existing = path.read_bytes() if path.exists() else b""
    present = set(existing.splitlines())
    lines = archived.read_bytes().splitlines()
    missing = list(dict.fromkeys(line for line in lines if line.strip() and line not in present))
    if missing:
        text = b"\n".join(missing) + b"\n"
        if existing and not existing.endswith(b"\n"):
            text = b"\n" + text
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with open(fd, "ab") as out:
            out.write(text)
    return f"Seals: {len(missing)} line(s) added to {path}."


def _move_media(plan: Plan, staged: dict[str, Path]) -> None:
    for member, target in plan.media.items():
        _private_folders(target.parent)
        shutil.move(staged[member], target)


def _private_folders(folder: Path) -> None:
    """The folder and any missing above it, for the owner only, as uploads are."""
    if not folder.exists():
        _private_folders(folder.parent)
        folder.mkdir(mode=0o700)


def _check_restored(manifest: Manifest) -> None:
    with connection.cursor() as cursor:
        counts = _count_rows(cursor, connection.introspection.table_names(cursor))
    differ = [t for t, n in manifest.snapshot.row_counts.items() if counts.get(t) != n]
    if differ:
        raise BackupError(f"restored, but these tables do not hold the archive's rows: {differ}")


# -- Shared ------------------------------------------------------------------------------------


def _sqlite_tables(database: sqlite3.Connection) -> list[str]:
    rows = database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%'"
        " ESCAPE '\\' ORDER BY name"
    )
    return [name for (name,) in rows]


def _count_rows(cursor: Cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        quoted = '"{}"'.format(table.replace('"', '""'))
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608  (a table's own name)
        counts[table] = int(cursor.fetchall()[0][0])
    return counts


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client tools): install it")
    return found


def _run(argv: list[str]) -> None:
    """A PostgreSQL client tool against the configured database; the password goes through
    the environment, never the command line."""
    database = connection.settings_dict
    variables = {"PGHOST": "HOST", "PGPORT": "PORT", "PGUSER": "USER", "PGPASSWORD": "PASSWORD"}
    env = dict(os.environ)
    env.update({var: str(database[key]) for var, key in variables.items() if database.get(key)})
    env["PGDATABASE"] = str(database["NAME"])
    done = subprocess.run(  # noqa: S603  (a PostgreSQL tool found on PATH)
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    if done.returncode:
        error = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BackupError(f"{Path(argv[0]).name} failed: {' '.join(error)}")


def describe(manifest: Manifest) -> Iterator[str]:
    """Lines saying what an archive holds, for the commands to print."""
    rows = sum(manifest.snapshot.row_counts.values())
    tables = len(manifest.snapshot.row_counts)
    yield f"Made {manifest.created_at} by version {manifest.app_version}."
    yield f"Database: {VENDOR_NAMES[manifest.vendor]}, {rows} rows in {tables} tables."
    kept = [name for name, member in manifest.keys.items() if member]
    yield f"Keys in the archive: {', '.join(kept) or 'none'}."
    yield f"Seal log: {'yes' if manifest.seals else 'no'}."
    uploads = [name for name in manifest.files if name.startswith(f"{MEDIA}/")]
    yield f"Uploaded files: {len(uploads)}."
