"""Light English morphology for comparing organisation-name words ("Chemistry" ~ "Chemical").

Why: a Chinese name translated word by word says 化学 → "Chemistry", 金融 → "Finance", 生态 → "Ecology";
the registered English name says "Chemical", "Financial", "Ecological". Token equality and typo distance
miss these pairs, a full stemmer (Porter/Snowball) folds them inconsistently (chemistri / chemic). Here a
word is reduced by stripping a few derivational endings (data: ``morphology.yml``) and two words are
variants when their sets of reductions meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from chipguard.names.data import load_yaml


@dataclass(frozen=True, slots=True)
class MorphologyRules:
    suffixes: tuple[str, ...]
    min_word: int
    min_root: int
    passes: int
    exceptions: frozenset[frozenset[str]]


@cache
def rules() -> MorphologyRules:
    data = load_yaml("morphology.yml")
    return MorphologyRules(
        tuple(sorted({str(s) for s in data["suffixes"]}, key=len, reverse=True)),
        int(data.get("min_word", 5)),
        int(data.get("min_root", 4)),
        int(data.get("passes", 2)),
        frozenset(frozenset(str(w) for w in pair) for pair in data.get("exceptions") or []),
    )


@cache
def _endings() -> tuple[frozenset[str], tuple[int, ...]]:
    """The endings (``rules().suffixes``) as a set, and their lengths, shortest first."""
    suffixes = rules().suffixes
    return frozenset(suffixes), tuple(sorted({len(s) for s in suffixes}))


@lru_cache(maxsize=200_000)
def roots(word: str) -> frozenset[str]:
    """Every reduction of ``word`` by up to ``passes`` ending strippings (the word itself excluded);
    empty for short or non-alphabetic words."""
    r = rules()
    if len(word) < r.min_word or not word.isalpha() or not word.isascii():
        return frozenset()
    out: set[str] = set()
    frontier = {word}
    endings, lengths = _endings()
    for _ in range(r.passes):
        nxt: set[str] = set()
        for w in frontier:
            # (each ending length's tail looked up once, not every ending tried: the same reductions)
            for k in lengths:
                if len(w) - k < r.min_root:
                    break
                if w[-k:] in endings:
                    nxt.add(w[:-k])
        nxt -= out
        out |= nxt
        frontier = nxt
    return frozenset(out)


def variants(a: str, b: str) -> bool:
    """Whether two different words are morphological variants ("ecology"/"ecological")."""
    if a == b:
        return False
    ra, rb = roots(a), roots(b)  # empty for words shorter than min_word
    if not ((a in rb or b in ra or not ra.isdisjoint(rb)) and (ra or rb)):
        return False
    r = rules()
    return len(a) >= r.min_word and len(b) >= r.min_word and frozenset((a, b)) not in r.exceptions
