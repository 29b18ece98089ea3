"""Private evaluation of chipguard.names.scripts.latin_forms on the dev benchmark sets (not product code).

Why: guides vocabulary work. For each Chinese query of ../shared/data/bench/xscript_queries.csv and
real_cn_queries.csv it compares every Latin form with the watchlist names using rapidfuzz token_set_ratio
after a crude normalisation (lowercase, punctuation and legal-form words dropped), and reports:
  * how close the best form gets to the accepted English name (mean score, share ≥ 90 / ≥ 80),
  * top-1 retrieval over the whole watchlist (a stand-in for the real matcher),
  * for the negatives, how many reach each score (false-positive pressure),
  * per-form-method win counts, and latin_forms throughput.
Usage: .venv/bin/python tools/eval_zh_forms.py [--set xscript|real_cn|both] [--show N] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "data" / "bench"
LISTS = ROOT.parent / "shared" / "data" / "lists"

from chipguard.names.scripts import latin_forms  # noqa: E402

LEGAL = {
    "co",
    "ltd",
    "limited",
    "company",
    "corporation",
    "corp",
    "inc",
    "incorporated",
    "plc",
    "llc",
    "the",
    "joint",
    "stock",
    "jsc",
    "holdings",
    "holding",
    "group",
}


def norm(text: str) -> str:
    text = text.lower().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w for w in words if w not in LEGAL)


def sym_score(a: str, b: str, **_: object) -> float:
    """Retrieval stand-in: token_set alone rewards any subset ('li' in a pinyin form), so average it
    with token_sort."""
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


def forms(name: str) -> list[tuple[str, str]]:
    return [(f.method, norm(f.text)) for f in latin_forms(name)]


def evaluate(queries: list[dict[str, str]], names: list[str], ids: list[str], show: int, label: str) -> None:
    normed = [norm(n) for n in names]
    by_id: dict[str, list[int]] = {}
    for k, i in enumerate(ids):
        by_id.setdefault(i, []).append(k)
    pos = [q for q in queries if q["expect"] == "hit"]
    neg = [q for q in queries if q["expect"] != "hit"]
    top1 = 0
    close: list[float] = []
    wins: Counter[str] = Counter()
    misses: list[tuple[float, str, str, str, str]] = []
    for q in pos:
        accept = set(q["accept_ids"].split("|"))
        fs = forms(q["name"])
        if not fs:
            continue
        best_score, best_id, best_method = -1.0, "", ""
        acc_score, acc_form = 0.0, ""
        for method, f in fs:
            res = process.extract(f, normed, scorer=sym_score, limit=3)
            for _name, score, idx in res:
                if score > best_score:
                    best_score, best_id, best_method = score, ids[idx], method
            for idx in (k for a in accept for k in by_id.get(a, ())):
                s = sym_score(f, normed[idx])
                if s > acc_score:
                    acc_score, acc_form = s, f
        close.append(acc_score)
        if best_id in accept or acc_score >= best_score:
            top1 += 1
            wins[best_method] += 1
        else:
            accepted = next((names[k] for a in accept for k in by_id.get(a, ())), "?")
            misses.append(
                (acc_score, q["name"], acc_form, accepted, f"{best_score:.0f} {names[ids.index(best_id)]}")
            )
    n = len(close)
    print(f"== {label}: {n} positives")
    if n:
        print(f"top-1 (token_set over watchlist): {top1 / n:.3f}")
        print(
            f"accepted-name score: mean {sum(close) / n:.1f}; ≥90 {sum(c >= 90 for c in close) / n:.3f}; "
            f"≥80 {sum(c >= 80 for c in close) / n:.3f}"
        )
        print("winning methods:", dict(wins))
    neg_best: list[float] = []
    for q in neg:
        fs = forms(q["name"])
        best = 0.0
        for _m, f in fs:
            r = process.extractOne(f, normed, scorer=sym_score)
            if r:
                best = max(best, r[1])
        neg_best.append(best)
    if neg_best:
        for t in (80, 85, 90, 95, 100):
            print(f"negatives ≥{t}: {sum(b >= t for b in neg_best) / len(neg_best):.3f}", end="  ")
        print()
    misses.sort()
    for m in misses[:show]:
        print(f"  {m[0]:5.1f} {m[1]} → {m[2]!r} | want {m[3]!r} | got {m[4]}")


def load_xscript(limit: int) -> tuple[list[dict[str, str]], list[str], list[str]]:
    with (BENCH / "xscript_watchlist.csv").open(encoding="utf-8") as fh:
        wl = list(csv.DictReader(fh))
    names, ids = [], []
    for r in wl:
        for n in [r["name"], *(a for a in r["aliases"].split(";") if a)]:
            names.append(n)
            ids.append(r["id"])
    with (BENCH / "xscript_queries.csv").open(encoding="utf-8") as fh:
        qs = list(csv.DictReader(fh))
    if limit:
        qs = qs[:: max(1, len(qs) // limit)]
    return qs, names, ids


def load_real_cn() -> tuple[list[dict[str, str]], list[str], list[str]]:
    names, ids = [], []
    with gzip.open(LISTS / "us_csl_2022-04.csv.gz", "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["type"] == "Individual":
                continue
            for n in [r["name"], *(a for a in r["alt_names"].split(";") if a.strip())]:
                for pid in (r["_id"], r["entity_number"]):
                    if pid:
                        names.append(n.strip())
                        ids.append(pid)
    with (BENCH / "real_cn_queries.csv").open(encoding="utf-8") as fh:
        qs = [q for q in csv.DictReader(fh) if q["category"].endswith("_zh")]
    return qs, names, ids


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="both", choices=["xscript", "real_cn", "both"])
    ap.add_argument("--show", type=int, default=25)
    ap.add_argument("--limit", type=int, default=0, help="sample about N xscript queries")
    args = ap.parse_args()
    t = time.perf_counter()
    latin_forms("杭州科技有限公司")
    print(f"warm-up {time.perf_counter() - t:.2f}s")
    if args.set in ("xscript", "both"):
        qs, names, ids = load_xscript(args.limit)
        t = time.perf_counter()
        for q in qs:
            latin_forms(q["name"] + " ")  # uncached variant: measures the real cost
        dt = time.perf_counter() - t
        print(f"latin_forms: {len(qs) / dt:.0f} names/s ({dt / len(qs) * 1e3:.3f} ms each, uncached)")
        evaluate(qs, names, ids, args.show, "xscript")
    if args.set in ("real_cn", "both"):
        qs, names, ids = load_real_cn()
        evaluate(qs, names, ids, args.show, "real_cn (zh queries vs CSL non-person names)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
