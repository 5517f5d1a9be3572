"""Write a file so that readers see either the old or the new content, never a half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, data: bytes | str | Iterable[bytes]) -> int:
    """Write `data` (or its chunks, as they come) to `path` through a temporary file in the same folder
    and `os.replace`; the number of bytes written."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    chunks = (data,) if isinstance(data, (bytes, bytearray)) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    written = 0
    try:
        with os.fdopen(handle, "wb") as temp:
            for chunk in chunks:
                written += temp.write(chunk)
            temp.flush()
            os.fsync(temp.fileno())
        if path.exists():
            os.chmod(temp_name, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    return written
