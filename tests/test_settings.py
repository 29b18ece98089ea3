"""The one settings object: every CHIPGUARD_* variable parsed in chipguard/settings.py, a bad value refused
naming the variable, the README's table generated from it, and the one reference-data override root
(CHIPGUARD_DATA_OVERRIDES) used by the rules, the names data, the hardware data and the list-source
configuration alike."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipguard import config, refdata
from chipguard.cli import app
from chipguard.errors import InputError
from chipguard.names.data import name_data_file
from chipguard.ownership.regimes import load_regimes
from chipguard.policy.rules import default_rule_set, override_dir
from chipguard.settings import RETIRED, VARIABLES, Settings, markdown_table, settings
from chipguard.store.snapshot_sources import load_config

REPO = Path(__file__).resolve().parent.parent


def test_defaults_follow_the_home() -> None:
    s = Settings.from_env({"HOME": "/nowhere", "CHIPGUARD_HOME": "/srv/cg"})
    assert s.home == Path("/srv/cg")
    assert s.data_overrides == Path("/srv/cg/data")
    assert s.database_url is None and s.audit_key is None and s.match_threshold is None
    assert (s.rate_per_sec, s.rate_burst, s.max_body_bytes) == (50.0, 100.0, 1 << 20)
    assert (s.index_cache, s.ui_secure_cookies, s.log_level, s.ui_session_hours) == (True, False, "INFO", 8.0)


def test_values_are_parsed_to_their_types() -> None:
    s = Settings.from_env(
        {
            "CHIPGUARD_HOME": "/srv/cg",
            "CHIPGUARD_DATA_OVERRIDES": "/etc/chipguard/data",
            "CHIPGUARD_MATCH_THRESHOLD": "0.97",
            "CHIPGUARD_INDEX_CACHE": "off",
            "CHIPGUARD_RATE_PER_SEC": "0.5",
            "CHIPGUARD_MAX_BODY_BYTES": "4096",
            "CHIPGUARD_LOG_LEVEL": "warning",
            "CHIPGUARD_UI_SECURE_COOKIES": "1",
            "CHIPGUARD_TEST_PG_URL": "postgresql://pg@127.0.0.1/db",
            "CHIPGUARD_RATE_BURST": "  ",  # blank: the default
        }
    )
    assert s.data_overrides == Path("/etc/chipguard/data")
    assert (s.match_threshold, s.index_cache, s.rate_per_sec, s.max_body_bytes) == (0.97, False, 0.5, 4096)
    assert (s.log_level, s.ui_secure_cookies, s.rate_burst) == ("WARNING", True, 100.0)
    assert s.test_pg_url == "postgresql+psycopg://pg@127.0.0.1/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHIPGUARD_RATE_PER_SEC", "fast"),
        ("CHIPGUARD_RATE_BURST", "0"),
        ("CHIPGUARD_MAX_BODY_BYTES", "1MB"),
        ("CHIPGUARD_UI_SESSION_HOURS", "-1"),
        ("CHIPGUARD_INDEX_CACHE", "maybe"),
        ("CHIPGUARD_LOG_LEVEL", "loud"),
        ("CHIPGUARD_MATCH_THRESHOLD", "nan"),
        ("CHIPGUARD_LISTS_MAX_AGE_DAYS", "soon"),
        ("CHIPGUARD_REQUIRE_SPARK", "sometimes"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(InputError) as caught:
        Settings.from_env({name: value})
    assert caught.value.field == name
    assert name in str(caught.value) and repr(value) in str(caught.value)


@pytest.mark.parametrize("name", sorted(RETIRED))
def test_a_retired_variable_is_refused_with_where_its_files_go(name: str) -> None:
    with pytest.raises(InputError, match="CHIPGUARD_DATA_OVERRIDES") as caught:
        Settings.from_env({name: "/etc/chipguard/old"})
    assert caught.value.field == name


def test_settings_follow_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings().home == home
    assert settings() is settings()  # parsed once while nothing changed
    monkeypatch.setenv("CHIPGUARD_RATE_PER_SEC", "7")
    assert settings().rate_per_sec == 7.0
    monkeypatch.setenv("CHIPGUARD_RATE_PER_SEC", "seven")
    with pytest.raises(InputError, match="CHIPGUARD_RATE_PER_SEC"):
        settings()


def test_the_cli_reports_a_bad_variable_and_exits_non_zero(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPGUARD_LISTS_MAX_AGE_DAYS", "soon")
    result = CliRunner().invoke(app, ["lists"])
    assert result.exit_code != 0
    assert "CHIPGUARD_LISTS_MAX_AGE_DAYS" in result.output
    assert "Traceback" not in result.output


def test_every_variable_is_documented_once() -> None:
    names = [var.env for _, var in VARIABLES]
    assert len(names) == len(set(names))
    for _, var in VARIABLES:
        assert re.fullmatch(r"CHIPGUARD_[A-Z0-9_]+", var.env)
        assert var.meaning.strip() and var.shown.strip()


def test_the_readme_table_is_the_one_settings_generates() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- settings-table:start -->\n(.*?)<!-- settings-table:end -->", readme, re.S)
    assert found is not None, "README.md has no generated settings table"
    assert found.group(1) == markdown_table(), "regenerate it: python -m chipguard.settings"


def test_one_override_root_serves_rules_names_hardware_and_list_sources(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same folder, laid out like chipguard/data, overrides each kind of reference data."""
    root = tmp_path / "overrides"
    bundled_policy = (config.data_dir() / "rules" / "provider_policy.yml").read_text(encoding="utf-8")
    for rel, text in {
        "rules/provider_policy.yml": bundled_policy.replace('version: "', 'version: "override-', 1),
        "names/stopwords.yml": (config.data_dir() / "names" / "stopwords.yml").read_text(encoding="utf-8"),
        "geo/country_groups.yml": (config.data_dir() / "geo" / "country_groups.yml").read_text(
            encoding="utf-8"
        ),
        "ownership/regimes.yml": (config.data_dir() / "ownership" / "regimes.yml").read_text(
            encoding="utf-8"
        ),
        "list_sources.yml": "max_age_days: 12\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")

    assert override_dir() is None  # nothing at the default root ($CHIPGUARD_HOME/data) yet
    bundled_rules = default_rule_set()
    monkeypatch.setenv("CHIPGUARD_DATA_OVERRIDES", str(root))
    assert override_dir() == root / "rules"
    assert default_rule_set().files["provider_policy.yml"].startswith("override-")
    assert not bundled_rules.files["provider_policy.yml"].startswith("override-")
    assert name_data_file("names/stopwords.yml") == root / "names" / "stopwords.yml"
    assert name_data_file("names/symbols.yml") == config.data_dir() / "names" / "symbols.yml"
    assert refdata.current(refresh=True).file("geo/country_groups.yml").origin == "override"
    assert load_config().max_age_days == 12
    assert Path(load_regimes().file) == root / "ownership" / "regimes.yml"


def test_the_former_home_list_sources_file_is_refused(home: Path) -> None:
    """$CHIPGUARD_HOME/list_sources.yml was read before the one override root: refused, not ignored."""
    (home / "list_sources.yml").write_text("max_age_days: 7\n", encoding="utf-8")
    with pytest.raises(InputError, match="no longer read") as caught:
        load_config()
    assert caught.value.file == str(home / "list_sources.yml")


PACKAGE = REPO / "chipguard"
VARIABLE_NAME = re.compile(r"CHIPGUARD_[A-Z0-9_]*")  # in code, even the bare prefix (an f-string's start)
MENTION = re.compile(r"CHIPGUARD_[A-Z0-9][A-Z0-9_]*")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (a docstring may name a variable: that is documentation, not a read)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def test_no_module_but_settings_names_a_variable_in_code() -> None:
    """A module reading os.environ (or os.getenv) for a CHIPGUARD_* variable has to name it in a string;
    outside chipguard/settings.py no code string may be a variable name (or start one, as an f-string
    would), so every read goes through settings() and every variable is declared there."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "settings.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and VARIABLE_NAME.fullmatch(node.value)
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    assert offenders == [], "read these through chipguard.settings:\n" + "\n".join(offenders)


def test_every_variable_the_project_mentions_is_declared() -> None:
    """Code, docs and scripts name only declared (or retired) variables: a new one is added to Settings
    (and so to the README table) or it does not exist."""
    known = {var.env for _, var in VARIABLES} | set(RETIRED)
    texts = [
        *PACKAGE.rglob("*.py"),
        *PACKAGE.rglob("*.yml"),
        *(REPO / "docs").glob("*.md"),
        REPO / "README.md",
    ]
    texts += [
        *(REPO / "tests").glob("*.py"),
        *(REPO / "bench").rglob("*.py"),
        REPO / ".ci" / "run",
        REPO / "Makefile",
    ]
    unknown = set()
    for path in texts:
        if path.is_file():
            for name in MENTION.findall(path.read_text(encoding="utf-8")):
                if name not in known:
                    unknown.add(f"{name} ({path.relative_to(REPO)})")
    assert sorted(unknown) == []
