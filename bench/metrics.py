"""Per-category recall, top-1 accuracy and false-positive rate of a screening run.

A query counts as found when any hit's party id (or, for CSL, its ``entity_number``) is among the
query's ``accept_ids``; an ``expect=none`` query counts as a false positive when it has any hit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(slots=True)
class Tally:
    queries: int = 0
    expected_hits: int = 0
    found: int = 0
    top1: int = 0
    negatives: int = 0
    false_positives: int = 0

    def add(self, expect_hit: bool, found: bool, top1: bool, any_hit: bool) -> None:
        self.queries += 1
        if expect_hit:
            self.expected_hits += 1
            self.found += found
            self.top1 += top1
        else:
            self.negatives += 1
            self.false_positives += any_hit

    @property
    def recall(self) -> float | None:
        return self.found / self.expected_hits if self.expected_hits else None

    @property
    def top1_accuracy(self) -> float | None:
        return self.top1 / self.expected_hits if self.expected_hits else None

    @property
    def fpr(self) -> float | None:
        return self.false_positives / self.negatives if self.negatives else None


@dataclass(slots=True)
class Report:
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)

    def add(self, category: str, expect_hit: bool, hit_ids: list[set[str]], accept: set[str]) -> None:
        found = any(ids & accept for ids in hit_ids)
        top1 = bool(hit_ids) and bool(hit_ids[0] & accept)
        self.by_category[category].add(expect_hit, found, top1, bool(hit_ids))
        self.total.add(expect_hit, found, top1, bool(hit_ids))


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
