"""The rule engine: conditions, rule-set loading and validation, dates, suppression and combination."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chipguard.errors import InputError
from chipguard.model import Outcome, Reason
from chipguard.policy.conditions import evaluate, resolve
from chipguard.policy.engine import combine, evaluate_rules, render
from chipguard.policy.facts import merge_facts
from chipguard.policy.rules import default_rule_set, load_rule_set

FACTS = {
    "destination": {"country": "AE", "groups": ["D:4"]},
    "customer": {"country": "SG", "payment_country": "HK", "hq_or_parent_groups": ["D:1", "D:4", "D:5"]},
    "items": [{"model": "H100", "eccn_paragraph": "a", "tpp": 15832, "datacenter": True}],
}


def test_leaf_operators() -> None:
    assert evaluate({"fact": "destination.groups", "contains_any": ["D:1", "D:4"]}, FACTS)
    assert not evaluate({"fact": "destination.groups", "contains_none": ["D:4"]}, FACTS)
    assert evaluate({"fact": "destination.country", "in": ["ae", "SA"]}, FACTS)  # case-insensitive
    assert evaluate({"fact": "items", "empty": False}, FACTS)
    assert evaluate({"fact": "customer.payment_country", "ne": {"fact": "customer.country"}}, FACTS)
    assert evaluate({"fact": "destination.country", "matches": "^A"}, FACTS)


def test_missing_facts_never_fire_except_presence_tests() -> None:
    assert not evaluate({"fact": "customer.headquarters", "ne": "CN"}, FACTS)
    assert not evaluate({"fact": "customer.headquarters", "not_in": ["CN"]}, FACTS)
    assert not evaluate({"fact": "nothing.here", "lt": 5}, FACTS)
    assert evaluate({"fact": "customer.headquarters", "exists": False}, FACTS)
    assert evaluate({"fact": "customer.headquarters", "empty": True}, FACTS)


def test_logic_and_used_facts_are_recorded() -> None:
    used: dict[str, object] = {}
    cond = {
        "all": [
            {"fact": "destination.groups", "contains": "D:4"},
            {"not": {"fact": "customer.country", "eq": "CN"}},
            {"any": [{"fact": "customer.hq_or_parent_groups", "contains": "D:5"}]},
        ]
    }
    assert evaluate(cond, FACTS, used)
    assert used == {
        "destination.groups": ["D:4"],
        "customer.country": "SG",
        "customer.hq_or_parent_groups": ["D:1", "D:4", "D:5"],
    }


def test_render_fills_placeholders() -> None:
    assert render("{destination.country} {destination.groups} {x.y}", FACTS) == "AE D:4 ?"
    assert resolve(FACTS, "destination.country") == "AE"


def test_merge_facts_deep_merges_concatenates_and_expands_dots() -> None:
    facts: dict[str, object] = {
        "ownership": {"bis_affiliates_percent": 0.0, "basis": "direct"},
        "red_flags": [1],
    }
    merge_facts(facts, {"ownership.bis_affiliates_percent": 55.0, "red_flags": [2]})
    assert facts == {"ownership": {"bis_affiliates_percent": 55.0, "basis": "direct"}, "red_flags": [1, 2]}


def test_combine_most_severe_wins() -> None:
    def r(o: Outcome) -> Reason:
        return Reason("c", "m", "cite", outcome=o.value)

    assert combine([]) == Outcome.ALLOW
    assert combine([r(Outcome.ALLOW), r(Outcome.REVIEW)]) == Outcome.REVIEW
    assert (
        combine([r(Outcome.REVIEW), r(Outcome.LICENCE_REQUIRED), r(Outcome.ALLOW)])
        == Outcome.LICENCE_REQUIRED
    )
    assert combine([r(Outcome.LICENCE_REQUIRED), r(Outcome.DENY)]) == Outcome.DENY


def test_bundled_rule_set_loads_with_versions() -> None:
    rs = default_rule_set()
    info = rs.version_info()
    assert info["id"] == "chipguard-us-ear" and info["version"] and len(info["sha256"]) == 64
    assert {"ear_advanced_computing.yml", "provider_policy.yml", "restricted_parties.yml"} <= set(
        info["files"]
    )
    ids = [r.id for r in rs.rules]
    assert len(ids) == len(set(ids))
    affiliates = rs.rule("RP-BIS-AFFILIATES")
    assert not affiliates.in_force(date(2025, 9, 28))
    assert affiliates.in_force(date(2025, 9, 29))
    assert affiliates.in_force(date(2025, 11, 9))
    assert not affiliates.in_force(date(2025, 11, 10))  # suspended
    assert not affiliates.in_force(date(2026, 11, 9))
    assert affiliates.in_force(date(2026, 11, 10))  # suspension over


def _write(tmp: Path, rules: str, manifest_files: str = "[a.yml]") -> Path:
    (tmp / "ruleset.yml").write_text(f"id: t\nversion: '1'\nfiles: {manifest_files}\n", encoding="utf-8")
    (tmp / "a.yml").write_text(f"version: '1'\nrules:\n{rules}", encoding="utf-8")
    return tmp


def test_rule_file_errors_name_file_and_rule(tmp_path: Path) -> None:
    bad_op = "  - {id: X, outcome: DENY, message: m, citation: c, when: {fact: a.b, bigger: 3}}\n"
    with pytest.raises(InputError) as err:
        load_rule_set(_write(tmp_path, bad_op), overrides=tmp_path / "none")
    assert "bigger" in str(err.value) and "a.yml" in str(err.value) and "X" in str(err.value)
    bad_outcome = "  - {id: X, outcome: MAYBE, message: m, citation: c}\n"
    with pytest.raises(InputError, match="outcome"):
        load_rule_set(_write(tmp_path, bad_outcome), overrides=tmp_path / "none")
    dup = "  - {id: X, outcome: DENY, message: m, citation: c}\n  - {id: X, outcome: DENY, message: m, citation: c}\n"
    with pytest.raises(InputError, match="'X'"):
        load_rule_set(_write(tmp_path, dup), overrides=tmp_path / "none")
    with pytest.raises(InputError, match="missing"):
        load_rule_set(_write(tmp_path, "", "[a.yml, b.yml]"), overrides=tmp_path / "none")
    with pytest.raises(InputError) as err:
        load_rule_set(
            _write(tmp_path, "  - {id: X, outcome: DENY, message: m, citation: c\n"), overrides=tmp_path / "n"
        )
    assert err.value.line is not None


def test_for_each_suppression_is_per_element(tmp_path: Path) -> None:
    rules = """\
  - id: NEED
    for_each: items
    as: item
    when: {fact: item.tpp, gte: 4800}
    outcome: LICENCE_REQUIRED
    message: "{item.model} needs a licence"
    citation: c
  - id: EXC
    for_each: items
    as: item
    when: {fact: item.datacenter, eq: false}
    outcome: REVIEW
    message: "{item.model} may use the exception"
    citation: c
    suppresses: [NEED]
"""
    rs = load_rule_set(_write(tmp_path, rules), overrides=tmp_path / "none")
    facts = {
        "items": [
            {"model": "H100", "tpp": 15832, "datacenter": True},
            {"model": "RTX 4090", "tpp": 5285, "datacenter": False},
        ]
    }
    fired = evaluate_rules(rs, facts, "export", date(2025, 1, 1))
    assert [(t.rule.id, t.reason.message) for t in fired] == [
        ("NEED", "H100 needs a licence"),
        ("EXC", "RTX 4090 may use the exception"),
    ]
    # the facts tested, then the element the reason is about
    assert fired[0].reason.facts == {"item.tpp": 15832, "item.model": "H100", "item.datacenter": True}


def test_override_dir_replaces_a_file(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    _write(base, "  - {id: X, outcome: DENY, message: m, citation: c}\n")
    over = tmp_path / "over"
    over.mkdir()
    (over / "a.yml").write_text(
        "version: '2'\nrules:\n  - {id: Y, outcome: REVIEW, message: m, citation: c}\n"
    )
    rs = load_rule_set(base, overrides=over)
    assert [r.id for r in rs.rules] == ["Y"] and rs.files == {"a.yml": "2"}
    assert rs.sha256 != load_rule_set(base, overrides=tmp_path / "none").sha256


def test_decide_rejects_a_bad_evaluation_date() -> None:
    from chipguard.policy import ListsStatus, decide, parse_transaction

    t = parse_transaction(
        {
            "date": "2025-01-01",
            "kind": "export",
            "destination": "DE",
            "customer": {"name": "X GmbH", "country": "DE"},
            "items": [{"model": "L20"}],
        }
    )
    with pytest.raises(InputError) as err:
        decide(t, on="1st of May", lists=ListsStatus("missing", "none"))
    assert err.value.field == "on"


def test_no_screener_means_no_allow_even_if_lists_claim_ok() -> None:
    from chipguard.policy import ListsStatus, decide, parse_transaction

    t = parse_transaction(
        {
            "date": "2025-01-01",
            "kind": "export",
            "destination": "DE",
            "customer": {"name": "X GmbH", "country": "DE"},
            "items": [{"model": "L20"}],
        }
    )
    decision = decide(t, lists=ListsStatus("ok", "caller says fine"))
    assert decision.outcome == Outcome.REVIEW
    assert decision.versions["lists"]["status"] == "missing"
    assert "OP-LISTS-MISSING" in {r.rule_id for r in decision.reasons}


def test_list_names_of_every_source_map_to_their_list_code() -> None:
    """Each source module's own list name (or source) must reach the right implication."""
    from chipguard.model import Hit
    from chipguard.policy.core_facts import list_code
    from chipguard.sources import dpl, eu, ofac_csv, uk, un, us_other

    table = default_rule_set().data["list_codes"]

    def code(list_name: str, source: str = "x") -> str:
        return str(list_code(Hit("1", source, "n", "n", 1.0, list_name=list_name), table)["code"])

    assert code("Entity List (EL) - Bureau of Industry and Security") == "EL"
    assert code(dpl.LIST_NAME) == "DPL"
    assert code(ofac_csv.SDN_LIST_NAME) == "SDN"
    assert code("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department") == "NS-MBS"
    assert (
        code("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department")
        == "CMIC"
    )
    assert code("Military End User (MEU) List - Bureau of Industry and Security") == "MEU"
    assert code("Unverified List (UVL) - Bureau of Industry and Security") == "UVL"
    assert code(un.LIST_NAME) == "UN" and code(eu.LIST_NAME) == "EU" and code(uk.LIST_NAME) == "UK"
    assert code(us_other.DOD_LIST) == "1260H"
    assert code("Custom list", "custom") == "CUSTOM"
    assert code("", "ofac_sdn") == "SDN"
    assert code("Something new") == "OTHER"


def test_fail_closed_safety_net_without_list_rules(tmp_path: Path) -> None:
    """Even a rule set that lost its OP-LISTS-* rules cannot ALLOW without trustworthy lists."""
    from chipguard.policy import ListsStatus, decide, parse_transaction

    rs = load_rule_set(
        _write(tmp_path, "  - {id: OK, outcome: ALLOW, message: fine, citation: c}\n"),
        overrides=tmp_path / "none",
    )
    t = parse_transaction(
        {
            "date": "2025-01-01",
            "kind": "rental",
            "destination": "US",
            "customer": {"name": "X Inc", "country": "US"},
            "items": [{"model": "A100"}],
        }
    )
    decision = decide(t, lists=ListsStatus("stale", "2022 lists"), rule_set=rs)
    assert decision.outcome == Outcome.REVIEW
    assert [r.rule_id for r in decision.reasons] == ["engine.fail_closed", "OK"]
    assert decision.versions["rule_set"]["id"] == "t"
