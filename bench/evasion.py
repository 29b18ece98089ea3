"""Generated evasions of real list names: how much of a listed organisation's name can be disguised
before screening loses it.

Why: the development sets hold a fixed set of disguises of a fixed set of entities; a held-out set uses
other entities. This draws 400 organisation names from the list itself (seeded, so runs compare) and
applies one disguise at a time — abbreviated words, a dropped leading place, moved words, homoglyphs, an
invisible character, another legal form, a parenthesised qualifier, a swapped pair of letters, two words
run together, lower case without punctuation — then counts how often the listed party is still among the
hits. Nothing here is tuned to: it is a check of generalisation, printed by ``python -m bench``.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

SEED = 7
# further samples drawn the same way (other names of the list, the same disguises), printed beside the
# first: a class of misses fixed on one sample must be fixed on these too (generalise, don't tune)
CHECK_SEEDS = (8, 9)
SAMPLE = 400
ABBREVIATIONS = {
    "communications": "COMM",
    "communication": "COMM",
    "group": "GRP",
    "international": "INTL",
    "technology": "TECH",
    "technologies": "TECHS",
    "company": "CO",
    "corporation": "CORP",
    "limited": "LTD",
    "industries": "INDS",
    "industry": "IND",
    "electronics": "ELEC",
    "engineering": "ENGG",
    "manufacturing": "MFG",
    "research": "RES",
    "institute": "INST",
    "university": "UNIV",
    "development": "DEV",
    "science": "SCI",
    "academy": "ACAD",
    "national": "NATL",
}
LEADING_PLACES = {
    "beijing", "shanghai", "shenzhen", "hangzhou", "guangzhou", "wuhan", "chengdu", "tianjin", "nanjing",
    "harbin", "zhejiang", "jiangsu", "guangdong", "hubei", "sichuan", "hunan", "moscow", "tehran",
}  # fmt: skip
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і"}
LEGAL_TAIL = re.compile(
    r"(?i)\b(co\.?,? ?ltd\.?|company limited|limited|ltd\.?|llc|inc\.?|corporation|corp\.?)\s*$"
)


def _words(name: str) -> list[str]:
    return name.split()


def abbreviated(name: str, rng: random.Random) -> str | None:
    return " ".join(ABBREVIATIONS.get(re.sub(r"\W", "", w.lower()), w) for w in _words(name))


def place_dropped(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    return " ".join(words[1:]) if re.sub(r"\W", "", words[0].lower()) in LEADING_PLACES else None


def reordered(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    return " ".join(words[1:] + words[:1]) if len(words) >= 3 else None


def homoglyphs(name: str, rng: random.Random) -> str | None:
    out, swapped = [], 0
    for ch in name:
        if ch.lower() in HOMOGLYPHS and swapped < 2 and rng.random() < 0.3:
            out.append(HOMOGLYPHS[ch.lower()])
            swapped += 1
        else:
            out.append(ch)
    return "".join(out)


def invisible(name: str, rng: random.Random) -> str | None:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + "\u200b" + name[i:]


def legal_form(name: str, rng: random.Random) -> str | None:
    bare = LEGAL_TAIL.sub("", name).strip(" ,")
    return bare + " Limited Liability Company" if bare != name else None


def qualifier(name: str, rng: random.Random) -> str | None:
    return name + " (Hong Kong)"


def letters_swapped(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    long_words = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long_words:
        return None
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def words_joined(name: str, rng: random.Random) -> str | None:
    words = _words(name)
    if len(words) < 2:
        return None
    i = rng.randrange(len(words) - 1)
    words[i : i + 2] = [words[i] + words[i + 1]]
    return " ".join(words)


def plain_lower(name: str, rng: random.Random) -> str | None:
    return re.sub(r"[^\w\s]", "", name).lower()


DISGUISES: dict[str, Callable[[str, random.Random], str | None]] = {
    "abbreviated words": abbreviated,
    "leading place dropped": place_dropped,
    "first word moved last": reordered,
    "homoglyphs": homoglyphs,
    "invisible character": invisible,
    "other legal form": legal_form,
    "qualifier added": qualifier,
    "two letters swapped": letters_swapped,
    "two words joined": words_joined,
    "lower case, no punctuation": plain_lower,
}


def run(screener: Any, parties: list[Any]) -> None:
    """Prints recall per disguise over a seeded sample of the list's organisation names, then over the
    check samples (CHECK_SEEDS)."""
    for seed in (SEED, *CHECK_SEEDS):
        run_sample(screener, parties, seed)


def run_sample(screener: Any, parties: list[Any], seed: int) -> None:
    """Prints recall per disguise over the sample of the list's organisation names drawn with ``seed``."""
    from chipguard.model import PartyKind

    rng = random.Random(seed)
    orgs = [
        p for p in parties if p.kind != PartyKind.PERSON and len(p.name.split()) >= 3 and p.name.isascii()
    ]
    sample = rng.sample(orgs, min(SAMPLE, len(orgs)))
    found: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    for party in sample:
        for label, disguise in DISGUISES.items():
            query = disguise(party.name, rng)
            if not query or query == party.name:
                continue
            tried[label] += 1
            hits = screener.screen(query, kind="org")
            # the same name listed under another record (SDN and Entity List) counts as found
            found[label] += any(h.party_id == party.party_id or h.name == party.name for h in hits)
    check = "" if seed == SEED else ", a check sample"
    print(f"\n## generated evasions of {len(sample)} listed organisation names (seed {seed}{check})\n")
    print("| disguise | n | found |")
    print("|---|---:|---:|")
    for label in DISGUISES:
        if tried[label]:
            print(f"| {label} | {tried[label]} | {found[label] / tried[label]:.3f} |")
    total_found, total = sum(found.values()), sum(tried.values())
    print(f"| ALL | {total} | {total_found / max(total, 1):.3f} |")
