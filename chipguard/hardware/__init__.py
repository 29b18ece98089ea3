"""Accelerator catalogue and export classification (TPP, performance density, ECCN 3A090/4A090).

Public API (stable; the rule engine and ``chipguard decide`` build on it)::

    from chipguard.hardware import classify, resolve_model, catalogue, Classification

- ``classify(model_or_spec, on: date | None = None) -> Classification``: ``model_or_spec`` is a model name
  ("H100 SXM5 80GB", "p5.48xlarge"), a ``CatalogueEntry``, a spec ``dict`` or a spec file ``Path``.
  ``Classification`` has ``eccn`` ("3A090.a", "3A090.b", "3A090.c", "4A090.a", "4A090.b",
  ``NOT_CONTROLLED`` = "EAR99-or-not-3A090", or ``UNDETERMINED`` = "undetermined" when a needed figure is
  unknown — callers must fail closed), ``tpp``, ``tpp_basis`` (precision, dense_tops, bits),
  ``performance_density``, ``die_area``, ``datacenter``, ``rule_set`` (ids@versions of the rule documents in
  force), ``citations`` (list of {rule_id, text, citation}), ``flags`` (``Flag``: flag, rule_id, text,
  citation, scope — e.g. ``named-item-licence-letter`` for H20/MI308 from Apr 2025, ``case-by-case-band``
  from Jan 15 2026, ``gp10-presumption`` for Huawei Ascend 910B/C, ``nac-eligible``), ``notes``,
  ``components`` (systems) and ``to_dict()`` for JSON. ``controlled`` / ``undetermined`` / ``has_flag(f)``
  are conveniences.
- ``resolve_model(text) -> CatalogueEntry``: case/spacing/punctuation-insensitive alias lookup; unknown or
  ambiguous names raise ``InputError`` with close matches.
- ``catalogue() -> tuple[CatalogueEntry, ...]``: every accelerator, HBM stack and system.

Why data: chip figures live in ``chipguard/data/hardware/catalogue.yaml`` (a source note per figure) and the
thresholds in ``chipguard/data/rules/eccn/*.yaml`` (one dated file per act, with its Federal Register cite).
"""

from __future__ import annotations

from chipguard.hardware.catalogue import CatalogueEntry, Component, catalogue, resolve_model
from chipguard.hardware.classify import Citation, Classification, Flag, classify
from chipguard.hardware.spec import load_spec, spec_from_mapping
from chipguard.hardware.tpp import TppBasis

NOT_CONTROLLED = "EAR99-or-not-3A090"
UNDETERMINED = "undetermined"

__all__ = [
    "NOT_CONTROLLED",
    "UNDETERMINED",
    "CatalogueEntry",
    "Citation",
    "Classification",
    "Component",
    "Flag",
    "TppBasis",
    "catalogue",
    "classify",
    "load_spec",
    "resolve_model",
    "spec_from_mapping",
]
