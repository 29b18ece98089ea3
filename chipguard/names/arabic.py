"""Arabic compound names written the ways the lists write them, read as one spelling.

Why: an Arabic personal name often holds a compound that Latin writes in several ways. ʿAbd ("servant of")
with the article and one of God's names: Abd al-Rahman, Abd-al-Rahman, Abdul Rahman, Abdel Rahman,
Abdulrahman, Abdurrahman, Abderrahmane; the kunya Abu ("father of"): Abu Bakr, Abou Bakr, Abubakar. The lists
use every one of these spellings (CSL 2022-04: 'AL-JAMAL, Abdul Rahman', 'SALIH, Abd al-Munim Ahmad',
'REMADNA, Abdelhalim', 'KIFANE, Abderrahmane', 'ABDU, Abdallah'), and a customer's form may use another. The
words do not meet word by word: "Abdul Rahman" against "Abd al-Rahman" leaves abdul against abd and al, and
the listed person was not found at all (``python -m bench.arabic_names``).

So a name holding such a compound gets a reading in which every compound is one word of one spelling:
"Abdal" + the name after the article (Abdalrahman, Abdalaziz, Abdallah), "Abu" + the name (Abubakr). A query
is screened in that reading too (a query form), and a listed person's name is indexed in it too, so the two
meet whatever spelling each side used; the element itself (rahman / rahmane, bakr / bakar) is then met by
the scorer's typo rule as any word is.

The letters are data (``arabic_compounds`` in vocabulary.yml): the linking vowel (Abd-u-l, Abd-e-l), the
article's letter l and the sun letters the article assimilates to (ar-Rahman, as-Salam, an-Nur: Arabic's
sun letters t, th, d, dh, r, z, s, sh, n; ṣ, ḍ, ṭ, ẓ are written s, d, t, z once diacritics are gone), and
the kunya's spellings.
"""

from __future__ import annotations

import re
from functools import cache

from chipguard.names.data import vocabulary

# an apostrophe before a word is an ʿayn or a hamza ('Abd, al-'Azim): not part of the compound
_AYN = "['\u2018\u2019\u02bf\u02bc`]?"


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The compound patterns, from vocabulary.yml ``arabic_compounds``: servant + article + name split
    (Abd al-Rahman), servant with its article joined + name (Abdul Rahman), all joined (Abdulrahman),
    servant + name without an article (Abd Rabbuh, Abd Allah), kunya + name (Abu Bakr, Abou Bakr)."""
    data = vocabulary()["arabic_compounds"]
    servant = "|".join(sorted(data["servant"], key=len, reverse=True))
    vowels = "".join(data["linking_vowels"])
    letters = sorted([*data["article_letters"], *data["sun_letters"]], key=len, reverse=True)
    article = "|".join(letters)
    kunya = "|".join(sorted(data["kunya"], key=len, reverse=True))
    sep = r"[\s\-]+"
    flags = re.IGNORECASE
    return (
        # servant, article and name as separate words: Abd al-Rahman, Abd-al-'Azim, Abd ar Rahman
        re.compile(
            rf"(?<![a-z]){_AYN}(?P<s>{servant}){sep}[{vowels}](?P<a>{article}){sep}{_AYN}(?P<n>[a-z]{{2,}})\b",
            flags,
        ),
        # servant and article one word, the name another: Abdul Rahman, Abdel-Aziz, Abdur Rahman
        re.compile(
            rf"(?<![a-z]){_AYN}(?P<s>{servant})[{vowels}](?P<a>{article}){sep}{_AYN}(?P<n>[a-z]{{2,}})\b",
            flags,
        ),
        # one word: Abdulrahman, Abdelhalim, Abdurrahman, Abdallah
        re.compile(rf"(?<![a-z]){_AYN}(?P<s>{servant})[{vowels}](?P<a>{article})(?P<n>[a-z]{{3,}})\b", flags),
        # servant and name with no article written: Abd Rabbuh, Abd Allah
        re.compile(rf"(?<![a-z]){_AYN}(?P<s>{servant}){sep}{_AYN}(?P<n>[a-z]{{3,}})\b", flags),
        # the kunya: Abu Bakr, Abou Bakr, Abou-Bakr, Aboubakar
        re.compile(rf"\b(?P<k>{kunya})(?:{sep})?(?P<n>[a-z]{{3,}})\b", flags),
    )


@cache
def _stems() -> tuple[str, ...]:
    """The servant's and the kunya's spellings: a name holding none of them holds no compound."""
    data = vocabulary()["arabic_compounds"]
    return tuple(sorted({*data["servant"], *data["kunya"]}))


@cache
def _article_letters() -> frozenset[str]:
    """The article's own letters (vocabulary.yml ``arabic_compounds.article_letters``: l)."""
    return frozenset(vocabulary()["arabic_compounds"]["article_letters"])


def _servant_name(article: str, name: str, joined: bool) -> str:
    """The name of a servant compound as it reads after the article. Written apart, it is the word after
    the article (al-Rahman: rahman; al-Lah: lah). Joined, after the article's own letter it is the rest
    (Abdul|aziz, Abdul|lah); after a sun letter the letter is the name's first, written once or twice
    (Abdu|r|rahman, Abdu|r|ahman, Abde|s|salam: rahman, rahman, salam)."""
    name, article = name.lower(), article.lower()
    if not joined or article in _article_letters() or name.startswith(article):
        return name
    return article + name


def compound_reading(name: str) -> str:
    """``name`` with every Arabic compound written as one word of one spelling (Abdalrahman, Abubakr), or ""
    when it holds none or reads the same."""
    lowered = name.lower()
    if not any(word in lowered for word in _stems()):
        return ""  # nearly every name: no compound's first letters at all
    servant_apart, servant_joined_article, servant_joined, servant_bare, kunya = _patterns()
    out = name

    def rewrite(pattern: re.Pattern[str], joined: bool) -> None:
        nonlocal out
        out = pattern.sub(lambda m: "Abdal" + _servant_name(m.group("a"), m.group("n"), joined), out)

    rewrite(servant_apart, False)
    rewrite(servant_joined_article, False)
    rewrite(servant_joined, True)

    def bare(m: re.Match[str]) -> str:
        word = m.group("n").lower()
        if word.startswith("abdal"):
            return m.group(0)  # already read by a pattern above
        if word.startswith("al") and len(word) > 4:
            word = word[2:]  # Abd Allah: the article run onto the name
        return "Abdal" + word

    out = servant_bare.sub(bare, out)
    out = kunya.sub(lambda m: "Abu" + m.group("n").lower(), out)
    if out == name or " ".join(out.lower().split()) == " ".join(name.lower().split()):
        return ""
    return out
