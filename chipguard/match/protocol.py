"""What the rest of the core needs from a screener: a Protocol, so ``chipguard.policy`` and
``chipguard.ownership`` receive one and never build one (nor open the store its lists live in).

The service layer hands them ``chipguard.match.screener.Screener`` over the active lists; a replay hands
them the answers of a worker process (``chipguard.service.replay_worker.ArchivedScreener``); tests may hand
them anything with ``screen``.
"""

from __future__ import annotations

from typing import Any, Protocol

from chipguard.model import Hit


class Screening(Protocol):
    """Screens one name: hits at or above the threshold, best first."""

    def screen(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: Any = None,
    ) -> list[Hit]: ...

    def snapshot_refs(self) -> list[Any]: ...
