"""The service layer: the one place that composes the core (screening, decisions, ownership) with the
store and the audit trail for every face (CLI, REST API, web UI, batch). See docs/ARCHITECTURE.md.

``Services`` and ``EngineError`` are imported on first use (PEP 562): a one-shot command that needs only
``chipguard.service.screening`` (``chipguard screen``) must not pay for importing the whole service —
decisions, ownership, monitoring, the audit trail — at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipguard.service.services import EngineError, Services

__all__ = ["EngineError", "Services"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from chipguard.service import services

        return getattr(services, name)
    raise AttributeError(f"module 'chipguard.service' has no attribute {name!r}")
