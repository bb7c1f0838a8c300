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
