"""The service layer: the one place that composes the core (screening, decisions, ownership) with the
store and the audit trail for every face (CLI, REST API, web UI, batch). See docs/ARCHITECTURE.md."""

from chipguard.service.services import EngineError, Services

__all__ = ["EngineError", "Services"]
