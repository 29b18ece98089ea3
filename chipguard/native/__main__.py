"""``python -m chipguard.native [status | build [--force]]``: say whether the compiled scorer is in use, or
build it (the Makefile's install steps run ``build``; it never fails an install)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from chipguard.native import status
from chipguard.native.build import build


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "status"
    if command == "status" and len(args) <= 1:
        print(status().describe())
        return 0
    if command == "build" and set(args[1:]) <= {"--force"}:
        build(force="--force" in args)
        return 0  # never fails an install: without a compiler chipguard runs pure Python, and says so
    print("usage: python -m chipguard.native [status | build [--force]]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
