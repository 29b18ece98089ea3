"""Shared data for the batch tests: a home with the bundled lists loaded once, and real query rows.

The home (bundled CSL 2022-04 + UN 2026-02-27, index cache built) is made once per test process and
shared by tests/test_batch.py and tests/test_batch_spark.py: building the index over the full CSL takes
seconds, and every batch test screens against the same lists.
"""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from chipguard.model import Customer, Owner, UltimateParent

REPO = Path(__file__).resolve().parent.parent


@cache
def bundled_home() -> Path:
    """A CHIPGUARD_HOME with the bundled lists active and the screening index cached."""
    path = Path(tempfile.mkdtemp(prefix="chipguard-batch-home-"))
    atexit.register(shutil.rmtree, path, True)  # ~40 MB (database and index): gone with the test run
    with chipguard_home(path):
        from chipguard.service.screening import screener_of
        from chipguard.store.snapshot_update import load_bundled
        from chipguard.store.snapshots import SnapshotStore

        store = SnapshotStore()
        load_bundled(store)
        screener_of(store)  # writes the index cache file the batch jobs ship to Spark
    return path


def home_copy(dest: Path) -> Path:
    """A private copy of the bundled home (database and index cache) for a test that writes to it, with
    the audit signing key kept beside it (outside the home: `$CHIPGUARD_HOME-keys`)."""
    source = bundled_home()
    shutil.copytree(source, dest)
    keys = Path(f"{source}-keys")
    if keys.exists():
        shutil.copytree(keys, Path(f"{dest}-keys"))
    return dest


@contextmanager
def chipguard_home(path: Path) -> Iterator[Path]:
    old = {k: os.environ.get(k) for k in ("CHIPGUARD_HOME", "CHIPGUARD_DATABASE_URL")}
    os.environ["CHIPGUARD_HOME"] = str(path)
    os.environ.pop("CHIPGUARD_DATABASE_URL", None)
    try:
        yield path
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def lists_context(opened: Any) -> Any:
    """The batch context of the opened bundled lists (``jobs.Lists``) as ``jobs.screen_file`` makes it: their
    snapshots, threshold and freshness, 10 hits a row, stale lists allowed."""
    from chipguard.batch.model import context_for

    return context_for(
        opened.snapshots,
        threshold=opened.screener.threshold,
        limit=10,
        lists_stale=True,
        freshness=opened.freshness,
    )


def sample_queries(shared: Path, step: int = 10) -> list[dict[str, str]]:
    """Every ``step``-th row of the real screening benchmark set (positives of every category and the
    negatives), with its expected ids."""
    with (shared / "bench/screening_queries.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows[::step]


def built_queries() -> list[dict[str, str]]:
    """Rows built from the bundled data: UN persons in given-name-first order with their country,
    Chinese legal names and brands of listed organisations (the curated enrichment data), and a few
    clean company names that must not hit."""
    from chipguard.sources import parse_file
    from chipguard.store.snapshot_sources import bundled_manifest

    un = next(b for b in bundled_manifest() if b.source == "un")
    people = [p for p in parse_file(un.path).parties if p.kind.value == "person"][:40]
    rows: list[dict[str, str]] = []
    for i, p in enumerate(people):
        words = p.name.split()
        rows.append(
            {
                "id": f"un-{i}",
                "name": " ".join([*words[1:], words[0]]) if len(words) > 1 else p.name,
                "kind": "person",
                "country": (p.countries or [""])[0],
                "expect": "hit",
                "accept_ids": p.party_id,
            }
        )
    entries = yaml.safe_load((REPO / "chipguard/data/zh/listed_party_names.yml").read_text(encoding="utf-8"))[
        "entries"
    ]
    for i, e in enumerate(e for e in entries if not e.get("later_listing")):
        if i >= 40:
            break
        name = e["chinese"] if i % 2 == 0 else (e.get("short") or [e["chinese"]])[0]
        rows.append(
            {"id": f"zh-{i}", "name": name, "kind": "org", "country": "CN", "expect": "hit", "accept_ids": ""}
        )
    for i, name in enumerate(
        [
            "Nordlicht Rechenzentrum GmbH",
            "Blue Harbour Compute Pte. Ltd.",
            "Toyota Motor Corporation",
            "Fjordside Analytics AS",
            "María José García López",
        ]
    ):
        rows.append({"id": f"clean-{i}", "name": name, "kind": "", "country": "", "expect": "none"})
    return rows


def write_csv(
    path: Path, rows: list[dict[str, str]], fields: tuple[str, ...] = ("id", "name", "kind", "country")
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


CUSTOMERS = [
    Customer(name="Hangzhou Hikvision Digital Technology Co Ltd", country="CN", customer_id="cus-hik"),
    Customer(
        name="Blue Harbour Compute Pte. Ltd.",
        country="SG",
        customer_id="cus-blueharbour",
        owners=[Owner(name="Megvii Technology Limited", country="CN", percent=60.0)],
    ),
    Customer(
        name="Nordlicht Rechenzentrum GmbH",
        country="DE",
        customer_id="cus-nordlicht",
        ultimate_parent=UltimateParent(name="Nordlicht Holding AG", country="DE"),
    ),
    Customer(
        name="Fjordside Analytics AS",
        country="NO",
        customer_id="cus-fjordside",
        other_names=["Mahan Air"],
    ),
    Customer(name="曙光信息产业股份有限公司", country="CN", customer_id="cus-sugon-zh"),
]


def store_customers(home: Path) -> list[dict[str, Any]]:
    """Stores ``CUSTOMERS`` in the home's database; returns their records."""
    from chipguard.audit import AuditLog
    from chipguard.store.customers import CustomerStore
    from chipguard.store.db import get_engine

    with chipguard_home(home):
        engine = get_engine()
        store = CustomerStore(engine, AuditLog(engine))
        for c in CUSTOMERS:
            store.create(c, actor="test")
    return [c.to_dict() for c in CUSTOMERS]
