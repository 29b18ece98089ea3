"""What the retrieval tests read of a screening (test_match_deepening, test_match_tail_bound)."""

from __future__ import annotations

from chipguard.match.screener import Screener


def records(screener: Screener, name: str, limit: int = 200) -> dict[str, float]:
    """Every record a screening returns (hits and the records collapsed into them) with its score."""
    out: dict[str, float] = {}
    for hit in screener.screen(name, limit=limit):
        out[hit.party_id] = hit.score
        for dup in hit.explanation.get("duplicates", ()):
            out.setdefault(str(dup), hit.score)
    return out
