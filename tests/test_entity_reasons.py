"""A decision gives one potential-match reason per listed entity, naming each of its list records, on
the real CSL 2022-04 (issue 12 leftovers).

"SBERBANK" (an organisation in RU) draws 26 potential records: PJSC Sberbank of Russia on the SDN, SSI
and Non-SDN Menu-Based lists, and its subsidiaries, most on three lists each. The analyst has one entity
to resolve per subsidiary, not one reason per list record; the outcome, the rules cited, the decision's
screening (every record) stay the same, and a rule set archived before the folding replays one reason
per record, as it decided.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import html
import io
from pathlib import Path
from typing import Any

import pytest
from test_ownership_support import csl_screener
from test_web_ui_casework_http import ui_app

from chipguard.errors import InputError
from chipguard.match.screener import Screener
from chipguard.model import Customer, Decision, Hit, Item, Owner, Reason, Transaction
from chipguard.policy.core_facts import list_code
from chipguard.policy.engine import decide
from chipguard.policy.report import summary
from chipguard.policy.rules import RuleSet, default_rule_set, load_rule_set_archive, parse_rule
from chipguard.service.casework import ClearingScreener

RULE = "RP-POTENTIAL-MATCH"
SBERBANK = Customer(name="SBERBANK", kind="org", country="RU")
GROUP_KEYS = ("group_by", "group_message", "group_record")


@pytest.fixture(scope="module")
def screener() -> Screener:
    return csl_screener()


def sale(customer: Customer) -> Transaction:
    return Transaction(
        date="2025-10-15", kind="sale", customer=customer, items=[Item("H100 SXM", 8)], destination="SG"
    )


def unfolded(rs: RuleSet) -> RuleSet:
    """``rs`` as rule sets before 2026.12.05.4 read: the potential-match rule without its grouping."""
    rules = [
        dataclasses.replace(r, group_by=(), group_message="", group_record="") if r.id == RULE else r
        for r in rs.rules
    ]
    return dataclasses.replace(rs, rules=rules)


def potential(decision: Decision, label: str) -> list[dict[str, Any]]:
    return [h for h in decision.screening[label] if h["strength"] == "potential"]


def named_records(reason: Reason) -> list[str]:
    """The records a potential-match reason stands for, as its message names them."""
    return list(reason.facts.get("group.records") or [])


def record_text(hit: dict[str, Any]) -> str:
    """A hit as the bundled rule's ``group_record`` names it (list title from the rules' list codes)."""
    title = list_code(Hit.from_dict(hit), list(default_rule_set().data["list_codes"]))["title"]
    return f"{title}, id {hit['party_id']}"


def test_a_big_name_gives_one_reason_per_entity_naming_its_records(screener: Screener) -> None:
    folded = decide(sale(SBERBANK), screener=screener)
    per_record = decide(sale(SBERBANK), screener=screener, rule_set=unfolded(default_rule_set()))
    hits = potential(folded, "customer")
    entities = {h["entity"] for h in hits}
    reasons = [r for r in folded.reasons if r.rule_id == RULE]
    # one reason per entity, fewer than the records (the bank and most subsidiaries are on 3 lists)
    assert len(reasons) == len(entities) < len(hits)
    assert len([r for r in per_record.reasons if r.rule_id == RULE]) == len(hits)
    # every potential record is named by exactly one reason, and by its entity's
    for hit in hits:
        naming = [r for r in reasons if record_text(hit) in r.message]
        assert len(naming) == 1, hit["party_id"]
        (reason,) = naming
        assert reason.facts["hit.entity"] == hit["entity"]
    for reason in reasons:
        members = [h for h in hits if h["entity"] == reason.facts["hit.entity"]]
        if len(members) > 1:
            assert reason.facts["group.count"] == len(members) == len(named_records(reason))
            assert f"one entity in {len(members)} list records" in reason.message
        else:
            assert "group.count" not in reason.facts and "one entity" not in reason.message
    # the bank itself: one reason naming its SDN, SSI and Menu-Based records, under the bank's name
    (bank,) = [r for r in reasons if "SBERBANK OF RUSSIA" in r.message]
    assert bank.facts["group.count"] == 3
    for title in ("Specially Designated Nationals", "Sectoral Sanctions", "Non-SDN Menu-Based"):
        assert f"{title}" in bank.message
    # same outcome, same rules cited, every record still in the decision's screening
    assert folded.outcome == per_record.outcome
    assert {r.rule_id for r in folded.reasons} == {r.rule_id for r in per_record.reasons}
    assert folded.screening == per_record.screening
    # no authority is dropped: each record's own citation is in its entity's reason
    for old in (r for r in per_record.reasons if r.rule_id == RULE):
        (new,) = [r for r in reasons if r.facts["hit.entity"] == old.facts["hit.entity"]]
        assert set(old.citation.split("; ")) <= set(new.citation.split("; "))


def test_a_record_listed_under_another_name_is_named_as_listed(screener: Screener) -> None:
    """Sberbank Technologies is one entity of an SDN record and an SSI record of another name."""
    decision = decide(sale(SBERBANK), screener=screener)
    hits = potential(decision, "customer")
    mixed = [e for e in {h["entity"] for h in hits} if len({h["name"] for h in hits if h["entity"] == e}) > 1]
    assert mixed
    for entity in mixed:
        members = [h for h in hits if h["entity"] == entity]
        lead = next(h for h in members if f"{h['source']}:{h['party_id']}" == entity)
        (reason,) = [r for r in decision.reasons if r.rule_id == RULE and r.facts["hit.entity"] == entity]
        assert f"may be {lead['name']}, one entity" in reason.message
        for h in members:
            if h["name"] != lead["name"]:
                assert f"{record_text(h)} as '{h['name']}'" in reason.message


def test_an_owner_folds_per_entity_with_its_share(screener: Screener) -> None:
    customer = Customer(
        name="Lion Peak Compute Pte. Ltd.", country="SG", owners=[Owner("SBERBANK", country="RU", percent=20)]
    )
    decision = decide(sale(customer), screener=screener)
    hits = potential(decision, "owner:SBERBANK")
    reasons = [r for r in decision.reasons if r.rule_id == RULE and r.facts["hit.role"] == "owner"]
    assert len(reasons) == len({h["entity"] for h in hits}) < len(hits)
    assert all("The owner 'SBERBANK' (holding 20 %) may be" in r.message for r in reasons)


def test_a_cleared_record_leaves_its_entity_reason_naming_the_rest(screener: Screener) -> None:
    """An analyst cleared the bank's SDN record: its other two records are one reason still, under the
    bank's name, and the cleared one is not named."""

    def sdn_of_the_bank(_name: str, _country: str | None, hit: Hit) -> dict[str, Any] | None:
        if "SBERBANK OF RUSSIA" in hit.name and "Specially Designated" in hit.list_name:
            return {"disposition": "false_positive"}
        return None

    decision = decide(sale(SBERBANK), screener=ClearingScreener(screener, sdn_of_the_bank))
    (bank,) = [r for r in decision.reasons if r.rule_id == RULE and "SBERBANK OF RUSSIA" in r.message]
    assert bank.facts["group.count"] == 2
    assert "Specially Designated" not in bank.message
    assert (
        "may be PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA, one entity in 2 list records" in bank.message
    )


def test_a_rule_set_archived_before_the_folding_replays_one_reason_per_record(screener: Screener) -> None:
    """The archived text of restricted_parties.yml without the grouping keys loads and decides as it did."""
    current = default_rule_set()
    sources = dict(current.sources)
    text = sources["restricted_parties.yml"]
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if f"id: {RULE}" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id:"))
    kept = [
        line
        for i, line in enumerate(lines)
        if not (start < i < end and line.strip().startswith(tuple(f"{k}:" for k in GROUP_KEYS)))
    ]
    assert len(kept) == len(lines) - len(GROUP_KEYS)
    sources["restricted_parties.yml"] = "".join(kept)
    archived = load_rule_set_archive(sources)
    assert not archived.rule(RULE).group_by and not archived.rule(RULE).group_message
    old = decide(sale(SBERBANK), screener=screener, rule_set=archived)
    new = decide(sale(SBERBANK), screener=screener)
    assert len([r for r in old.reasons if r.rule_id == RULE]) == len(potential(old, "customer"))
    assert old.outcome == new.outcome and old.screening == new.screening


def test_the_terminal_summary_shows_folded_reasons(screener: Screener) -> None:
    decision = decide(sale(SBERBANK), screener=screener)
    text = summary(decision)
    assert (
        "POTENTIAL_LIST_MATCH: The customer 'SBERBANK' may be PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA, one entity in 3 list records ("
        in text
    )


@pytest.mark.parametrize(
    ("keys", "field"),
    [
        ({"group_message": "m {group.records}", "group_record": "r"}, "group_message"),
        ({"group_by": ["hit.entity"], "group_message": "m {group.records}"}, "group_message"),
        ({"group_by": ["hit.entity"], "group_record": "r"}, "group_record"),
    ],
)
def test_a_group_message_needs_group_by_and_a_record_template(keys: dict[str, Any], field: str) -> None:
    raw = {
        "id": "X",
        "outcome": "REVIEW",
        "message": "m",
        "citation": "c",
        "for_each": "hits",
        "as": "hit",
        **keys,
    }
    with pytest.raises(InputError) as err:
        parse_rule(raw, "rules/x.yml", "rules[0]")
    assert err.value.field == f"rules[0](X).{field}" and err.value.file == "rules/x.yml"


def test_the_bundled_rule_folds(tmp_path: Path) -> None:
    rule = default_rule_set().rule(RULE)
    assert rule.group_by == ("hit.role", "hit.subject", "hit.entity")
    assert "{group.records}" in rule.group_message and "{hit.party_id}" in rule.group_record


def sberbank_csl(shared: Path, out: Path) -> Path:
    """The CSL 2022-04 rows whose name holds "Sberbank", as a CSL file."""
    text = gzip.decompress((shared / "lists/us_csl_2022-04.csv.gz").read_bytes()).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = [r for r in reader if "sberbank" in r["name"].lower()]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_rest_ui_and_replay_show_the_folded_reasons(home: Path, tmp_path: Path, shared: Path) -> None:
    with ui_app("sqlite", tmp_path, None, {"a": "analyst"}) as ui:
        ui.services.snapshots.load_file(sberbank_csl(shared, tmp_path / "us_csl_2022-04.csv"))
        headers = {"X-API-Key": ui.tokens["a"]}
        transaction = {
            "date": "2025-10-15",
            "kind": "sale",
            "destination": "SG",
            "customer": {"name": "SBERBANK", "kind": "org", "country": "RU"},
            "items": [{"model": "H100 SXM", "quantity": 8}],
        }
        made = ui.client.post("/v1/decisions", json=transaction, headers=headers)
        assert made.status_code in (200, 201), made.text
        decision = made.json()
        hits = [h for h in decision["screening"]["customer"] if h["strength"] == "potential"]
        reasons = [r for r in decision["reasons"] if r["rule_id"] == RULE]
        assert len(reasons) == len({h["entity"] for h in hits}) < len(hits)
        (bank,) = [r for r in reasons if "SBERBANK OF RUSSIA" in r["message"]]
        assert bank["facts"]["group.count"] == 3 and len(bank["facts"]["group.records"]) == 3
        ui.sign_in("a")
        page = ui.get(f"/ui/decisions/{decision['decision_id']}")
        assert html.escape(bank["message"], quote=True) in page or bank["message"] in page
        for record in bank["facts"]["group.records"]:
            assert html.escape(record, quote=True) in page
        # the decision replays as made: same outcome, same reasons (one per entity), same hits
        replayed = ui.services.replay(decision["decision_id"])
        assert replayed["differences"] == [], replayed["differences"]
