"""An archived matching.yml stays replayable: keys added to matching.yml after decisions began archiving
their matching files (2026-11-26) take the value matching_introduced.yml gives them when a file lacks them,
so an auditor's replay of an old decision with today's engine does not stop at the first missing key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from chipguard.errors import InputError
from chipguard.match.config import load
from chipguard.names.data import with_introduced_keys

NAMES = Path(__file__).resolve().parent.parent / "chipguard" / "data" / "names"
# the keys of matching.yml when decisions began archiving it (commit 8b6bd96, 2026-11-26): every key
# added since must be in matching_introduced.yml
FIRST_ARCHIVED_KEYS = {
    "body_kind_similarity", "candidate_relative_floor", "candidates_per_query", "country_clash_penalty",
    "han_mismatch_penalty_factor", "kind_clash_penalty", "max_posting", "number_clash_penalty",
    "person_clash_penalty", "person_country_clash_penalty", "person_extra_token_penalty",
    "person_subset_min_weight", "qualifier_clash_penalty", "threshold", "weights.admin_qualifier",
    "weights.country", "weights.generic", "weights.generic_institutional", "weights.legal_form",
    "weights.number", "weights.person_token", "weights.place", "weights.place_institutional",
    "weights.stopword", "weights.translated_unmatched", "weights.word",
}  # fmt: skip


def keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in data.items():
        path = f"{prefix}{key}"
        out |= keys(value, path + ".") if isinstance(value, dict) else {path}
    return out


def without(data: dict[str, Any], drop: dict[str, Any]) -> dict[str, Any]:
    """``data`` less every key of ``drop`` (section by section)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in drop and isinstance(value, dict) and isinstance(drop[key], dict):
            out[key] = without(value, drop[key])
        elif key not in drop:
            out[key] = value
    return out


def read(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((NAMES / name).read_text(encoding="utf-8")))


def test_every_key_added_since_archiving_began_has_its_introduced_value() -> None:
    current, introduced = read("matching.yml"), read("matching_introduced.yml")
    assert keys(current) - FIRST_ARCHIVED_KEYS - keys(introduced) == set()
    assert keys(introduced) <= keys(current)  # nothing there that today's file does not know


def test_an_old_file_loads_and_only_introduced_keys_are_filled() -> None:
    current, introduced = read("matching.yml"), read("matching_introduced.yml")
    old = without(current, introduced)
    assert keys(old) <= FIRST_ARCHIVED_KEYS
    load(with_introduced_keys(old, introduced))  # no missing key
    with pytest.raises(InputError) as err:
        load(with_introduced_keys(without(old, {"weights": {"word": 1}}), introduced))
    assert err.value.field == "weights.word"


def test_screening_with_a_matching_file_from_before_the_new_keys(tmp_path: Path, home: Path) -> None:
    """The override root holds an old-style matching.yml (today's less every introduced key), as a
    replay lays out an archived decision's files: the engine screens with it."""
    old = without(read("matching.yml"), read("matching_introduced.yml"))
    (tmp_path / "names").mkdir()
    (tmp_path / "names" / "matching.yml").write_text(yaml.safe_dump(old), encoding="utf-8")
    env = dict(os.environ, CHIPGUARD_DATA_OVERRIDES=str(tmp_path), CHIPGUARD_HOME=str(home))
    code = (
        "import json, sys\n"
        "from chipguard.match.screener import Screener\n"
        "from chipguard.model import Party, PartyKind, Alias\n"
        "p = Party(source='t', party_id='1', name='Hangzhou Hikvision Digital Technology Co., Ltd.',"
        " kind=PartyKind.ORG, countries=['CN'])\n"
        "hits = Screener([p]).screen('Hikvision Digital Technology', kind='org', country='CN')\n"
        "print(json.dumps([(h.party_id, h.strength) for h in hits]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) and json.loads(proc.stdout)[0][0] == "1"
