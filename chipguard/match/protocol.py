"""What the rest of the core needs from a screener: a Protocol, so ``chipguard.policy`` and
``chipguard.ownership`` receive one and never build one (nor open the store its lists live in).

The service layer hands them ``chipguard.match.screener.Screener`` over the active lists; a replay hands
them the answers of a worker process (``chipguard.service.replay_worker.ArchivedScreener``); casework
wraps either in ``chipguard.service.casework.ClearingScreener``. Every implementer has both calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from chipguard.model import Hit

if TYPE_CHECKING:  # the result type only: importing the screener here would load the whole matcher
    from chipguard.match import screener


class Screening(Protocol):
    """Screens one name: hits at or above the threshold, best first. An implementer that subclasses this
    protocol needs only :meth:`screening`: it inherits :meth:`screen`."""

    def screen(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: Any = None,
    ) -> list[Hit]:
        """The hits of :meth:`screening`."""
        return self.screening(name, kind, country, limit, threshold, evidence).hits

    def screening(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        limit: int = 10,
        threshold: float | None = None,
        evidence: Any = None,
    ) -> screener.Screening:
        """The same hits with ``omitted``: how many records above the threshold ``limit`` left out. A
        caller that acts on hits (a decision, a customer screen, a re-screen) uses this one, so a cut is
        never silent."""
        ...

    def snapshot_refs(self) -> list[Any]: ...
