"""What every list-format module provides, and the registry that detects formats from content.

A source module turns one file into ``Party`` records. It never touches the store: loading, hashing
and atomic replacement of snapshots happen in ``chipguard.store.snapshots`` so that every format gets
the same guarantees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chipguard.errors import InputError
from chipguard.model import Party

# Hard upper bound on any list file we parse: the largest real list (OpenSanctions default) is well
# below it; anything bigger is more likely a mistake or an attack than a list.
MAX_FILE_BYTES = 512 * 1024 * 1024


class SourceError(InputError):
    """A list file that cannot be parsed; names the file, line/record and field."""


@dataclass(slots=True)
class ParsedList:
    """The result of parsing one list file."""

    format: str  # format name, e.g. "csl_csv"
    source: str  # default source name for the snapshot, e.g. "us_csl"
    parties: list[Party]
    file_date: str = ""  # publication date stated in the file, ISO, "" when the file says none
    source_url: str = ""  # official download URL of this format
    warnings: list[str] = field(default_factory=list)
    # Every file the list was read from, when that is more than the path given: OFAC's legacy CSV set
    # is a primary file plus companions, and a snapshot's content hash must cover all of them.
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    default_source: str
    sniff: Callable[[Path, bytes], bool]  # (path, first bytes) → does this file look like this format?
    parse: Callable[[Path], ParsedList]
    official_url: str = ""


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def check_size(path: Path, limit: int | None = None) -> None:
    """Refuses missing, empty and oversized files before any parser reads them."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if not path.exists():
        raise SourceError("file not found", file=str(path))
    size = path.stat().st_size
    if size == 0:
        raise SourceError("file is empty", file=str(path))
    if size > limit:
        raise SourceError(f"file is {size} bytes, over the {limit}-byte limit for list files", file=str(path))
