"""Files and folders that only their owner may read: the data directory, the database, the
keys. Each is created with its mode from the start, whatever the umask, and tightened when
found looser (databases created before were world-readable). No Django here: the settings
use it before Django is set up."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIRECTORY = 0o700
FILE = 0o600


def private_directory(path: Path) -> Path:
    path.mkdir(mode=DIRECTORY, parents=True, exist_ok=True)
    tighten(path, DIRECTORY)
    return path


def private_file(path: Path) -> Path:
    """The file, created empty if missing: an empty file is an empty SQLite database, which
    SQLite then fills without changing its mode (and gives its -wal and -shm the same)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE))
    tighten(path, FILE)
    return path


def write_once(path: Path, text: str) -> str:
    """Writes `text` to a new private file, unless another process wrote it first; either way
    the text the file holds. The file appears whole (linked from a finished temporary file),
    so a process starting alongside never reads it half written."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        tighten(temporary, FILE)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()
    return path.read_text()


def tighten(path: Path, mode: int) -> None:
    """Takes away the permissions that `mode` does not grant. Only the owner may change them:
    a file of someone else's is left as it is."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)
