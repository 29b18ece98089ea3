"""Input size limits: an ownership file is read whole into memory, so refuse absurd sizes up front."""

from __future__ import annotations

from pathlib import Path

from chipguard.errors import InputError

MAX_OWNERSHIP_FILE_BYTES = 200 * 1024 * 1024


def check_size(path: Path, limit: int = MAX_OWNERSHIP_FILE_BYTES) -> None:
    """Raises InputError for a missing file or one above ``limit`` bytes."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"file is {size} bytes, above the {limit}-byte limit", file=str(path))
