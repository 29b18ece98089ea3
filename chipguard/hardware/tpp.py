"""Total processing performance (TPP) and performance density (PD) — the two figures 3A090 turns on.

TPP = 2 x MacTOPS x bit length = dense TOPS x bit length, computed at every precision the part supports;
the highest wins (Technical Note 1 to 3A090, 88 FR 73458; REGULATIONS.md §1). PD = TPP / applicable die
area (TN 4). Bit lengths come from ``data/hardware/precisions.yaml``, not from code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chipguard import refdata
from chipguard.datafiles import parse_yaml_mapping
from chipguard.errors import InputError

PRECISIONS_FILE = "hardware/precisions.yaml"


@dataclass(frozen=True, slots=True)
class TppBasis:
    """The precision that sets a part's TPP: ``dense_tops`` x ``bits`` = TPP."""

    precision: str
    dense_tops: float
    bits: int

    @property
    def tpp(self) -> float:
        return self.dense_tops * self.bits


def precision_bits() -> Mapping[str, int]:
    """Precision name (upper case) -> bit length of the operation, from the file in force
    (``chipguard.refdata``: bundled, override, or archived during a replay)."""
    ref = refdata.current().file(PRECISIONS_FILE)

    def build() -> Mapping[str, int]:
        doc = parse_yaml_mapping(ref.text(), ref.name)
        table = doc.get("precisions")
        if not isinstance(table, dict):
            raise InputError("expected a mapping precision -> bits", file=ref.name, field="precisions")
        try:
            return {str(k).upper(): int(v) for k, v in table.items()}
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"bit lengths must be integers: {exc}", file=ref.name, field="precisions"
            ) from exc

    return refdata.parsed("precisions", ref.sha256, build)


def bits_of(precision: str) -> int | None:
    """Bit length of a precision name ('fp8' -> 8), or ``None`` if the name is not in the vocabulary."""
    return precision_bits().get(precision.strip().upper())


def tpp_basis(throughput: Mapping[str, float], *, file: str | None = None) -> TppBasis | None:
    """The precision with the highest dense TOPS x bit length; ``None`` if no throughput is known.

    Ties go to the lower bit length (the figure vendors usually headline), which leaves TPP unchanged.
    """
    best: TppBasis | None = None
    for precision, tops in throughput.items():
        bits = bits_of(precision)
        if bits is None:
            known = ", ".join(sorted(precision_bits()))
            raise InputError(
                f"unknown precision '{precision}' (known: {known})",
                file=file,
                field=f"throughput.{precision}",
            )
        basis = TppBasis(precision=precision, dense_tops=float(tops), bits=bits)
        if best is None or basis.tpp > best.tpp or (basis.tpp == best.tpp and basis.bits < best.bits):
            best = basis
    return best


def performance_density(tpp: float | None, die_area_mm2: float | None) -> float | None:
    """TPP per mm² of applicable die area, or ``None`` when either figure is unknown."""
    if tpp is None or not die_area_mm2:
        return None
    return tpp / die_area_mm2
