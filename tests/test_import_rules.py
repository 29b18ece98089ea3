"""The layers' import rules (tools/check_imports.py, run by ``make lint``): the package keeps them, and the
checker finds each kind of violation in a package that breaks them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_imports", ROOT / "tools" / "check_imports.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_imports"] = module
    spec.loader.exec_module(module)
    return module


def test_chipguard_keeps_its_import_rules() -> None:
    assert _checker().check(ROOT / "chipguard") == []


def _write(root: Path, files: dict[str, str]) -> Path:
    package = root / "chipguard"
    for rel, text in files.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


def test_each_kind_of_violation_is_found(tmp_path: Path) -> None:
    package = _write(
        tmp_path,
        {
            "__init__.py": "",
            "model.py": "",
            "names/__init__.py": "",
            "match/__init__.py": "",
            "match/screener.py": "def f():\n    from chipguard.store import db\n",
            "match/rules.py": "from chipguard.policy import engine\n",
            "policy/__init__.py": "",
            "policy/engine.py": "from chipguard.policy import facts\n",
            "policy/facts.py": "def g():\n    from chipguard.policy.engine import x\n",
            "store/__init__.py": "",
            "store/db.py": "",
            "api/__init__.py": "",
            "api/schemas.py": "",
            "cli/__init__.py": "",
            "cli/service.py": "from chipguard.api.schemas import CustomerModel\n",
            "cli/batch.py": "from chipguard.batch import jobs\n",  # the CLI starts the batch runners: allowed
            "batch/__init__.py": "",
            "batch/jobs.py": "from chipguard.cli import service\n",
            "api/web.py": "def page():\n    from chipguard.batch.jobs import run\n",
        },
    )
    problems = _checker().check(package)
    text = "\n".join(problems)
    assert "core module chipguard.match.screener imports chipguard.store.db (store)" in text
    assert "chipguard.match.rules imports chipguard.policy.engine; match may import only names" in text
    assert "the CLI module chipguard.cli.service imports the REST face (chipguard.api.schemas)" in text
    assert "the batch face module chipguard.batch.jobs imports the CLI (chipguard.cli.service)" in text
    assert "the REST face module chipguard.api.web imports the batch face (chipguard.batch.jobs)" in text
    assert "import cycle: chipguard.policy.engine ↔ chipguard.policy.facts" in text
    assert len(problems) == 6
