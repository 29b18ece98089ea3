"""Screening cost per character of the query name, from 100 to 4,000 characters (issue 14).

Why: a name is attacker-controlled input. Screening must cost time linear in its length, so that the
faces' length limit (``name_chars`` in chipguard/data/limits) bounds a request's cost and a long name
cannot stall a worker. This measures ``Screener.screen`` on names of growing length built from the
words of the loaded list itself (Latin script), from Chinese list names (Han script), and from one
letter repeated (a single giant "word", the worst case of typo and run-on search), and reports the
median time per character of each length; flat means linear.

Run: ``.venv/bin/python -m bench.name_length --shared ../shared/data`` (CSL 2022-04, the index built
once and excluded); ``make bench`` runs it last.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

CSL = "lists/us_csl_2022-04.csv.gz"
LENGTHS = (100, 250, 500, 1000, 2000, 4000)


def _builders(parties: Sequence[object], seed: int) -> dict[str, Callable[[int], str]]:
    latin: list[str] = []
    han: list[str] = []
    for party in parties:
        for name in [party.name, *(a.name for a in party.aliases)]:  # type: ignore[attr-defined]
            if any("\u4e00" <= ch <= "\u9fff" for ch in name):
                han.append(name)
            else:
                latin.extend(w for w in name.split() if w.isalpha())
    rng = random.Random(seed)

    def words(n: int) -> str:
        out = ""
        while len(out) < n:
            out += rng.choice(latin) + " "
        return out[:n].strip()

    def chinese(n: int) -> str:
        out = ""
        while len(out) < n:
            out += rng.choice(han) if han else "华为技术有限公司"
        return out[:n]

    def one_letter(n: int) -> str:
        return rng.choice("ABCDEFGHKLMNPRSTUVWZ") * n

    return {"latin_words": words, "chinese": chinese, "one_letter": one_letter}


def refusal_seconds(chars: int = 40_000, repeat: int = 5) -> dict[str, float]:
    """Median seconds the REST API takes to refuse (422) a ``chars``-long name, on a throw-away store."""
    import os
    import tempfile

    from fastapi.testclient import TestClient

    os.environ["CHIPGUARD_HOME"] = tempfile.mkdtemp(prefix="chipguard-bench-")
    os.environ.pop("CHIPGUARD_DATABASE_URL", None)
    from chipguard.api.app import create_app

    app = create_app()
    token, _key = app.state.services.keys.create("admin", "bench", actor="bench")
    headers = {"Authorization": f"Bearer {token}"}
    name = ("Northern Star Trading " * (chars // 22 + 1))[:chars]
    bodies = {
        "/v1/screen": {"name": name},
        "/v1/customers": {"name": name},
        "/v1/decisions": {
            "date": "2025-06-01",
            "kind": "sale",
            "destination": "DE",
            "customer": {"name": name},
            "items": [{"model": "H100 SXM"}],
        },
    }
    out = {}
    with TestClient(app) as client:
        for path, body in bodies.items():
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                status = client.post(path, json=body, headers=headers).status_code
                times.append(time.perf_counter() - start)
                assert status == 422, (path, status)
            out[path] = statistics.median(times)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.name_length", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--repeat", type=int, default=5, help="distinct names per length and kind")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    path = Path(args.shared) / CSL
    if not path.is_file():
        print(f"{path} is not present; nothing to measure")
        return 0
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    parsed = parse_file(path)
    screener = Screener(parsed.parties)
    screener.screen("warm up the tables")
    builders = _builders(parsed.parties, seed=14)
    figures: dict[str, dict[int, float]] = {}
    for kind, build in builders.items():
        figures[kind] = {}
        for n in LENGTHS:
            per_char = []
            for _ in range(args.repeat):
                name = build(n)
                start = time.perf_counter()
                screener.screen(name)
                per_char.append((time.perf_counter() - start) / len(name) * 1e6)
            figures[kind][n] = statistics.median(per_char)
    refusals = refusal_seconds()
    if args.json:
        print(json.dumps({"per_char_us": figures, "refusal_40000_s": refusals}, indent=2))
        return 0
    print(f"screening time per character (µs, median of {args.repeat}), {parsed.source} {path.name}")
    print(f"{'chars':>8} " + " ".join(f"{k:>12}" for k in figures))
    for n in LENGTHS:
        print(f"{n:>8} " + " ".join(f"{figures[k][n]:>12.1f}" for k in figures))
    ratios = {k: v[LENGTHS[-1]] / v[LENGTHS[0]] for k, v in figures.items()}
    print("4,000 / 100 ratio: " + ", ".join(f"{k} {r:.2f}" for k, r in ratios.items()))
    print(
        "40,000-character name refused (422), median s: "
        + ", ".join(f"{path} {seconds:.4f}" for path, seconds in refusals.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
