"""The service layer every face calls: stores wired to one database, the screener of the active lists,
and the operations that span several of them — screening (ad hoc and a stored customer), making a
decision (screen, decide, store, audit), replaying one on the snapshots and rules it was made on, loading
and retiring lists, verifying and exporting the audit trail, managing keys.

Why here: the CLI, the REST API, the web UI and the batch jobs must do exactly the same thing; none of
them holds logic of its own (they parse, route and render), and the core (``chipguard.match``,
``chipguard.policy`` …) never opens the store: this layer hands it a screener and the facts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from chipguard import ENGINE_VERSION, refdata
from chipguard.audit import AuditLog, VerifyReport
from chipguard.errors import ChipguardError, InputError
from chipguard.match.evidence import query_evidence, subject_evidence
from chipguard.model import (
    Customer,
    Decision,
    Hit,
    MatchStrength,
    Outcome,
    Party,
    ScreeningSubject,
    Transaction,
)
from chipguard.monitor.compute import ComputeEstimate, Settings, estimate_accounts
from chipguard.monitor.links import Cluster, cluster_compute, find_clusters, hub_values, index_links
from chipguard.monitor.usage import UsageRecord
from chipguard.names.data import checked_threshold, recorded_settings
from chipguard.policy.engine import decide
from chipguard.policy.facts import ListsStatus, hit_limit
from chipguard.policy.rules import RuleSet, default_rule_set, load_rule_set_archive
from chipguard.service import replay_worker
from chipguard.service.casework import Casework, ClearingScreener, PartyLookup
from chipguard.service.rescreen import RescreenReport, iter_customers, past_versions, run_rescreen
from chipguard.service.screening import ScreenerProvider, screener_of
from chipguard.store import context, evidence
from chipguard.store.cases import AlertFilter, CaseStore
from chipguard.store.customers import CustomerStore
from chipguard.store.db import get_engine
from chipguard.store.decisions import DecisionStore, StoredDecision
from chipguard.store.errors import NotFoundError
from chipguard.store.jobs import JobStore
from chipguard.store.keys import KeyStore
from chipguard.store.permissions import Permission
from chipguard.store.snapshot_update import load_bundled, load_bundled_if_empty, update_lists
from chipguard.store.snapshots import ListsAudit, LoadSpec, SnapshotInfo, SnapshotStore, require_lists


class EngineError(ChipguardError):
    """The decision engine failed on a valid transaction (its rule files or data): HTTP 500."""


# The usage levels that raise an alert (chipguard.monitor.compute.LEVELS: below < warning < may_exceed < exceeds).
ALERTING_LEVELS = ("may_exceed", "exceeds")

# How many stored customers the cross-customer red flags (shared addresses) compare a transaction with.
OTHER_CUSTOMERS_LIMIT = 10_000


@dataclass(slots=True)
class AuditCheck:
    """The whole audit check: the hash chain and its signed head, and every stored record (decisions,
    customer versions) against its audit entry. What ``chipguard audit verify``, ``GET /v1/audit/verify``
    and the web UI's verify page all report."""

    chain: VerifyReport
    records: list[tuple[str, str]] = field(default_factory=list)  # (record, problem)
    # every evidence row recomputed against the seal its audit entry recorded, and the guard triggers
    # (chipguard.store.evidence): (table[row] or trigger, problem naming the column)
    evidence: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.records and not self.evidence

    def to_dict(self) -> dict[str, Any]:
        return self.chain.to_dict() | {
            "ok": self.ok,
            "records": [{"record": record, "problem": problem} for record, problem in self.records],
            "evidence": [{"record": record, "problem": problem} for record, problem in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class ScreenQuery:
    """One ad-hoc name to screen, with the qualifiers it is screened with."""

    name: str
    kind: str | None = None
    country: str | None = None
    id: Any = None
    limit: int = 10
    threshold: float | None = None  # this query's cut (default: the matching data's threshold)
    # identifying details besides the name (model.EVIDENCE_FIELDS → text), checked by the screener
    fields: tuple[tuple[str, str | None], ...] = ()
    # where the face took this query from ("body.queries[3]"): a bad field's name is prefixed with it,
    # so an error in a request of many queries says which one
    where: str = ""


# hit strengths strongest first (chipguard.match.evidence): the order a subject's best hit is taken in
STRENGTH_ORDER = ("confirmed", "potential", "weak")


def _strength_rank(strength: str) -> int:
    """A strength's place in STRENGTH_ORDER (an unknown one after every known)."""
    return STRENGTH_ORDER.index(strength) if strength in STRENGTH_ORDER else len(STRENGTH_ORDER)


def max_hits_per_name() -> int:
    """The most hits per screened name any face may ask for: the rule set's ``screening_hit_limit``
    (rules/operational.yml, 200), the bound a decision and a customer screen weigh. One bound for every
    face (REST ``/v1/screen`` and ``/match``, the CLI, the web form, jobs), so no face offers a name's
    200th hit while another stops at its 100th, and nobody can ask for an unbounded answer."""
    return hit_limit(default_rule_set())


def check_limit(limit: int, field: str = "limit") -> None:
    """An InputError naming ``field`` when ``limit`` is not between 1 and :func:`max_hits_per_name`."""
    bound = max_hits_per_name()
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= bound:
        raise InputError(
            f"must be a whole number from 1 to {bound} (the rule set's screening_hit_limit: as many hits "
            f"per name as a decision weighs), not {limit!r}",
            field=field,
        )


def check_query(query: ScreenQuery) -> None:
    """Checks a query's hit limit (:func:`check_limit`), its threshold (``names.data.checked_threshold``)
    and its identifying details as screening will (a date of birth that is no date, an LEI, IMO or USCC
    failing its check digits …): an InputError naming the field, prefixed with the query's ``where``.
    ``Services.screen`` checks every query of a call first, so none is screened when one is bad."""
    check_limit(query.limit, f"{query.where}.limit" if query.where else "limit")
    if query.threshold is not None:
        checked_threshold(query.threshold, f"{query.where}.threshold" if query.where else "threshold")
    if not query.fields:
        return
    try:
        query_evidence(country=query.country, **dict(query.fields))
    except InputError as exc:
        if not query.where:
            raise
        raise InputError(
            exc.detail, field=f"{query.where}.{exc.field}" if exc.field else query.where
        ) from exc


@dataclass(frozen=True, slots=True)
class ListsChange:
    """What a list load, update or removal did: the snapshots now in force and its audit entry."""

    snapshots: list[SnapshotInfo]
    audit_seq: int | None


@dataclass
class Services:
    engine: Engine
    audit: AuditLog
    keys: KeyStore
    customers: CustomerStore
    decisions: DecisionStore
    snapshots: SnapshotStore
    screeners: ScreenerProvider
    cases: CaseStore
    casework: Casework
    jobs: JobStore

    @classmethod
    def open(cls, database_url: str | None = None) -> Services:
        engine = get_engine(database_url)
        audit = AuditLog(engine)
        snapshots = SnapshotStore(engine)
        cases = CaseStore(engine, audit)
        return cls(
            engine=engine,
            audit=audit,
            keys=KeyStore(engine, audit),
            customers=CustomerStore(engine, audit),
            decisions=DecisionStore(engine, audit),
            snapshots=snapshots,
            screeners=ScreenerProvider(snapshots),
            cases=cases,
            casework=Casework(cases),
            jobs=JobStore(engine, audit),
        )

    # ── lists ────────────────────────────────────────────────────────────────────────────────────

    # Every list change appends its audit entry inside the change's own transaction (ListsAudit): a
    # list is never in force unaudited. ``force_reason`` lets a load through the shrink guard (fewer
    # records than min_record_share of the active snapshot) and is written to the entry.

    def load_lists(
        self, specs: Sequence[LoadSpec], actor: str, *, bundled: bool = False, force_reason: str = ""
    ) -> ListsChange:
        """Loads list files (or, ``bundled``, the offline snapshot shipped in the package) as new
        snapshots, all or nothing, with the load's audit entry."""
        if bundled and specs:
            raise InputError("--bundled loads the packaged lists; give list files or bundled, not both")
        audit = ListsAudit(actor, "lists.load", {"bundled": bundled}, force_reason=force_reason)
        infos = load_bundled(self.snapshots, audit) if bundled else self.snapshots.load_files(specs, audit)
        return self._lists_changed(infos, audit)

    def load_bundled_if_empty(self, actor: str) -> ListsChange:
        """First use (``chipguard run``): a home without lists gets the bundled ones, audited."""
        audit = ListsAudit(actor, "lists.load", {"bundled": True})
        infos = load_bundled_if_empty(self.snapshots, audit)
        if not infos:
            return ListsChange([], None)
        return self._lists_changed(infos, audit)

    def update_lists(
        self, sources: Sequence[str] | None, actor: str, *, bundled: bool = False, force_reason: str = ""
    ) -> ListsChange:
        """Downloads the official current files (all default sources when none are named; ``bundled``:
        the packaged snapshot instead), loads them in one transaction with the update's audit entry; any
        failure leaves the lists as they were."""
        names = list(sources) if sources else None
        details = {"bundled": bundled, "sources": names}
        audit = ListsAudit(actor, "lists.update", details, force_reason=force_reason)
        infos = load_bundled(self.snapshots, audit) if bundled else update_lists(names, self.snapshots, audit)
        return self._lists_changed(infos, audit)

    def remove_list(self, source: str, actor: str) -> ListsChange:
        """Stops screening against ``source`` (its snapshots stay for replay), with the removal's audit
        entry."""
        audit = ListsAudit(actor, "lists.remove")
        self.snapshots.deactivate(source, audit)
        self.screeners.invalidate()
        return ListsChange([], audit.entry.seq)

    def _lists_changed(self, infos: list[SnapshotInfo], audit: ListsAudit) -> ListsChange:
        self.screeners.invalidate()
        return ListsChange(infos, audit.entry.seq if audit.entry is not None else None)

    # ── hardware ─────────────────────────────────────────────────────────────────────────────────

    def classify_hardware(
        self, model_or_spec: str | dict[str, Any], on: date | str | None = None
    ) -> dict[str, Any]:
        """Classifies a catalogued model (or a chip spec) under the 3A090/4A090 rules in force on ``on``
        (default today), as ``chipguard hardware classify --json`` prints it; InputError for an unknown or
        ambiguous model, a bad spec or date. Nothing is stored: a classification is a lookup."""
        from chipguard.hardware import classify

        return classify(model_or_spec, on).to_dict()

    # ── audit ────────────────────────────────────────────────────────────────────────────────────

    def verify_audit(self) -> AuditCheck:
        """The chain, its signed head, and every stored decision and customer version against its entry."""
        return AuditCheck(
            self.audit.verify(),
            self.decisions.check_against_audit() + self.customers.check_against_audit(),
            evidence.check_evidence(self.engine, self.audit.entries()) + evidence.check_triggers(self.engine),
        )

    # ── decisions ────────────────────────────────────────────────────────────────────────────────

    def lists_status(self) -> ListsStatus:
        """The status of the active lists (ok / stale / missing), as every decision records it."""
        return self.screeners.status()

    def decide(self, body: Any, actor: str, *, follows: dict[str, Any] | None = None) -> StoredDecision:
        """Parses a transaction (InputError naming the field when invalid), decides it on the active lists
        and the stored customers, and stores the decision and its audit entry in one transaction. A
        decision about a stored customer that is not ALLOW raises an alert per list record it hit;
        ``follows`` names the earlier decision and the alert a re-taken decision answers."""
        transaction = _transaction(body)
        # The reference files in force now (an edited override applies from this decision on), pinned
        # for the whole decision so its manifest names exactly what it read; archived with it below.
        reference = refdata.current(refresh=True)
        with refdata.using(reference):
            rule_set = default_rule_set()
            decision = self._evaluate(transaction, rule_set, on=None)
        decision.follows = dict(follows or {})
        customer_id = transaction.customer.customer_id or None
        version: int | None = None
        if customer_id:
            try:
                version = self.customers.get(customer_id).version
            except NotFoundError:
                customer_id = None
        stored = self.decisions.save(
            decision,
            body,
            actor,
            customer_id=customer_id,
            context=context.versions(self.engine),
            rule_sources=rule_set.sources,
            reference_files=refdata.archive_items(reference),
        )
        if customer_id and decision.outcome != Outcome.ALLOW and decision.screening:
            self._alert_decision(transaction.customer, version, decision, actor)
        return stored

    def evaluate(self, body: Any, on: date | None = None) -> Decision:
        """The decision ``decide`` would make, evaluated on ``on`` (default: the transaction's date), on
        the same lists and stored customers — but neither stored nor audited: a what-if (``chipguard
        decide --on``), since a decision recorded under another date than its transaction's could not be
        replayed to what it was."""
        transaction = _transaction(body)
        with refdata.using(refdata.current(refresh=True)):
            return self._evaluate(transaction, default_rule_set(), on=on)

    def _evaluate(self, transaction: Transaction, rule_set: RuleSet, on: date | None) -> Decision:
        # No lists: screener None, and decide() fails closed (REVIEW with the reason, never ALLOW).
        screener, status = self.screeners.for_decision()
        clearing: ClearingScreener | None = None
        if screener is not None:
            # what analysts resolved for this customer's facts applies, and is named in the decision
            clearing = self.casework.clearing(screener, transaction.customer, self._lookup(screener))
        others = self._other_customers(transaction)
        try:
            decision = decide(
                transaction, screener=clearing, on=on, lists=status, rule_set=rule_set, other_customers=others
            )
        except InputError:
            # The transaction named something the engine does not know (an unknown chip model): the
            # caller's input, a 422 naming the field, not a server failure.
            raise
        except ChipguardError as exc:
            # The transaction was valid: whatever fails now is the server's rules or data, not the caller's.
            raise EngineError(f"the decision engine failed: {exc}") from exc
        decision.dispositions = list(clearing.resolved) if clearing is not None else []
        return decision

    def _lookup(self, screener: Any) -> PartyLookup:
        """The list records behind a screener's hits."""
        return PartyLookup(screener)

    def _alert_decision(
        self, customer: Customer, version: int | None, decision: Decision, actor: str
    ) -> None:
        subjects = {s.label: s for s in customer.screening_subjects()}
        found = [
            (subjects[label], Hit.from_dict(h))
            for label, hits in decision.screening.items()
            if label in subjects
            for h in hits
        ]
        screener, _ = self.screeners.for_decision()
        self.casework.raise_alerts(
            customer,
            version,
            found,
            self._lookup(screener),
            origin="decision",
            origin_ref=decision.decision_id,
            origin_outcome=str(decision.outcome),
            actor=actor,
        )

    def _other_customers(self, transaction: Any, as_of_audit_seq: int | None = None) -> list[Customer]:
        """The stored customers a decision compares its customer with: only the shared-address red flag
        reads them, and only for a customer that gives an address, so nothing is loaded otherwise. For a
        replay, the customers as they stood at the decision's audit entry."""
        if not transaction.customer.addresses:
            return []
        if as_of_audit_seq is not None:
            rows = self.customers.as_of_audit_seq(as_of_audit_seq)
        else:
            rows = [
                {**record.data, "customer_id": record.customer_id}
                for record in self.customers.find(limit=OTHER_CUSTOMERS_LIMIT)
            ]
        return [
            Customer.from_dict(row) for row in rows if row["customer_id"] != transaction.customer.customer_id
        ]

    def screen(
        self, queries: Sequence[ScreenQuery], actor: str, *, screener: Any = None, job_id: str = ""
    ) -> list[dict[str, Any]]:
        """Screens ad-hoc names (a counterparty, a name typed in the UI or the CLI) on the active lists
        and records who screened what, when, against which snapshots and with what result — one audit
        entry per call (``screen.adhoc``), so an ad-hoc screen leaves the same trail as a customer's.
        A background job passes the screener it holds (one job, one set of snapshots) and its id, which
        the entry names."""
        for query in queries:  # all checked before any is screened
            check_query(query)
        screener = screener if screener is not None else self.screeners.get()
        status = self.screeners.list_status(screener)  # every result says which lists, and if stale
        results = [
            screener.screen_result(
                q.id,
                q.name,
                q.kind,
                q.country,
                limit=q.limit,
                threshold=q.threshold,
                lists=status,
                fields=dict(q.fields),
            )
            for q in queries
        ]
        job = {"job_id": job_id} if job_id else {}
        self.audit.record(
            actor,
            "screen.adhoc",
            job
            | {
                "queries": [
                    {
                        "id": r["id"],
                        "query": r["query"],
                        "hits": [(h["source"], h["party_id"], h["score"]) for h in r["hits"]],
                        "omitted": r["omitted"],  # records past the query's limit (never cut silently)
                        "threshold": r["threshold"],
                    }
                    for r in results
                ],
                "snapshots": [str(ref) for ref in screener.snapshot_refs()],
            },
        )
        return results

    def party(self, source: str, party_id: str) -> Party | None:
        """The list record of the active lists a hit names (None when it is not among them)."""
        return self.screeners.get().party(source, party_id)

    def screenings_of(self, customer_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Every screening of a stored customer, newest first (who, when, which version, against which
        snapshots, which subjects had hits), from the audit trail."""
        self.customers.get(customer_id)  # NotFoundError for an unknown customer
        out: list[dict[str, Any]] = []
        for entry in self.audit.entries_of("customer.screen", newest_first=True):
            if entry.payload.get("customer_id") != customer_id:
                continue
            out.append(
                {
                    "audit_seq": entry.seq,
                    "at": entry.ts,
                    "actor": entry.actor,
                    "version": entry.payload.get("version"),
                    # "listed_subjects" in entries before 2026-12-05: the same labels under the name decisions use for
                    # confirmed hits only
                    "hit_subjects": entry.payload.get(
                        "hit_subjects", entry.payload.get("listed_subjects", [])
                    ),
                    # recorded since 2026-12-05 (audit12b): older entries say only which had hits
                    "strengths": entry.payload.get("strengths", {}),
                    "hits": entry.payload.get("hits", {}),
                    # recorded since 2026-12-05 (issue 12 item 5); older entries cut at 10, unrecorded
                    "omitted": entry.payload.get("omitted", {}),
                    "limit": entry.payload.get("limit"),
                    "snapshots": entry.payload.get("snapshots", []),
                }
            )
            if len(out) >= limit:
                break
        return out

    def screen_customer(
        self, customer_id: str, actor: str, *, screener: Any = None, origin_ref: str = ""
    ) -> dict[str, Any]:
        """Screens a stored customer as a decision would: its name and other names, every owner and the
        ultimate parent, each with its own country; hits per subject (``ScreeningSubject.label``:
        "customer", "other_name:NAME", "owner:NAME", "ultimate_parent:NAME"). Audited as an analyst
        action, naming the customer version and the snapshots. An import job passes its screener and
        names itself as the alerts' ``origin_ref``."""
        record = self.customers.get(customer_id)
        customer = Customer.from_dict(record.data)
        screener = screener if screener is not None else self.screeners.get()
        screening: dict[str, list[dict[str, Any]]] = {s.label: [] for s in customer.screening_subjects()}
        # as many hits per name as a decision weighs (the rule set's bound), and how many more there were
        limit = max_hits_per_name()
        found, omitted = _screen_subjects(customer, screener, limit)
        for subject, hit in found:
            screening[subject.label].append(
                hit.to_dict() | {"subject": subject.name, "role": subject.role.value}
            )
        alerts = self.casework.raise_alerts(
            customer,
            record.version,
            found,
            self._lookup(screener),
            origin="customer_screen",
            origin_ref=origin_ref,
            actor=actor,
        )
        snapshots = [str(r) for r in screener.snapshot_refs()]
        # a name whose hits went past the limit is an alert too (fail closed, as a decision is REVIEW
        # on it): the records left out were neither shown nor alerted, and one may be the match
        subjects = {s.label: s for s in customer.screening_subjects()}
        for label, more in omitted.items():
            cut = self.casework.raise_omitted(
                customer,
                record.version,
                subjects[label],
                more,
                limit,
                snapshots,
                origin="customer_screen",
                origin_ref=origin_ref,
                actor=actor,
            )
            alerts[cut.pop("outcome")].append(cut)
        status = self.screeners.list_status(screener)  # which lists, and whether stale, as every screen
        hit_subjects = sorted(label for label, hits in screening.items() if hits)
        roles = sorted({h["role"] for hits in screening.values() for h in hits})
        # a subject "with hits" may hold only potential or weak ones: what a decision acts on is the
        # strongest (only a confirmed hit makes a party listed), so every face can say which it is
        strengths = {
            label: min((str(h.get("strength")) for h in hits), key=_strength_rank)
            for label, hits in screening.items()
            if hits
        }
        entry = self.audit.record(
            actor,
            "customer.screen",
            {
                "customer_id": customer_id,
                "version": record.version,
                "hit_roles": roles,
                "hit_subjects": hit_subjects,
                "strengths": strengths,
                "hits": {
                    label: [(h["source"], h["party_id"], h["score"]) for h in hits]
                    for label, hits in screening.items()
                },
                "omitted": omitted,
                "limit": limit,
                "snapshots": snapshots,
                "versions": context.versions(self.engine),
            },
        )
        return {
            "customer_id": customer_id,
            "version": record.version,
            # any hit at all, weak ones included ("listed" is a decision's word for a confirmed hit only)
            "has_hit": bool(hit_subjects),
            "hit_roles": roles,
            "hit_subjects": hit_subjects,
            # the subjects whose strongest hit the match confirmed: a decision treats these parties as listed
            # (a potential hit an analyst confirms is in alerts["confirmed"])
            "confirmed_subjects": sorted(
                k for k, v in strengths.items() if v == MatchStrength.CONFIRMED.value
            ),
            # subject label → the strongest hit's strength (confirmed / potential / weak)
            "strengths": strengths,
            "screening": screening,
            # label → hits above the threshold past ``limit``, not listed above (only labels that had more)
            "omitted": omitted,
            "limit": limit,
            "snapshot": snapshots,
            "lists": status,
            "lists_stale": any(s.get("stale") for s in status) or not status,
            "audit_seq": entry.seq,
            "alerts": alerts,
        }

    # ── casework ─────────────────────────────────────────────────────────────────────────────────

    def rescreen(self, actor: str, *, since: str | None = None, full: bool = False) -> RescreenReport:
        """Re-screens every stored customer against the active lists (``chipguard monitor rescreen``),
        reports the hits that appeared or went against the baseline snapshots, and raises an alert for
        each new hit and each hit whose list record changed (origin ``rescreen``)."""
        require_lists(self.snapshots)
        screener = self.screeners.get()
        report = run_rescreen(
            self.snapshots,
            self.customers,
            self.audit,
            since=since,
            full=full,
            actor=actor,
            active_screener=screener,
        )
        for change in report.changes:
            if not change.alerting:
                continue
            record = self.customers.get(change.customer_id)
            self.casework.raise_alerts(
                Customer.from_dict(record.data),
                record.version,
                change.alerting,
                self._lookup(screener),
                origin="rescreen",
                origin_ref=f"audit:{report.audit_seq}",
                actor=actor,
            )
        # a name whose hits on the new lists went past the re-screen's limit: the records past it were
        # compared with nothing (neither new nor gone), so the analyst is alerted to screen it in full
        for cut in report.omitted:
            if cut.get("lists") != "new":
                continue
            customer, version = self._stored_customer(str(cut["customer_id"]))
            subject = (
                next(
                    (
                        s
                        for s in customer.screening_subjects()
                        if s.role.value == cut["role"] and s.name == cut["screened_name"]
                    ),
                    None,
                )
                if customer is not None
                else None
            )
            if customer is None or subject is None:
                continue
            self.casework.raise_omitted(
                customer,
                version,
                subject,
                int(cut["omitted"]),
                int(cut["limit"]),
                [str(ref) for ref in report.snapshots.values()],
                origin="rescreen",
                origin_ref=f"audit:{report.audit_seq}",
                actor=actor,
            )
        return report

    def monitor_usage(
        self, records: Sequence[UsageRecord], cfg: Settings, actor: str
    ) -> list[ComputeEstimate]:
        """Each account's compute against the thresholds; an account that is a stored customer and may
        exceed or exceeds a threshold raises an alert (origin ``usage``), one per customer × threshold
        regime, its figures in the case."""
        accounts = estimate_accounts(list(records), cfg)
        for est in accounts:
            if est.alert not in ALERTING_LEVELS:
                continue
            for account in est.accounts:
                customer, version = self._stored_customer(account)
                if customer is None:
                    continue
                regimes = sorted({c.threshold.regime for c in est.checks if c.alerting})
                self.casework.raise_finding(
                    customer,
                    version,
                    origin="usage",
                    finding_id=f"usage:{account}:{'+'.join(regimes)}",
                    title=f"compute {est.alert.replace('_', ' ')}: {', '.join(regimes)}",
                    score=1.0 if est.alert == "exceeds" else 0.9,
                    details=est.to_dict(),
                    actor=actor,
                )
        return accounts

    def monitor_links(
        self,
        actor: str,
        *,
        records: Sequence[UsageRecord] | None = None,
        cfg: Settings | None = None,
        history: bool = True,
    ) -> tuple[list[Cluster], list[Any]]:
        """Clusters of stored customers linked by shared payment, IP, e-mail domain, phone, address or
        owners (``chipguard monitor links``). A cluster whose combined compute may exceed a threshold, or
        with a member an analyst confirmed as a true match, raises an alert for each member (origin
        ``links``): split accounts and the accounts of a listed party are what linking is for."""
        customers = list(iter_customers(self.customers))
        past = past_versions(self.customers, [c["customer_id"] for c in customers]) if history else None
        index = index_links(customers, past)
        clusters = find_clusters(index)
        if records is not None and cfg is not None:
            clusters = cluster_compute(clusters, list(records), cfg)
        for cluster in clusters:
            listed = [
                a.customer_id
                for cid in cluster.customer_ids
                for a in self.cases.find(AlertFilter(customer_id=cid, status=("closed",)), limit=200)
                if a.disposition == "true_match"
            ]
            heavy = cluster.compute is not None and cluster.compute.alert in ALERTING_LEVELS
            if not listed and not heavy:
                continue
            why = (
                [f"compute {cluster.compute.alert.replace('_', ' ')}"] if heavy and cluster.compute else []
            ) + ([f"linked to a confirmed listed party ({', '.join(sorted(set(listed)))})"] if listed else [])
            for cid in cluster.customer_ids:
                customer, version = self._stored_customer(cid)
                if customer is not None:
                    self.casework.raise_finding(
                        customer,
                        version,
                        origin="links",
                        finding_id=cluster.cluster_id,
                        title=f"linked accounts {cluster.cluster_id}: {'; '.join(why)}",
                        score=1.0,
                        details=cluster.to_dict(),
                        actor=actor,
                    )
        return clusters, hub_values(index)

    def _stored_customer(self, customer_id: str) -> tuple[Customer | None, int | None]:
        try:
            record = self.customers.get(customer_id)
        except (NotFoundError, InputError):
            return None, None
        return Customer.from_dict(record.data), record.version

    def _ownership_reasons(self, alert: Any) -> list[dict[str, Any]]:
        """For an alert a decision raised: that decision's ownership reasons (50 % aggregation under the
        OFAC rule and the BIS Affiliates rule, listed owners of undisclosed share), each with the paths
        through which the listed owners hold the customer — what an analyst weighs the hit against."""
        if alert.origin != "decision" or not alert.origin_ref:
            return []
        try:
            recorded = self.decisions.get(alert.origin_ref).decision
        except NotFoundError:
            return []
        return [
            {k: r.get(k) for k in ("rule_id", "outcome", "message", "citation", "facts")}
            for r in recorded.get("reasons") or []
            if isinstance(r, dict) and any(str(f).startswith("ownership.") for f in (r.get("facts") or {}))
        ]

    def analysts(self) -> list[dict[str, Any]]:
        """Whom the queue can be filtered by and alerts assigned to: every live key whose role works
        alerts (``alerts:work``), and everyone an alert is assigned to (a revoked key's alerts stay
        findable), each with its label, role and number of alerts not yet closed; sorted by label, then
        actor, so the list reads the same on every page."""
        open_by = self.cases.assignees()
        found: dict[str, dict[str, Any]] = {}
        for key in self.keys.find():
            if key.can(Permission.ALERTS_WORK) or key.actor in open_by:
                found[key.actor] = {
                    "actor": key.actor,
                    "label": key.label,
                    "role": key.role,
                    "revoked": key.revoked,
                    "open_alerts": open_by.get(key.actor, 0),
                }
        for actor, count in open_by.items():
            found.setdefault(
                actor, {"actor": actor, "label": "", "role": "", "revoked": False, "open_alerts": count}
            )
        return sorted(found.values(), key=lambda a: (a["label"].lower(), a["actor"]))

    def case(self, alert_id: str) -> dict[str, Any]:
        """Everything an analyst judges an alert on: the alert (the hit with its explanation, the list
        record as screened), every step taken, the evidence files, the customer as stored now, and the
        customer's other alerts and decisions."""
        alert = self.cases.get(alert_id)
        try:
            customer: dict[str, Any] | None = self.customers.get(alert.customer_id).to_dict()
        except NotFoundError:
            customer = None
        others = [
            a.to_dict()
            for a in self.cases.find(AlertFilter(customer_id=alert.customer_id), limit=200)
            if a.alert_id != alert_id
        ]
        decisions = [
            {"decision_id": d.decision_id, "decided_at": d.decided_at, "outcome": d.outcome, "actor": d.actor}
            for d in self.decisions.find(limit=50, customer_id=alert.customer_id)
        ]
        return {
            "alert": alert.to_dict(),
            "ownership": self._ownership_reasons(alert),
            "needs_approval_to_dismiss": self.casework.needs_approval(alert, "false_positive"),
            "events": [e.to_dict() for e in self.cases.events(alert_id)],
            "attachments": [a.to_dict() for a in self.cases.attachments(alert_id)],
            "customer": customer,
            "other_alerts": others,
            "decisions": decisions,
        }

    def dispose(
        self, alert_id: str, disposition: str, reason_code: str, reason: str, actor: str
    ) -> dict[str, Any]:
        """An analyst's disposition of an alert with a reason code (``casework.yml``) and their words.
        It takes effect at once unless four eyes are needed (then the alert awaits approval); a closed
        alert raised by a decision re-takes that decision."""
        self.casework.check_reason_code(disposition, reason_code)
        alert = self.cases.get(alert_id)
        why = self.casework.needs_approval(alert, disposition)
        alert = self.cases.propose(
            alert_id, disposition, reason_code, reason, actor, needs_approval=bool(why)
        )
        return {
            "alert": alert.to_dict(),
            "needs_approval": why,
            "decision": self._after_closing(alert, actor),
        }

    def approve(self, alert_id: str, actor: str, role: str, comment: str = "") -> dict[str, Any]:
        """A second person approves a proposed disposition (never the proposer; only an approving role)."""
        self.casework.check_approver(role)
        alert = self.cases.approve(alert_id, actor, comment)
        return {"alert": alert.to_dict(), "decision": self._after_closing(alert, actor)}

    def reject(self, alert_id: str, actor: str, role: str, reason: str) -> dict[str, Any]:
        """A second person sends a proposed disposition back to review, with the reason."""
        self.casework.check_approver(role)
        return {"alert": self.cases.reject(alert_id, actor, reason).to_dict()}

    def _after_closing(self, alert: Any, actor: str) -> dict[str, Any] | None:
        """The re-taken decision when ``alert`` was raised by a decision and is now closed: the same
        transaction decided again on today's lists and dispositions (a cleared hit left out, a confirmed
        one kept), referencing the alert and the earlier decision."""
        if alert.status != "closed" or alert.origin != "decision" or not alert.origin_ref:
            return None
        earlier = self.decisions.get(alert.origin_ref)
        follows = {
            "decision_id": earlier.decision_id,
            "outcome": earlier.outcome,
            "alert_id": alert.alert_id,
            "disposition": alert.disposition,
        }
        return self.decide(earlier.transaction, actor, follows=follows).to_dict()

    def replay(self, decision_id: str) -> dict[str, Any]:
        """Re-runs a stored decision on the list snapshots it recorded and reports every difference."""

        stored = self.decisions.get(decision_id)
        recorded = stored.decision
        versions = recorded.get("versions", {})
        lists = versions.get("lists", {}) if isinstance(versions, dict) else {}
        snap_dicts = [s for s in lists.get("snapshots", []) if isinstance(s, dict)]
        notes: list[str] = []
        snapshot_refs: list[str | int] = [
            f"{s['source']}:{s['sha256']}" if s.get("sha256") else int(s["id"]) for s in snap_dicts
        ]
        infos = [self.snapshots.get_snapshot(ref) for ref in snapshot_refs]
        status = ListsStatus(lists.get("status", "missing"), lists.get("reason", ""), snap_dicts)
        rule_set = default_rule_set()
        rec_rules = versions.get("rule_set", {}) if isinstance(versions, dict) else {}
        recorded_sha = str(rec_rules.get("sha256") or "") if isinstance(rec_rules, dict) else ""
        archived = self.decisions.rule_set_sources(recorded_sha) if recorded_sha else None
        if archived is not None:
            rule_set = load_rule_set_archive(archived, expected_sha256=recorded_sha)
            notes.append(
                f"replayed with the archived rule set {rule_set.id} {rule_set.version} ({recorded_sha[:12]})"
            )
        elif recorded_sha and recorded_sha != rule_set.sha256:
            notes.append(
                f"rule set differs: recorded {rec_rules.get('id')} {rec_rules.get('version')} "
                f"({recorded_sha[:12]}) is not archived; replayed with {rule_set.id} {rule_set.version} "
                f"({rule_set.sha256[:12]})"
            )
        components: dict[str, dict[str, Any]] = {
            "lists": {
                "status": "recorded snapshots" if snap_dicts else "no snapshots recorded",
                "reproduced_with_archived": bool(snap_dicts),
                "same_as_recorded": True,
                "changed_since": [],
            },
            "rule_set": {
                "status": "archived" if archived is not None else "not archived",
                "reproduced_with_archived": archived is not None,
                "same_as_recorded": archived is not None or recorded_sha == rule_set.sha256,
                "changed_since": [] if recorded_sha == default_rule_set().sha256 else ["rule set"],
            },
        }
        # Hardware and geography files: the archived bytes the decision read; matching data: compared,
        # and when it differs the screening runs on the archived files in a worker process.
        recorded_reference = versions.get(refdata.MANIFEST_KEY) if isinstance(versions, dict) else None
        reference, reference_report = refdata.for_replay(
            recorded_reference, self.decisions.reference_blobs, recorded_settings()
        )
        components.update(reference_report)
        from chipguard.policy.transaction import parse_transaction  # jsonschema: not for every command

        with refdata.using(reference):
            transaction = parse_transaction(stored.transaction)
            on = date.fromisoformat(transaction.date)
            others = (
                self._other_customers(transaction, as_of_audit_seq=stored.audit_seq)
                if stored.audit_seq is not None
                else []
            )

            # What analysts had resolved when the decision was made applies again, as recorded.
            recorded_resolved = {
                (str(c.get("subject")), str(c.get("source")), str(c.get("party_id"))): c
                for c in recorded.get("dispositions") or []
                if isinstance(c, dict)
            }

            def as_recorded(name: str, _country: str | None, hit: Hit) -> dict[str, Any] | None:
                found = recorded_resolved.get((name, hit.source, hit.party_id))
                if found is None:
                    return None
                return {k: v for k, v in found.items() if k not in ("subject", "source", "party_id")}

            def run(screener: Any) -> Decision:
                clearing = ClearingScreener(screener, as_recorded) if screener is not None else None
                decision = decide(
                    transaction,
                    screener=clearing,
                    on=on,
                    lists=status,
                    rule_set=rule_set,
                    other_customers=others,
                )
                decision.dispositions = list(clearing.resolved) if clearing is not None else []
                return decision

            again = self._replay_archived_matching(
                components["matching"], recorded_reference, snapshot_refs, infos, run
            )
            if again is None:
                again = run(screener_of(self.snapshots, infos) if infos else None)
        notes.extend(
            r["message"]
            for name, r in components.items()
            if name in refdata.LOADED
            or (name in refdata.RECORDED and r["status"] != "current, same as recorded")
        )
        recorded_engine = versions.get("engine") if isinstance(versions, dict) else None
        if recorded_engine and recorded_engine != ENGINE_VERSION:
            notes.append(
                f"engine: recorded {recorded_engine}, replayed with {ENGINE_VERSION} "
                "(the code is not archived: a replay runs the current engine)"
            )
        new = again.to_dict()

        def reason_keys(d: dict[str, Any]) -> list[tuple[str, str, str]]:
            return sorted(
                (str(r.get("rule_id", "")), str(r.get("code", "")), str(r.get("outcome", "")))
                for r in d.get("reasons", [])
            )

        # Decisions recorded before the SubjectRole vocabulary keyed the parent's hits "parent:NAME" and
        # put the hits of other names under "customer": compare in the words the decision was made in.
        legacy = not any(
            str(k).startswith(("other_name:", "ultimate_parent:")) for k in recorded.get("screening") or {}
        )

        def hit_keys(d: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
            out: dict[str, list[tuple[str, str]]] = {}
            for label, hits in (d.get("screening") or {}).items():
                if legacy and str(label).startswith("other_name:"):
                    label = "customer"
                elif str(label).startswith("parent:"):
                    label = "ultimate_parent:" + str(label)[len("parent:") :]
                keys = out.setdefault(str(label), [])
                keys.extend((str(h.get("source")), str(h.get("party_id"))) for h in hits)
            return {label: sorted(set(keys)) for label, keys in out.items()}

        differences: list[str] = []
        if new["outcome"] != recorded.get("outcome"):
            differences.append(f"outcome: recorded {recorded.get('outcome')}, replayed {new['outcome']}")
        old_r, new_r = reason_keys(recorded), reason_keys(new)
        for key in sorted(set(old_r) - set(new_r)):
            differences.append(f"reason no longer given: {key[0] or key[1]} ({key[2]})")
        for key in sorted(set(new_r) - set(old_r)):
            differences.append(f"new reason: {key[0] or key[1]} ({key[2]})")
        old_c, new_c = recorded.get("classifications") or [], new.get("classifications") or []
        for i in range(max(len(old_c), len(new_c))):
            was = _classification_key(old_c[i] if i < len(old_c) else None)
            now = _classification_key(new_c[i] if i < len(new_c) else None)
            if was != now:
                differences.append(f"classification of items[{i}]: recorded {was}, replayed {now}")
        old_h, new_h = hit_keys(recorded), hit_keys(new)
        for role in sorted(set(old_h) | set(new_h)):
            if old_h.get(role, []) != new_h.get(role, []):
                differences.append(
                    f"screening hits for {role}: recorded {old_h.get(role, [])}, replayed {new_h.get(role, [])}"
                )
        # how many hits past the limit each name had: recorded by decisions since 2026-12-05 only (an
        # older one cut silently, so there is nothing to compare the replay's count with)
        if "omitted" in recorded:
            old_o, new_o = recorded.get("omitted") or {}, new.get("omitted") or {}
            for role in sorted(set(old_o) | set(new_o)):
                if old_o.get(role) != new_o.get(role):
                    differences.append(
                        f"hits left out for {role}: recorded {old_o.get(role, 0)}, replayed {new_o.get(role, 0)}"
                    )
        return {
            "decision_id": decision_id,
            "recorded_outcome": recorded.get("outcome"),
            "replayed_outcome": new["outcome"],
            "snapshots": [s.get("ref") or s.get("sha256") for s in snap_dicts],
            "rule_set": rule_set.version_info(),
            "same": not differences,
            "differences": differences,
            "notes": notes,
            "components": components,
            "engine": {
                "recorded": recorded_engine,
                "current": ENGINE_VERSION,
                "same": recorded_engine == ENGINE_VERSION if recorded_engine else None,
            },
            "replayed": json.loads(json.dumps(new, default=str)),
        }

    def _replay_archived_matching(
        self,
        report: dict[str, Any],
        recorded_reference: Any,
        snapshot_refs: list[str | int],
        infos: list[Any],
        run: Callable[[Any], Decision],
    ) -> Decision | None:
        """The replayed decision with its screening run on the archived matching data in a worker process
        (chipguard.service.replay_worker), when the current matching data differs from the recorded; None when it
        does not (the in-process screener is then the recorded one) or when the archive cannot be used —
        ``report`` (the ``matching`` component) says which, and why."""
        report["subprocess"] = False
        if not infos or report["status"] != "current, different":
            return None

        recorded = recorded_reference["matching"]
        changed = report["changed_since"]
        threshold = (recorded.get("settings") or {}).get("threshold")
        try:
            data = replay_worker.archived_matching(recorded, self.decisions.reference_blobs)
            url = self.engine.url.render_as_string(hide_password=False)
            report["subprocess"] = True
            again = replay_worker.replay_with_archived(data, threshold, url, snapshot_refs, infos, run)
        except replay_worker.WorkerError as exc:
            report.update(
                status="archive unavailable",
                reproduced_with_archived=False,
                same_as_recorded=False,
                message=f"matching: {exc}; replayed with the current files, which differ: {', '.join(changed)}",
            )
            return None
        report.update(
            status="archived",
            reproduced_with_archived=True,
            same_as_recorded=True,
            message="matching: screened with the archived files in a separate process "
            f"(the current ones differ: {', '.join(changed)})",
        )
        return again


def _screen_subjects(
    customer: Customer, screener: Any, limit: int
) -> tuple[list[tuple[ScreeningSubject, Hit]], dict[str, int]]:
    """Every (subject, hit) of a stored customer: each subject screened with its own kind, country and
    declared identifiers, a list record reported once per subject, up to ``limit`` hits per subject; and
    per subject label (``ScreeningSubject.label``) how many more hits cleared the threshold (only the
    subjects that had more). Customer screening and re-screening both read a customer this way."""
    found: list[tuple[ScreeningSubject, Hit]] = []
    omitted: dict[str, int] = {}
    for subject in customer.screening_subjects():
        seen: set[tuple[str, str]] = set()
        evidence = subject_evidence(subject)
        screening = screener.screening(
            subject.name, kind=subject.kind, country=subject.country, limit=limit, evidence=evidence
        )
        if screening.omitted:
            omitted[subject.label] = screening.omitted
        for hit in screening.hits:
            if (hit.source, hit.party_id) not in seen:
                seen.add((hit.source, hit.party_id))
                found.append((subject, hit))
    return found, omitted


def _transaction(body: Any) -> Transaction:
    """The transaction in a request or file body; InputError naming the field when it is invalid."""
    if not isinstance(body, dict):
        raise InputError("the request body must be a JSON object (a transaction)")
    from chipguard.policy.transaction import parse_transaction  # jsonschema: not for every command

    return parse_transaction(body)


def _classification_key(c: Any) -> str:
    """What a replay compares of an item's classification: model, ECCN, TPP and performance density."""
    if not isinstance(c, dict):
        return "(none)"
    return f"{c.get('item')} {c.get('eccn')} (TPP {c.get('tpp')}, PD {c.get('performance_density')})"
