"""Decision → what a person reads (terminal summary) and what a machine stores (JSON-safe dicts)."""

from __future__ import annotations

from typing import Any

from chipguard.model import Decision
from chipguard.policy.core_facts import _as_dict


def classification_dict(item_facts: dict[str, Any], cls: Any) -> dict[str, Any]:
    """The hardware classification as stored in the decision, with the item it was for."""
    raw = _as_dict(cls)
    safe = {
        k: v if isinstance(v, str | int | float | bool | list | dict | type(None)) else str(v)
        for k, v in raw.items()
    }
    return {"item": item_facts.get("model"), "quantity": item_facts.get("quantity"), **safe}


def summary(decision: Decision) -> str:
    """A readable, plain-text account of a decision: outcome, reasons with citations, versions."""
    lines = [f"Outcome: {decision.outcome}"]
    t = decision.transaction
    if t:
        cust = t.get("customer", {})
        lines.append(
            f"Transaction: {t.get('kind')} on {t.get('date')} to {t.get('destination')} for {cust.get('name')}"
        )
    for c in decision.classifications:
        tpp = c.get("tpp")
        lines.append(
            f"Item: {c.get('item')} × {c.get('quantity')}: ECCN {c.get('eccn') or 'not controlled'}"
            + (f", TPP {tpp:,.0f}" if isinstance(tpp, int | float) else "")
        )
    lines.append("Reasons:")
    for r in decision.reasons:
        lines.append(f"  [{r.outcome}] {r.code}: {r.message}")
        lines.append(f"      rule {r.rule_id}; {r.citation}")
    if not decision.reasons:
        lines.append("  (none: no rule stood in the way)")
    hits = [(role, h) for role, hs in decision.screening.items() for h in hs]
    if hits:
        lines.append("Screening hits:")
        for role, h in hits:
            lines.append(
                f"  {role}: {h['name']} ({h.get('list_name') or h['source']}, id {h['party_id']}, score {h['score']:.2f})"
            )
    v = decision.versions
    rs = v.get("rule_set", {})
    lists = v.get("lists", {})
    refs = ", ".join(str(s.get("ref") or s.get("sha256", "")) for s in lists.get("snapshots", [])) or "none"
    lines.append(
        f"Versions: rules {rs.get('id')} {rs.get('version')} ({str(rs.get('sha256', ''))[:12]}); "
        f"lists {lists.get('status')} [{refs}]; engine {v.get('engine')}"
    )
    return "\n".join(lines)
