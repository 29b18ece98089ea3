"""Address normalisation for "same address" comparisons (listed parties, other customers).

Addresses are written many ways ("No. 18, Zhang Jiang Rd." / "18 Zhangjiang Road"); comparing raw text
misses the matches that matter for shell companies. This module reduces an address to a set of tokens
(case-folded, punctuation dropped, common abbreviations expanded, "No." dropped) and calls two addresses
the same when the token sets nearly coincide, they share the house/unit number, and their countries do
not clash. City-only addresses ("Chengdu, CN") are never "the same" as anything: too coarse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chipguard.model import Address

ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "bldg": "building",
    "blk": "block",
    "ste": "suite",
    "fl": "floor",
    "flr": "floor",
    "ctr": "centre",
    "center": "centre",
    "dist": "district",
    "hwy": "highway",
    "jln": "jalan",
    "ln": "lane",
    "twr": "tower",
    "intl": "international",
}
DROP = {"no", "number", "the", "of", "and", "unit", "room", "rm"}
MIN_TOKENS = 3
SIMILARITY = 0.8


@dataclass(frozen=True, slots=True)
class NormalAddress:
    tokens: frozenset[str]
    numbers: frozenset[str]
    country: str
    text: str


def normalise_address(address: Address | str, country: str = "") -> NormalAddress:
    """Token set, house/unit numbers and country of an address."""
    if isinstance(address, Address):
        parts = [address.text, address.city, address.region, address.postal_code]
        text = ", ".join(p for p in parts if p)
        country = address.country or country
    else:
        text = address
    folded = unicodedata.normalize("NFKC", text).casefold()
    # split digits from letters ("18th" stays, "#05-01" → "05 01")
    raw = re.findall(r"[^\W_]+", folded)
    tokens = []
    for token in raw:
        token = ABBREVIATIONS.get(token, token)
        if token in DROP:
            continue
        tokens.append(token)
    # a trailing two-letter country code is the country, not part of the street
    if tokens and len(tokens[-1]) == 2 and tokens[-1].isalpha() and not country:
        country = tokens[-1].upper()
    if tokens and country and tokens[-1] == country.casefold():
        tokens = tokens[:-1]
    numbers = frozenset(t for t in tokens if any(ch.isdigit() for ch in t))
    return NormalAddress(frozenset(tokens), numbers, country.upper(), text.strip())


def same_address(a: NormalAddress, b: NormalAddress) -> bool:
    """Near-identical token sets with a shared number and no country clash."""
    if len(a.tokens) < MIN_TOKENS or len(b.tokens) < MIN_TOKENS:
        return False
    if a.country and b.country and a.country != b.country:
        return False
    if not (a.numbers & b.numbers):
        return False
    overlap = len(a.tokens & b.tokens)
    return overlap / max(1, min(len(a.tokens), len(b.tokens))) >= SIMILARITY and (
        overlap / max(len(a.tokens), len(b.tokens)) >= SIMILARITY - 0.2
    )
