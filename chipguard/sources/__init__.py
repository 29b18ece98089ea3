"""List formats → Party records. ``parse_file`` detects the format from content unless one is forced.

Detection order matters only where two formats could claim the same file; each sniff function checks
distinctive content (a header, a document element, a namespace), and ``tests/test_sources_detect.py``
runs every real file through ``detect_format`` to keep the sniffers unambiguous.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from chipguard.limits import LIMITS
from chipguard.sources.base import FORMATS, Format, ParsedList, SourceError, check_size
from chipguard.sources.common import read_head

# One module per format family; importing a module registers its formats.
FORMAT_MODULES = ("csl", "ofac_csv", "ofac_xml", "un", "eu", "uk", "dpl", "us_other", "custom", "ftm")
for _module in FORMAT_MODULES:
    importlib.import_module(f"chipguard.sources.{_module}")


def _resolve(path: Path) -> Path:
    """A directory stands for the list set inside it (OFAC's legacy CSV set is four files)."""
    if path.is_dir():
        from chipguard.sources.ofac_csv import resolve_primary

        return resolve_primary(path)
    return path


def matching_formats(path: Path) -> list[Format]:
    """Every registered format whose sniff function claims ``path`` (more than one is a bug)."""
    path = _resolve(path)
    check_size(path)
    head = read_head(path)
    return [fmt for fmt in FORMATS.values() if fmt.sniff(path, head)]


def detect_format(path: Path) -> Format:
    path = Path(path)
    matches = matching_formats(path)
    companions = {
        "add.csv",
        "alt.csv",
        "sdn_comments.csv",
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
    }
    if not matches and path.name.lower() in companions:
        raise SourceError(
            "an OFAC companion file cannot be loaded alone; load sdn.csv / cons_prim.csv or their directory",
            file=str(path),
        )
    if not matches:
        raise SourceError(
            f"unrecognised list format; use --format with one of: {', '.join(sorted(FORMATS))}",
            file=str(path),
        )
    return matches[0]


def parse_file(path: str | Path, format: str | None = None) -> ParsedList:
    path = Path(path)
    if format:
        if format not in FORMATS:
            raise SourceError(
                f"unknown format '{format}'; known: {', '.join(sorted(FORMATS))}", field="format"
            )
        fmt = FORMATS[format]
    else:
        fmt = detect_format(path)
    if path.is_dir() and fmt.name not in ("ofac_sdn_csv", "ofac_cons_csv"):
        raise SourceError(f"format {fmt.name} reads a file, not a directory", file=str(path))
    parsed = fmt.parse(path)
    warn_oversize_names(parsed)
    return parsed


def warn_oversize_names(parsed: ParsedList) -> None:
    """Names over ``list_name_chars`` (chipguard/data/limits) are kept as written but indexed by their
    head only (chipguard.match.screener): say so at load, naming the first such record."""
    limit = LIMITS.list_name_chars
    long = [
        (party.party_id, len(alias.name))
        for party in parsed.parties
        for alias in party.all_names()
        if len(alias.name) > limit
    ]
    if long:
        first_id, first_len = long[0]
        parsed.warnings.append(
            f"{len(long)} name(s) longer than {limit} characters are screened by their first {limit} "
            f"only (first: record {first_id}, {first_len} characters)"
        )


__all__ = [
    "FORMATS",
    "FORMAT_MODULES",
    "Format",
    "ParsedList",
    "SourceError",
    "detect_format",
    "matching_formats",
    "parse_file",
    "warn_oversize_names",
]
