"""Two checkouts of chipguard compared on the screening pass: CPU time in alternated fresh workers, and
instructions under callgrind.

Why: this host's CPU time per unit of work moves ±20 % within an hour and ~5 % between the positions of two
runs in a round, so a q/s reading of one code says little about a change, and two readings taken minutes apart
say less. A speed change is judged here two ways, each code with its own index file (built by that code, so a
change of the file format or of the build is compared too):

- **CPU, paired**: ``--rounds`` rounds, each running one fresh mapped worker of each code (the worker of
  ``bench.scale``'s first row: the CSL 2022-04 index file mapped, 300 warm-up names, then the query mix), the
  order alternated from round to round; it prints every reading, each round's ratio B / A and their median.
- **Instructions** (``--instructions``, needs valgrind): the pass's instructions under callgrind — a run with
  the queries minus a run with none, so start-up, warm-up and loading cancel, and neither tears the
  interpreter down (the teardown frees what the pass built: ~165 M a worker never pays per query) — with
  ``OPENBLAS_NUM_THREADS=1``
  (numpy's spinning threads otherwise add ±40 M) and ``PYTHONHASHSEED=0``. Deterministic to a few M.

Both print each code's number of hits and a digest of every hit (query, party, score to 6 places), so a speed
change shows that it moved no hit::

    python -m bench.compare --shared ../shared/data A_CHECKOUT B_CHECKOUT [--rounds 8] [--queries 2000]
        [--instructions] [--work DIR] [--mix chinese|chinese-org]

``--mix chinese`` screens Chinese persons' names alone (:func:`chinese_person_mix`, session 23) instead of
the screening dev mix: the traffic where a name's romanisation readings multiply its query forms.
``--mix chinese-org`` screens Chinese organisation names alone (:func:`chinese_org_mix`, session 25): the
traffic the Chinese → English renderings serve.

A checkout is a directory holding a ``chipguard`` package (a git worktree: ``git worktree add --detach
/tmp/base <commit>``); its compiled modules must be built (``python -m chipguard.native build`` with
``PYTHONPATH`` set to it), and a checkout whose workers screen in pure Python is refused, since the
figures would compare the interpreter. Index files, query files and callgrind output go to ``--work``
(a temporary folder by default). Figures quoted in BENCHMARKS.md name this command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.scale import CSL, QUERIES, query_mix

# the lists the Chinese persons' workload (``--mix chinese``) takes its names from: every release the shared
# folder holds, the dev bench rows left out
PERSON_LISTS = (
    CSL,
    "lists/ofac_sdn_2024-05-03.csv",
    "lists/un_consolidated_2026-02-27.xml",
    "lists/ofac_cons_enhanced_2025-01-10.zip",
    "lists/ofac_2021-07",
    "lists/bis_dpl_2022-09.txt",
)


def chinese_person_mix(shared: Path, count: int) -> tuple[list[tuple[str, str | None]], list[str]]:
    """A workload of Chinese persons' names alone (session 23): what a GPU cloud whose customers are largely
    Chinese screens, where the romanisation readings (Wade-Giles, its Pinyin-alike names, Korean, Arabic)
    multiply a query's forms — the screening dev mix holds few such names, so its pass does not show their
    cost.

    Built from the lists, not from the dev bench rows: every person of China, Hong Kong, Macao or Taiwan
    (bench.romanisation's choice, on every release in :data:`PERSON_LISTS`) whose name reads as Pinyin; its
    surnames and given names are the vocabulary. A query is a listed name or a surname with another listed
    person's given name (a person on no list: most of a screen's traffic), written in Pinyin (as the lists
    write it, "ZHANG, Xiaoming", or "Zhang Xiaoming", or given name first "Xiaoming Zhang") or in Wade-Giles
    by bench.romanisation's writer ("Chang Hsiao-ming"); kind person for two queries in three, none given
    for the third. Drawn with a fixed seed (23): the first ``count`` queries, and 300 more names as warm-up."""
    import random
    import re

    from bench.romanisation import CHINESE_COUNTRIES, syllables, wade_giles_name
    from chipguard.model import PartyKind
    from chipguard.sources import parse_file

    word = re.compile(r"[A-Za-z]+")
    persons: dict[str, tuple[str, str]] = {}
    for path in PERSON_LISTS:
        if not (shared / path).exists():
            continue
        for party in parse_file(shared / path).parties:
            if party.kind != PartyKind.PERSON or not party.name:
                continue
            places = {*party.countries, *party.nationalities, *(a.country for a in party.addresses)}
            words = word.findall(party.name)
            if not places & CHINESE_COUNTRIES or len(words) < 2 or not all(syllables(w) for w in words):
                continue
            persons.setdefault(party.name, (words[0].capitalize(), "".join(words[1:]).capitalize()))
    listed = sorted(persons.items())
    surnames = sorted({sur for _, (sur, _g) in listed})
    given = sorted({g for _, (_s, g) in listed})
    rng = random.Random(23)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count + 300:
        if rng.random() < 0.25:
            name, (sur, first) = rng.choice(listed)
        else:
            name, sur, first = "", rng.choice(surnames), rng.choice(given)
        style = rng.random()
        if style < 0.5:
            wade = wade_giles_name(f"{sur} {first}")
            if wade is None:
                continue
            text = wade
        elif style < 0.5 + 1 / 6 and name:
            text = name
        elif style < 0.5 + 2 / 6:
            text = f"{sur.upper()}, {first}"
        elif style < 0.5 + 2.5 / 6:
            text = f"{first} {sur}"
        else:
            text = f"{sur} {first}"
        if text not in seen:
            seen.add(text)
            names.append(text)
    queries = [(name, "person" if rng.random() < 2 / 3 else None) for name in names[:count]]
    return queries, names[count:]


# the Chinese organisation names of ``--mix chinese-org``: real bodies' registered Chinese names (ROR, SZSE,
# MagicDover) and unlisted businesses, the dev bench rows of the xscript set
XSCRIPT_QUERIES = "bench/xscript_queries.csv"


def chinese_org_mix(shared: Path, count: int) -> tuple[list[tuple[str, str | None]], list[str]]:
    """A workload of Chinese organisation names alone (session 25): the names the Chinese → English
    renderings (chipguard.names.chinese) read — several renderings per name, each a query form — screened
    against the CSL as organisations. The screening dev mix holds few, so its pass does not show what a
    change to the renderings costs. The xscript dev queries (3,494 real names in Chinese script) in a fixed
    shuffled order (seed 25): the first ``count`` as queries of kind org, the next 300 as warm-up."""
    import random

    from bench.run import read_csv
    from chipguard.names.chinese import has_han

    rows = [r for r in read_csv(shared / XSCRIPT_QUERIES) if has_han(r["name"])]
    random.Random(25).shuffle(rows)
    queries: list[tuple[str, str | None]] = [(r["name"], "org") for r in rows[:count]]
    return queries, [r["name"] for r in rows[count : count + 300]]


_BUILD = r"""
import sys
from pathlib import Path
from chipguard.match import indexfile
from chipguard.sources import parse_file
indexfile.build(parse_file(Path(sys.argv[1])).parties, Path(sys.argv[2]))
"""

_WORKER = r"""
import hashlib, json, os, sys, time
from pathlib import Path
from chipguard import native
from chipguard.match import indexfile
from chipguard.names.analysis import analyze
index, queries_file, warm_file, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = json.loads(Path(queries_file).read_text())[:count]
warm = json.loads(Path(warm_file).read_text())
for name in warm[:50]:
    analyze(name, False)  # name resources loaded before measuring
screener = indexfile.open_screener(Path(index))
for name in warm:
    screener.screen(name)
digest = hashlib.sha256()
hits = 0
start = time.process_time()
for name, kind in queries:
    found = screener.screen(name, kind)
    hits += len(found)
    for hit in found:
        digest.update(repr((name, hit.party_id, round(hit.score, 6))).encode())
cpu = time.process_time() - start
print(json.dumps({"cpu": cpu, "hits": hits, "digest": digest.hexdigest()[:16],
                  "compiled": native.status().compiled, "scorer": native.status().describe()}), flush=True)
os._exit(0)  # no interpreter teardown: it frees what the pass built, which a serving worker never pays per query
"""


def _env(checkout: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(checkout)
    env["PYTHONHASHSEED"] = "0"
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def _run(checkout: Path, argv: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        argv, cwd=checkout, env=_env(checkout), check=True, stdout=subprocess.PIPE, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _worker(checkout: Path, files: tuple[Path, Path, Path], count: int) -> dict[str, Any]:
    return _run(checkout, [sys.executable, "-c", _WORKER, *map(str, files), str(count)])


def _instructions(
    checkout: Path, files: tuple[Path, Path, Path], count: int, out: Path
) -> tuple[int, dict[str, Any]]:
    """Instructions of the pass: callgrind's total with ``count`` queries minus with none."""
    totals = []
    result: dict[str, Any] = {}
    for n in (0, count):
        trace = out / f"callgrind.{n}.out"
        result = _run(
            checkout,
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={trace}",
                "--log-file=" + str(out / f"valgrind.{n}.log"),
                sys.executable,
                "-c",
                _WORKER,
                *map(str, files),
                str(n),
            ],
        )
        for line in trace.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                totals.append(int(line.split()[1]))
                break
    return totals[1] - totals[0], result


def _label(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
        stdout=subprocess.PIPE,
        text=True,
    )
    commit = done.stdout.strip() or "?"
    return f"{checkout} ({commit}{', modified' if dirty.stdout.strip() else ''})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="checkout A (the base)")
    parser.add_argument("b", type=Path, help="checkout B (the change)")
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--rounds", type=int, default=8, help="alternated rounds of fresh workers (0: none)")
    parser.add_argument("--queries", type=int, default=2000, help="screening queries per pass")
    parser.add_argument("--instructions", action="store_true", help="also count the pass's instructions")
    parser.add_argument("--work", type=Path, help="folder for index files and traces (kept)")
    parser.add_argument(
        "--mix",
        choices=("screening", "chinese", "chinese-org"),
        default="screening",
        help="the queries: the screening dev mix (bench.scale.query_mix), Chinese persons' names alone "
        "(chinese_person_mix) or Chinese organisation names alone (chinese_org_mix)",
    )
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / CSL).exists() or not (shared / QUERIES).exists():
        print(f"bench.compare: {shared} holds no benchmark data", file=sys.stderr)
        return 2
    codes = {"A": args.a.resolve(), "B": args.b.resolve()}
    for key, checkout in codes.items():
        if not (checkout / "chipguard" / "__init__.py").exists():
            print(f"bench.compare: checkout {key} {checkout} holds no chipguard package", file=sys.stderr)
            return 2
    if args.instructions and shutil.which("valgrind") is None:
        print("bench.compare: --instructions needs valgrind on PATH", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="chipguard-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    mixes = {"screening": query_mix, "chinese": chinese_person_mix, "chinese-org": chinese_org_mix}
    queries, warm = mixes[args.mix](shared, args.queries)
    qfile, wfile = work / "q.json", work / "w.json"
    qfile.write_text(json.dumps(queries))
    wfile.write_text(json.dumps(warm))
    files: dict[str, tuple[Path, Path, Path]] = {}
    for key, checkout in codes.items():
        index = work / f"index-{key}.cgix"
        subprocess.run(
            [sys.executable, "-c", _BUILD, str(shared / CSL), str(index)],
            cwd=checkout,
            env=_env(checkout),
            check=True,
        )
        files[key] = (index, qfile, wfile)
        print(f"{key}: {_label(checkout)}, index file {index.stat().st_size / 1e6:.1f} MB", flush=True)
    readings: dict[str, list[float]] = {"A": [], "B": []}
    ratios: list[float] = []
    results: dict[str, dict[str, Any]] = {}
    for number in range(args.rounds):
        order = ("A", "B") if number % 2 == 0 else ("B", "A")
        row = {}
        for key in order:
            result = _worker(codes[key], files[key], args.queries)
            if not result["compiled"]:
                print(
                    f"bench.compare: {key} screens in pure Python ({result['scorer']}); build it first",
                    file=sys.stderr,
                )
                return 2
            row[key] = args.queries / result["cpu"]
            readings[key].append(row[key])
            results[key] = result
        ratios.append(row["B"] / row["A"])
        print(
            f"round {number + 1} ({order[0]} first): A {row['A']:,.0f} q/s, B {row['B']:,.0f} q/s, "
            f"B / A {ratios[-1]:.3f}",
            flush=True,
        )
    if ratios:
        print(
            f"\nq/s per core, median (range): A {statistics.median(readings['A']):,.0f} "
            f"({min(readings['A']):,.0f}–{max(readings['A']):,.0f}), B {statistics.median(readings['B']):,.0f} "
            f"({min(readings['B']):,.0f}–{max(readings['B']):,.0f}); paired B / A median "
            f"{statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f}) over {len(ratios)} rounds"
        )
    if args.instructions:
        for key, checkout in codes.items():
            out = work / f"callgrind-{key}"
            out.mkdir(exist_ok=True)
            count, result = _instructions(checkout, files[key], args.queries, out)
            results[key] = result
            print(f"{key}: {count / 1e6:,.0f} M instructions for the {args.queries:,}-query pass ({out})")
    for key, result in results.items():
        print(f"{key}: {result['hits']:,} hits, digest {result['digest']}; {result['scorer']}")
    if len(results) == 2 and results["A"]["digest"] != results["B"]["digest"]:
        print("the two codes' hits differ (digests above)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
