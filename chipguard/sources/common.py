"""Helpers every format module shares: bounded reading (plain, gzip, zip members), safe XML iteration,
script detection for aliases and country-name → ISO-2 lookup.

They live in one place so that every format gets the same safety guarantees: a size limit on what is
read *after* decompression (a small gzip or zip can expand to gigabytes), XML without entity expansion
or external references (defusedxml), and errors that name the file, line or record and field.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from chipguard.model import Alias
from chipguard.sources.base import MAX_FILE_BYTES, SourceError, check_size

# A zip member or gzip stream may not expand beyond this: the largest real list member (OFAC
# SDN_ENHANCED.XML) is about 100 MB uncompressed.
MAX_UNCOMPRESSED_BYTES = MAX_FILE_BYTES

# Reference data of the source parsers (country names, …); see its README for provenance.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "sources"


class _LimitedReader(io.RawIOBase):
    """Wraps a binary stream and fails once more than ``limit`` bytes have been read from it, so a
    decompression bomb stops at the limit instead of filling memory."""

    def __init__(self, raw: IO[bytes], limit: int, label: str) -> None:
        self._raw = raw
        self._left = limit
        self._limit = limit
        self._label = label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        data = self._raw.read(min(len(view), self._left + 1))
        if len(data) > self._left:
            raise SourceError(
                f"uncompressed content is over the {self._limit}-byte limit for list files", file=self._label
            )
        self._left -= len(data)
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: Path, limit: int | None = None) -> IO[bytes]:
    """Opens a list file for reading bytes; gzip is decompressed transparently and bounded by ``limit``
    (default: MAX_UNCOMPRESSED_BYTES)."""
    limit = MAX_UNCOMPRESSED_BYTES if limit is None else limit
    check_size(path)
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    stream: Any = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.BufferedReader(_LimitedReader(stream, limit, str(path)))


def open_text(path: Path, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
    """Opens a (possibly gzip-compressed) text list file; a UTF-8 BOM is dropped."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first ``size`` bytes of the *content* (decompressed for gzip; for a zip, of its first list
    member) — what sniff functions look at."""
    with path.open("rb") as fh:
        head = fh.read(size)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(size)
        except (OSError, EOFError):
            return b""
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                member = pick_zip_member(zf, path)
                with zf.open(member) as fh:
                    return fh.read(size)
        except (zipfile.BadZipFile, SourceError, OSError, EOFError):
            return b""
    return head


def pick_zip_member(
    zf: zipfile.ZipFile, path: Path, suffixes: tuple[str, ...] = (".xml",)
) -> zipfile.ZipInfo:
    """The single list member of an archive: the largest file with one of ``suffixes`` (OFAC ships one
    XML per zip). Refuses members whose declared size is over the limit before reading any of them."""
    members = [i for i in zf.infolist() if not i.is_dir() and i.filename.lower().endswith(suffixes)]
    if not members:
        raise SourceError(f"zip archive holds no {'/'.join(suffixes)} member", file=str(path))
    member = max(members, key=lambda i: i.file_size)
    if member.file_size > MAX_UNCOMPRESSED_BYTES:
        raise SourceError(
            f"zip member {member.filename} is {member.file_size} bytes uncompressed, over the "
            f"{MAX_UNCOMPRESSED_BYTES}-byte limit",
            file=str(path),
        )
    return member


def open_xml_source(path: Path) -> IO[bytes]:
    """A bounded binary stream of the XML in ``path``: the file itself, its gzip content, or the XML
    member of a zip archive (read directly, without extracting to disk)."""
    check_size(path)
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        try:
            zf = zipfile.ZipFile(path)
            member = pick_zip_member(zf, path)
            return io.BufferedReader(
                _LimitedReader(zf.open(member), MAX_UNCOMPRESSED_BYTES, f"{path}!{member.filename}")
            )
        except zipfile.BadZipFile as exc:
            raise SourceError(f"not a readable zip archive: {exc}", file=str(path)) from exc
    return open_binary(path)


def local(tag: str) -> str:
    """Element tag without its ``{namespace}``: OFAC and EU files change namespaces between editions."""
    return tag.rsplit("}", 1)[-1]


def iter_xml(path: Path, record_tags: set[str], root_tags: set[str] | None = None) -> Iterator[Element]:
    """Yields each complete element whose local tag is in ``record_tags``, then frees it.

    Parsing is incremental (memory stays flat on the 100 MB OFAC files) and defused: DTDs with entities,
    entity expansion and external references are refused. ``root_tags`` checks the document element so
    that a well-formed XML file of another kind is reported as the wrong format, not as "no records".
    Errors name the file and the XML line.
    """
    label = str(path)
    with open_xml_source(path) as stream:
        try:
            parents: list[Element] = []
            for event, elem in iterparse(stream, events=("start", "end")):
                if event == "start":
                    if not parents and root_tags is not None and local(elem.tag) not in root_tags:
                        raise SourceError(
                            f"unexpected XML document element <{local(elem.tag)}>; expected "
                            + " or ".join(f"<{t}>" for t in sorted(root_tags)),
                            file=label,
                            line=1,
                        )
                    parents.append(elem)
                    continue
                parents.pop()
                if local(elem.tag) in record_tags:
                    yield elem
                    if parents:
                        parents[-1].remove(elem)
        except ParseError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else None
            raise SourceError(f"malformed or truncated XML: {exc.msg}", file=label, line=line) from exc
        except DefusedXmlException as exc:
            raise SourceError(f"unsafe XML refused: {exc}", file=label) from exc
        except UnicodeDecodeError as exc:
            raise SourceError(f"bad text encoding ({exc.reason})", file=label) from exc
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise SourceError(f"unreadable file: {exc}", file=label) from exc


def xml_root_attrs(path: Path) -> dict[str, str]:
    """Attributes of the document element (e.g. UN ``dateGenerated``) without reading the whole file."""
    with open_xml_source(path) as stream:
        try:
            for _event, elem in iterparse(stream, events=("start",)):
                return dict(elem.attrib)
        except (ParseError, DefusedXmlException, UnicodeDecodeError, OSError, EOFError):
            return {}
    return {}


def child_text(elem: Element, name: str) -> str:
    """Stripped text of the first child with local tag ``name`` ("" when absent)."""
    for child in elem:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if local(c.tag) == name]


def descendants(elem: Element, name: str) -> list[Element]:
    return [c for c in elem.iter() if local(c.tag) == name]


# --- scripts -----------------------------------------------------------------------------------------

# Unicode character-name prefixes → ISO 15924 codes. Only scripts that occur in sanctions lists.
_SCRIPT_PREFIXES = (
    ("CJK", "Hani"),
    ("HIRAGANA", "Hira"),
    ("KATAKANA", "Kana"),
    ("HANGUL", "Hang"),
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
    ("GREEK", "Grek"),
    ("HEBREW", "Hebr"),
    ("DEVANAGARI", "Deva"),
    ("BENGALI", "Beng"),
    ("THAI", "Thai"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("ETHIOPIC", "Ethi"),
    ("MYANMAR", "Mymr"),
    ("KHMER", "Khmr"),
    ("TAMIL", "Taml"),
    ("SYRIAC", "Syrc"),
    ("THAANA", "Thaa"),
    ("LAO", "Laoo"),
    ("TIBETAN", "Tibt"),
    ("MONGOLIAN", "Mong"),
    ("LATIN", "Latn"),
)


@lru_cache(maxsize=8192)
def _char_script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for prefix, code in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return code
    return ""


def detect_script(text: str) -> str:
    """ISO 15924 code of the script most letters of ``text`` are written in.

    Mixed Han + kana is Japanese (Jpan), Han + Hangul Korean (Kore); names with no letters count as
    Latin. Matchers route non-Latin names to transliteration by this code.
    """
    if text.isascii():
        return "Latn"  # most list names: skip the per-character lookup
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            code = _char_script(ch) or "Zyyy"
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return "Latn"
    if "Hani" in counts and ("Hira" in counts or "Kana" in counts):
        return "Jpan"
    if "Hani" in counts and "Hang" in counts:
        return "Kore"
    if "Hira" in counts or "Kana" in counts:
        return "Jpan"
    non_latin = {k: v for k, v in counts.items() if k not in ("Latn", "Zyyy")}
    if non_latin:
        return max(non_latin.items(), key=lambda kv: kv[1])[0]
    return "Latn"


# --- countries -----------------------------------------------------------------------------------------


def _country_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    data = (DATA_DIR / "country_names.csv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(data)):
        table[_country_key(row["name"])] = row["code"]
        table[row["code"].casefold()] = row["code"]
    return table


def country_code(value: str) -> str:
    """ISO 3166-1 alpha-2 for a country name, alpha-2 code or common variant as lists write them
    ("Korea, North", "Iran (Islamic Republic of)", "Burma", "Russian"); "" when unknown."""
    value = (value or "").strip()
    if not value or value in ("-0-", "00"):
        return ""
    if len(value) == 2 and value.isalpha():
        return value.upper() if value.upper() != "UK" else "GB"
    table = _country_table()
    key = _country_key(value)
    if key in table:
        return table[key]
    # "Pakistan (location as at May 2008)", "Hebron, West Bank" → try the parts
    stripped = re.sub(r"\s*\(.*?\)\s*", " ", value).strip()
    if stripped != value and _country_key(stripped) in table:
        return table[_country_key(stripped)]
    return ""


def add_country(countries: list[str], value: str) -> None:
    """Appends the ISO code of ``value`` to ``countries`` once (keeps the list's order of first mention)."""
    code = country_code(value)
    if code and code not in countries:
        countries.append(code)


def sniff_text(head: bytes) -> str:
    """The head of a file as text for sniffing (BOM dropped, bad bytes replaced)."""
    return head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def first_line(head: bytes) -> str:
    return sniff_text(head).split("\n", 1)[0].strip("\r")


def csv_rows(path: Path, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every row of a CSV list file, with encoding and CSV errors turned
    into SourceErrors naming the file and line."""
    try:
        with open_text(path) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            line = 1
            for row in reader:
                yield line, row
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", file=str(path)) from exc
    except csv.Error as exc:
        raise SourceError(f"unreadable CSV: {exc}", file=str(path)) from exc
    except (OSError, EOFError) as exc:
        raise SourceError(f"unreadable file: {exc}", file=str(path)) from exc


def header_rows(
    path: Path,
    required: tuple[str, ...],
    what: str,
    *,
    delimiter: str = ",",
    lower: bool = False,
    preamble: Callable[[list[str]], bool] | None = None,
) -> list[tuple[int, dict[str, str]]]:
    """(line, row as dict) for every non-blank row of a headed CSV list, after checking that the header
    names every required column (``what`` names the format in the error) and that each row has as many
    cells as the header. ``lower`` folds header names to lower case (user-written custom lists);
    ``preamble`` is shown each row before the header and returns True for rows to skip (the UK list's
    "Last Updated" line)."""
    check_size(path)
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in csv_rows(path, delimiter=delimiter):
        if not header:
            if preamble is not None and preamble(cells):
                continue
            header = [c.strip().lower() if lower else c.strip() for c in cells]
            missing = [c for c in required if c not in header]
            if missing:
                raise SourceError(
                    f"not a {what} header: missing column(s) {', '.join(missing)}",
                    file=str(path),
                    line=line,
                    field=missing[0],
                )
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise SourceError(
                f"row has {len(cells)} cells, the header {len(header)}", file=str(path), line=line
            )
        rows.append((line, {k: v.strip() for k, v in zip(header, cells, strict=True)}))
    if not header:
        raise SourceError("no header row", file=str(path))
    if not rows:
        raise SourceError("no records", file=str(path))
    return rows


SniffFn = Callable[[Path, bytes], bool]


_PAREN_SCRIPT = re.compile(r"^(?P<outer>[^()]+?)\s*\((?:original script:\s*)?(?P<inner>[^()]+)\)\s*$", re.I)


def script_aliases(name: str, kind: str) -> list[Alias]:
    """One alias per script: lists write "Jin Tiesan (金铁三)" or "Abubakar (original script: Абубакар)",
    which are two names — a Latin one and the same in its own script — and must be matched separately."""
    name = name.strip()
    match = _PAREN_SCRIPT.match(name)
    if match:
        outer, inner = match.group("outer").strip(), match.group("inner").strip()
        outer_script, inner_script = detect_script(outer), detect_script(inner)
        if outer_script != inner_script:
            if inner_script == "Latn":  # "صدام (Saddam)": the Latin form is the alias proper
                return [Alias(outer, outer_script, "original_script"), Alias(inner, inner_script, kind)]
            return [Alias(outer, outer_script, kind), Alias(inner, inner_script, "original_script")]
    return [Alias(name, detect_script(name), kind)]


_QUOTE_RUN = re.compile(rb'"+')
_FIELD_START = frozenset(b",;\t|\r\n")


TRUNCATED_CSV = (
    "the file ends inside an open quoted field: it was cut off (an interrupted download or copy?); "
    "nothing was read"
)


def ends_inside_quote(path: Path, chunk_size: int = 1 << 20) -> bool:
    """Whether a CSV file ends inside an open quoted field: the mark of a file cut off mid-record (an
    interrupted download or copy). Python's csv reader in its default mode silently returns the cut
    field as the last value, so such a file would load as complete with its tail missing.

    Reads bytes (the quote is ASCII in every encoding a list uses), quote runs only, in chunks: a quote
    opens a field when it stands at a field start (file start, after a delimiter or a line end);
    inside a field doubled quotes are literal and an odd run closes it; a quote inside an unquoted
    field (``5" drive``) is text."""
    in_quote = False
    before = b"\n"[0]  # the byte before the current chunk: the file start counts as a line start
    carry = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(chunk_size)
            data = carry + chunk
            if chunk:
                # a quote run at the chunk's end may go on in the next chunk: keep it for then
                stripped = data.rstrip(b'"')
                carry, data = data[len(stripped) :], stripped
            else:
                carry = b""
            for match in _QUOTE_RUN.finditer(data):
                run = match.end() - match.start()
                if not in_quote:
                    prev = data[match.start() - 1] if match.start() else before
                    if prev not in _FIELD_START:
                        continue
                    in_quote, run = True, run - 1
                if run % 2 == 1:
                    in_quote = False
            if data:
                before = data[-1]
            if not chunk:
                return in_quote
