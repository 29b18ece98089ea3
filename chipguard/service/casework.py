"""Casework: alerts from screening, analysts' dispositions with reasons, four eyes, and the memory of
what was cleared — the loop that turns a hit into a resolved match.

- Screening a stored customer, a decision that ends in REVIEW or DENY, and re-screening after a list
  change raise one alert per customer × list record (``CaseStore.raise_alert``), each with its origin,
  the hit and its explanation, the match strength and the list record as screened. A weak hit is kept in
  the screening result but not alerted.
- A disposition (true match / false positive / needs information) takes a reason code from
  ``chipguard/data/casework.yml`` and the analyst's own words. Dismissing a confirmed or high-score hit,
  or one that made a decision DENY or LICENCE_REQUIRED, waits for a second person with an approving
  role (``four_eyes``, ``approver_roles``); the proposer never approves their own.
- A closed false positive is remembered against the hash of the customer's screened facts × the hash of
  the list record; that pair does not alert again, and decisions leave it out. A closed true match is
  remembered the same way (the alert itself) and decisions treat the hit as confirmed
  (``ClearingScreener``; each resolved hit is named in the decision's ``dispositions``). Either side
  changing alerts again. A closed disposition on an
  alert a decision raised re-takes that decision, referencing the alert and the earlier decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from chipguard.audit import canonical_json
from chipguard.config import data_dir, home
from chipguard.datafiles import read_yaml_mapping
from chipguard.errors import InputError
from chipguard.match import screener as match_screener
from chipguard.match.protocol import Screening
from chipguard.model import Customer, Hit, MatchStrength, Party, ScreeningSubject
from chipguard.store.cases import DISPOSITIONS, Alert, CaseStore, NewAlert
from chipguard.store.errors import ForbiddenError

POLICY_FILE = "casework.yml"
# The source of an alert for a screened name whose hits went past the screen's limit (a finding, not a
# list record): Casework.raise_omitted.
HITS_OMITTED_SOURCE = "screening:hits_omitted"


@dataclass(frozen=True, slots=True)
class CasePolicy:
    """``chipguard/data/casework.yml``: reason codes, who approves and when four eyes are needed."""

    version: str
    approver_roles: tuple[str, ...]
    dismiss_strengths: tuple[str, ...]
    dismiss_min_score: float
    override_outcomes: tuple[str, ...]
    reason_codes: dict[str, dict[str, str]]
    screened_fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "approver_roles": list(self.approver_roles),
            "four_eyes": {
                "dismiss_strengths": list(self.dismiss_strengths),
                "dismiss_min_score": self.dismiss_min_score,
                "override_outcomes": list(self.override_outcomes),
            },
            "reason_codes": self.reason_codes,
        }


@cache
def case_policy() -> CasePolicy:
    """The bundled policy, or ``$CHIPGUARD_HOME/data/casework.yml`` when a deployment overrides it."""
    path = home(create=False) / "data" / POLICY_FILE
    if not path.is_file():
        path = data_dir() / POLICY_FILE
    raw = read_yaml_mapping(path)
    four = raw.get("four_eyes") or {}
    codes = raw.get("reason_codes") or {}
    if set(codes) != set(DISPOSITIONS) or not all(isinstance(v, dict) and v for v in codes.values()):
        raise InputError(f"reason_codes needs codes for each of {', '.join(DISPOSITIONS)}", file=str(path))
    return CasePolicy(
        version=str(raw.get("version", "")),
        approver_roles=tuple(str(r) for r in raw.get("approver_roles") or ()),
        dismiss_strengths=tuple(str(s) for s in four.get("dismiss_strengths") or ()),
        dismiss_min_score=float(four.get("dismiss_min_score", 1.01)),
        override_outcomes=tuple(str(o) for o in four.get("override_outcomes") or ()),
        reason_codes={str(d): {str(k): str(v) for k, v in c.items()} for d, c in codes.items()},
        screened_fields=tuple(str(f) for f in raw.get("screened_fields") or ()),
    )


def facts_hash(customer: Customer, name: str, country: str | None) -> str:
    """The content hash of what a screened name is judged on: the name and country it was screened
    with and the customer's screened fields (``screened_fields``). A remembered false positive is tied to
    it, so editing any of them alerts again."""
    data = customer.to_dict()
    fields = {f: _plain(data.get(f)) for f in case_policy().screened_fields}
    doc = {"name": name.strip(), "country": (country or "").upper(), "customer": fields}
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """One spelling for one fact, whichever face the customer came through: numbers as floats (a share of
    40 and of 40.0 is the same share), text stripped, empty values as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def record_hash(record: dict[str, Any]) -> str:
    """The content hash of a list record (every alias, address, identifier …): a new alias or address
    on the list alerts again."""
    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


class PartyLookup:
    """The list record behind a hit, from the screener's own parties (what was screened)."""

    def __init__(self, screener: Any) -> None:
        self.screener = screener

    def record(self, hit: Hit) -> dict[str, Any]:
        find = getattr(self.screener, "party", None)
        party: Party | None = find(hit.source, hit.party_id) if find is not None else None
        return party.to_dict() if party is not None else {"source": hit.source, "party_id": hit.party_id}


Judge = Callable[[str, "str | None", Hit], "dict[str, Any] | None"]


@dataclass
class ClearingScreener(Screening):
    """A screener that applies what analysts resolved for this customer: a hit they cleared as a false
    positive is left out, a hit they confirmed as a true match is kept as ``confirmed``; each is named
    (``resolved``), so the decision that uses it says which hits it treated so and why.

    ``judge(name, country, hit)`` → None, or the remembered disposition (``{"disposition": "false_positive"
    | "true_match", …}``)."""

    inner: Screening
    judge: Judge
    resolved: list[dict[str, Any]] = field(default_factory=list)

    def screening(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: Any = None,
    ) -> match_screener.Screening:
        """The inner screening with what analysts resolved applied. ``omitted`` stays the inner one's: a
        hit cleared here was seen, the ones past the limit were not, and clearing does not bring them in.
        A cleared hit leaves its entity group; a group left with no record goes."""
        kept: list[Hit] = []
        # the identifying details go through only when given (a stand-in screener may not take them)
        more: dict[str, Any] = {"evidence": evidence} if evidence is not None else {}
        found = self.inner.screening(
            name, kind=kind, country=country, limit=limit, threshold=threshold, **more
        )
        for hit in found.hits:
            why = self.judge(name, country, hit)
            if why is None:
                kept.append(hit)
                continue
            if why.get("disposition") == "true_match":
                hit.strength = MatchStrength.CONFIRMED.value
                kept.append(hit)
            entry = {"subject": name, "source": hit.source, "party_id": hit.party_id, **why}
            if entry not in self.resolved:
                self.resolved.append(entry)
        shown = {(h.source, h.party_id) for h in kept}
        entities = []
        for group in found.entities:
            records = [r for r in group.get("records") or [] if (r.get("source"), r.get("party_id")) in shown]
            if records:
                entities.append({**group, "records": records})
        return match_screener.Screening(kept, found.omitted, found.limit, entities)

    def snapshot_refs(self) -> list[Any]:
        return self.inner.snapshot_refs()

    @property
    def snapshots(self) -> Any:
        return getattr(self.inner, "snapshots", [])


class Casework:
    """The casework operations of one database (``Services.casework``)."""

    def __init__(self, cases: CaseStore) -> None:
        self.cases = cases

    @property
    def policy(self) -> CasePolicy:
        return case_policy()

    # ── raising ──────────────────────────────────────────────────────────────────────────────────

    def raise_alerts(
        self,
        customer: Customer,
        customer_version: int | None,
        found: list[tuple[ScreeningSubject, Hit]],
        lookup: PartyLookup,
        *,
        origin: str,
        origin_ref: str = "",
        origin_outcome: str = "",
        actor: str,
    ) -> dict[str, list[dict[str, Any]]]:
        """One alert per customer × list record for ``found`` (subject, hit) pairs, except weak hits and
        the pairs an analyst resolved before (cleared as a false positive, or confirmed as a true match).
        {"raised": [...], "existing": [...], "cleared": [...], "confirmed": [...], "weak": [...]}."""
        out: dict[str, list[dict[str, Any]]] = {
            "raised": [],
            "existing": [],
            "cleared": [],
            "confirmed": [],
            "weak": [],
        }
        if not customer.customer_id:
            return out
        for subject, hit in found:
            hit_dict = hit.to_dict()
            brief = {"subject": subject.label, "source": hit.source, "party_id": hit.party_id}
            if str(hit_dict.get("strength") or "") == "weak":
                out["weak"].append(brief)
                continue
            outcome, ref = self._raise(
                customer,
                customer_version,
                subject.role.value,
                subject.name,
                subject.country,
                hit_dict,
                lookup.record(hit),
                origin=origin,
                origin_ref=origin_ref,
                origin_outcome=origin_outcome,
                actor=actor,
            )
            out[outcome].append(brief | ref)
        return out

    def raise_finding(
        self,
        customer: Customer,
        customer_version: int | None,
        *,
        origin: str,
        finding_id: str,
        title: str,
        score: float,
        details: dict[str, Any],
        actor: str,
    ) -> dict[str, Any]:
        """An alert for a monitoring finding about a stored customer (a usage threshold, linked accounts):
        one per customer × finding, remembered like a hit when an analyst resolves it (the finding's
        content changing alerts again). {"outcome": raised | existing | cleared | confirmed, ids}."""
        hit = {
            "source": f"monitor:{origin}",
            "party_id": finding_id,
            "name": title,
            "matched_name": "",
            "score": float(score),
            "list_name": f"monitoring ({origin})",
            "explanation": details,
        }
        record = {"finding": finding_id, "origin": origin, **details}
        outcome, ref = self._raise(
            customer,
            customer_version,
            "customer",
            customer.name,
            customer.country,
            hit,
            record,
            origin=origin,
            origin_ref=finding_id,
            origin_outcome="",
            actor=actor,
        )
        return {"outcome": outcome, **ref}

    def raise_omitted(
        self,
        customer: Customer,
        customer_version: int | None,
        subject: ScreeningSubject,
        omitted: int,
        limit: int,
        snapshots: list[str],
        *,
        origin: str,
        origin_ref: str = "",
        actor: str,
    ) -> dict[str, Any]:
        """An alert for a screened name whose hits went past the screen's limit: ``omitted`` more records
        cleared the threshold and were neither shown nor alerted, and one of them may be the name's
        match — fail closed, as a decision is REVIEW on it (OP-HITS-OMITTED). One open alert per customer
        × subject (a later screen, or a re-screen, finding a cut adds to it); once resolved, the same cut
        (count, limit, lists) stays resolved and a different count or new lists alert again. Source
        ``screening:hits_omitted``, a finding rather than a list record.
        {"subject", "source", "party_id", "omitted", "limit", "outcome", ids}."""
        finding = f"hits-omitted:{subject.label}"
        hit = {
            "source": HITS_OMITTED_SOURCE,
            "party_id": finding,
            "name": f"{omitted} more list hit(s) than the {limit} screened for the {subject.role.phrase} "
            f"'{subject.name}'",
            "matched_name": "",
            # dismissing it needs a second person (casework.yml four_eyes.dismiss_min_score)
            "score": 1.0,
            "list_name": "hits past the screening limit",
            "explanation": {
                "omitted": omitted,
                "limit": limit,
                "why": "these records clear the matching threshold but were not shown or alerted: screen "
                "the name in full (a larger limit) and resolve every hit",
            },
        }
        # what the cut is, not who found it: the same cut found by a screen and a re-screen is one alert
        record = {
            "finding": "hits_omitted",
            "subject": subject.label,
            "omitted": omitted,
            "limit": limit,
            "snapshots": ", ".join(sorted(snapshots)),
        }
        outcome, ref = self._raise(
            customer,
            customer_version,
            subject.role.value,
            subject.name,
            subject.country,
            hit,
            record,
            origin=origin,
            origin_ref=origin_ref,
            origin_outcome="",
            actor=actor,
        )
        brief = {"subject": subject.label, "source": HITS_OMITTED_SOURCE, "party_id": finding}
        return {**brief, "omitted": omitted, "limit": limit, "outcome": outcome, **ref}

    def _raise(
        self,
        customer: Customer,
        customer_version: int | None,
        role: str,
        name: str,
        country: str | None,
        hit: dict[str, Any],
        record: dict[str, Any],
        *,
        origin: str,
        origin_ref: str,
        origin_outcome: str,
        actor: str,
    ) -> tuple[str, dict[str, str]]:
        """One alert for ``customer``'s subject × ``record`` unless an analyst resolved the pair before:
        ("cleared" | "confirmed" | "raised" | "existing", the id that says which)."""
        facts, rec = facts_hash(customer, name, country), record_hash(record)
        cleared = self.cases.is_cleared(facts, rec)
        if cleared is not None:
            return "cleared", {"cleared_id": cleared.cleared_id}
        confirmed = self.cases.confirmed(facts, rec)
        if confirmed is not None:
            return "confirmed", {"alert_id": confirmed.alert_id}
        alert, created = self.cases.raise_alert(
            NewAlert(
                customer_id=customer.customer_id,
                customer_version=customer_version,
                origin=origin,
                origin_ref=origin_ref,
                origin_outcome=origin_outcome,
                subject_role=role,
                subject_name=name,
                hit=hit,
                record=record,
                record_hash=rec,
                facts_hash=facts,
            ),
            actor,
        )
        return ("raised" if created else "existing"), {"alert_id": alert.alert_id}

    def clearing(self, inner: Screening, customer: Customer, lookup: PartyLookup) -> ClearingScreener:
        """``inner`` with what analysts resolved for ``customer``'s screened facts applied."""

        def judge(name: str, country: str | None, hit: Hit) -> dict[str, Any] | None:
            facts, rec = facts_hash(customer, name, country), record_hash(lookup.record(hit))
            cleared = self.cases.is_cleared(facts, rec)
            if cleared is not None:
                return {
                    "disposition": "false_positive",
                    "cleared_id": cleared.cleared_id,
                    "alert_id": cleared.alert_id,
                    "reason_code": cleared.reason_code,
                    "reason": cleared.reason,
                    "decided_by": cleared.decided_by,
                    "approved_by": cleared.approved_by,
                }
            confirmed = self.cases.confirmed(facts, rec)
            if confirmed is not None:
                return {
                    "disposition": "true_match",
                    "alert_id": confirmed.alert_id,
                    "reason_code": confirmed.reason_code,
                    "reason": confirmed.reason,
                    "decided_by": confirmed.proposed_by,
                    "approved_by": confirmed.approved_by,
                }
            return None

        return ClearingScreener(inner, judge)

    # ── disposing ────────────────────────────────────────────────────────────────────────────────

    def needs_approval(self, alert: Alert, disposition: str) -> list[str]:
        """Why this disposition needs a second person (empty: it does not)."""
        if disposition != "false_positive":
            return []
        policy, why = self.policy, []
        if alert.strength and alert.strength in policy.dismiss_strengths:
            why.append(f"dismissing a {alert.strength} match")
        if alert.score >= policy.dismiss_min_score:
            why.append(f"dismissing a hit scoring {alert.score:.3f} (≥ {policy.dismiss_min_score:g})")
        if alert.origin_outcome in policy.override_outcomes:
            why.append(f"overriding a {alert.origin_outcome} decision")
        return why

    def check_reason_code(self, disposition: str, reason_code: str) -> None:
        if disposition not in DISPOSITIONS:
            raise InputError(f"must be one of {', '.join(DISPOSITIONS)}", field="disposition")
        codes = self.policy.reason_codes.get(disposition, {})
        if reason_code not in codes:
            raise InputError(
                f"unknown reason code for {disposition}; one of {', '.join(codes)}", field="reason_code"
            )

    def check_approver(self, role: str) -> None:
        if role not in self.policy.approver_roles:
            raise ForbiddenError(
                f"approving a disposition needs one of the roles {', '.join(self.policy.approver_roles)}; "
                f"the key has '{role}'"
            )
