"""Regulatory corrections of issue 15 below the scenario level: the movement an EAR rule governs (export,
reexport, transfer (in-country), none), dated citations, rule grades, and the dated country scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chipguard.errors import InputError
from chipguard.geo.groups import load_groups
from chipguard.policy import ListsStatus, parse_transaction
from chipguard.policy.core_facts import movement
from chipguard.policy.facts import DecisionContext
from chipguard.policy.rules import default_rule_set, load_rule_set


def _transaction(destination: str, ship_from: str | None = None) -> dict[str, object]:
    data: dict[str, object] = {
        "date": "2025-03-03",
        "kind": "sale",
        "destination": destination,
        "customer": {"name": "Example Buyer", "country": destination},
        "items": [{"model": "L20"}],
    }
    if ship_from is not None:
        data["ship_from"] = ship_from
    return data


@pytest.mark.parametrize(
    ("destination", "ship_from", "expected"),
    [
        ("US", None, "domestic"),
        ("PR", None, "domestic"),  # Puerto Rico is part of the United States (15 CFR 772.1)
        ("US", "SG", "domestic"),  # into the United States: no EAR export
        ("SG", None, "export"),
        ("SG", "US", "export"),
        ("SG", "SG", "transfer_in_country"),
        ("MY", "SG", "reexport"),
    ],
)
def test_movement_says_which_ear_movement_a_transaction_is(
    destination: str, ship_from: str | None, expected: str
) -> None:
    transaction = parse_transaction(_transaction(destination, ship_from))
    context = DecisionContext(
        transaction=transaction,
        on=date(2025, 3, 3),
        rule_set=default_rule_set(),
        lists=ListsStatus("ok", "test"),
    )
    kind, text = movement(transaction, context)
    assert kind == expected
    assert "15 CFR 734.1" in text


def test_ship_from_is_a_country_like_every_other() -> None:
    with pytest.raises(InputError) as err:
        parse_transaction(_transaction("SG", "Atlantis"))
    assert err.value.field == "ship_from"


def _write_rules(tmp_path: Path, rule: str) -> Path:
    (tmp_path / "ruleset.yml").write_text('id: t\nversion: "1"\nfiles: [r.yml]\n', encoding="utf-8")
    (tmp_path / "r.yml").write_text('version: "1"\nrules:\n' + rule, encoding="utf-8")
    return tmp_path


def test_a_rule_grade_must_be_one_of_the_reference_grades(tmp_path: Path) -> None:
    rule = "  - {id: X, outcome: REVIEW, message: m, citation: c, grade: Q}\n"
    with pytest.raises(InputError) as err:
        load_rule_set(_write_rules(tmp_path, rule), tmp_path / "none")
    assert err.value.field == "rules[0](X).grade"


def test_a_dated_citation_is_the_one_in_force_on_the_decision_date(tmp_path: Path) -> None:
    rule = (
        "  - id: X\n    outcome: REVIEW\n    message: m\n    citation: old paragraph\n"
        "    cite_by_date:\n      - {from: '2025-01-13', citation: new paragraph}\n"
    )
    rs = load_rule_set(_write_rules(tmp_path, rule), tmp_path / "none")
    assert rs.rule("X").citation_on(date(2025, 1, 12)) == "old paragraph"
    assert rs.rule("X").citation_on(date(2025, 1, 13)) == "new paragraph"


def test_russia_and_belarus_part_746_membership_is_dated() -> None:
    groups = load_groups()
    assert "RU_BY_746_8" not in groups.groups_of("RU", date(2022, 2, 23))
    assert "RU_BY_746_8" in groups.groups_of("RU", date(2022, 2, 24))
    assert "RU_BY_746_8" not in groups.groups_of("BY", date(2022, 3, 1))
    assert "RU_BY_746_8" in groups.groups_of("BY", date(2022, 3, 2))


def test_every_bundled_rule_carries_a_grade_source_and_date_or_says_it_is_timeless() -> None:
    """New rules (issue 15) carry their grade; a dated rule names a Federal Register or CFR source."""
    rs = default_rule_set()
    for rule in rs.rules:
        if rule.file == "russia_belarus.yml":
            assert rule.grade in ("P", "S", "D") and rule.effective, rule.id
            assert "FR" in rule.citation or "CFR" in rule.citation, rule.id


def test_macau_joins_the_advanced_computing_scope_on_the_date_of_88_fr_2821() -> None:
    groups = load_groups()
    assert groups.groups_of("MO", date(2023, 1, 16)) == []
    assert groups.groups_of("MO", date(2023, 1, 17)) == ["MACAU"]


def _decide(data: dict[str, object]) -> Any:
    from chipguard.policy import decide

    return decide(parse_transaction(data), screener=None, lists=ListsStatus("missing", "test: no lists"))


def test_a_suspended_rule_whose_condition_holds_is_listed_as_uncertain(tmp_path: Path) -> None:
    from chipguard.policy import decide

    rule = (
        "  - id: SUSPENDED\n    outcome: DENY\n    message: m\n    citation: c\n"
        "    suspended: [{from: '2025-01-01', to: '2026-01-01', citation: 'suspension ⚠ [S]'}]\n"
    )
    rs = load_rule_set(_write_rules(tmp_path, rule), tmp_path / "none")
    during = decide(
        parse_transaction(_transaction("SG")), screener=None, lists=ListsStatus("missing", "x"), rule_set=rs
    )
    assert [u.rule_id for u in during.uncertain] == ["SUSPENDED"]
    assert "suspended" in during.uncertain[0].why and "DENY" in during.uncertain[0].check
    after = decide(
        parse_transaction({**_transaction("SG"), "date": "2026-02-02"}),
        screener=None,
        lists=ListsStatus("missing", "x"),
        rule_set=rs,
    )
    assert after.outcome.value == "DENY"
    assert [u.rule_id for u in after.uncertain] == ["SUSPENDED"]
    assert "ended on 2026-01-01" in after.uncertain[0].why and "extended" in after.uncertain[0].check


def test_a_country_group_membership_graded_uncertain_reaches_the_decision_and_its_summary() -> None:
    from chipguard.policy.report import summary

    decision = _decide({**_transaction("CY"), "date": "2025-06-02"})  # CY in A:6: date of addition ⚠
    found = [u for u in decision.uncertain if u.rule_id == "geo.country_groups"]
    assert found and "CY in Country Group A:6" in found[0].why
    assert decision.to_dict()["uncertain"][0]["check"]
    text = summary(decision)
    assert "Uncertain — verify before relying on this decision:" in text and "[geo.country_groups]" in text


def test_a_decision_resting_on_confirmed_rules_only_lists_nothing_uncertain() -> None:
    assert _decide({**_transaction("DE"), "date": "2025-06-02"}).uncertain == []


def test_group_by_makes_one_reason_per_listed_subject_and_list(tmp_path: Path) -> None:
    from chipguard.policy.engine import evaluate_rules

    rule = (
        "  - id: G\n    outcome: REVIEW\n    message: '{hit.subject} {hit.party_id}'\n    citation: c\n"
        "    for_each: hits\n    as: hit\n    group_by: [hit.subject, hit.list_code]\n"
        "    when: {fact: hit.role, eq: customer}\n"
    )
    rs = load_rule_set(_write_rules(tmp_path, rule), tmp_path / "none")
    hits = [
        {"role": "customer", "subject": "Huawei", "list_code": "EL", "party_id": "1"},
        {"role": "customer", "subject": "Huawei", "list_code": "EL", "party_id": "2"},
        {"role": "customer", "subject": "Huawei", "list_code": "EL", "party_id": "3"},
        {"role": "customer", "subject": "Huawei", "list_code": "CMIC", "party_id": "4"},
    ]
    fired = evaluate_rules(rs, {"hits": hits}, "sale", date(2025, 1, 1))
    assert [t.reason.message for t in fired] == [
        "Huawei 1 (and 2 more matching entries on the same list)",
        "Huawei 4",
    ]
    with pytest.raises(InputError) as err:
        load_rule_set(
            _write_rules(tmp_path, "  - {id: X, outcome: REVIEW, message: m, citation: c, group_by: [a]}\n"),
            tmp_path / "none",
        )
    assert err.value.field == "rules[0](X).group_by"


def test_reasons_name_who_was_screened_and_an_owners_share() -> None:
    from chipguard.model import Customer, Owner, UltimateParent
    from chipguard.policy.core_facts import _screened_text

    assert _screened_text(Customer("Acme")) == "Acme (no owners or ultimate parent declared)"
    two = Customer("Acme", owners=[Owner("A", percent=60), Owner("B")], ultimate_parent=UltimateParent("P"))
    assert _screened_text(two) == "Acme, its 2 declared owners and its ultimate parent P"


def test_an_item_below_3a090_is_not_shown_as_an_eccn_in_the_summary() -> None:
    from chipguard.policy.report import summary

    text = summary(_decide({**_transaction("DE"), "date": "2025-06-02"}))
    assert "L20 × 1: not 3A090/4A090 (EAR99 or another ECCN)" in text
    assert "EAR99-or-not-3A090" not in text
