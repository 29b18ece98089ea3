"""Dumps every hit of every dev set, so a change meant to leave matching alone can be shown to (sha256).

Why: speed work on the screening hot path must not move a single hit, score, strength or order. This
screens the bench sets through the mapped index (as every face uses it) — screening_queries and real_cn
against CSL 2022-04 (the first also through the in-memory index), xscript_queries against its watchlist,
the generated evasion and evidence sets, and the brand / look-alike sets of bench.sets (A, B, C and the held-out D, E, F) —
and writes one JSON line per query (set, query, every hit's full record) into a file per set, then prints
each file's sha256. Run it before and after a change and compare:

    PYTHONPATH=$PWD .venv/bin/python tools/dump_hits.py --shared ../shared/data --out /tmp/before
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _dump(path: Path, screener: Any, queries: Iterable[tuple[str, dict[str, Any]]]) -> str:
    """Screens each (name, keyword arguments) query and writes its hits; the file's sha256."""
    digest = hashlib.sha256()
    with path.open("w", encoding="utf-8") as fh:
        for name, kwargs in queries:
            hits = screener.screen(name, **kwargs)
            line = json.dumps(
                {"q": name, "args": repr(sorted(kwargs.items())), "hits": [h.to_dict() for h in hits]},
                sort_keys=True,
                ensure_ascii=False,
                default=repr,
            )
            fh.write(line + "\n")
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default="../shared/data", help="path of the shared data folder")
    parser.add_argument("--out", required=True, help="folder the per-set dumps are written into")
    parser.add_argument("--quick", action="store_true", help="only the CSL query files (no generated sets)")
    args = parser.parse_args(argv)
    shared, out = Path(args.shared), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from bench import evasion, evidence_sets, sets
    from bench.run import mapped, read_csv
    from chipguard.match.screener import Screener
    from chipguard.sources import parse_file

    results: dict[str, str] = {}

    def done(label: str, screener: Any, queries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        results[label] = _dump(out / f"{label}.jsonl", screener, queries)
        print(f"{results[label]}  {label}", flush=True)

    parties = parse_file(shared / sets.CSL).parties
    in_memory = Screener(parties)
    screener, _ = mapped(in_memory)
    screening = read_csv(shared / "bench/screening_queries.csv")
    rows = [(r["name"], {"kind": r.get("kind") or None}) for r in screening]
    done("screening", screener, rows)
    done("screening_in_memory", in_memory, rows)
    del in_memory
    cn = read_csv(shared / "bench/real_cn_queries.csv")
    done(
        "real_cn",
        screener,
        [(r["name"], {"kind": r.get("kind") or None, "country": r.get("country") or None}) for r in cn],
    )
    watch = parse_file(shared / "bench/xscript_watchlist.csv", format="custom_csv").parties
    xscreener, _ = mapped(Screener(watch))
    done(
        "xscript",
        xscreener,
        [
            (r["name"], {"kind": r.get("kind") or None})
            for r in read_csv(shared / "bench/xscript_queries.csv")
        ],
    )
    del xscreener
    if args.quick:
        return 0

    import random

    rng = random.Random(evasion.SEED)
    orgs = [p for p in parties if p.kind.value != "person" and len(p.name.split()) >= 3 and p.name.isascii()]
    sample = rng.sample(orgs, min(evasion.SAMPLE, len(orgs)))
    evasions = []
    for party in sample:
        for disguise in evasion.DISGUISES.values():
            query = disguise(party.name, rng)
            if query and query != party.name:
                evasions.append((query, {"kind": "org"}))
    done("evasion", screener, evasions)
    ev = evidence_sets.build(parties)
    done(
        "evidence",
        screener,
        [
            (r["name"], {"kind": r["kind"] or None, "evidence": evidence_sets._evidence(r)})
            for r in ev["persons_dob"] + ev["orgs_identifier"]
        ],
    )
    built = sets.build(shared)
    # sets A, B and D1 are on CSL 2022-04, parsed again by sets.build: the same file, the same screener
    screeners: dict[int, Any] = {id(built["A"][1]): screener}
    for label, (_, list_parties, named_sets) in built.items():
        if id(list_parties) not in screeners:
            screeners[id(list_parties)] = mapped(Screener(list_parties))[0]
        for set_name, queries in named_sets.items():
            done(
                f"sets_{label}_{set_name}",
                screeners[id(list_parties)],
                [(q.name, {"kind": q.kind, "country": q.country}) for q in queries],
            )
    total = hashlib.sha256("".join(f"{k} {v}\n" for k, v in sorted(results.items())).encode()).hexdigest()
    print(f"{total}  ALL")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
