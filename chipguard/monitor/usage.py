"""Reads accelerator usage records (CSV or JSON Lines) into validated ``UsageRecord`` values.

One record = ``count`` units of ``model`` used by ``account`` from ``start`` for ``hours`` (or until
``end``). ``model`` is anything ``chipguard.hardware.resolve_model`` knows: an accelerator ("H100 SXM5
80GB" — ``count`` is chips) or a system / cloud instance type ("p5.48xlarge" — ``count`` is instances,
each holding the catalogue's accelerators). ``utilisation`` (0–1] is optional: a measured figure replaces
the default range.

Why so strict: a compute estimate feeds a reporting decision. A row with a typo in the model name or an
end before its start must stop the run with the file, line and field, never be skipped or half-counted;
the whole file is validated before any figure is returned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.hardware import CatalogueEntry, resolve_model
from chipguard.hardware.catalogue import get_catalogue
from chipguard.limits import load_json

MAX_BYTES = 512 * 1024 * 1024

# Accepted column names → canonical field.
FIELD_ALIASES: dict[str, str] = {
    "account": "account",
    "account_id": "account",
    "customer": "account",
    "customer_id": "account",
    "model": "model",
    "instance_type": "model",
    "accelerator": "model",
    "accelerator_model": "model",
    "count": "count",
    "accelerator_count": "count",
    "instances": "count",
    "instance_count": "count",
    "quantity": "count",
    "start": "start",
    "start_time": "start",
    "end": "end",
    "end_time": "end",
    "hours": "hours",
    "utilisation": "utilisation",
    "utilization": "utilisation",
}
REQUIRED = ("account", "model", "count", "start")


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One validated usage record. ``chips`` = accelerators in use (instances × accelerators each)."""

    account: str
    model: str  # as written in the file
    entry_id: str  # catalogue id it resolved to
    count: int
    chips: int
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    utilisation: float | None
    file: str
    line: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def chip_hours(self) -> float:
        return self.chips * self.seconds / 3600.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "model": self.model,
            "entry_id": self.entry_id,
            "count": self.count,
            "chips": self.chips,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "hours": self.seconds / 3600.0,
            "utilisation": self.utilisation,
            "line": self.line,
        }


def accelerators_of(entry: CatalogueEntry) -> list[tuple[CatalogueEntry, int]]:
    """The accelerators one unit of ``entry`` holds: itself for a chip, its components for a system."""
    if entry.kind == "accelerator":
        return [(entry, 1)]
    by_id = get_catalogue().by_id
    return [(by_id[c.model], c.count) for c in entry.components if by_id[c.model].kind == "accelerator"]


def _time(value: Any, file: str, line: int, field: str) -> dt.datetime:
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"expected an ISO 8601 date or time (2025-01-31T12:00:00Z), got {text!r}",
            file=file,
            line=line,
            field=field,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # naive times are read as UTC
    return parsed.astimezone(dt.UTC)


def _number(value: Any, file: str, line: int, field: str) -> float:
    if isinstance(value, bool):
        raise InputError(f"expected a number, got {value!r}", file=file, line=line, field=field)
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise InputError(f"expected a number, got {value!r}", file=file, line=line, field=field) from None
    if not math.isfinite(number):
        raise InputError(f"expected a finite number, got {value!r}", file=file, line=line, field=field)
    return number


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_record(
    raw: Mapping[str, Any], file: str, line: int, models: dict[str, CatalogueEntry] | None = None
) -> UsageRecord:
    """Validates one raw record (column name → value); raises InputError naming file, line and field."""
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            raise InputError("more values than columns", file=file, line=line)
        canon = FIELD_ALIASES.get(str(key).strip().lower())
        if canon is None:
            continue  # extra columns (price, region, ...) are allowed and ignored
        if canon in row and not _blank(row[canon]) and not _blank(value):
            raise InputError(f"given twice (as {key!r})", file=file, line=line, field=canon)
        if canon not in row or _blank(row[canon]):
            row[canon] = value
    for key in REQUIRED:
        if _blank(row.get(key)):
            raise InputError("missing or empty", file=file, line=line, field=key)
    account = str(row["account"]).strip()
    model_text = str(row["model"]).strip()
    cache = models if models is not None else {}
    entry = cache.get(model_text)
    if entry is None:
        try:
            entry = resolve_model(model_text)
        except InputError as exc:
            raise InputError(exc.detail, file=file, line=line, field="model") from None
        if entry.kind == "memory":
            raise InputError(
                f"'{model_text}' is a memory stack, not an accelerator", file=file, line=line, field="model"
            )
        cache[model_text] = entry
    count_f = _number(row["count"], file, line, "count")
    if count_f != int(count_f) or count_f < 1:
        raise InputError(
            f"expected a whole number >= 1, got {row['count']!r}", file=file, line=line, field="count"
        )
    count = int(count_f)
    start = _time(row["start"], file, line, "start")
    end: dt.datetime | None = None
    if not _blank(row.get("end")):
        end = _time(row["end"], file, line, "end")
        if end <= start:
            raise InputError("end is not after start", file=file, line=line, field="end")
    if not _blank(row.get("hours")):
        hours = _number(row["hours"], file, line, "hours")
        if hours <= 0:
            raise InputError(f"expected hours > 0, got {row['hours']!r}", file=file, line=line, field="hours")
        by_hours = start + dt.timedelta(hours=hours)
        if end is not None and abs((end - by_hours).total_seconds()) > 60:
            raise InputError(
                f"hours {hours:g} disagree with start..end ({(end - start).total_seconds() / 3600:g} h)",
                file=file,
                line=line,
                field="hours",
            )
        end = end or by_hours
    if end is None:
        raise InputError("give end or hours", file=file, line=line, field="end")
    utilisation: float | None = None
    if not _blank(row.get("utilisation")):
        raw_util = str(row["utilisation"]).strip()
        if raw_util.endswith("%"):  # "38%" is 0.38; a bare 38 is an error, not a guess
            utilisation = _number(raw_util[:-1], file, line, "utilisation") / 100
        else:
            utilisation = _number(row["utilisation"], file, line, "utilisation")
        if not 0 < utilisation <= 1:
            raise InputError(
                f"expected a fraction in (0, 1], got {row['utilisation']!r}",
                file=file,
                line=line,
                field="utilisation",
            )
    per_unit = sum(n for _, n in accelerators_of(entry))
    if per_unit == 0:
        raise InputError(
            f"'{model_text}' holds no catalogue accelerator", file=file, line=line, field="model"
        )
    return UsageRecord(
        account=account,
        model=model_text,
        entry_id=entry.id,
        count=count,
        chips=count * per_unit,
        start=start,
        end=end,
        utilisation=utilisation,
        file=file,
        line=line,
    )


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        return
    columns = {FIELD_ALIASES.get(str(c).strip().lower()) for c in reader.fieldnames}
    for key in REQUIRED:
        if key not in columns:
            raise InputError(f"no column for {key} in the header", file=file, line=1, field=key)
    if "end" not in columns and "hours" not in columns:
        raise InputError("the header needs an end or an hours column", file=file, line=1, field="end")
    for row in reader:
        if all(_blank(v) for k, v in row.items() if k is not None) and None not in row:
            continue
        yield reader.line_num, row


def _jsonl_rows(text: str, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if text.lstrip().startswith("["):  # a .json file holding one array: records numbered from 1
        values = load_json(text, file=file)
        for number, value in enumerate(values, start=1):
            if not isinstance(value, dict):
                raise InputError(f"record {number}: expected a JSON object", file=file, line=number)
            yield number, value
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        value = load_json(raw, file=file, line=number)
        if not isinstance(value, dict):
            raise InputError("expected a JSON object per line", file=file, line=number)
        yield number, value


def read_usage(path: str | Path) -> list[UsageRecord]:
    """Every record of a CSV (``.csv``) or JSON Lines (``.jsonl``/``.ndjson``/``.json``; a ``.json`` file
    may also hold one array of records, numbered from 1 in errors) usage file.

    All or nothing: the first bad record raises InputError (file, line, field) and nothing is returned.
    """
    p = Path(path)
    file = str(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise InputError(f"larger than {MAX_BYTES // (1024 * 1024)} MB", file=file)
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", file=file) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason}", file=file) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=file) from None
    suffix = p.suffix.lower()
    rows: Iterable[tuple[int, dict[str, Any]]]
    if suffix in (".jsonl", ".ndjson", ".json"):
        rows = _jsonl_rows(text, file)
    elif suffix in (".csv", ".txt") or not suffix:
        rows = _csv_rows(text, file)
    else:
        raise InputError(f"unknown usage format '{suffix}': use .csv or .jsonl", file=file)
    models: dict[str, CatalogueEntry] = {}
    records = [parse_record(row, file, line, models) for line, row in rows]
    if not records:
        raise InputError("no usage records", file=file)
    return records
