"""Where files holding personal data wait on disk: imports' uploads and reports written in
the background. Readable by the server's own account only (files 0600, their directories
0700), whatever the settings say of other uploads; never served as media."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.files.storage import FileSystemStorage

from .private import private_directory


class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        if name:  # its folder private before the file is in it, if made looser before
            private_directory(Path(self.path(name)).parent)
        return super().save(name, content, max_length)
