"""Batch screening: a file of names, or every stored customer, screened on the local or the Spark engine.

One model (``model.screen_subject``), two back ends (``jobs.run`` with ``engine="local"`` or ``"spark"``),
identical records — the way Splink runs one linkage model on DuckDB or Spark. See ``jobs`` for the rules
every run follows (fail closed, validated input, atomic output) and ``spark`` for how the index is shipped.
"""

from __future__ import annotations

from chipguard.batch.jobs import BatchSummary, read_records, rescreen_customers, run, screen_file
from chipguard.batch.model import FIELD_NAMES, BatchContext, Subject, screen_subject

__all__ = [
    "FIELD_NAMES",
    "BatchContext",
    "BatchSummary",
    "Subject",
    "read_records",
    "rescreen_customers",
    "run",
    "screen_file",
    "screen_subject",
]
