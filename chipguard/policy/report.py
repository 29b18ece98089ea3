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


NOT_3A090_TEXT = "not 3A090/4A090 (EAR99 or another ECCN)"


def eccn_text(classification: dict[str, Any]) -> str:
    """The ECCN as a reader should see it: the hardware package's "no 3A090/4A090 rule caught it" label
    is not an ECCN, so it is said in words."""
    eccn = classification.get("eccn")
    if classification.get("controlled", True) or classification.get("undetermined"):
        return f"ECCN {eccn}" if eccn else NOT_3A090_TEXT
    return NOT_3A090_TEXT


# A terminal summary stays readable when a name matches dozens of list entries (Huawei has ~100 Entity
# List entries); the JSON output always carries every reason and hit.
MAX_PER_RULE = 3
MAX_HITS = 10


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
            f"Item: {c.get('item')} × {c.get('quantity')}: {eccn_text(c)}"
            + (f", TPP {tpp:,.0f}" if isinstance(tpp, int | float) else "")
        )
    lines.append("Reasons:")
    shown: dict[str, int] = {}
    for r in decision.reasons:
        shown[r.rule_id] = shown.get(r.rule_id, 0) + 1
        if shown[r.rule_id] > MAX_PER_RULE:
            continue
        lines.append(f"  [{r.outcome}] {r.code}: {r.message}")
        lines.append(f"      rule {r.rule_id}; {r.citation}")
    for rule_id, count in shown.items():
        if count > MAX_PER_RULE:
            lines.append(
                f"  … and {count - MAX_PER_RULE} more reason(s) from rule {rule_id} (all of them in --json)"
            )
    if not decision.reasons:
        lines.append("  (none: no rule stood in the way)")
    if decision.uncertain:
        lines.append("Uncertain — verify before relying on this decision:")
        for u in decision.uncertain:
            lines.append(f"  [{u.rule_id}] {u.why}")
            lines.append(f"      verify: {u.check}")
    hits = [(role, h) for role, hs in decision.screening.items() for h in hs]
    if hits:
        lines.append(f"Screening hits ({len(hits)}):")
        for role, h in hits[:MAX_HITS]:
            lines.append(
                f"  {role}: {h['name']} ({h.get('list_name') or h['source']}, id {h['party_id']}, score {h['score']:.2f})"
            )
    if len(hits) > MAX_HITS:
        lines.append(f"  … and {len(hits) - MAX_HITS} more (all of them in --json)")
    for role, more in decision.omitted.items():
        # not in --json either: the decision never weighed them (its reasons say so)
        lines.append(f"  {role}: {more} more not shown, past the hits per name the decision weighs")
    v = decision.versions
    rs = v.get("rule_set", {})
    lists = v.get("lists", {})
    refs = ", ".join(str(s.get("ref") or s.get("sha256", "")) for s in lists.get("snapshots", [])) or "none"
    lines.append(
        f"Versions: rules {rs.get('id')} {rs.get('version')} ({str(rs.get('sha256', ''))[:12]}); "
        f"lists {lists.get('status')} [{refs}]; engine {v.get('engine')}"
    )
    return "\n".join(lines)
