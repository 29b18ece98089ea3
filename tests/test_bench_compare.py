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


def test_the_chinese_persons_mix_is_reproducible_and_chinese(shared: Path) -> None:
    """``--mix chinese``: the same queries each time, every one a Chinese person's name of two to four
    words, half of them or so written in Wade-Giles (read into Pinyin), kind person or none given."""
    from chipguard.names.wade_giles import name_words, pinyin_readings

    queries, warm = compare.chinese_person_mix(shared, 400)
    again, warm_again = compare.chinese_person_mix(shared, 400)
    assert queries == again and warm == warm_again
    assert len(queries) == 400 and len(warm) == 300
    names = [name for name, _kind in queries]
    assert len(set(names) | set(warm)) == 700  # no name twice
    assert {kind for _name, kind in queries} == {"person", None}
    assert all(name_words(name) for name in names)
    wade = sum(1 for name in names if pinyin_readings(name))
    assert 0.4 < wade / len(names) < 0.7


def test_the_chinese_organisations_mix_is_reproducible_and_chinese(shared: Path) -> None:
    """``--mix chinese-org``: the same queries each time, every one a name in Chinese script screened as an
    organisation, none twice, the warm-up names other than the pass's."""
    from chipguard.names.chinese import has_han

    queries, warm = compare.chinese_org_mix(shared, 2000)
    again, warm_again = compare.chinese_org_mix(shared, 2000)
    assert queries == again and warm == warm_again
    assert len(queries) == 2000 and len(warm) == 300
    names = [name for name, _kind in queries]
    assert all(has_han(name) for name in names + warm)
    assert {kind for _name, kind in queries} == {"org"}
    assert not set(names) & set(warm)
