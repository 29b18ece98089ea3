"""List formats → Party records. ``parse_file`` detects the format from content unless one is forced."""

from __future__ import annotations

import importlib
from pathlib import Path

from chipguard.sources.base import FORMATS, Format, ParsedList, SourceError, check_size
from chipguard.sources.csl import read_head

# One module per format family; importing a module registers its formats.
FORMAT_MODULES = ("csl",)
for _module in FORMAT_MODULES:
    importlib.import_module(f"chipguard.sources.{_module}")


def detect_format(path: Path) -> Format:
    check_size(path)
    head = read_head(path)
    for fmt in FORMATS.values():
        if fmt.sniff(path, head):
            return fmt
    raise SourceError(
        f"unrecognised list format; use --format with one of: {', '.join(sorted(FORMATS))}", file=str(path)
    )


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
    return fmt.parse(path)


__all__ = ["FORMATS", "ParsedList", "SourceError", "detect_format", "parse_file"]
