"""chipguard — the compliance engine GPU clouds, resellers and chip distributors run to know whom they
serve and what they hand them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# numpy's OpenBLAS starts a thread per core at import and spins them while it sets itself up: ~0.1 CPU s
# in every process (a CLI command, each worker of screen-file, serve and Spark), ~15 % of a warm
# `chipguard screen`. chipguard does no linear algebra (numpy serves the tally and the mapped arrays), so
# one thread is all it needs; a value the caller set is kept. Set before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from chipguard import native as _native  # noqa: E402

__version__ = "0.1.0"
ENGINE_VERSION = __version__

if TYPE_CHECKING:
    from chipguard.match.screener import Screener, compare

# The compiled scorer and analyser load only when built from the sources beside them (chipguard.native).
_native.install()

__all__ = ["ENGINE_VERSION", "Screener", "__version__", "compare"]


def __getattr__(name: str) -> Any:
    # Imported lazily: the screener pulls in the name-analysis stack, which the CLI's --help need not pay for.
    if name in ("Screener", "compare"):
        from chipguard.match import screener

        return getattr(screener, name)
    raise AttributeError(name)
