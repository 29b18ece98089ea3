"""What was in force when something happened: engine version, active list snapshots, rule set.

Every audit entry carries this, so an auditor can tell, for any analyst action or decision, which lists
and rules the system was running on at that moment (and a decision can be replayed on the same ones).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from chipguard import ENGINE_VERSION


def active_list_hashes(engine: Engine) -> dict[str, str]:
    """source → sha256 of its active snapshot ({} when none is loaded). Read through the table metadata,
    not the snapshot store, which itself records these versions in its audit entries."""
    from sqlalchemy import select

    from chipguard.store.db import import_all_tables, init_schema

    init_schema(engine)
    tables = import_all_tables().tables
    snapshots, active = tables["list_snapshots"], tables["list_active"]
    query = (
        select(snapshots.c.source, snapshots.c.sha256)
        .join(active, active.c.snapshot_id == snapshots.c.id)
        .order_by(snapshots.c.source)
    )
    with engine.connect() as conn:
        return {source: sha for source, sha in conn.execute(query)}


def rule_set_version() -> str:
    """The rule set the policy engine applies today, or "" while no policy engine is installed."""
    try:
        from chipguard import policy
    except ImportError:  # pragma: no cover - policy is part of the package
        return ""
    for name in ("rule_set_version", "current_rule_set_version"):
        fn = getattr(policy, name, None)
        if callable(fn):
            try:
                return str(fn())
            except Exception:  # noqa: BLE001 - a version label must never break an audit append
                return ""
    return str(getattr(policy, "RULE_SET_VERSION", ""))


def versions(engine: Engine) -> dict[str, Any]:
    return {"engine": ENGINE_VERSION, "lists": active_list_hashes(engine), "rule_set": rule_set_version()}
