"""A hit limit says how many it left out, and a decision weighs every hit that clears the threshold
(issue 12 item 5), on the real CSL 2022-04.

"SBERBANK" (an organisation in RU) draws 36 records on the CSL: the bank itself, PJSC Sberbank of Russia
(SDN, SSI, Non-SDN Menu-Based Sanctions) first, then its subsidiaries at the same score — those past the
10th (Sberbank Financial Company, Sberbank Investments, …) the silent top-10 decisions had before never
weighed. "HUAWEI" draws 55 (54 said to be in CN: one of them is a Huawei firm listed in Egypt), its
subsidiaries in Germany, Jamaica, Madagascar and Paraguay among them since their trade name is Huawei
(chipguard/data/names/country_names.yml; 51 and 50 before).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_ownership_support import csl_screener

from chipguard.match.screener import Screener
from chipguard.model import Customer, Hit, Item, Owner, Transaction
from chipguard.ownership.facts import set_graph_source
from chipguard.ownership.formats import load_graph
from chipguard.policy.engine import decide
from chipguard.policy.facts import HIT_LIMIT_SETTING, hit_limit
from chipguard.policy.rules import RuleSet, default_rule_set
from chipguard.service.casework import ClearingScreener
from chipguard.service.replay_worker import ArchivedScreener

SBERBANK = "SBERBANK"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return csl_screener()


def sale(customer: Customer, on: str = "2025-10-15") -> Transaction:
    return Transaction(date=on, kind="sale", customer=customer, items=[Item("H100 SXM", 8)], destination="SG")


def with_limit(limit: int | None, rule: bool = True) -> RuleSet:
    """The bundled rule set with another hit limit (None: without the setting, as rule sets archived
    before it), and without OP-HITS-OMITTED when ``rule`` is false."""
    rs = default_rule_set()
    settings = {k: v for k, v in rs.settings.items() if k != HIT_LIMIT_SETTING}
    if limit is not None:
        settings[HIT_LIMIT_SETTING] = limit
    rules = [r for r in rs.rules if rule or r.id != "OP-HITS-OMITTED"]
    return dataclasses.replace(rs, settings=settings, rules=rules)


def past_ten(screener: Screener, name: str, kind: str, country: str | None = None) -> tuple[list[Hit], int]:
    everything = screener.screening(name, kind=kind, country=country, limit=1000)
    assert everything.omitted == 0
    return everything.hits[10:], len(everything.hits)


def test_the_bundled_rule_set_weighs_every_hit_of_a_big_name(screener: Screener) -> None:
    assert hit_limit(default_rule_set()) == 200
    later, total = past_ten(screener, "HUAWEI", "org", "CN")  # as the decision screens the customer
    assert total == 54 and any(h.strength == "confirmed" for h in later)
    decision = decide(sale(Customer(name="HUAWEI", kind="org", country="CN")), screener=screener)
    weighed = {(h["source"], h["party_id"]) for h in decision.screening["customer"]}
    assert {(h.source, h.party_id) for h in later} <= weighed and len(weighed) == total
    assert decision.omitted == {}
    assert not [r for r in decision.reasons if r.rule_id == "OP-HITS-OMITTED"]


def test_a_hit_past_the_old_limit_reaches_the_decision(screener: Screener) -> None:
    later, total = past_ten(screener, SBERBANK, "org", "RU")
    assert total == 36
    first_ten = {h.party_id for h in screener.screen(SBERBANK, kind="org", country="RU", limit=10)}
    # a listed subsidiary met only past the 10th hit, on several lists
    party = next(h.party_id for h in later if h.party_id not in first_ten)
    records = [h for h in later if h.party_id == party]
    assert len(records) == 3 and {h.strength for h in records} == {"potential"}
    customer = Customer(name=SBERBANK, kind="org", country="RU")
    now = decide(sale(customer), screener=screener)
    assert len(now.screening["customer"]) == total and now.omitted == {}
    # one reason for the subsidiary, naming its three list records (one reason per entity since rule set
    # 2026.12.05.4; tests/test_entity_reasons.py)
    (named,) = [r for r in now.reasons if r.rule_id == "RP-POTENTIAL-MATCH" and f"id {party}," in r.message]
    assert named.message.count(f"id {party},") == 3 and "Specially Designated Nationals" in named.message
    # as decisions were before: the first ten only, the rest silently left out
    before = decide(sale(customer), screener=screener, rule_set=with_limit(None, rule=False))
    assert len(before.screening["customer"]) == 10
    assert not [r for r in before.reasons if f"id {party}," in r.message]
    assert not [r for r in before.reasons if r.rule_id == "OP-HITS-OMITTED"]
    assert before.omitted == {"customer": total - 10}  # recorded now, even under an old rule set


def test_hits_past_the_limit_are_recorded_and_the_decision_fails_closed(screener: Screener) -> None:
    customer = Customer(
        name="Lion Peak Compute Pte. Ltd.", country="SG", owners=[Owner("HUAWEI", country="CN", percent=10)]
    )
    decision = decide(sale(customer), screener=screener, rule_set=with_limit(10))
    assert decision.omitted == {"owner:HUAWEI": 44}
    assert len(decision.screening["owner:HUAWEI"]) == 10
    (reason,) = [r for r in decision.reasons if r.rule_id == "OP-HITS-OMITTED"]
    assert reason.outcome == "REVIEW" and reason.code == "SCREENING_HITS_OMITTED"
    assert (
        "owner 'HUAWEI' has 44 more list hit(s)" in reason.message and "the 10 a decision" in reason.message
    )
    assert "15 CFR Part 732" in reason.citation
    # a clean name with fewer hits than the limit: nothing left out, nothing to review for it
    clean = decide(sale(Customer(name="Lion Peak Compute Pte. Ltd.", country="SG")), screener=screener)
    assert clean.omitted == {} and not [r for r in clean.reasons if r.rule_id == "OP-HITS-OMITTED"]
    with pytest.raises(Exception, match=HIT_LIMIT_SETTING):
        hit_limit(with_limit(0))


def test_an_ownership_graph_node_past_the_limit_fails_closed(screener: Screener, tmp_path: Path) -> None:
    """A node only the imported graph names is screened by the ownership package: the same limit."""
    path = tmp_path / "graph.csv"
    path.write_text(
        "owner,owned,percent\nHUAWEI,Bright Harbor Holdings Ltd,20\n"
        "Bright Harbor Holdings Ltd,Lion Peak Compute Pte. Ltd.,100\n",
        encoding="utf-8",
    )
    graph = load_graph(path)
    customer = Customer(
        name="Lion Peak Compute Pte. Ltd.",
        country="SG",
        owners=[Owner("Bright Harbor Holdings Ltd", country="HK", percent=100)],
    )
    set_graph_source(lambda c: graph if c.name == customer.name else None)
    try:
        limited = decide(sale(customer), screener=screener, rule_set=with_limit(10))
        full = decide(sale(customer), screener=screener)
    finally:
        set_graph_source(None)
    assert limited.omitted == {"owner:HUAWEI": 45}
    (reason,) = [r for r in limited.reasons if r.rule_id == "OP-HITS-OMITTED"]
    assert "owner (ownership graph) 'HUAWEI' has 45 more" in reason.message
    assert full.omitted == {} and not [r for r in full.reasons if r.rule_id == "OP-HITS-OMITTED"]


def test_every_screener_reports_what_its_limit_left_out(screener: Screener) -> None:
    direct = screener.screening("HUAWEI", kind="org", limit=10)
    assert (len(direct.hits), direct.omitted, direct.limit) == (10, 45, 10)
    # casework: a cleared hit leaves the list and its entity group; the ones past the limit stay counted
    first = direct.hits[0]
    clearing = ClearingScreener(
        screener,
        lambda _n, _c, h: {"disposition": "false_positive"} if h.party_id == first.party_id else None,
    )
    cleared = clearing.screening("HUAWEI", kind="org", limit=10)
    assert [h.party_id for h in cleared.hits] == [h.party_id for h in direct.hits[1:]]
    assert cleared.omitted == 45
    assert first.party_id not in {r["party_id"] for g in cleared.entities for r in g["records"]}
    # a replay: the worker's answer, cut again to what the decision asks, counting what it cuts
    archived = ArchivedScreener([])
    assert archived.screening("HUAWEI", kind="org", limit=10).hits == []
    assert archived.missing and archived.limit == 10
    archived.answers[("HUAWEI", "org", None, ())] = direct
    archived.missing.clear()
    five = archived.screening("HUAWEI", kind="org", limit=5)
    assert [h.party_id for h in five.hits] == [h.party_id for h in direct.hits[:5]] and five.omitted == 50
    # asked for more than the worker gave while it left some out: asked again, never cut silently
    assert archived.screening("HUAWEI", kind="org", limit=200).hits == [] and archived.missing
    assert archived.limit == 200
