"""One entry point for every ownership file format, with detection from content.

``--format`` forces a format; otherwise the first bytes decide (XML root → GLEIF, a JSON array or
object with BODS fields → BODS, JSON lines with ``schema`` → FtM, a CSV header → CSV). Each parser builds
the whole graph before returning, so a failure leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from chipguard.errors import InputError
from chipguard.ownership.bods import parse_bods
from chipguard.ownership.csv_format import parse_csv
from chipguard.ownership.ftm import parse_ftm
from chipguard.ownership.gleif import parse_gleif
from chipguard.ownership.graph import OwnershipGraph
from chipguard.ownership.limits import check_size

FORMATS = ("bods", "gleif", "ftm", "csv")


def detect_format(path: Path) -> str:
    """Guesses the format from the first 4 KiB; raises InputError when nothing fits."""
    check_size(path)
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("<"):
        if "RelationshipData" in head or "RelationshipRecord" in head:
            return "gleif"
        raise InputError("XML file is not GLEIF relationship data (RR-CDF)", file=str(path))
    if head.startswith("["):
        return "bods"
    if head.startswith("{"):
        first = head.splitlines()[0] if head else ""
        if '"statementId"' in head or '"recordType"' in head or '"statements"' in head:
            return "bods"
        if '"schema"' in first:
            return "ftm"
        raise InputError("JSON file is neither BODS nor FollowTheMoney", file=str(path))
    first_line = head.splitlines()[0].lower() if head else ""
    cells = [c.strip() for c in first_line.split(",")]
    if "owner" in cells and "owned" in cells:
        return "csv"
    raise InputError(
        "cannot tell the format (expected BODS JSON, GLEIF XML, FtM JSON lines or CSV owner,owned,percent);"
        " pass --format",
        file=str(path),
    )


def load_graph(path: Path, fmt: str | None = None, *, lei_file: Path | None = None) -> OwnershipGraph:
    """Reads one ownership file into a graph. ``lei_file`` adds GLEIF Level 1 names to a GLEIF import."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "bods":
        return parse_bods(path)
    if fmt == "gleif":
        return parse_gleif(path, lei_file)
    if fmt == "ftm":
        return parse_ftm(path)
    if fmt == "csv":
        return parse_csv(path)
    raise InputError(f"unknown ownership format {fmt!r}; one of {', '.join(FORMATS)}", field="format")
