"""Where a benchmark writes: a throwaway database beside the one `DATABASE_URL` names (created
on the same PostgreSQL server, dropped afterwards), else the temporary SQLite database of
the data directory. Nothing of the project's own data is touched either way."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """Point `DATABASE_URL` at a new, empty PostgreSQL database while the block runs, when
    one is set; yields the engine's name ("postgresql" or "sqlite") for the report."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield "sqlite"
        return
    import psycopg

    name = f"xeploai_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    try:
        yield "postgresql"
    finally:
        from django.db import connections

        connections.close_all()
        os.environ["DATABASE_URL"] = url
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def nation_name(provinces: int) -> str:
    return f"xeploai_bench_nation_{provinces}"


def kept_nation(provinces: int) -> dict[str, str]:
    """The environment of the nation-sized demo (`xeploai demo --size nation`) of this many
    provinces, in a database of its own beside the one `DATABASE_URL` names, with its data
    directory (keys, seals): built on the first call, then kept for the next ones."""
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path

    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (the nation needs one)")
    name = nation_name(provinces)
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{name}")),
        "XEPLOAI_DATA_DIR": str(Path(tempfile.gettempdir()) / name),
    }
    with psycopg.connect(url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return env
        admin.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    command = [sys.executable, "-m", "xeploai.manage", "demo", "--size", "nation"]
    command += ["--provinces", str(provinces), "--no-serve"]
    if subprocess.run(command, env=env, check=False).returncode:  # noqa: S603  (our command)
        drop_nation(provinces)
        raise SystemExit("the nation could not be built")
    print(f"built the nation ({provinces} provinces) in {time.perf_counter() - started:.0f} s")
    return env


def drop_nation(provinces: int) -> None:
    import shutil
    import tempfile
    from pathlib import Path

    import psycopg

    name = nation_name(provinces)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(Path(tempfile.gettempdir()) / name, ignore_errors=True)
    print(f"dropped {name}")
