"""Input size limits, declared once (``chipguard/data/limits/input_limits.yml``), and the one safe JSON reader.

Why one place: a limit enforced in the REST models but not in the CLI, or in the CLI but not in the list
parser, is a limit an attacker routes around. Every face reads its numbers from :data:`LIMITS`, and every
JSON document that comes from outside (request bodies, transaction files, batch lines, customer files)
goes through :func:`load_json`, which refuses nesting deeper than ``json_depth`` *before* parsing, so a
document of ten thousand ``[`` is a clear error naming the file and line, never a RecursionError.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from chipguard.datafiles import load_yaml
from chipguard.errors import InputError

_DATA = "data/limits/input_limits.yml"


@dataclass(frozen=True)
class Limits:
    """The numbers of ``input_limits.yml`` (see the comments there for why each exists)."""

    name_chars: int
    text_chars: int
    identifier_chars: int
    items: int
    owners: int
    aliases: int
    addresses: int
    identifiers: int
    batch_queries: int
    job_rows: int
    file_rows: int
    job_customers: int
    json_depth: int
    body_bytes: int
    page_offset: int
    list_name_chars: int
    word_chars: int


@cache
def limits() -> Limits:
    """The limits of the installed data file; a missing or non-positive number is a packaging error."""
    raw = load_yaml(resources.files("chipguard").joinpath(_DATA).read_text(encoding="utf-8"))
    values: dict[str, int] = {}
    for f in fields(Limits):
        value = raw.get(f.name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{_DATA}: '{f.name}' must be a positive integer, not {value!r}")
        values[f.name] = value
    return Limits(**values)


LIMITS = limits()

# A JSON string literal (escapes included); removed before counting brackets so "[[[" inside a name
# does not count as nesting.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth_exceeded(text: str, max_depth: int | None = None) -> int | None:
    """The 1-based line where ``text`` first nests deeper than ``max_depth`` (default: the limit), or
    None. Linear in the text's length and recursion-free, so it is safe on any input."""
    limit = LIMITS.json_depth if max_depth is None else max_depth
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    stripped = _STRING.sub(lambda m: "\n" * m.group().count("\n"), text)
    for match in _BRACKET.finditer(stripped):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return stripped.count("\n", 0, match.start()) + 1
        else:
            depth -= 1
    return None


def load_json(text: str | bytes, *, file: str | None = None, line: int | None = None) -> Any:
    """Parses JSON from outside: nesting over the limit and invalid JSON are InputErrors naming ``file``
    and the line (``line``: the line a JSON-lines record stands on, named as is)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("not UTF-8 text", file=file, line=line) from exc
    deep = json_depth_exceeded(text)
    if deep is not None:
        at = deep if line is None else line
        raise InputError(f"JSON nested deeper than {LIMITS.json_depth} levels", file=file, line=at)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = exc.lineno if line is None else line
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=file, line=at) from exc
    except RecursionError as exc:  # the bracket count above makes this unreachable; kept as a backstop
        raise InputError("JSON nested too deeply", file=file, line=line) from exc
