"""Errors every face turns into a clear message and a non-zero exit (CLI) or a JSON 4xx (API)."""

from __future__ import annotations


class ChipguardError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do."""

    exit_code = 2


class InputError(ChipguardError):
    """Bad input: names the file, the line (or record) and the field so the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.detail = message
        where = []
        if file:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field '{field}'")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        super().__init__(prefix + message)


def bad_rows(errors: list[InputError], shown: int = 20, *, outcome: str = "nothing screened") -> InputError:
    """One error for a whole file's bad rows (the first ``shown`` listed), located at the first: a file
    is checked in full before anything runs, so the user fixes every row in one go."""
    listed = "\n  ".join(str(e) for e in errors[:shown])
    more = f"\n  … and {len(errors) - shown} more" if len(errors) > shown else ""
    first = errors[0]
    return InputError(
        f"{len(errors)} bad row(s), {outcome}:\n  {listed}{more}",
        file=first.file,
        line=first.line,
        field=first.field,
    )


class WorkerLostError(ChipguardError):
    """A worker process screening part of a file ended abruptly (killed, out of memory): the run is
    abandoned and nothing is written, so no partial output passes for a finished screening. Running it
    again is safe (with fewer workers when memory was short)."""

    exit_code = 1


def worker_lost(exc: BaseException) -> WorkerLostError:
    """The error for a process pool that lost a worker (``concurrent.futures`` BrokenProcessPool)."""
    return WorkerLostError(
        f"a worker process ended abruptly while screening ({exc}); nothing was written — run it again "
        "(with fewer --workers if the machine ran out of memory)"
    )


def unwritable_output(out: str, exc: OSError) -> InputError:
    """The error for an output path that cannot be written (a folder given for a file, no permission,
    a parent that cannot be created): said before anything is screened, naming the option."""
    reason = exc.strerror or str(exc)
    return InputError(f"cannot write the output there: {reason}", file=out, field="out")


class ListsUnavailableError(ChipguardError):
    """No list snapshot is loaded, or the loaded ones are too old to trust: fail closed."""

    exit_code = 3


class AuditUnavailableError(ChipguardError):
    """An audit entry could not be committed, so the action it records is not answered: a screen or a
    decision whose trail is not durable must not be reported as done (fail closed). Retrying is safe —
    nothing of the failed transaction was kept."""

    exit_code = 7
