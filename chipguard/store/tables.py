"""Imports every module that declares tables, so ``Base.metadata`` is complete wherever it is used."""

from __future__ import annotations

import importlib

TABLE_MODULES: tuple[str, ...] = (
    "chipguard.store.records",
    "chipguard.store.snapshots",
    "chipguard.store.cases",
    "chipguard.store.jobs",
)
for _module in TABLE_MODULES:
    importlib.import_module(_module)
