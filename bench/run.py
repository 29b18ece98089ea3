"""Runs every benchmark on the dev sets in ``--shared`` and prints the tables recorded in BENCHMARKS.md.

Each set is run through chipguard's Screener and, in the same process and with the same hit logic, a
plain rapidfuzz WRatio baseline (``process.extractOne`` over every list name). Index build time and
query throughput (one core, the ``screen-file`` code path) are reported separately.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import io
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.metrics import Report, fmt

CSL = "lists/us_csl_2022-04.csv.gz"


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def hit_ids(hit: Any) -> set[str]:
    ids = {str(hit.party_id)}
    entity = (hit.explanation or {}).get("entity_number")
    if entity:
        ids.add(str(entity))
    # the same record listed again under the same name (collapsed into this hit, which names them)
    ids.update(str(x) for x in (hit.explanation or {}).get("duplicates", ()))
    return ids


class Baseline:
    """rapidfuzz WRatio over every list name; a hit when the best score reaches the threshold."""

    def __init__(self, parties: list[Any], threshold: float) -> None:
        from rapidfuzz import utils

        self.threshold = threshold * 100
        self.choices: list[str] = []
        self.ids: list[set[str]] = []
        for party in parties:
            ids = {str(party.party_id)}
            if party.extra.get("entity_number"):
                ids.add(str(party.extra["entity_number"]))
            for alias in party.all_names():
                self.choices.append(utils.default_process(alias.name))
                self.ids.append(ids)

    def screen(self, name: str) -> list[set[str]]:
        from rapidfuzz import fuzz, process, utils

        best = process.extractOne(
            utils.default_process(name),
            self.choices,
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=self.threshold,
        )
        return [self.ids[best[2]]] if best else []


def print_report(title: str, ours: Report, base: Report | None) -> None:
    print(f"\n## {title}\n")
    print("| category | n | recall | top-1 | FPR | baseline recall | baseline top-1 | baseline FPR |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    cats = sorted(ours.by_category)
    for cat in [*cats, "ALL"]:
        t = ours.total if cat == "ALL" else ours.by_category[cat]
        b = (base.total if cat == "ALL" else base.by_category[cat]) if base else None
        print(
            f"| {cat} | {t.queries} | {fmt(t.recall)} | {fmt(t.top1_accuracy)} | {fmt(t.fpr)} | "
            f"{fmt(b.recall) if b else '—'} | {fmt(b.top1_accuracy) if b else '—'} | {fmt(b.fpr) if b else '—'} |"
        )


def run_set(
    rows: Iterable[dict[str, str]], screener: Any, baseline: Baseline | None, use_country: bool
) -> tuple[Report, Report | None, float, int]:
    ours = Report()
    base = Report() if baseline else None
    elapsed = 0.0
    n = 0
    for row in rows:
        accept = {x for x in (row.get("accept_ids") or "").split("|") if x}
        expect_hit = row.get("expect") == "hit"
        country = (row.get("country") or None) if use_country else None
        start = time.process_time()
        hits = screener.screen(row["name"], kind=row.get("kind") or None, country=country)
        elapsed += time.process_time() - start
        n += 1
        ours.add(row["category"], expect_hit, [hit_ids(h) for h in hits], accept)
        if baseline and base is not None:
            base.add(row["category"], expect_hit, baseline.screen(row["name"]), accept)
    return ours, base, elapsed, n


def xscript_reversed(
    queries: list[dict[str, str]], watchlist: list[dict[str, str]], screening: list[dict[str, str]]
) -> None:
    """The reverse direction of the xscript set: the Chinese names as the list, the registered English
    names as queries (an English-named customer against a list entry written in Chinese). The negatives
    are the screening set's negatives; many of its English names of Chinese listed companies are the same
    companies as the reversed list, so that column is an upper bound on false positives, not a rate."""
    from chipguard.match.screener import Screener
    from chipguard.model import Party, PartyKind

    english = {r["id"]: r["name"] for r in watchlist}
    parties: list[Party] = []
    pairs: list[tuple[str, str]] = []
    for row in queries:
        if row.get("expect") != "hit":
            continue
        pid = row["accept_ids"].split(";")[0]
        if pid in english:
            parties.append(Party("custom", pid, row["name"], PartyKind.ORG, countries=["CN"]))
            pairs.append((english[pid], pid))
    screener, _wrote = mapped(Screener(parties))
    found = 0
    start = time.process_time()
    for name, pid in pairs:
        hits = screener.screen(name, kind="org")
        found += bool(hits and hits[0].party_id == pid)
    elapsed = time.process_time() - start
    negatives = [r for r in screening if r.get("expect") != "hit"]
    with_hit = sum(bool(screener.screen(r["name"], kind="org")) for r in negatives)
    print(
        f"\n## xscript reversed (English query → Chinese list name)\n\n"
        f"top-1 {found}/{len(pairs)} = {found / max(len(pairs), 1):.3f}; "
        f"screening negatives with a hit {with_hit}/{len(negatives)} (upper bound, see bench/run.py); "
        f"{len(pairs) / elapsed:.0f} queries/s"
    )


def mapped(screener: Any) -> tuple[Any, float]:
    """The screener as every face uses it: written to an index file and mapped back (the in-memory one
    is dropped), with the CPU seconds that took. Every figure below comes from the mapped index."""
    from chipguard.match import indexfile

    start = time.process_time()
    folder = Path(tempfile.mkdtemp(prefix="chipguard-bench-"))
    path = folder / "index.cgix"
    indexfile.write(screener, path)
    threshold = screener.threshold
    opened = indexfile.open_screener(path)
    opened.threshold = threshold
    path.unlink()  # the mapping stays valid until the process ends
    folder.rmdir()
    return opened, time.process_time() - start


def clear_query_caches() -> None:
    """Forgets every per-name cache so a timed pass pays for each query's analysis (the list's own
    analyses live in the index and are unaffected)."""
    from chipguard.match import screener
    from chipguard.names import analysis, text, variants

    for fn in (
        screener.query_forms,
        screener.cached_latin_forms,
        analysis.analyze,
        analysis._split_runon,
        analysis._word_pieces,
        analysis._org_word_token,
        analysis._person_word_token,
        analysis._legal_spellings,
        analysis._number_typo,
        text.clean_steps,
        variants.name_variants,
    ):
        fn.cache_clear()


def throughput_screen_file(screener: Any, rows: list[dict[str, str]]) -> float:
    """Queries per second through the ``screen-file`` code path (validation, screening, JSONL)."""
    from chipguard.cli.screen import read_queries, screen_file_to

    clear_query_caches()

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.csv"
        with src.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "name", "kind"])
            for row in rows:
                writer.writerow([row["id"], row["name"], row.get("kind", "")])
        start = time.process_time()
        queries = read_queries(src, names_checked_later=True)  # as the CLI reads them
        screen_file_to(screener, queries, Path(tmp) / "out.jsonl", source=str(src))
        return len(queries) / (time.process_time() - start)


def threshold_sweep(screener: Any, rows: list[dict[str, str]], thresholds: list[float]) -> None:
    """Recall and false-positive rate of the screening set at several thresholds (one pass, scores
    kept from the lowest): how the default threshold was chosen."""
    low = min(thresholds)
    per_query: list[tuple[bool, set[str], list[tuple[float, set[str]]]]] = []
    for row in rows:
        hits = screener.screen(row["name"], kind=row.get("kind") or None, threshold=low)
        accept = {x for x in (row.get("accept_ids") or "").split("|") if x}
        per_query.append((row.get("expect") == "hit", accept, [(h.score, hit_ids(h)) for h in hits]))
    print("\n## threshold sweep (screening_queries.csv)\n")
    print("| threshold | recall | FPR |")
    print("|---:|---:|---:|")
    for t in thresholds:
        pos = [any(s >= t and ids & acc for s, ids in hits) for exp, acc, hits in per_query if exp]
        neg = [any(s >= t for s, _ in hits) for exp, _acc, hits in per_query if not exp]
        print(f"| {t:.2f} | {sum(pos) / len(pos):.4f} | {sum(neg) / len(neg):.4f} |")


def pairs_bench(shared: Path, threshold: float) -> None:
    from rapidfuzz import fuzz, utils

    from chipguard.match.screener import compare

    path = shared / "bench/pairs/name_bench_cases.csv"
    if not path.exists():
        return
    rows = read_csv(path)
    stats = {"ours": [0, 0, 0, 0], "wratio": [0, 0, 0, 0]}  # tp fp fn tn
    by_schema: dict[str, list[int]] = {}
    start = time.process_time()
    for row in rows:
        kind = "person" if row["schema"] == "Person" else "org"
        truth = row["is_match"].strip().lower() == "true"
        pred = compare(row["name1"], row["name2"], kind=kind, threshold=threshold).match
        base_pred = (
            fuzz.WRatio(row["name1"], row["name2"], processor=utils.default_process) >= threshold * 100
        )
        for key, p in (("ours", pred), ("wratio", base_pred)):
            s = stats[key]
            s[0 if p and truth else 1 if p else 2 if truth else 3] += 1
        sch = by_schema.setdefault(row["schema"], [0, 0, 0, 0])
        sch[0 if pred and truth else 1 if pred else 2 if truth else 3] += 1
    elapsed = time.process_time() - start
    print(f"\n## pairs/name_bench_cases.csv ({len(rows)} pairs, threshold {threshold:.2f}, {elapsed:.2f}s)\n")
    print("| matcher | precision | recall | F1 |")
    print("|---|---:|---:|---:|")
    for key, (tp, fp, fn, _tn) in stats.items():
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        label = "chipguard compare()" if key == "ours" else "rapidfuzz WRatio (same threshold)"
        print(f"| {label} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")
    print("| nomenklatura logic-v2 (frozen, its own threshold 0.7) | 0.762 | 0.821 | 0.790 |")
    print(
        "\nby schema (chipguard): "
        + ", ".join(f"{k}: tp {v[0]} fp {v[1]} fn {v[2]} tn {v[3]}" for k, v in by_schema.items())
    )


def yente_bench(shared: Path, threshold: float) -> None:
    """UN names as a person list; their 'treated' spellings must hit, US people must not."""
    from chipguard.match.screener import Screener
    from chipguard.model import Party, PartyKind

    base = shared / "bench/pairs"
    try:
        untreated = read_csv(base / "un_positives_untreated.csv")
        treated = read_csv(base / "un_positives_treated.csv")
        negatives = read_csv(base / "negatives_us_people.csv")
    except FileNotFoundError:
        return
    parties = [Party("yente_un", str(i), r["full_name"], PartyKind.PERSON) for i, r in enumerate(untreated)]
    screener = Screener(parties, threshold=threshold)
    found = sum(
        any(h.party_id == str(i) for h in screener.screen(r["full_name"], kind="person"))
        for i, r in enumerate(treated)
    )
    fps = sum(bool(screener.screen(r["full_name"], kind="person")) for r in negatives)
    print(f"\n## yente pairs (UN persons as the list, threshold {threshold:.2f})\n")
    print(f"recall on treated UN names: {found}/{len(treated)} = {found / len(treated):.3f}; ")
    print(f"false-positive rate on US people: {fps}/{len(negatives)} = {fps / len(negatives):.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--threshold", type=float, default=None, help="override the default threshold")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz baseline")
    parser.add_argument("--sweep", action="store_true", help="also print recall/FPR over thresholds")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists() or not (shared / "bench").is_dir():
        print(f"bench: {shared} holds no benchmark data ({CSL}, bench/); nothing to run.")
        return 0
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says

    from chipguard.match.screener import Screener
    from chipguard.names.data import default_threshold
    from chipguard.sources import parse_file

    threshold = args.threshold if args.threshold is not None else default_threshold()
    print(f"# chipguard benchmark (threshold {threshold:.2f}, shared data {shared})")
    start = time.process_time()
    parties = parse_file(shared / CSL).parties
    parsed = time.process_time() - start
    start = time.process_time()
    screener = Screener(parties, threshold=threshold)
    built = time.process_time() - start
    screener, wrote = mapped(screener)
    print(
        f"\nCSL 2022-04: {len(parties)} parties, {len(screener.index.entries)} indexed names; "
        f"parse {parsed:.1f}s, index build {built:.1f}s, index file written and mapped {wrote:.1f}s"
    )
    baseline = None if args.no_baseline else Baseline(parties, threshold)

    screening = read_csv(shared / "bench/screening_queries.csv")
    ours, base, elapsed, n = run_set(screening, screener, baseline, use_country=False)
    print_report("screening_queries.csv vs CSL 2022-04", ours, base)
    print(f"\nscreen() throughput: {n / elapsed:.0f} queries/s (CPU time of one core, {n} queries)")
    qps = throughput_screen_file(screener, screening)
    print(f"screen-file throughput: {qps:.0f} queries/s (one core, JSONL written; index build excluded)")
    if args.sweep:
        threshold_sweep(screener, screening, [0.70, 0.75, 0.78, 0.80, 0.82, 0.85, 0.90])

    from bench import evasion

    evasion.run(screener, parties)

    from bench import romanisation

    romanisation.run(shared, screener, parties)

    from bench import arabic_names

    arabic_names.run(shared, screener, parties)

    from bench import korean

    korean.run(shared, screener, parties)

    from bench import evidence_sets

    evidence_sets.run(screener, parties)

    from bench import near_person_dob

    near_person_dob.run(shared, csl_screener=screener, csl_parties=parties)

    real_cn = shared / "bench/real_cn_queries.csv"
    if real_cn.exists():
        ours, base, _e, _n = run_set(read_csv(real_cn), screener, baseline, use_country=True)
        print_report("real_cn_queries.csv vs CSL 2022-04 (country given)", ours, base)

    watch = shared / "bench/xscript_watchlist.csv"
    xq = shared / "bench/xscript_queries.csv"
    if watch.exists() and xq.exists():
        try:
            wparties = parse_file(watch, format="custom_csv").parties
        except Exception:  # custom format not available: plain csv
            from chipguard.model import Party, PartyKind

            wparties = [
                Party("custom", r["id"], r["name"], PartyKind.ORG, countries=[r.get("country", "")])
                for r in read_csv(watch)
            ]
        start = time.process_time()
        xscreener, _wrote = mapped(Screener(wparties, threshold=threshold))
        xbuilt = time.process_time() - start
        xbase = None if args.no_baseline else Baseline(wparties, threshold)
        ours, base, elapsed, n = run_set(read_csv(xq), xscreener, xbase, use_country=False)
        print_report(f"xscript_queries.csv vs xscript_watchlist.csv (build {xbuilt:.1f}s)", ours, base)
        print(f"\nscreen() throughput: {n / elapsed:.0f} queries/s (timed inside the quality pass)")
        qps = throughput_screen_file(xscreener, read_csv(xq))
        print(f"screen-file throughput: {qps:.0f} queries/s (one core, JSONL written, name caches cleared)")
        xscript_reversed(read_csv(xq), read_csv(watch), read_csv(shared / "bench/screening_queries.csv"))

    pairs_bench(shared, threshold)
    yente_bench(shared, threshold)

    from bench import sets

    sets.main(["--shared", str(shared)])  # brand / short-name and look-alike sets (built from the lists)
    return 0
