"""Guards on the rules themselves: no country logic in Python, and no rule reads a fact nobody provides.

A misspelt fact path in a rule file would make the rule silently never fire — a fail-open bug no
scenario might catch. So every path a bundled rule reads must exist in the facts the providers produce
for a transaction that exercises every provider (items, owners, parent, hits, red flags).
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import chipguard
from chipguard.geo import all_countries
from chipguard.policy import ListsStatus, parse_transaction
from chipguard.policy.conditions import fact_paths
from chipguard.policy.facts import DecisionContext, run_providers
from chipguard.policy.rules import default_rule_set

PACKAGE = Path(chipguard.__file__).parent
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


@pytest.mark.parametrize("package", ["policy", "geo"])
def test_no_country_code_literals_in_engine_code(package: str) -> None:
    """House rule: no rule is a Python `if` on a country code; countries live in the data files."""
    codes = {c.alpha_2 for c in all_countries()} | {c.alpha_3 for c in all_countries()}
    found = []
    for path in sorted((PACKAGE / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in codes:
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


def _exists(facts: dict[str, Any], path: str) -> bool:
    node: Any = facts
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_every_fact_a_rule_reads_is_provided(shared: Path) -> None:
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    parties = parse_file(shared / "lists" / "samples" / "us_csl_sample_2025.csv").parties
    transaction = parse_transaction(
        {
            "date": "2025-10-01",
            "kind": "export",
            "destination": "AM",
            "end_use": "",
            "customer": {
                "name": "Atlas Sanatgaran",
                "country": "AM",
                "headquarters": "AM",
                "ultimate_parent": {"name": "Rosneft Trade Limited", "country": "CY"},
                "owners": [{"name": "TNK Trading International S.A.", "country": "CH", "percent": None}],
                "ip_countries": ["IR"],
                "payment_country": "HK",
                "incorporation_date": "2025-06-01",
                "business_type": "freight_forwarder",
                "email_domains": ["example.am"],
                "addresses": [{"text": "Komitas 26/114", "city": "Yerevan", "country": "AM"}],
            },
            # One item per flag family, so each flag's own citation fact is checked too.
            "items": [
                {"model": "H100 SXM", "quantity": 8},
                {"model": "H20", "quantity": 8},
                {"model": "Ascend 910B", "quantity": 8},
            ],
        }
    )
    rs = default_rule_set()
    context = DecisionContext(
        transaction=transaction,
        on=date(2025, 10, 1),
        rule_set=rs,
        screener=Screener(parties),
        lists=ListsStatus("ok", "test", []),
    )
    facts = run_providers(transaction, context)
    assert facts["hits"], "the sample list must produce hits so hit.* paths can be checked"
    elements: dict[str, list[dict[str, Any]]] = {}
    missing = []
    for rule in rs.rules:
        if rule.for_each:
            collection = [e for e in (facts.get(rule.for_each.split(".")[0]) or []) if isinstance(e, dict)]
            if "." in rule.for_each:
                value: Any = facts
                for part in rule.for_each.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                collection = [e for e in (value or []) if isinstance(e, dict)]
            elements[rule.as_name] = collection
        paths = set(fact_paths(rule.when)) | set(_PLACEHOLDER.findall(rule.message + rule.citation))
        for path in paths:
            head, _, rest = path.partition(".")
            if rule.for_each and head == rule.as_name:
                sample = elements.get(head) or []
                # an empty collection (no red flags / 1260H parents here) cannot be checked element-wise
                if sample and not any(_exists(e, rest) for e in sample):
                    missing.append(f"{rule.id}: {path}")
            elif not _exists(facts, path):
                missing.append(f"{rule.id}: {path}")
    assert missing == []
