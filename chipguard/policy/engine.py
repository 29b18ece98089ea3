"""The decision engine: facts in, rules evaluated, the most severe outcome out, every reason cited.

The engine is deliberately generic: it knows how to gather facts (providers), evaluate conditions
(``conditions.evaluate``) and combine outcomes (most severe wins: DENY > LICENCE_REQUIRED > REVIEW >
ALLOW). What any country, list or chip means is in the rule files. The one thing hard-wired is failing
closed: without trustworthy lists the engine never returns ALLOW, whatever the rule files say.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chipguard import ENGINE_VERSION, refdata
from chipguard.errors import InputError
from chipguard.geo.groups import load_groups
from chipguard.match.protocol import Screening
from chipguard.model import Customer, Decision, Outcome, Reason, Transaction, Uncertainty
from chipguard.names.data import recorded_settings
from chipguard.policy.conditions import evaluate, resolve
from chipguard.policy.facts import DecisionContext, ListsStatus, run_providers
from chipguard.policy.report import classification_dict
from chipguard.policy.rules import SEVERITY, TRANSACTION_KINDS, Rule, RuleSet, default_rule_set

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")
FAIL_CLOSED_RULE = "engine.fail_closed"


@dataclass(slots=True)
class Triggered:
    rule: Rule
    element: int | None  # index in the rule's for_each collection, None for transaction-level rules
    reason: Reason
    group: tuple[str, ...] = ()  # the values of the rule's group_by paths for this element
    # the element's scope, kept for a rule whose folded group is told by its ``group_message``
    scope: dict[str, Any] | None = None
    record: str = ""  # the element rendered by the rule's ``group_record`` ("" without one)


def _fmt(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value) or "none"
    return str(value)


def render(template: str, scope: dict[str, Any]) -> str:
    """``{item.model}`` placeholders filled from the facts in scope (missing → "?")."""
    return _PLACEHOLDER.sub(lambda m: _fmt(resolve(scope, m.group(1))), template)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def evaluate_rules(rule_set: RuleSet, facts: dict[str, Any], kind: str, on: date) -> list[Triggered]:
    """Every rule in force on ``on`` for transactions of ``kind`` whose condition holds, per element."""
    fired: list[Triggered] = []
    for rule in rule_set.rules:
        if kind not in rule.applies_to or not rule.in_force(on):
            continue
        if rule.for_each:
            collection = resolve(facts, rule.for_each) or []
            elements: list[tuple[int | None, dict[str, Any]]] = [
                (i, {**facts, rule.as_name: el}) for i, el in enumerate(collection)
            ]
        else:
            elements = [(None, facts)]
        for index, scope in elements:
            used: dict[str, Any] = {}
            if not evaluate(rule.when, scope, used):
                continue
            if rule.for_each:
                # Name the element the reason is about (which item, which hit), not only what was tested.
                element = scope[rule.as_name]
                if isinstance(element, dict):
                    for key, value in element.items():
                        if value is not None and isinstance(value, str | int | float | bool):
                            used.setdefault(f"{rule.as_name}.{key}", value)
            reason = Reason(
                code=rule.code,
                message=render(rule.message, scope),
                citation=render(rule.citation_on(on), scope),
                rule_id=rule.id,
                outcome=rule.outcome.value,
                facts=_json_safe(used),
            )
            group = tuple(_fmt(resolve(scope, path)) for path in rule.group_by)
            if rule.group_message:
                record = render(rule.group_record, scope)
                fired.append(Triggered(rule, index, reason, group, scope, record))
            else:
                fired.append(Triggered(rule, index, reason, group))
    return _merge_groups(_apply_suppression(fired))


def _merge_groups(fired: list[Triggered]) -> list[Triggered]:
    """Reasons of a ``group_by`` rule with the same group values become one (the screening section of
    the decision still lists every hit). A rule with a ``group_message`` tells the group in it, naming
    each element (:func:`_fold`); without one the group is the first element's reason counting the
    others."""
    groups: dict[tuple[str, tuple[str, ...]], list[Triggered]] = {}
    out: list[Triggered] = []
    for t in fired:
        if not t.rule.group_by:
            out.append(t)
            continue
        key = (t.rule.id, t.group)
        if key not in groups:
            groups[key] = []
            out.append(t)
        groups[key].append(t)
    for members in groups.values():
        if len(members) == 1:
            continue
        first = members[0]
        if first.rule.group_message:
            _fold(first, members)
            continue
        count = len(members) - 1
        first.reason.message += (
            f" (and {count} more matching entr{'y' if count == 1 else 'ies'} on the same list)"
        )
        first.reason.facts["group.more_entries"] = count
    return out


def _fold(first: Triggered, members: list[Triggered]) -> None:
    """``first``'s reason becomes the group's: the rule's ``group_message`` in its scope with
    ``group.count`` and ``group.records`` (every element's ``group_record``, in order); the citation
    cites what each element's cites (its "; "-separated authorities, each once, in order), so folding
    drops no authority; ``facts`` gain ``group.count`` and ``group.records``."""
    records = [m.record for m in members]
    scope = {**(first.scope or {}), "group": {"count": len(members), "records": "; ".join(records)}}
    first.reason.message = render(first.rule.group_message, scope)
    authorities: list[str] = []
    for m in members:
        for part in m.reason.citation.split("; "):
            if part not in authorities:
                authorities.append(part)
    first.reason.citation = "; ".join(authorities)
    first.reason.facts["group.count"] = len(members)
    first.reason.facts["group.records"] = records


DEFAULT_CHECK = "verify against the Federal Register / eCFR text in force on the decision date"


def uncertainties(
    rule_set: RuleSet, facts: dict[str, Any], kind: str, on: date, fired: list[Triggered]
) -> list[Uncertainty]:
    """What the decision rests on that is not confirmed, one entry per rule (or data table):

    - a rule that moved the decision and is graded ⚠ (its ``note``) or carries ``verify``;
    - a rule that moved the decision after a suspension graded ⚠ ended (was it extended?);
    - a suspended rule whose condition holds (is the suspension, itself graded, really in force?);
    - ``uncertain`` facts from the providers (country-group dates, classification interpretations).
    """
    out: dict[str, Uncertainty] = {}
    for t in fired:
        rule = t.rule
        if rule.id in out:
            continue
        why = rule.uncertainty()
        if why:
            out[rule.id] = Uncertainty(rule.id, why, rule.verify or DEFAULT_CHECK)
            continue
        ended = [w for w in rule.suspended if w.end is not None and w.end <= on and "⚠" in w.citation]
        if ended:
            last = max(ended, key=lambda w: w.start)
            out[rule.id] = Uncertainty(
                rule.id,
                f"{rule.title or rule.id} applies again: its suspension ({last.citation.replace('⚠', '').strip()})"
                f" ended on {last.end.isoformat() if last.end else '?'}",
                "verify that the suspension was not extended or made permanent before relying on this rule",
            )
    for rule in rule_set.rules:
        window = rule.suspension(on)
        if rule.id in out or window is None or kind not in rule.applies_to:
            continue
        if (rule.end and on >= rule.end) or (rule.effective and on < rule.effective):
            continue
        collection = (resolve(facts, rule.for_each) or []) if rule.for_each else [None]
        scopes = [facts if el is None else {**facts, rule.as_name: el} for el in collection]
        if any(evaluate(rule.when, scope) for scope in scopes):
            out[rule.id] = Uncertainty(
                rule.id,
                f"{rule.title or rule.id} would apply but is suspended on {on.isoformat()}"
                f" ({window.citation.replace('⚠', '').strip()})",
                "verify the suspension and its dates; if it has lapsed, the rule's outcome "
                f"({rule.outcome.value}) applies",
            )
    for raw in facts.get("uncertain") or []:
        if isinstance(raw, dict) and raw.get("why"):
            entry = Uncertainty(
                str(raw.get("rule_id", "facts")), str(raw["why"]), str(raw.get("check") or DEFAULT_CHECK)
            )
            out.setdefault(f"{entry.rule_id}:{entry.why}", entry)
    return list(out.values())


def _apply_suppression(fired: list[Triggered]) -> list[Triggered]:
    """A rule's ``suppresses`` removes the named rules' reasons for the same element (or all of them when
    either rule is transaction-level): e.g. ACA eligibility lifts the destination licence requirement."""
    drop: set[int] = set()
    for t in fired:
        for target in t.rule.suppresses:
            for j, other in enumerate(fired):
                if other.rule.id != target:
                    continue
                same_collection = t.rule.for_each and t.rule.for_each == other.rule.for_each
                if not same_collection or t.element == other.element:
                    drop.add(j)
    return [t for j, t in enumerate(fired) if j not in drop]


def combine(reasons: list[Reason]) -> Outcome:
    """Most severe wins; no reason at all means nothing stood in the way (ALLOW)."""
    outcome = Outcome.ALLOW
    for r in reasons:
        o = Outcome(r.outcome)
        if SEVERITY[o] > SEVERITY[outcome]:
            outcome = o
    return outcome


def _caller_lists(screener: Any) -> ListsStatus:
    """A caller that passes its own screener vouches for its lists; we record what it says about them."""
    info = getattr(screener, "snapshots", None) or getattr(screener, "snapshot", None)
    if isinstance(info, list | tuple):
        snaps = [s.to_dict() if hasattr(s, "to_dict") else {"ref": str(s)} for s in info]
    elif info:
        snaps = [info.to_dict() if hasattr(info, "to_dict") else {"ref": str(info)}]
    else:
        snaps = [{"ref": "caller-supplied screener"}]
    return ListsStatus("ok", "screener supplied by the caller", snaps)


def decide(
    transaction: Transaction,
    *,
    screener: Screening | None = None,
    on: date | str | None = None,
    lists: ListsStatus | None = None,
    rule_set: RuleSet | None = None,
    other_customers: Sequence[Customer] = (),
) -> Decision:
    """Decide ``transaction``: ALLOW / REVIEW / LICENCE_REQUIRED / DENY with cited reasons.

    ``screener``: what screens the customer, its owners and parent (``chipguard.match.Screening``; the
    service layer supplies the one over the active lists); None means nobody was screened, and the
    decision fails closed (REVIEW with the reason, never ALLOW). ``on``: the evaluation date (default:
    the transaction's date). ``lists``: the status of the caller's lists (ok, stale or missing).
    ``rule_set``: default the bundled rules plus the override root's ``rules/``. ``other_customers``: the
    provider's other customer records, for the red flags that compare customers with each other.
    """
    rs = rule_set or default_rule_set()
    try:
        when = on if isinstance(on, date) else date.fromisoformat(on or transaction.date)
    except ValueError as exc:
        raise InputError(
            f"not an ISO date: {on or transaction.date!r}", field="on" if on else "date"
        ) from exc
    if transaction.kind not in TRANSACTION_KINDS:
        raise InputError(f"kind must be one of {', '.join(TRANSACTION_KINDS)}", field="kind")
    if screener is None:
        # Nothing was screened, whatever the caller says about its lists: fail closed.
        if lists is not None and lists.status != "ok":
            status = lists
        else:
            status = ListsStatus(
                "missing", "no screener was supplied: nobody was screened", lists.snapshots if lists else []
            )
    else:
        status = lists or _caller_lists(screener)
    # One consistent set of reference data for the whole decision (catalogue, ECCN documents, country
    # groups): what the caller pinned (a replay pins the archived files), else the files in force now.
    reference = refdata.current()
    context = DecisionContext(
        transaction=transaction,
        on=when,
        rule_set=rs,
        screener=screener,
        lists=status,
        other_customers=other_customers,
    )
    with refdata.using(reference):
        facts = run_providers(transaction, context)
        groups_version = load_groups().version
    triggered = evaluate_rules(rs, facts, transaction.kind, when)
    uncertain = uncertainties(rs, facts, transaction.kind, when, triggered)
    reasons = [t.reason for t in triggered]
    outcome = combine(reasons)
    if status.status != "ok" and outcome == Outcome.ALLOW:
        # Safety net in case a rule file lost its lists rule: no trustworthy lists, no ALLOW.
        reasons.append(
            Reason(
                code="LISTS_UNAVAILABLE",
                message=f"Screening could not be relied on ({status.status}): {status.reason}",
                citation="Supp. No. 3 to 15 CFR Part 732 (Know Your Customer guidance); chipguard fail-closed policy",
                rule_id=FAIL_CLOSED_RULE,
                outcome=Outcome.REVIEW.value,
                facts={"screening.status": status.status},
            )
        )
        outcome = Outcome.REVIEW
    reasons.sort(key=lambda r: -SEVERITY[Outcome(r.outcome)])
    return Decision(
        outcome=outcome,
        reasons=reasons,
        classifications=[
            classification_dict(i, c)
            for i, c in zip(facts.get("items", []), context.classifications, strict=False)
        ],
        screening={role: [h.to_dict() for h in hits] for role, hits in context.hits.items()},
        omitted=dict(sorted(context.omitted.items())),
        versions={
            "lists": status.to_dict(),
            "rule_set": rs.version_info(),
            "country_groups": groups_version,
            "engine": ENGINE_VERSION,
            # Content hashes of every reference file the decision rested on (chipguard.refdata).
            refdata.MANIFEST_KEY: refdata.manifest(reference, recorded_settings()),
        },
        transaction=transaction.to_dict(),
        decision_id=uuid.uuid4().hex,
        decided_at=datetime.now(UTC).isoformat(timespec="seconds"),
        uncertain=uncertain,
    )
