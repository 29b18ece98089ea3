"""Which Federal Register documents a citation names, and whether each one supports the rule citing it.

``documents.yml`` (rule-set data) lists every document the rules cite with the rule ids it supports: the
rules it makes, moves or bounds. A reason that cites a document for a rule outside that scope overstates
its authority (the Jan 2026 China/Macau review-policy change cited for a Malaysian destination), so the
rule tests and the scenario tests check every citation against this table.
"""

from __future__ import annotations

import re
from typing import Any

from chipguard.policy.rules import RuleSet

_DOCUMENT = re.compile(r"\b(\d{2,3} FR \d+)\b|\bFR Doc\.? (\d{4}-\d+)")


def cited_documents(text: str) -> set[str]:
    """The Federal Register documents ``text`` names, normalised to the ids of ``documents.yml``
    (``91 FR 1684``; ``FR Doc. 2025-19001`` whether or not the text writes the full stop)."""
    return {m.group(1) or f"FR Doc. {m.group(2)}" for m in _DOCUMENT.finditer(text)}


def document_scopes(rule_set: RuleSet) -> dict[str, set[str]]:
    """Document id → the rule ids it may be cited for."""
    documents: list[dict[str, Any]] = list(rule_set.data.get("documents") or [])
    return {str(d["id"]): {str(r) for r in d.get("rules") or []} for d in documents}


def out_of_scope(rule_set: RuleSet, rule_id: str, citation: str) -> list[str]:
    """Documents ``citation`` names that are unknown or do not list ``rule_id`` in their scope."""
    scopes = document_scopes(rule_set)
    return sorted(
        f"{rule_id} cites {doc}" + (" (not in documents.yml)" if doc not in scopes else "")
        for doc in cited_documents(citation)
        if rule_id not in scopes.get(doc, set())
    )
