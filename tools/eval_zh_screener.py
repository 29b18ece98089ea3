"""Private check of the Chinese figures through the real Screener (not product code; the official numbers
come from `python -m bench`). Prints xscript top-1 / FPR and real_cn recall / FPR, and the misses.

Usage: .venv/bin/python tools/eval_zh_screener.py [--set xscript|real_cn|both] [--limit N] [--show N]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "data" / "bench"
LISTS = ROOT.parent / "shared" / "data" / "lists"

from chipguard.match.screener import Screener  # noqa: E402
from chipguard.sources import parse_file  # noqa: E402


def run(screener: Screener, queries: list[dict[str, str]], show: int, label: str) -> None:
    by_cat: dict[str, list[int]] = {}
    misses: list[str] = []
    t = time.perf_counter()
    for q in queries:
        hits = screener.screen(q["name"], kind=q.get("kind") or None, country=q.get("country") or None)
        accept = set(filter(None, q["accept_ids"].split("|")))
        cat = q["category"]
        stat = by_cat.setdefault(cat, [0, 0])
        stat[1] += 1
        ok = (bool(hits) and hits[0].party_id in accept) if q["expect"] == "hit" else not hits
        stat[0] += ok
        if not ok and len(misses) < show:
            got = f"{hits[0].score:.2f} {hits[0].name}" if hits else "-"
            misses.append(f"  {cat:22} {q['name']} | want {q.get('source_name', '')[:50]} | got {got}")
    dt = time.perf_counter() - t
    print(f"== {label}: {len(queries)} queries, {len(queries) / dt:.0f} q/s")
    for cat, (ok, n) in sorted(by_cat.items()):
        print(f"  {cat:24} {ok}/{n} = {ok / n:.3f}" + ("  (correct = no hit)" if "neg" in cat else ""))
    print("\n".join(misses))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="both", choices=["xscript", "real_cn", "both"])
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--show", type=int, default=30)
    args = ap.parse_args()
    if args.set in ("xscript", "both"):
        parties = parse_file(BENCH / "xscript_watchlist.csv", format="custom_csv").parties
        t = time.perf_counter()
        screener = Screener(parties)
        print(f"xscript index: {time.perf_counter() - t:.1f}s")
        with (BENCH / "xscript_queries.csv").open(encoding="utf-8") as fh:
            qs = list(csv.DictReader(fh))
        if args.limit:
            qs = qs[:: max(1, len(qs) // args.limit)]
        run(screener, qs, args.show, "xscript")
    if args.set in ("real_cn", "both"):
        parties = parse_file(LISTS / "us_csl_2022-04.csv.gz").parties
        t = time.perf_counter()
        screener = Screener(parties)
        print(f"CSL index: {time.perf_counter() - t:.1f}s")
        with (BENCH / "real_cn_queries.csv").open(encoding="utf-8") as fh:
            qs = list(csv.DictReader(fh))
        run(screener, qs, args.show, "real_cn")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
