"""Errors of the record stores, each mapped to one HTTP status by the API and to an exit code by the CLI."""

from __future__ import annotations

from chipguard.errors import ChipguardError


class NotFoundError(ChipguardError):
    """The record asked for does not exist (HTTP 404)."""

    exit_code = 4


class ConflictError(ChipguardError):
    """The record exists already, or changed since the caller read it (HTTP 409 / 412)."""

    exit_code = 5


class ForbiddenError(ChipguardError):
    """The caller is known but its role may not take this step (HTTP 403), e.g. approving a disposition
    without an approving role."""

    exit_code = 6
