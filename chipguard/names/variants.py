"""One list name → the names worth indexing separately.

List entries pack several names into one string: "Huawei Technologies Co., Ltd. (Huawei). Affiliated
Entity: Huawei Mobile Technology Ltd.", "China Aerospace Science and Industry Corporation (CASIC) 3rd
Academy", "X / Y", "A, a.k.a. B". A customer writes only one of them, so each part is indexed as a name
of its own (with how it was derived, for the explanation), and parenthesised acronyms ("(CASIC)") are
indexed as acronyms of the name they follow.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chipguard.names.cache_bounds import QUERY_RESULTS

_SPLITTERS = re.compile(
    r"\s*(?:;|\s/\s|\baffiliated entit(?:y|ies)\s*:|\bsubordinate institution\s*[-:]|"
    r"\bparent organi[sz]ation\s*:|\ba\.?k\.?a\.?\b[,:]?|\bf\.?k\.?a\.?\b[,:]?|\balso known as\b|"
    r"\bformerly(?: known as)?\b|\bd/?b/?a\b|\bincluding\b)\s*",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\(([^()]*)\)")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&\-]{1,11}$")


def _initials_consistent(acronym: str, name: str) -> bool:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    initials = "".join(w[0] for w in words).upper()
    letters = [c for c in acronym.upper() if c.isalnum()]
    # every acronym letter appears, in order, among the initials
    pos = 0
    for ch in letters:
        pos = initials.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


@lru_cache(maxsize=QUERY_RESULTS)
def name_variants(name: str) -> tuple[tuple[str, str], ...]:
    """(variant, how) pairs, the full name first. ``how`` is "full", "part", "without-parentheses",
    "parenthesised" or "acronym"."""
    out: list[tuple[str, str]] = [(name, "full")]
    seen = {name.strip().casefold()}

    def add(text: str, how: str) -> None:
        text = text.strip(" ,.;:-")
        if len(text) >= 2 and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append((text, how))

    parts = [p for p in _SPLITTERS.split(name) if p and p.strip(" ,.;:-")]
    if len(parts) > 1:
        for part in parts:
            add(part, "part")
    else:
        parts = [name]
    for part in parts:
        inner = _PAREN.findall(part)
        if not inner:
            continue
        bare = " ".join(_PAREN.sub(" ", part).split())
        add(bare, "without-parentheses")
        for text in inner:
            text = text.strip()
            if _ACRONYM.match(text) and not text.isdigit():
                if _initials_consistent(text, bare):
                    add(text, "acronym")
            elif len(text.split()) >= 3:
                add(text, "parenthesised")
    return tuple(out)


@lru_cache(maxsize=100_000)
def qualifiers(name: str) -> frozenset[str]:
    """Cleaned parenthesised qualifiers of a name other than acronyms: "Bank of China (Hong Kong)" →
    {"hong kong"}. Two names whose qualifiers differ are different entities even when the rest agrees."""
    from chipguard.names.text import clean

    out = set()
    for text in _PAREN.findall(name):
        text = text.strip()
        if text and not (_ACRONYM.match(text) and not text.isdigit()):
            cleaned = clean(text)
            if cleaned:
                out.add(cleaned)
    return frozenset(out)


_PARENT_AFTER = re.compile(r"\bparent organi[sz]ation\s*:\s*", re.IGNORECASE)
_AFFILIATE_AFTER = re.compile(r"\baffiliated entit(?:y|ies)\s*:", re.IGNORECASE)


@lru_cache(maxsize=100_000)
def parent_parts(name: str) -> frozenset[str]:
    """The parts of a list name that name *another* entity, the parent or group of the listed one: the
    name before "Affiliated Entity:" ("Huawei Technologies Co., Ltd. (Huawei). Affiliated Entity: Huawei
    Marine Networks" lists Huawei Marine) and the name after "Parent Organization:". Those parts are
    indexed (a customer writing the group name should see its listed affiliates) but a match on them is a
    match on the parent, not on the listed record, so it ranks below the parent's own record. Returned as
    ``name_variants`` writes the parts (casefolded)."""
    parts: list[str] = []
    head = _AFFILIATE_AFTER.split(name, maxsplit=1)
    if len(head) == 2:
        parts += [p for p in _SPLITTERS.split(head[0]) if p and p.strip(" ,.;:-")][-1:]
    tail = _PARENT_AFTER.split(name, maxsplit=1)
    if len(tail) == 2:
        parts += [p for p in _SPLITTERS.split(tail[1]) if p and p.strip(" ,.;:-")][:1]
    out: set[str] = set()
    for part in parts:  # the part, and what name_variants derives from it (bare name, acronyms)
        out.add(part.strip(" ,.;:-").casefold())
        out.add(" ".join(_PAREN.sub(" ", part).split()).strip(" ,.;:-").casefold())
        out.update(t.strip(" ,.;:-").casefold() for t in _PAREN.findall(part))
    return frozenset(out)


def parenthesised(name: str) -> list[str]:
    """The texts in (non-nested) parentheses of a name, in order."""
    return _PAREN.findall(name)


def is_acronym(text: str) -> bool:
    """Whether ``text`` is written as an acronym ("CASIC", "UK", "SMIC-2")."""
    return bool(_ACRONYM.match(text)) and not text.isdigit()


def initials_consistent(acronym: str, name: str) -> bool:
    """Whether every letter of ``acronym`` appears, in order, among the initials of ``name``."""
    return _initials_consistent(acronym, name)
