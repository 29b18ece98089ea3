"""The compiled scorer and analyser (chipguard.native): used only when built from exactly the sources beside
them, pure Python otherwise or on request, and the same answer either way — every hit of the dev sets,
with its score and explanation, screened through both.

The comparison needs the compiled build (`make test` builds it; `python -m chipguard.native build`): absent
or stale it skips, unless CHIPGUARD_REQUIRE_COMPILED is on (`.ci/run`), where it fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chipguard import native
from chipguard.settings import settings

REPO = Path(__file__).resolve().parent.parent
PROBE = (
    "import importlib, json, chipguard.native as n; "
    "files = [importlib.import_module(m).__file__ for m in n.COMPILED]; "
    "print(json.dumps([n.status().scorer, n.status().reason, *files]))"
)


def _current_build() -> None:
    """Skip (or, under CHIPGUARD_REQUIRE_COMPILED, fail) without a usable build of these sources."""
    status = native.check(native.BUILD_DIR)[0]
    if not status.compiled:
        message = f"no current compiled build ({status.reason})"
        if settings().require_compiled:
            pytest.fail(message)
        pytest.skip(message)


def test_the_build_compiles_the_scorer_the_analyser_retrieval_the_mapped_index_and_pair_scoring() -> None:
    """The five hot modules of a screening query; their order is the probe's (and mypyc's group)."""
    assert native.COMPILED == (
        "chipguard.names.analysis",
        "chipguard.match.score",
        "chipguard.match.index",
        "chipguard.match.indexfile",
        "chipguard.match.pairs",
    )


def _probe(env: dict[str, str], pythonpath: Path = REPO) -> list[str]:
    env = {**os.environ, **env, "PYTHONPATH": str(pythonpath)}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=pythonpath, capture_output=True, text=True, check=True
    )
    return list(json.loads(run.stdout))


def _fake_build(build_dir: Path, hashes: dict[str, str]) -> None:
    """A build folder as the build writes it (empty extension files: only check() reads it)."""
    suffix = native.extension_suffix()
    files = {name: name.replace(".", "/") + suffix for name in native.COMPILED}
    files[native.SHARED_LIB] = native.SHARED_LIB + suffix
    for rel in files.values():
        (build_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (build_dir / rel).write_bytes(b"")
    manifest = {
        "format": native.FORMAT,
        "cache_tag": sys.implementation.cache_tag,
        "mypy": "test",
        "built": "now",
        "files": files,
        "sources": hashes,
    }
    (build_dir / native.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_the_build_records_the_modules_and_every_chipguard_module_they_import() -> None:
    rels = [p.relative_to(REPO).as_posix() for p in native.sources()]
    assert "chipguard/match/score.py" in rels and "chipguard/names/analysis.py" in rels
    # what mypyc compiles against: the scorer's configuration, the vocabulary, the packages on the way
    for rel in ("chipguard/match/config.py", "chipguard/names/vocab.py", "chipguard/match/__init__.py"):
        assert rel in rels
    assert not any(rel.startswith(("chipguard/store/", "chipguard/api/", "chipguard/cli/")) for rel in rels)


def test_a_build_is_used_only_while_every_recorded_source_has_its_hash(tmp_path: Path) -> None:
    hashes = native.source_hashes()
    _fake_build(tmp_path, hashes)
    assert native.check(tmp_path)[0].compiled
    # an edited score.py: pure Python, and the reason names the file
    _fake_build(tmp_path, {**hashes, "chipguard/match/score.py": "0" * 64})
    status = native.check(tmp_path)[0]
    assert not status.compiled and "chipguard/match/score.py changed" in status.reason
    # a source the build recorded that is gone
    _fake_build(tmp_path, {**hashes, "chipguard/match/gone.py": "0" * 64})
    assert not native.check(tmp_path)[0].compiled
    # another Python's build, a missing extension, no manifest at all
    _fake_build(tmp_path, hashes)
    manifest = json.loads((tmp_path / native.MANIFEST).read_text(encoding="utf-8"))
    (tmp_path / native.MANIFEST).write_text(json.dumps({**manifest, "cache_tag": "cpython-39"}))
    assert "another Python" in native.check(tmp_path)[0].reason
    _fake_build(tmp_path, hashes)
    (tmp_path / (native.SHARED_LIB + native.extension_suffix())).unlink()
    assert "no extension" in native.check(tmp_path)[0].reason
    (tmp_path / native.MANIFEST).unlink()
    assert "not built" in native.check(tmp_path)[0].reason


def test_the_setting_runs_pure_python_and_says_so() -> None:
    scorer, reason, *files = _probe({"CHIPGUARD_PURE_PYTHON": "1"})
    assert scorer == "pure" and "CHIPGUARD_PURE_PYTHON" in reason
    assert files == [str(REPO / (m.replace(".", "/") + ".py")) for m in native.COMPILED]


def test_the_current_build_is_what_a_process_imports() -> None:
    _current_build()
    scorer, _reason, *files = _probe({"CHIPGUARD_PURE_PYTHON": "0"})
    assert scorer == "compiled" and len(files) == len(native.COMPILED) == 5
    for module, file in zip(native.COMPILED, files, strict=True):
        assert file == str(native.BUILD_DIR / (module.replace(".", "/") + native.extension_suffix()))


def test_chipguard_version_says_which_scorer_runs() -> None:
    from typer.testing import CliRunner

    from chipguard import ENGINE_VERSION
    from chipguard.cli import app

    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [ENGINE_VERSION, f"scorer: {native.status().describe()}"]
    assert result.output.splitlines()[1].startswith(("scorer: compiled (mypyc): ", "scorer: pure Python: "))


def test_this_suite_runs_on_the_compiled_modules_when_they_are_built() -> None:
    """Every other test of this process then exercises the compiled scorer, the ones that set the scorer's
    configuration through ``score.scorer_config`` included (a compiled module looks up a name it imported
    from a Python module in its globals at each call, so the patch reaches it)."""
    _current_build()
    from chipguard.match import index, indexfile, pairs, score
    from chipguard.names import analysis

    assert native.status().compiled
    for module in (analysis, score, index, indexfile, pairs):
        assert str(module.__file__).endswith(native.extension_suffix()), module.__name__


def test_an_edited_source_runs_as_edited_until_it_is_rebuilt(tmp_path: Path) -> None:
    """A checkout with its build, indexfile.py then edited: the edited Python runs, every compiled module
    pure."""
    _current_build()
    copy = tmp_path / "checkout" / "chipguard"
    shutil.copytree(REPO / "chipguard", copy, ignore=shutil.ignore_patterns("__pycache__"))
    scorer, _reason, *files = _probe({"CHIPGUARD_PURE_PYTHON": "0"}, copy.parent)
    assert scorer == "compiled" and all(Path(file).is_relative_to(copy) for file in files)
    with (copy / "match" / "indexfile.py").open("a", encoding="utf-8") as fh:
        fh.write("\nEDITED = True\n")
    scorer, reason, *files = _probe({"CHIPGUARD_PURE_PYTHON": "0"}, copy.parent)
    assert scorer == "pure" and "chipguard/match/indexfile.py changed since the build" in reason
    # all or nothing: every compiled module is imported from its source, not only the edited one
    assert files == [str(copy.parent / (m.replace(".", "/") + ".py")) for m in native.COMPILED]


@pytest.mark.slow
def test_compiled_and_pure_python_give_the_same_hits_scores_and_explanations(
    shared: Path, tmp_path: Path
) -> None:
    """tools/dump_hits.py --quick through both: the CSL screening queries (mapped and in-memory index), the
    real Chinese queries and the cross-script set — every hit's full record, line by line."""
    _current_build()
    lines: dict[str, dict[str, list[str]]] = {}
    for mode, pure in (("pure", "1"), ("compiled", "0")):
        out = tmp_path / mode
        env = {**os.environ, "PYTHONPATH": str(REPO), "CHIPGUARD_PURE_PYTHON": pure}
        command = [sys.executable, str(REPO / "tools" / "dump_hits.py"), "--quick", "--shared", str(shared)]
        subprocess.run([*command, "--out", str(out)], env=env, check=True, capture_output=True)
        lines[mode] = {
            p.stem: p.read_text(encoding="utf-8").splitlines() for p in sorted(out.glob("*.jsonl"))
        }
    assert (
        sorted(lines["pure"])
        == sorted(lines["compiled"])
        == [
            "real_cn",
            "screening",
            "screening_in_memory",
            "xscript",
        ]
    )
    hits = 0
    for label, pure_lines in lines["pure"].items():
        compiled_lines = lines["compiled"][label]
        assert len(pure_lines) == len(compiled_lines) >= 50, label
        for pure_line, compiled_line in zip(pure_lines, compiled_lines, strict=True):
            assert compiled_line == pure_line, (label, json.loads(pure_line)["q"])
            hits += len(json.loads(pure_line)["hits"])
    assert hits > 1000  # the sets do hit: the comparison is of real hits, not of empty lists
