"""The ASGI entry point uvicorn workers import (``chipguard.api.asgi:serve_app``, a factory), so that
``--workers N`` starts N processes that each build their own app, screener and connection pool."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from chipguard.api.app import create_app
from chipguard.settings import settings


def serve_app() -> FastAPI:
    level = settings().log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s")
    return create_app(warm=True)
