"""The digest of what shapes a built screening index besides its lists: the engine version, the bytes of
the list parsers, the matching and name-analysis code, the name data it reads, and the name files of the
reference-data override root (``CHIPGUARD_DATA_OVERRIDES``).

Why one place: the home's index cache keys its files by it (``chipguard.service.index_cache``), and an
index file records it in its header so that a file built by other code or other name data — a file
shipped by hand to a batch job or a Spark executor, or one left from an older version — is refused
(``indexfile.open_screener``) instead of answering with the readings of the code that built it (a change
to how a name is analysed changes what the file holds without changing its format)."""

from __future__ import annotations

import hashlib
from functools import cache

from chipguard import ENGINE_VERSION
from chipguard.config import data_dir
from chipguard.names.data import name_data_dir


@cache
def code_and_data_digest() -> str:
    """Digest of the source and data files the index depends on (per process: they don't change)."""
    root = data_dir().parent
    digest = hashlib.sha256()
    for folder, pattern in (
        (root / "sources", "*.py"),  # the parsers: what a record carries (its identifiers, dates …)
        (root / "match", "*.py"),
        (root / "names", "*.py"),
        (root / "data" / "names", "*"),
        (root / "data" / "zh", "*"),
    ):
        for path in sorted(folder.glob(pattern)):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def overlay_digest() -> str:
    """Digest of the name-matching files in the reference-data override root (e.g. a replay's archived
    files): an index built from other name data must never be reused for it."""
    overlay = name_data_dir()
    digest = hashlib.sha256()
    for folder in ("names", "zh"):
        for path in sorted((overlay / folder).glob("*")):
            if path.is_file():
                digest.update(f"{folder}/{path.name}".encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def engine_digest() -> str:
    """The engine version, code and data, and override-root digests in one (hex)."""
    digest = hashlib.sha256()
    digest.update(ENGINE_VERSION.encode() + b"\0" + code_and_data_digest().encode())
    digest.update(b"\0overlay:" + overlay_digest().encode())
    return digest.hexdigest()
