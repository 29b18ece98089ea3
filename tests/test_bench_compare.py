"""bench.compare: two checkouts' fresh workers alternated, each with the index file its own code built; the
same code on both sides gives the same hits and digest, and a code that would screen in pure Python or a
folder that is no checkout is refused with exit 2 (a comparison of the interpreter is no comparison)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import compare
from chipguard import native

REPO = Path(__file__).resolve().parents[1]


def test_a_folder_without_chipguard_is_refused(tmp_path: Path, shared: Path, capsys) -> None:
    code = compare.main(["--shared", str(shared), str(REPO), str(tmp_path), "--rounds", "1"])
    assert code == 2
    assert "holds no chipguard package" in capsys.readouterr().err


def test_the_same_code_on_both_sides_reads_the_same_hits(tmp_path: Path, shared: Path, capsys) -> None:
    args = ["--shared", str(shared), str(REPO), str(REPO), "--rounds", "2", "--queries", "40"]
    code = compare.main([*args, "--work", str(tmp_path)])
    out, err = capsys.readouterr()
    if not native.status().compiled:
        assert code == 2 and "pure Python" in err
        pytest.skip("the compiled modules are not built here: the refusal is what ran")
    assert code == 0, err
    assert "round 1 (A first)" in out and "round 2 (B first)" in out
    assert "paired B / A median" in out
    digests = [
        line.split("digest ")[1].split(";")[0] for line in out.splitlines() if " hits, digest " in line
    ]
    assert len(digests) == 2 and digests[0] == digests[1]
    assert "the two codes' hits differ" not in out
    assert (tmp_path / "index-A.cgix").stat().st_size == (tmp_path / "index-B.cgix").stat().st_size
