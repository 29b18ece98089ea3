"""Scale: screening throughput and memory per indexed name as the list grows, through the mapped index.

Why: a list of a million entities must fit every worker on one machine and keep per-query time flat. The
real CSL 2022-04 (38k indexed names) is the base; larger lists add synthetic entities generated from its
own name distributions (word counts, the words of organisation names, given names and surnames of
people, how many aliases a party has, legal forms), with a fixed seed, so the screening queries meet
the real listed names among realistic noise. For each size the index is built straight into its file
once (``chipguard.match.indexfile.build``, parties streamed in; its CPU time and peak memory measured in a
process of its own), then fresh worker processes map it and run the screening query mix:

- q/s per core: CPU time of the query pass in one worker (``screen()``; caches warmed by a first pass
  over other names, not these), the median of ``--passes`` fresh workers run one after another, with
  their range (this host's CPU time per unit of work moves ±20 % within an hour: one worker is one
  sample of that);
- resident memory per indexed name: the worker's proportional set size (PSS: shared pages split between
  the processes that map them) after the pass, minus the same worker's PSS before it opened the index,
  over the number of indexed names; and the total PSS of two workers mapping one file.

    python -m bench.scale --shared ../shared/data [--sizes 0,100000] [--queries 2000] [--passes 3] [--million]

``--million`` adds the size that makes one million parties (about 2.3 million indexed names): about 8
minutes of CPU for the build and a 1.4 GB file; ``make bench`` runs it (``make bench SCALE_ARGS=`` leaves it
out).

At the CSL's own size two more rows compare what the mapped figure pays for: the index built as Python
objects in the worker ("in-memory"), and the mapped file with every name and party decoded once before the
pass ("every record decoded once") — what a serving or ``screen-file`` worker reaches after it has met the
list's names, where the first row's worker meets most of them for the first time during its 2,000 queries
(the first touch of each record: decoding, its page of the file, the collector walking the new objects).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CSL = "lists/us_csl_2022-04.csv.gz"
QUERIES = "bench/screening_queries.csv"


def synthetic_parties(real: list[Any], count: int, seed: int = 16) -> Iterator[Any]:
    """``count`` parties drawn from the name distributions of ``real`` (organisations and people kept
    apart), made one at a time (a million of them are never held at once); ids ``syn-N`` so they never
    count as a right answer."""
    from chipguard.model import Alias, Party, PartyKind

    rng = random.Random(seed)
    org_words: list[str] = []
    org_lengths: list[int] = []
    given: list[str] = []
    surnames: list[str] = []
    alias_counts: list[int] = []
    countries: list[str] = []
    for party in real:
        alias_counts.append(len(party.aliases))
        countries.extend(party.countries[:1])
        for alias in party.all_names():
            words = alias.name.replace(",", " ").split()
            if not words:
                continue
            if party.kind == PartyKind.PERSON:
                if "," in alias.name:
                    surnames.append(alias.name.split(",")[0].strip())
                    given.extend(alias.name.split(",", 1)[1].split())
                else:
                    given.extend(words[:-1])
                    surnames.append(words[-1])
            else:
                org_words.extend(words)
                org_lengths.append(len(words))
    persons = sum(1 for p in real if p.kind == PartyKind.PERSON) / max(len(real), 1)

    def org_name() -> str:
        return " ".join(rng.choice(org_words) for _ in range(rng.choice(org_lengths)))

    def person_name() -> str:
        return f"{rng.choice(surnames)}, {' '.join(rng.choice(given) for _ in range(rng.choice((1, 1, 2))))}"

    for i in range(count):
        person = rng.random() < persons
        make = person_name if person else org_name
        yield Party(
            source="synthetic",
            party_id=f"syn-{i}",
            name=make(),
            kind=PartyKind.PERSON if person else PartyKind.ORG,
            aliases=[Alias(make()) for _ in range(min(rng.choice(alias_counts), 6))],
            countries=[rng.choice(countries)] if countries else [],
        )


_BUILDER = r"""
import itertools, json, resource, sys, time
from pathlib import Path
from bench.scale import synthetic_parties
from chipguard.match import indexfile
from chipguard.names.analysis import analyze
from chipguard.sources import parse_file

def rss_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

csl, extra, path = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
real = parse_file(csl).parties
analyze("warm up", False)  # name resources loaded before measuring
before = rss_kb()
start = time.process_time()
indexfile.build(itertools.chain(real, synthetic_parties(real, extra)), path)
cpu = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"cpu": cpu, "rss_before_kb": before, "peak_kb": peak}), flush=True)
"""


def _build(csl: Path, extra: int, path: Path) -> dict[str, Any]:
    """Builds the index file of the CSL plus ``extra`` synthetic parties in a fresh process (so its peak
    memory is the builder's alone): CPU seconds, resident memory before the build and at the peak."""
    done = subprocess.run(
        [sys.executable, "-c", _BUILDER, str(csl), str(extra), str(path)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


_WORKER = r"""
import json, os, resource, sys, time
from pathlib import Path

def pss_kb():
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0

path, queries_file, warm_file = sys.argv[1], sys.argv[2], sys.argv[3]
from chipguard.match import indexfile
from chipguard.names.analysis import analyze
queries = json.loads(Path(queries_file).read_text())
warm = json.loads(Path(warm_file).read_text())
for name in warm[:50]:
    analyze(name, False)  # name resources (vocabularies, transliterators) loaded before measuring
before = pss_kb()
if path.startswith("in-memory:"):  # the same list built as Python objects in this process, for comparison
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file
    screener = Screener(parse_file(Path(path.split(":", 1)[1])).parties)
else:
    screener = indexfile.open_screener(Path(path.removeprefix("decoded:")))
    if path.startswith("decoded:"):  # every record met once, as in a worker that has run a while
        for _ in screener.index.entries:
            pass
        for _ in screener.parties:
            pass
for name in warm:
    screener.screen(name)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
times = os.times()
start = time.process_time()
hits = 0
for name, kind in queries:
    hits += len(screener.screen(name, kind))
cpu = time.process_time() - start
ended = os.times()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
from chipguard import native
print(json.dumps({"qps": len(queries) / cpu, "hits": hits, "pss_before_kb": before, "pss_after_kb": pss_kb(),
                  "sys_share": (ended.system - times.system) / cpu if cpu else 0.0,
                  "faults_per_query": faults / len(queries),
                  "entries": len(screener.index.entries), "scorer": native.status().describe()}), flush=True)
sys.stdin.read()  # hold the mapping until the parent has read both workers' figures
"""


scorers: set[str] = set()  # what the workers screened with (chipguard.native): compiled or pure Python


def _workers(path: Path | str, queries: Path, warm: Path, n: int) -> list[dict[str, Any]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), str(queries), str(warm)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    out = []
    for p in procs:
        assert p.stdout is not None
        out.append(json.loads(p.stdout.readline()))
    for p in procs:
        p.communicate("")
    scorers.update(w["scorer"] for w in out)
    return out


kernel_lines: list[str] = []  # per row: the kernel's share of the pass (printed under the table)


def _passes(
    path: Path | str, queries: Path, warm: Path, n: int, label: str
) -> tuple[dict[str, Any], float, str]:
    """``n`` fresh single workers one after another: the first's figures (memory), the median q/s and
    the range of the n readings. Also notes the kernel's share of the workers' pass CPU and their minor
    page faults per query (:data:`kernel_lines`): on this virtual machine the system CPU of a fresh
    worker's pass (first touches of the memory its caches and decoded records grow into) moves from 1 % to
    15 % of the pass between runs of the same code while its user CPU holds, so the split says how much
    of a q/s reading the host's state made."""
    runs = [_workers(path, queries, warm, 1)[0] for _ in range(max(1, n))]
    qps = [r["qps"] for r in runs]
    spread = f"{min(qps):,.0f}–{max(qps):,.0f}" if len(qps) > 1 else ""
    shares = sorted(100 * r["sys_share"] for r in runs)
    faults = statistics.median(r["faults_per_query"] for r in runs)
    kernel_lines.append(
        f"- {label}: system CPU {statistics.median(shares):.1f} % of the pass "
        f"({shares[0]:.1f}–{shares[-1]:.1f} % over {len(runs)} workers), {faults:.1f} minor page faults per query"
    )
    return runs[0], statistics.median(qps), spread


def query_mix(shared: Path, count: int) -> tuple[list[tuple[str, str | None]], list[str]]:
    """The screening query mix every throughput figure uses: the screening dev queries in a fixed shuffled
    order (seed 7), the first ``count`` as (name, kind) queries and the next 300 names as warm-up (caches
    warmed on other names than the pass's)."""
    from bench.run import read_csv

    rows = read_csv(shared / QUERIES)
    rng = random.Random(7)
    rng.shuffle(rows)
    queries = [(r["name"], r.get("kind") or None) for r in rows[:count]]
    warm = [r["name"] for r in rows[count : count + 300]]
    return queries, warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument(
        "--sizes", default="0,100000", help="synthetic entities added to the CSL, comma-separated"
    )
    parser.add_argument("--queries", type=int, default=2000, help="screening queries per pass")
    parser.add_argument(
        "--passes", type=int, default=3, help="fresh workers per row whose q/s median is reported"
    )
    parser.add_argument(
        "--million",
        action="store_true",
        help="add the size that makes one million parties (CSL + ~986k synthetic; ~1 h of CPU)",
    )
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists() or not (shared / QUERIES).exists():
        print(f"bench.scale: {shared} holds no benchmark data; nothing to run.")
        return 0
    from chipguard.match import indexfile
    from chipguard.sources import parse_file

    real = parse_file(shared / CSL).parties
    queries, warm = query_mix(shared, args.queries)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.million:
        sizes.append(1_000_000 - len(real))
    print("## Scale: the index built into its file and mapped, as the list grows (`python -m bench.scale`)\n")
    print(
        "| list | parties | indexed names | build CPU s | build peak KB per name | file MB | q/s per core "
        "| q/s range | ms per query | × CSL | KB per name (1 worker) | KB per added name | 2 workers total MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    previous: tuple[int, int] | None = None
    base_ms: float | None = None
    with tempfile.TemporaryDirectory(prefix="chipguard-scale-") as tmp:
        qfile, wfile = Path(tmp) / "q.json", Path(tmp) / "w.json"
        qfile.write_text(json.dumps(queries))
        wfile.write_text(json.dumps(warm))
        for extra in sizes:
            path = Path(tmp) / f"index-{extra}.cgix"
            label = "CSL 2022-04" if not extra else f"CSL + {extra:,} synthetic"
            built = _build(shared / CSL, extra, path)
            opened = indexfile.open_screener(path, verify=False)
            parties, names = len(opened.parties), len(opened.index.entries)
            del opened
            one, qps, spread = _passes(path, qfile, wfile, args.passes, label)
            two = _workers(path, qfile, wfile, 2)
            per_name = (one["pss_after_kb"] - one["pss_before_kb"]) * 1024 / names
            total_two = sum(w["pss_after_kb"] for w in two) / 1024
            added = (
                f"{(one['pss_after_kb'] - previous[1]) / (names - previous[0]):.2f}"
                if previous is not None and names > previous[0]
                else "—"
            )
            previous = (names, one["pss_after_kb"])
            ms = 1000 / qps
            base_ms = base_ms or ms
            peak = (built["peak_kb"] - built["rss_before_kb"]) / names
            print(
                f"| {label} | {parties:,} | {names:,} | {built['cpu']:.1f} | {peak:.2f} "
                f"| {path.stat().st_size / 1e6:.0f} | {qps:.0f} | {spread} | {ms:.2f} | {ms / base_ms:.2f} "
                f"| {per_name / 1024:.2f} | {added} | {total_two:.0f} |",
                flush=True,
            )
            if not extra:
                _, qps, spread = _passes(
                    f"decoded:{path}", qfile, wfile, args.passes, f"{label}, every record decoded once"
                )
                print(
                    f"| CSL 2022-04, mapped, every record decoded once | {parties:,} | {names:,} | | | "
                    f"| {qps:.0f} | {spread} | {1000 / qps:.2f} | | | | |",
                    flush=True,
                )
            path.unlink()
            if not extra:
                built_one, qps, spread = _passes(
                    f"in-memory:{shared / CSL}", qfile, wfile, args.passes, f"{label}, in-memory index"
                )
                memory = (built_one["pss_after_kb"] - built_one["pss_before_kb"]) * 1024 / names
                print(
                    f"| CSL 2022-04, in-memory index (before) | {parties:,} | {names:,} | | | "
                    f"| {qps:.0f} | {spread} | {1000 / qps:.2f} | | {memory / 1024:.2f} | | |",
                    flush=True,
                )
    print("\nThe kernel's share of each row's pass (user + system CPU is the q/s reading's CPU):\n")
    print("\n".join(kernel_lines))
    print(f"\nscorer (every worker): {'; '.join(sorted(scorers))}")
    from bench import hostref

    print(hostref.line(hostref.measure(5)))
    print(
        "\nbuild: `chipguard.match.indexfile.build` in a fresh process, parties streamed into the file; its "
        "peak KB per name is the process's peak resident memory minus its memory before the build, over "
        "the indexed names. × CSL: per-query time over that of the CSL alone (14k entities). "
        "q/s: CPU time of one worker over the query mix, the median of the fresh workers (range beside it); KB per name: the worker's PSS growth from "
        "opening the index and answering the queries, over the indexed names (the query-side caches "
        "included); KB per added name: the growth of that PSS from the previous size over the names "
        "added; 2 workers total: the sum of both workers' PSS (interpreter and name resources included) "
        "while both map the file."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
