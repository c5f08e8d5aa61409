"""Files and folders only the hub's own user may read: 0600 and 0700, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    """``path`` and each missing folder above it, created 0700; folders already there are kept."""
    path = path.expanduser()
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another process
        folder.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty with mode 0600 if it is not there (its folder made private)."""
    path = path.expanduser()
    private_dir(path.parent)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    os.fchmod(handle, 0o600)
    os.close(handle)
    return path
