"""Private analysis: xscript Chinese → English misses by category and closeness.

Why: the scorer's weak spots show as queries whose best Latin form scores just under the threshold
against the accepted English name. Prints a TSV (score, category, query form, list name) and a summary
of misses by score band. Usage: .venv/bin/python tools/xscript_misses.py ../shared/data [--all]
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path

from chipguard.match.score import score_analyses, weights_of
from chipguard.match.screener import Screener, query_forms
from chipguard.sources import parse_file


def main(shared: Path, show_all: bool) -> None:
    parties = parse_file(shared / "bench/xscript_watchlist.csv", format="custom_csv").parties
    scr = Screener(parties)
    by_id = {p.party_id: i for i, p in enumerate(scr.parties)}
    entries_of: dict[int, list[int]] = {}
    for eid, e in enumerate(scr.index.entries):
        entries_of.setdefault(e.party, []).append(eid)
    rows = list(csv.DictReader((shared / "bench/xscript_queries.csv").open(encoding="utf-8-sig")))
    bands: Counter[str] = Counter()
    n_hit = n_pos = 0
    fps = []
    start = time.process_time()
    for r in rows:
        hits = scr.screen(r["name"], kind=r["kind"] or None)
        if r["expect"] != "hit":
            if hits:
                fps.append((r["name"], hits[0].name, hits[0].score))
            continue
        n_pos += 1
        accept = set(r["accept_ids"].split(";"))
        if hits and hits[0].party_id in accept:
            n_hit += 1
            if not show_all:
                continue
        best = (0.0, "", "")
        for pid in accept:
            if pid not in by_id:
                continue
            for form in query_forms(r["name"]):
                qw = weights_of(form.org, scr.index.rarity, False)
                for eid in entries_of.get(by_id[pid], []):
                    e = scr.index.entries[eid]
                    s = score_analyses(
                        form.org,
                        e.analysis,
                        person=False,
                        rarity=scr.index.rarity,
                        q_weights=qw,
                        c_weights=e.weights,
                        anchors=form.anchors,
                    ).score
                    if s > best[0]:
                        best = (s, form.text, e.analysis.original)
        band = "≥0.80" if best[0] >= 0.8 else f"{int(best[0] * 20) / 20:.2f}"
        bands[band] += 1
        top = f"{hits[0].name} ({hits[0].score})" if hits else "-"
        print(f"{best[0]:.3f}\t{r['category']}\t{r['name']}\t{best[1]}\t{best[2]}\ttop={top}")
    print(f"# top-1 {n_hit}/{n_pos}; {time.process_time() - start:.1f}s", file=sys.stderr)
    for b in sorted(bands, reverse=True):
        print(f"# band {b}: {bands[b]}", file=sys.stderr)
    for fp in fps:
        print(f"# FP {fp}", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--all" in sys.argv)
