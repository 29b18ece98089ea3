"""Every ``CHIPGUARD_*`` environment variable in one place: its type, its default and what it does.

Why one file: a deployment must be able to see every knob at once (the README's Configuration table is
generated from this module and a test keeps the two equal), a typo in a value must fail loudly naming the
variable instead of silently falling back to a default, and no other module reads ``os.environ`` for a
``CHIPGUARD_*`` name (a test walks the package's AST to keep it so).

Reference data has one override root, ``CHIPGUARD_DATA_OVERRIDES`` (default ``$CHIPGUARD_HOME/data``): a
folder laid out like ``chipguard/data`` whose files replace the bundled ones — policy rules under
``rules/``, name-matching data under ``names/`` and ``zh/``, hardware and geography files, and
``list_sources.yml`` (merged over the bundled one, source by source). The variables it replaced are
refused with a message saying where their files go now (``RETIRED``), so an upgrade cannot silently drop
a compliance team's stricter rule.

Interface::

    settings() -> Settings        # the environment as parsed now (re-read when a CHIPGUARD_* value changed)
    Settings.from_env(mapping)    # parse a given environment; InputError naming the variable when bad
    VARIABLES                     # (field name, Var) for every variable, in table order
    env_name(field) -> str        # the variable behind a field (for code that sets it for a child process)
    markdown_table() -> str       # the README table

Deliberately stdlib only: the CLI imports this on every start.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.limits import LIMITS

Parser = Callable[[str, str], Any]  # (variable name, raw text) → value; raises InputError


def _problem(env: str, raw: str, expected: str) -> InputError:
    return InputError(f"{raw!r} is not {expected} (environment variable {env})", field=env)


def _text(env: str, raw: str) -> str:
    return raw


def _path(env: str, raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def _number(env: str, raw: str, *, positive: bool = False) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise _problem(env, raw, "a number") from None
    if not math.isfinite(value):
        raise _problem(env, raw, "a finite number")
    if positive and value <= 0:
        raise _problem(env, raw, "a number above 0")
    if value < 0:
        raise _problem(env, raw, "a number of 0 or more")
    return value


def _positive(env: str, raw: str) -> float:
    return _number(env, raw, positive=True)


def _non_negative(env: str, raw: str) -> float:
    return _number(env, raw)


def _score(env: str, raw: str) -> float:
    """A name score from 0 to 1: a threshold above 1 would let no name match (every screen clean)."""
    value = _number(env, raw)
    if value > 1:
        raise _problem(env, raw, "a score from 0 to 1")
    return value


def _count_of(unit: str) -> Parser:
    """A parser of a positive whole number of ``unit`` (bytes, rows)."""

    def parse(env: str, raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise _problem(env, raw, f"a whole number of {unit}") from None
        if value <= 0:
            raise _problem(env, raw, f"a number of {unit} above 0")
        return value

    return parse


_byte_count = _count_of("bytes")
_row_count = _count_of("rows")


def _worker_count(env: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise _problem(env, raw, "a whole number") from None
    if not 1 <= value <= 64:
        raise _problem(env, raw, "a number from 1 to 64")
    return value


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(env: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _problem(env, raw, f"a yes/no flag ({'/'.join(_TRUE)} or {'/'.join(_FALSE)})")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(env: str, raw: str) -> str:
    value = raw.strip().upper()
    if value not in LOG_LEVELS:
        raise _problem(env, raw, f"a log level ({', '.join(LOG_LEVELS)}; any case)")
    return value


def _proxies(env: str, raw: str) -> str:
    return ",".join(part.strip() for part in raw.split(",") if part.strip())


def _pg_url(env: str, raw: str) -> str:
    url = raw.strip()
    if url.startswith("postgresql://"):  # the psycopg 3 driver, which is the one installed
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@dataclass(frozen=True, slots=True)
class Var:
    """One environment variable: its name, how its text is parsed, its default (a value, or a function of
    the settings parsed before it, e.g. the home) and, for the table, how the default reads and what the
    variable does."""

    env: str
    parse: Parser
    default: Any
    shown: str
    meaning: str
    test_only: bool = False

    def default_for(self, parsed: Mapping[str, Any]) -> Any:
        return self.default(parsed) if callable(self.default) else self.default


def _var(
    env: str,
    parse: Parser,
    default: Any,
    shown: str,
    meaning: str,
    *,
    test_only: bool = False,
    secret: bool = False,
) -> Any:
    return field(metadata={"var": Var(env, parse, default, shown, meaning, test_only)}, repr=not secret)


@dataclass(frozen=True, slots=True)
class Settings:
    """Every ``CHIPGUARD_*`` variable, parsed. An unset or blank variable takes its default."""

    home: Path = _var(
        "CHIPGUARD_HOME",
        _path,
        lambda _: Path.home() / ".chipguard",
        "`~/.chipguard`",
        "Folder of the state: the SQLite store, the audit key, the index cache, the reference-data overrides.",
    )
    database_url: str | None = _var(
        "CHIPGUARD_DATABASE_URL",
        _text,
        None,
        "SQLite file `$CHIPGUARD_HOME/chipguard.db`",
        "SQLAlchemy URL of the store (e.g. `postgresql+psycopg://user@host/db`).",
    )
    data_overrides: Path = _var(
        "CHIPGUARD_DATA_OVERRIDES",
        _path,
        lambda parsed: parsed["home"] / "data",
        "`$CHIPGUARD_HOME/data`",
        "The one reference-data override root, laid out like `chipguard/data`: its files replace the bundled "
        "ones (policy rules in `rules/`, name data in `names/` and `zh/`, hardware, geography); its "
        "`list_sources.yml` is merged over the bundled one.",
    )
    audit_key: str | None = _var(
        "CHIPGUARD_AUDIT_KEY",
        _text,
        None,
        "key file `$CHIPGUARD_HOME/audit.key`, created on first use",
        "HMAC key of audit heads signed before Ed25519 (`CHIPGUARD_SIGNING_KEY` signs now); verify still "
        "checks such a head with it.",
        secret=True,
    )
    checkpoint_dir: Path = _var(
        "CHIPGUARD_CHECKPOINT_DIR",
        _path,
        lambda parsed: parsed["home"] / "checkpoints",
        "`$CHIPGUARD_HOME/checkpoints`",
        "Folder of the audit checkpoint file (`audit-checkpoints.jsonl`): every committed chain head, signed, "
        "appended outside the database so a restored older copy is detected. Put it on other storage.",
    )
    signing_key: Path = _var(
        "CHIPGUARD_SIGNING_KEY",
        _path,
        lambda parsed: Path(f"{parsed['home']}-keys") / "audit-ed25519.key",
        "`$CHIPGUARD_HOME-keys/audit-ed25519.key` (outside the home), created 0600 on first use",
        "Ed25519 private key (PEM) signing the audit chain's head and checkpoints; keep it away from the "
        "database (another volume, a secrets mount).",
    )
    verify_key: Path | None = _var(
        "CHIPGUARD_VERIFY_KEY",
        _path,
        None,
        "the `.pub` file beside the signing key",
        "Ed25519 public key (PEM) `audit verify` checks signatures with; an auditor needs only this file.",
    )
    match_threshold: float | None = _var(
        "CHIPGUARD_MATCH_THRESHOLD",
        _score,
        None,
        "`threshold` in `names/matching.yml`",
        "Name-match score from which a list entry is a hit (recorded with every decision).",
    )
    index_cache: bool = _var(
        "CHIPGUARD_INDEX_CACHE",
        _flag,
        True,
        "on",
        "Keep built screening indexes in `$CHIPGUARD_HOME/cache` (off: build afresh every start).",
    )
    lists_max_age_days: float | None = _var(
        "CHIPGUARD_LISTS_MAX_AGE_DAYS",
        _positive,
        None,
        "`max_age_days` in `list_sources.yml` (30)",
        "Days after which every loaded list is stale (fail closed); wins over the per-source settings.",
    )
    rate_per_sec: float = _var(
        "CHIPGUARD_RATE_PER_SEC",
        _non_negative,
        50.0,
        "50",
        "API: sustained requests per second per key (per worker process).",
    )
    rate_burst: float = _var(
        "CHIPGUARD_RATE_BURST",
        _positive,
        100.0,
        "100",
        "API: the burst of requests a key may send at once.",
    )
    max_body_bytes: int = _var(
        "CHIPGUARD_MAX_BODY_BYTES",
        _byte_count,
        LIMITS.body_bytes,
        "1048576 (1 MiB)",
        "API: larger request bodies are refused with 413.",
    )
    max_file_rows: int = _var(
        "CHIPGUARD_MAX_FILE_ROWS",
        _row_count,
        LIMITS.file_rows,
        "2000000",
        "CLI: rows in one file `chipguard screen-file` or `chipguard batch screen` takes; a larger file is "
        "refused at the first row past it, before anything is screened (split it).",
    )
    job_workers: int = _var(
        "CHIPGUARD_JOB_WORKERS",
        _worker_count,
        1,
        "1",
        "Service: background jobs (screening a file of names, importing customers) run at once per worker "
        "process; more wait queued.",
    )
    log_level: str = _var(
        "CHIPGUARD_LOG_LEVEL",
        _log_level,
        "INFO",
        "INFO",
        "Log level of the service (`chipguard run` and its workers).",
    )
    trusted_proxies: str = _var(
        "CHIPGUARD_TRUSTED_PROXIES",
        _proxies,
        "",
        "none: the TCP peer is the client",
        "Service: comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto headers are "
        "believed (`chipguard run --trusted-proxies` wins).",
    )
    ui_secret: str | None = _var(
        "CHIPGUARD_UI_SECRET",
        _text,
        None,
        "a random secret in `$CHIPGUARD_HOME/ui.secret`, created 0600 on first use",
        "Web UI: key signing session cookies; every worker and host serving the UI needs the same.",
        secret=True,
    )
    ui_session_hours: float = _var(
        "CHIPGUARD_UI_SESSION_HOURS",
        _positive,
        8.0,
        "8",
        "Web UI: absolute lifetime of a session in hours.",
    )
    ui_secure_cookies: bool = _var(
        "CHIPGUARD_UI_SECURE_COOKIES",
        _flag,
        False,
        "off",
        "Web UI: mark cookies `Secure` (turn on behind HTTPS).",
    )
    spark_daemon_index: str | None = _var(
        "CHIPGUARD_SPARK_DAEMON_INDEX",
        _text,
        None,
        "unset: each Spark worker maps the index itself",
        "Set by a chipguard Spark job in its Python workers' environment, never by hand: the job's index "
        "file (JSON: path and sha256), which chipguard's worker daemon maps, checks and decodes once "
        "before it forks the workers.",
    )
    pure_python: bool = _var(
        "CHIPGUARD_PURE_PYTHON",
        _flag,
        False,
        "off",
        "Run the scorer and name analyser as pure Python even when their compiled build (mypyc, "
        "`python -m chipguard.native build`) is present and current. Read when a process first screens.",
    )
    test_pg_url: str | None = _var(
        "CHIPGUARD_TEST_PG_URL",
        _pg_url,
        None,
        "unset: SQLite only",
        "A PostgreSQL server the store, audit and API tests also run on (`.ci/run` sets it).",
        test_only=True,
    )
    ci_pg: str | None = _var(
        "CHIPGUARD_CI_PG",
        _text,
        None,
        "unset",
        "`skip` makes `.ci/run` start no PostgreSQL server (SQLite only).",
        test_only=True,
    )
    require_spark: bool = _var(
        "CHIPGUARD_REQUIRE_SPARK",
        _flag,
        False,
        "off",
        "A missing Spark or Java fails the Spark tests instead of skipping them (`.ci/run`).",
        test_only=True,
    )
    require_compiled: bool = _var(
        "CHIPGUARD_REQUIRE_COMPILED",
        _flag,
        False,
        "off",
        "A missing or stale compiled scorer fails the compiled-against-pure tests instead of skipping them "
        "(`.ci/run`).",
        test_only=True,
    )
    require_browser: bool = _var(
        "CHIPGUARD_REQUIRE_BROWSER",
        _flag,
        False,
        "off",
        "A missing browser fails the web UI tests instead of skipping them (`.ci/run`).",
        test_only=True,
    )
    shared_data: Path = _var(
        "CHIPGUARD_SHARED_DATA",
        _path,
        lambda _: Path(__file__).resolve().parents[2] / "shared" / "data",
        "`../shared/data` next to the checkout",
        "The real lists and bench sets; tests needing them skip when absent.",
        test_only=True,
    )
    chromium: Path = _var(
        "CHIPGUARD_CHROMIUM",
        _path,
        Path("/usr/bin/chromium"),
        "`/usr/bin/chromium`",
        "The browser the web UI tests drive.",
        test_only=True,
    )
    chromedriver: Path = _var(
        "CHIPGUARD_CHROMEDRIVER",
        _path,
        Path("/usr/bin/chromedriver"),
        "`/usr/bin/chromedriver`",
        "The WebDriver for that browser.",
        test_only=True,
    )
    ui_screenshots: Path | None = _var(
        "CHIPGUARD_UI_SCREENSHOTS",
        _path,
        None,
        "unset",
        "A folder the web UI tests save page screenshots to, for a person to look at.",
        test_only=True,
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Parse ``environ``; InputError naming the variable for a bad value or a retired variable."""
        for name, successor in RETIRED.items():
            if environ.get(name, "").strip():
                raise InputError(f"{name} is no longer read: {successor}", field=name)
        parsed: dict[str, Any] = {}
        for name, var in VARIABLES:
            raw = environ.get(var.env, "")
            parsed[name] = var.parse(var.env, raw) if raw.strip() else var.default_for(parsed)
        return cls(**parsed)


VARIABLES: tuple[tuple[str, Var], ...] = tuple((f.name, f.metadata["var"]) for f in fields(Settings))

# Variables of earlier versions, refused with where their content goes now (one override root).
RETIRED: dict[str, str] = {
    "CHIPGUARD_RULES_DIR": "put the rule files in the rules/ folder of CHIPGUARD_DATA_OVERRIDES "
    "(default $CHIPGUARD_HOME/data/rules/)",
    "CHIPGUARD_NAME_DATA_DIR": "put the name-matching files in the names/ and zh/ folders of "
    "CHIPGUARD_DATA_OVERRIDES (default $CHIPGUARD_HOME/data/)",
    "CHIPGUARD_LIST_SOURCES": "put the file at list_sources.yml in CHIPGUARD_DATA_OVERRIDES "
    "(default $CHIPGUARD_HOME/data/list_sources.yml)",
}

# What the cache below depends on: every variable, the retired ones, and HOME (the default home).
_WATCHED: tuple[str, ...] = (*(v.env for _, v in VARIABLES), *RETIRED, "HOME")
_CURRENT: tuple[tuple[Any, ...], Settings] | None = None


def _environment_key() -> tuple[Any, ...]:
    """The raw values of the watched variables. Through ``os.environ``'s own encoded store when it has
    one (CPython's ``_Environ``): about 1 µs instead of the 70 µs of two dozen ``os.environ.get`` calls,
    which matters because the home and the override root are asked for on every decision."""
    data = getattr(os.environ, "_data", None)
    encode = getattr(os.environ, "encodekey", None)
    if isinstance(data, dict) and encode is not None:
        return tuple(map(data.get, _encoded(encode)))
    return tuple(os.environ.get(name) for name in _WATCHED)


_ENCODED: tuple[Any, ...] = ()


def _encoded(encode: Callable[[str], Any]) -> tuple[Any, ...]:
    global _ENCODED
    if not _ENCODED:
        _ENCODED = tuple(encode(name) for name in _WATCHED)
    return _ENCODED


def settings() -> Settings:
    """The settings of the environment as it is now. Parsed once and re-parsed only when one of the
    watched variables changed (tests and ``chipguard run --db`` change them at run time)."""
    global _CURRENT
    key = _environment_key()
    current = _CURRENT
    if current is not None and current[0] == key:
        return current[1]
    parsed = Settings.from_env(os.environ)
    _CURRENT = (key, parsed)
    return parsed


def env_name(name: str) -> str:
    """The environment variable behind the field ``name`` (code setting it for a child process)."""
    for field_name, var in VARIABLES:
        if field_name == name:
            return var.env
    raise KeyError(name)


def markdown_table() -> str:
    """The README's Configuration table: every variable, its default and its meaning."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for _, var in VARIABLES:
        meaning = ("*(tests only)* " if var.test_only else "") + var.meaning
        rows.append(f"| `{var.env}` | {var.shown} | {meaning} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
