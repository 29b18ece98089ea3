"""Reading a file of names to screen: CSV, JSON Lines or Parquet, validated as a whole before any work.

Why in the service layer: every face reads these files the same way — ``chipguard screen-file`` and
``chipguard batch screen`` (local and Spark engines), and the web UI's and REST API's screening jobs
(``chipguard.service.jobs``) — and a face must not import another face to do so.

Why validate everything first: a batch that stops at row 90,000 of 100,000 leaves a partial result that
could be taken for a complete screening. Every bad row is collected (the first 20 are shown) with the file,
the line (CSV, JSONL) or row number (Parquet) and the field, and nothing is screened. Both engines read
their input through this module in the driver, so the local and the Spark engine see the very same rows.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from chipguard.errors import InputError, bad_rows
from chipguard.limits import load_json
from chipguard.match.evidence import query_evidence
from chipguard.model import EVIDENCE_FIELDS, QUERY_KIND_NAMES, QUERY_KINDS, QUERY_NAME_MAX_LENGTH
from chipguard.sources.common import TRUNCATED_CSV, ends_inside_quote

KINDS = QUERY_KINDS
MAX_NAME_LENGTH = QUERY_NAME_MAX_LENGTH
MAX_ERRORS_SHOWN = 20
FORMATS = ("csv", "jsonl", "parquet")
COLUMNS = ("id", "name", "kind", "country", *EVIDENCE_FIELDS)


@dataclass(frozen=True, slots=True)
class QueryRow:
    """One validated input row. ``position`` is its 0-based place in the input (output order);
    ``line`` is where a reader finds it: the CSV/JSONL line or the 1-based Parquet row."""

    position: int
    line: int
    id: str
    name: str
    kind: str | None
    country: str | None
    evidence: tuple[tuple[str, str], ...] = ()  # validated evidence fields given, (field, text)

    def to_tuple(
        self,
    ) -> tuple[int, int, str, str, str | None, str | None, tuple[tuple[str, str], ...]]:
        """Plain tuple form, cheap to pickle into Spark partitions."""
        return (self.position, self.line, self.id, self.name, self.kind, self.country, self.evidence)

    @classmethod
    def from_tuple(
        cls, t: tuple[int, int, str, str, str | None, str | None, tuple[tuple[str, str], ...]]
    ) -> QueryRow:
        return cls(*t)


def detect_format(path: Path, given: str | None = None) -> str:
    """csv, jsonl or parquet: given explicitly, else from the file suffix (``.gz`` is not supported:
    decompress first, so line numbers in errors point into the file the user has)."""
    if given:
        fmt = given.strip().lower()
        if fmt == "json":
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise InputError(f"unknown input format '{given}' (use {', '.join(FORMATS)})", field="format")
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(
        f"cannot tell the format from the suffix '{suffix}' (use .csv, .jsonl or .parquet, or --format)",
        file=str(path),
    )


def _text(value: Any, *, file: str, line: int, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"expected text, got {type(value).__name__}", file=file, line=line, field=field)
    return str(value).strip()


NO_LETTERS = "the name has no letters or digits to compare"


def unreadable_name(file: str | None, line: int | None) -> InputError:
    """The error of a name with nothing to compare (no letters or digits in any script)."""
    return InputError(NO_LETTERS, file=file, line=line, field="name")


def validate(
    record: Mapping[str, Any], *, position: int, file: str, line: int, check_readable: bool = True
) -> QueryRow:
    """One raw record → a QueryRow, or an InputError naming the file, line and field. ``check_readable``
    False leaves the name's letters-or-digits check to the screening pass (see ``read_input``)."""
    from chipguard.match.screener import readable
    from chipguard.service.inputs import find_bad_text

    unknown = sorted(str(k) for k in record if k not in COLUMNS)
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(unknown)}", file=file, line=line, field=unknown[0])
    bad = find_bad_text(dict(record))
    if bad is not None:  # not a name anyone has, and text no store or audit entry can hold
        raise InputError(
            "text contains a NUL character or an unpaired surrogate", file=file, line=line, field=bad
        )
    qid = _text(record.get("id"), file=file, line=line, field="id")
    name = _text(record.get("name"), file=file, line=line, field="name")
    if not qid:
        raise InputError("empty id", file=file, line=line, field="id")
    if not name:
        raise InputError("empty name", file=file, line=line, field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(f"name longer than {MAX_NAME_LENGTH} characters", file=file, line=line, field="name")
    if check_readable and not readable(name):
        raise unreadable_name(file, line)
    kind_raw = _text(record.get("kind"), file=file, line=line, field="kind")
    if kind_raw.lower() not in KINDS:
        raise InputError(
            f"unknown kind '{kind_raw}' (use {QUERY_KIND_NAMES})", file=file, line=line, field="kind"
        )
    typed = _text(record.get("country"), file=file, line=line, field="country")
    country = typed.upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise InputError(  # what was typed, so the user finds it in the file
            f"country '{typed}' is not an ISO 3166-1 alpha-2 code", file=file, line=line, field="country"
        )
    from chipguard.geo.countries import lookup_country

    if country and lookup_country(country) is None:
        raise InputError(f"unknown country '{country}'", file=file, line=line, field="country")
    given = {k: _text(record.get(k), file=file, line=line, field=k) for k in EVIDENCE_FIELDS}
    given = {k: v for k, v in given.items() if v}
    try:
        if given.get("nationality") and lookup_country(given["nationality"]) is None:
            raise InputError(f"unknown country '{given['nationality']}'", field="nationality")
        query_evidence(country=country or None, **given)
    except InputError as exc:
        raise InputError(exc.detail, file=file, line=line, field=exc.field) from exc
    return QueryRow(
        position, line, qid, name, KINDS[kind_raw.lower()], country or None, tuple(sorted(given.items()))
    )


def csv_rows(
    path: Path, check_header: Callable[[list[str], str], None], expected: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, row) of a CSV file with a header, its column names stripped and lower-cased and checked by
    ``check_header`` first; a file cut inside a quoted cell, an empty file (``expected``: the columns it
    should have) or a row with more cells than the header is an InputError naming the file and line. The
    one CSV reader of the files the service takes (names to screen, customers to import)."""
    file = str(path)
    if ends_inside_quote(path):  # the csv reader would return the cut row as if it were whole
        raise InputError(TRUNCATED_CSV, file=file)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if not header:
            raise InputError(f"empty file: expected a header with columns {expected}", file=file, line=1)
        check_header(header, file)
        reader.fieldnames = header
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a cell past the csv module's size limit …: say where
                # (the underlying reader's count: DictReader updates its own only after a good row)
                raise InputError(f"unreadable CSV: {exc}", file=file, line=reader.reader.line_num) from exc
            if None in row:
                raise InputError("row has more cells than the header", file=file, line=reader.line_num)
            yield reader.line_num, row


def _csv_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    return csv_rows(path, require_columns, "id,name")


def require_columns(columns: list[str], file: str) -> None:
    """id and name are required (said first: without them nothing can be screened); a column chipguard
    does not know is an error naming it (a misspelt ``date_of_brith`` would otherwise screen without the
    evidence meant)."""
    for required in ("id", "name"):
        if required not in columns:
            raise InputError(
                f"missing column '{required}' (columns: id,name[,kind,country,{','.join(EVIDENCE_FIELDS)}])",
                file=file,
                line=1,
                field=required,
            )
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})",
            file=file,
            line=1,
            field=unknown[0],
        )


def jsonl_objects(path: Path, what: str = "") -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) of a JSON Lines file, blank lines skipped; a line that is not JSON or not an object
    (``what`` names what it should be) is an InputError naming the file and line. The one JSON Lines
    reader of the files the service takes (names to screen, customers to import)."""
    file = str(path)
    with path.open(encoding="utf-8-sig") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            value = load_json(text, file=file, line=number)
            if not isinstance(value, dict):
                raise InputError(f"expected a JSON object{what} per line", file=file, line=number)
            yield number, value


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, value in jsonl_objects(path):
        yield number, {str(k).strip().lower(): v for k, v in value.items()}


def _parquet_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    file = str(path)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'chipguard[spark]'", file=file) from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise InputError(f"not a readable Parquet file: {exc}", file=file) from None
    columns = [c.lower() for c in pf.schema_arrow.names]
    require_columns(columns, file)
    wanted = [n for n in pf.schema_arrow.names if n.lower() in COLUMNS]
    number = 0
    for batch in pf.iter_batches(columns=wanted, batch_size=10_000):
        for record in batch.to_pylist():
            number += 1
            yield number, {str(k).lower(): v for k, v in record.items()}


def read_input(
    path: Path, fmt: str | None = None, *, names_checked_later: bool = False, max_rows: int | None = None
) -> list[QueryRow]:
    """Reads and validates the whole input; InputError with every bad row (up to 20) if any is bad.

    A file of more than ``max_rows`` rows (default: the ``CHIPGUARD_MAX_FILE_ROWS`` setting, 2,000,000)
    is refused at the first row past the limit — the rows are held in memory until all are valid, so an
    unbounded file would be unbounded memory.

    Columns: id, name, kind, country and the evidence fields (date_of_birth, nationality,
    registration_number, lei, imo, address, website); any other column is an error. An id may repeat (the output keeps one row
    per input row, in input order).

    ``names_checked_later``: whether a name has anything to compare (letters or digits in any script) is
    left to the screening pass (``chipguard screen-file`` reports such rows the same way), unless another
    row is bad anyway. Why: screening tells anyway, in the worker processes; here the check would cost
    the one core reading the file ~6 µs a row (``readable`` asks the cleaned text, not the analysis)."""
    from chipguard.match.screener import readable
    from chipguard.settings import settings

    path = path.expanduser()
    file = str(path)
    if not path.exists():
        raise InputError("file not found", file=file)
    if path.is_dir():
        raise InputError("is a directory, expected a file", file=file)
    kind = detect_format(path, fmt)
    reader = {"csv": _csv_records, "jsonl": _jsonl_records, "parquet": _parquet_records}[kind]
    limit = settings().max_file_rows if max_rows is None else max_rows
    rows: list[QueryRow] = []
    errors: list[InputError] = []
    try:
        for count, (line, record) in enumerate(reader(path), start=1):
            if count > limit:
                raise InputError(
                    f"more than {limit:,} rows: split the file (or raise CHIPGUARD_MAX_FILE_ROWS); "
                    "nothing screened",
                    file=file,
                    line=line,
                )
            try:
                rows.append(
                    validate(
                        record,
                        position=len(rows),
                        file=file,
                        line=line,
                        check_readable=not names_checked_later,
                    )
                )
            except InputError as exc:
                errors.append(exc)
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", file=file) from exc
    except csv.Error as exc:
        raise InputError(f"unreadable CSV: {exc}", file=file) from exc
    if errors and names_checked_later:
        # the file is bad anyway: report every bad row in one go, unreadable names included
        errors += [unreadable_name(file, row.line) for row in rows if not readable(row.name)]
        errors.sort(key=lambda e: e.line or 0)
    if errors:
        raise bad_rows(errors, MAX_ERRORS_SHOWN)
    if not rows:
        raise InputError("no rows to screen", file=file)
    return rows


UPLOAD_SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


T = TypeVar("T")


def read_upload(
    file_name: str, content: bytes, fmt: str | None, reader: Callable[[Path, str | None], T]
) -> T:
    """``reader`` run on an uploaded file (the web UI's form, a REST body): the bytes are written to a
    private temporary file the readers need, and every error names the uploaded file's name, never the
    temporary copy."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in file_name)[:120] or "upload"
    with tempfile.TemporaryDirectory(prefix="chipguard-upload-") as folder:
        path = Path(folder, safe)
        if fmt is not None and fmt in UPLOAD_SUFFIXES and not safe.endswith(UPLOAD_SUFFIXES[fmt]):
            path = path.with_name(safe + UPLOAD_SUFFIXES[fmt])
        path.write_bytes(content)
        try:
            return reader(path, fmt)
        except InputError as exc:
            raise InputError(
                exc.detail.replace(str(path), file_name),
                file=file_name if exc.file else None,
                line=exc.line,
                field=exc.field,
            ) from None
