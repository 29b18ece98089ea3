"""A chip that is not in the catalogue, described in a JSON spec file (``--spec FILE.json``).

Why strict: a typo such as ``die_area`` for ``die_area_mm2`` would silently drop the performance-density
test and could turn a controlled chip into "not controlled". Unknown keys and wrong types are errors that
name the file and the field.

Format (dense figures; ``throughput_sparse`` figures are halved)::

    {"name": "Acme X1", "vendor": "Acme", "datacenter": true, "die_area_mm2": 610,
     "throughput": {"FP8": 740, "BF16": 370},
     "memory_bandwidth_gbs": 3000, "io_bandwidth_gbs": 400, "memory_type": "HBM3"}

``throughput`` may also be a list of ``{"precision": "FP8", "dense_tops": 740}``. An HBM stack is
``{"kind": "memory", "name": ..., "memory_bandwidth_gbs": 819.2, "package_area_mm2": 110}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.hardware.catalogue import CatalogueEntry
from chipguard.hardware.tpp import bits_of, precision_bits
from chipguard.limits import load_json

_ALLOWED = {
    "name",
    "vendor",
    "kind",
    "datacenter",
    "die_area_mm2",
    "non_planar",
    "throughput",
    "throughput_sparse",
    "memory_gb",
    "memory_type",
    "hbm",
    "memory_bandwidth_gbs",
    "io_bandwidth_gbs",
    "package_area_mm2",
    "note",
}
MAX_SPEC_BYTES = 1_000_000


def _number(
    data: Mapping[str, Any], key: str, file: str | None, *, required: bool, positive: bool = True
) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InputError("required field is missing", file=file, field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"expected a number, got {json.dumps(value)}", file=file, field=key)
    if value < 0 or (positive and value == 0):
        raise InputError(f"expected a positive number, got {value}", file=file, field=key)
    return float(value)


def _throughput(raw: Any, key: str, file: str | None) -> dict[str, float]:
    """Accepts {"FP8": 740} or [{"precision": "FP8", "dense_tops": 740}] and checks every precision."""
    items: list[tuple[str, Any, str]] = []
    if isinstance(raw, Mapping):
        items = [(str(p), v, f"{key}.{p}") for p, v in raw.items()]
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping) or not isinstance(item.get("precision"), str):
                raise InputError("expected {precision, dense_tops}", file=file, field=f"{key}[{i}]")
            value = item.get("dense_tops", item.get("tops"))
            items.append((item["precision"], value, f"{key}[{i}].dense_tops"))
    else:
        raise InputError("expected a mapping precision -> TOPS, or a list", file=file, field=key)
    out: dict[str, float] = {}
    for precision, value, where in items:
        if bits_of(precision) is None:
            known = ", ".join(sorted(precision_bits()))
            raise InputError(f"unknown precision '{precision}' (known: {known})", file=file, field=where)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise InputError(
                f"expected a positive number of TOPS, got {json.dumps(value)}", file=file, field=where
            )
        out[precision.strip().upper()] = max(out.get(precision.strip().upper(), 0.0), float(value))
    return out


def spec_from_mapping(data: Any, *, file: str | None = None) -> CatalogueEntry:
    """Validates a spec (already parsed JSON) and turns it into a catalogue-like entry."""
    if not isinstance(data, Mapping):
        raise InputError("expected a JSON object", file=file)
    unknown = sorted(set(data) - _ALLOWED)
    if unknown:
        raise InputError(
            f"unknown field (allowed: {', '.join(sorted(_ALLOWED))})", file=file, field=unknown[0]
        )
    kind = data.get("kind", "accelerator")
    if kind not in ("accelerator", "memory"):
        raise InputError("expected 'accelerator' or 'memory'", file=file, field="kind")
    for key in ("name", "vendor", "memory_type", "note"):
        if key in data and not isinstance(data[key], str):
            raise InputError("expected a string", file=file, field=key)
    for key in ("datacenter", "non_planar", "hbm"):
        if key in data and not isinstance(data[key], bool):
            raise InputError(f"expected true or false, got {json.dumps(data[key])}", file=file, field=key)
    name = data.get("name") or (Path(file).stem if file else "spec")
    memory_type = data.get("memory_type") or ("HBM" if data.get("hbm") else None)
    if kind == "memory":
        return CatalogueEntry(
            id=f"spec:{name}",
            name=name,
            vendor=data.get("vendor", "unknown"),
            kind="memory",
            memory_type=memory_type or "HBM",
            memory_bandwidth_gbs=_number(data, "memory_bandwidth_gbs", file, required=True),
            package_area_mm2=_number(data, "package_area_mm2", file, required=True),
            datacenter=data.get("datacenter"),
            sources={"default": f"spec file {file}" if file else "spec"},
            note=data.get("note"),
        )
    if "datacenter" not in data:
        raise InputError(
            "required field is missing (true if designed or marketed for datacenters)",
            file=file,
            field="datacenter",
        )
    throughput: dict[str, float] = {}
    if "throughput" in data:
        throughput.update(_throughput(data["throughput"], "throughput", file))
    if "throughput_sparse" in data:
        for precision, sparse in _throughput(data["throughput_sparse"], "throughput_sparse", file).items():
            throughput[precision] = max(throughput.get(precision, 0.0), sparse / 2)
    if not throughput:
        raise InputError("at least one dense throughput figure is required", file=file, field="throughput")
    return CatalogueEntry(
        id=f"spec:{name}",
        name=name,
        vendor=data.get("vendor", "unknown"),
        kind="accelerator",
        datacenter=data["datacenter"],
        throughput=throughput,
        die_area_mm2=_number(data, "die_area_mm2", file, required=True),
        non_planar=data.get("non_planar", True),
        memory_gb=_number(data, "memory_gb", file, required=False),
        memory_type=memory_type,
        memory_bandwidth_gbs=_number(data, "memory_bandwidth_gbs", file, required=False),
        io_bandwidth_gbs=_number(data, "io_bandwidth_gbs", file, required=False, positive=False),
        sources={"default": f"spec file {file}" if file else "spec"},
        note=data.get("note"),
    )


def load_spec(path: str | Path) -> CatalogueEntry:
    """Reads a spec JSON file; any problem is an ``InputError`` naming the file (and field)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise InputError(f"spec file larger than {MAX_SPEC_BYTES} bytes", file=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read spec file: {exc.strerror}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("spec file is not UTF-8 text", file=str(path)) from exc
    data = load_json(text, file=str(path))
    return spec_from_mapping(data, file=str(path))
