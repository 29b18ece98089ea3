"""Name → analysed tokens: the one representation both the index and the scorer work on.

A token keeps its cleaned surface (for typo-tolerant comparison) and a canonical form (abbreviations
expanded, plural folded, multilingual symbol key, legal form label) plus a class that tells the scorer
how much it says about identity: a legal form ("Co., Ltd." / "有限公司" / "ООО" → ``lf:llc``) or a stopword
almost nothing, a generic org word ("group", "technology") little, a distinctive word or a number a lot.
Persons are analysed without legal forms or org symbols (a person called "Bank" is not a bank).
Analyses are cached: list names are analysed once at index build, repeated queries cost nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from chipguard.limits import LIMITS
from chipguard.names.cache_bounds import NAME_ANALYSES
from chipguard.names.phonetic import phonetic_key
from chipguard.names.text import clean_steps
from chipguard.names.vocab import vocab

# a token's class. Final: compiled (chipguard.native), each use is the string itself, where a plain
# module name is a lookup in the module's dict at every use (~4 % of a fresh worker's instructions)
WORD: Final = "word"
LEGAL: Final = "legal"
STOP: Final = "stop"
GENERIC: Final = "generic"
NUMBER: Final = "number"
INITIAL: Final = "initial"
PLACE: Final = "place"
COUNTRY: Final = "country"
ADMIN: Final = "admin"  # administrative qualifier of a place ("Province", "Municipal")
LEADING_ARTICLES = frozenset({"the", "a", "an", "le", "la", "el", "al", "les", "los", "las"})
# the empty word set every analysis without such words shares (a new empty frozenset per analysis was a
# third of the frozensets a screening process keeps, each an object the cycle collector walks)
NO_WORDS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # cleaned surface form, e.g. "technologies"
    canon: str  # canonical form, e.g. "tech"; legal forms "lf:llc"
    cls: str  # word | legal | stop | generic | number | initial | place
    phonetic: str = ""

    # (written out, not generated: compiled by chipguard.native, a dataclass's generated __init__ is
    # interpreted — a frozen one calls object.__setattr__ per field, ~0.7 µs a token — where a class's own
    # is native, its object.__setattr__ calls a direct store; the same parameters, defaults and fields,
    # still frozen. See tests/test_written_out_inits.py)
    def __init__(self, text: str, canon: str, cls: str, phonetic: str = "") -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "canon", canon)
        object.__setattr__(self, "cls", cls)
        object.__setattr__(self, "phonetic", phonetic)

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "canon": self.canon, "class": self.cls}


@dataclass(frozen=True, slots=True)
class NameAnalysis:
    original: str
    cleaned: str
    person: bool
    tokens: tuple[Token, ...]
    steps: tuple[str, ...]  # normalisations that changed the text
    joined: str  # distinctive surface text without spaces (legal forms and stopwords dropped)
    acronym: str  # initials of the distinctive words, "" when fewer than three
    institutional: bool  # an institute/university/bureau…: its place is part of its identity
    significant: tuple[Token, ...]  # tokens other than legal forms and stopwords
    texts: frozenset[str]  # surface texts of all tokens
    joins: frozenset[str]  # concatenations of adjacent tokens ("tech"+"nology")
    symbol_keys: frozenset[str]  # org symbols spelled out in full ("people s liberation army" → pla)

    # (written out as Token's: a generated frozen __init__ is ~1.5 µs of each analysis made or decoded.
    # Every field is given — analyze and the index file's decoder make every analysis — so the compiled
    # class has a signature to show: mypyc writes none for a default like frozenset())
    def __init__(
        self,
        original: str,
        cleaned: str,
        person: bool,
        tokens: tuple[Token, ...],
        steps: tuple[str, ...],
        joined: str,
        acronym: str,
        institutional: bool,
        significant: tuple[Token, ...],
        texts: frozenset[str],
        joins: frozenset[str],
        symbol_keys: frozenset[str],
    ) -> None:
        object.__setattr__(self, "original", original)
        object.__setattr__(self, "cleaned", cleaned)
        object.__setattr__(self, "person", person)
        object.__setattr__(self, "tokens", tokens)
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "joined", joined)
        object.__setattr__(self, "acronym", acronym)
        object.__setattr__(self, "institutional", institutional)
        object.__setattr__(self, "significant", significant)
        object.__setattr__(self, "texts", texts)
        object.__setattr__(self, "joins", joins)
        object.__setattr__(self, "symbol_keys", symbol_keys)


def stem(word: str) -> str:
    """Folds English plurals so "Technologies" meets "Technology" ("ies" → "y", trailing "s" dropped)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _canon_word(word: str) -> str:
    v = vocab()
    expanded = v.abbreviations.get(word, word)
    if (expanded,) in v.symbols:
        return v.symbols[(expanded,)]
    stemmed = stem(expanded)
    if (stemmed,) in v.symbols:
        return v.symbols[(stemmed,)]
    stemmed = v.abbreviations.get(stemmed, stemmed)
    return v.symbols.get((stemmed,), stemmed)


def _classify(surface: str, canon: str, person: bool) -> str:
    v = vocab()
    if surface.isdigit():
        return NUMBER
    if person:
        if surface in v.person_particles:
            return STOP
        if len(surface) == 1 and surface.isalpha():
            return INITIAL
        return WORD
    if surface in v.stopwords:
        return STOP
    if len(surface) == 1 and surface.isalpha():
        return WORD
    if surface in v.places or canon in v.places:
        return PLACE
    if surface in v.countries:
        return COUNTRY
    if surface in v.admin or canon in v.admin:
        return ADMIN
    if not person and (canon in v.generic or surface in v.generic):
        return GENERIC
    return WORD


@cache
def _known_words() -> frozenset[str]:
    """Single words the vocabularies know (legal forms, org symbols, abbreviations' expansions, generic
    words): used to split run-together names ("TELECOMcorporation") and to spot typos in legal forms."""
    v = vocab()
    words: set[str] = set()
    for table in (v.legal_forms, v.symbols):
        for phrase in table:
            if len(phrase) == 1 and phrase[0].isascii() and phrase[0].isalpha():
                words.add(phrase[0])
    words.update(w for w in v.abbreviations.values() if w.isalpha())
    words.update(w for w in v.generic if w.isalpha())
    return frozenset(words)


def _with_deletions(table: dict[str, str], word: str, value: str, *, replace: bool = False) -> None:
    """Adds ``word`` and its one-letter deletions to a SymSpell table: a word one edit from ``word``
    shares one of those keys (insertion, deletion, substitution or swap)."""
    if replace:
        table[word] = value
    else:
        table.setdefault(word, value)
    for i in range(len(word)):
        table.setdefault(word[:i] + word[i + 1 :], value)


def _one_edit(table: dict[str, str], word: str) -> str | None:
    """The value of the table word ``word`` is, or is one edit from; None when there is none."""
    hit = table.get(word)
    if hit:
        return hit
    for i in range(len(word)):
        hit = table.get(word[:i] + word[i + 1 :])
        if hit:
            return hit
    return None


@cache
def _legal_typos() -> dict[str, str]:
    """One-edit (deletion) neighbourhood of single-word legal forms and "company"/"corporation":
    "Limted", "Liimited", "Compnay" are still legal forms, not distinctive words."""
    table: dict[str, str] = {}
    for phrase, label in vocab().legal_forms.items():
        if len(phrase) == 1 and len(phrase[0]) >= 6 and phrase[0].isascii() and phrase[0].isalpha():
            _with_deletions(table, phrase[0], label)
    for word in ("company", "corporation"):
        _with_deletions(table, word, "co", replace=True)
    return table


@cache
def _legal_phrase_words() -> dict[str, tuple[str, ...]]:
    """Words of multi-word legal forms (6+ letters) and their one-letter deletions → the words they come
    from, in a fixed order: "Comapny" and "Aktsionenroe" in "Limited Liability Comapny", "Aktsionenroe
    Obschestvo" still spell the legal form. A key may stand for several words: the legal-form data
    itself spells some words two ways ("Public Limited Compnay" beside "… Company", Bulgarian
    "aktsionerno" beside Russian "aktsionernoe"), and a typo of one is a typo of the other."""
    table: dict[str, set[str]] = {}
    for phrase in vocab().legal_forms:
        if len(phrase) >= 2:
            for word in phrase:
                if len(word) >= 6 and word.isascii() and word.isalpha():
                    table.setdefault(word, set()).add(word)
                    for i in range(len(word)):
                        table.setdefault(word[:i] + word[i + 1 :], set()).add(word)
    return {key: tuple(sorted(words)) for key, words in table.items()}


@lru_cache(maxsize=100_000)
def _legal_spellings(word: str) -> tuple[str, ...]:
    """The legal-form words ``word`` may be a one-edit typo of, ``word`` itself first when it is one;
    empty when it is none. A known word is only its own spelling or a letter short of a legal-form word
    ("obschestvo" for "obshchestvo"), never corrected further."""
    table = _legal_phrase_words()
    if len(word) < 6 or not word.isalpha() or word in _known_words():
        found = list(table.get(word, ()))
    else:
        found = []
        for key in (word, *(word[:i] + word[i + 1 :] for i in range(len(word)))):
            for spelled in table.get(key, ()):
                if spelled not in found:
                    found.append(spelled)
    # itself first (a legal-form word as written), then the others in a fixed order
    return tuple(sorted(found, key=lambda w: (w != word, w)))


@cache
def _legal_prefixes() -> frozenset[tuple[str, ...]]:
    """Every leading part of every multi-word legal form ("limited", "limited liability"): the
    corrections of a phrase's typos are followed only while they still begin a legal form."""
    return frozenset(
        phrase[:k] for phrase in vocab().legal_forms if len(phrase) >= 2 for k in range(1, len(phrase))
    )


def _legal_form_of_typos(spellings: list[tuple[str, ...]], start: int, length: int) -> str | None:
    """The label of the legal form the ``length`` words from ``start`` spell with their typos corrected
    (``spellings``: each word's spellings, :func:`_legal_spellings`, or the word itself), None when no
    combination is one. The combinations are tried depth first in each word's own order, a branch dropped
    as soon as it no longer begins a legal form, so the first found is the same on every run."""
    return _walk_spellings(spellings, start, start + length - 1, (), vocab().legal_forms, _legal_prefixes())


def _walk_spellings(
    spellings: list[tuple[str, ...]],
    k: int,
    last: int,
    head: tuple[str, ...],
    legal: dict[tuple[str, ...], str],
    prefixes: frozenset[tuple[str, ...]],
) -> str | None:
    for option in spellings[k]:
        phrase = (*head, option)
        if k == last:
            label = legal.get(phrase)
            if label is not None:
                return label
        elif phrase in prefixes:
            label = _walk_spellings(spellings, k + 1, last, phrase, legal, prefixes)
            if label is not None:
                return label
    return None


def _legal_typo(word: str) -> str | None:
    """The legal-form label ``word`` is a one-edit typo of, if any."""
    if len(word) < 5 or not word.isalpha():
        return None
    return _one_edit(_legal_typos(), word)


@cache
def _known_deletes() -> frozenset[str]:
    """Known words (legal forms' words included) and their one-letter deletions: a word one edit from a
    known word is a typo of it, not two words run together ("interrnational" is not "interr national",
    "partnerhsip" not "partner hsip")."""
    out: set[str] = set()
    for word in _vocabulary_words():
        if len(word) >= 6:
            out.add(word)
            out.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return frozenset(out)


def _near_known(word: str) -> bool:
    if len(word) > LIMITS.word_chars:
        return False  # no known word is this long, and the deletions would cost len² (issue 14)
    dels = _known_deletes()
    return word in dels or any(word[:i] + word[i + 1 :] in dels for i in range(len(word)))


@lru_cache(maxsize=NAME_ANALYSES)
def _split_runon(word: str) -> tuple[str, ...]:
    """Splits a word that runs a known org word onto a name ("rahmahcharitable" → "rahmah charitable",
    "companylimited" → "company limited"). Both sides of a comparison are split alike."""
    known = _known_words()
    if (
        len(word) < 8
        or len(word) > LIMITS.word_chars
        or not word.isalpha()
        or word in known
        or word in _vocabulary_words()  # a legal form's word: "partnership" is not "partners hip"
        or _near_known(word)
    ):
        return (word,)
    for cut in range(4, len(word) - 4):
        head, tail = word[:cut], word[cut:]
        if tail in known:
            return (*_split_runon(head), tail) if head not in known else (head, tail)
    for cut in range(len(word) - 3, 4, -1):
        head, tail = word[:cut], word[cut:]
        if head in known and len(tail) >= 3:
            return (head, *_split_runon(tail))
    return (word,)


@cache
def _runon_legal_forms() -> tuple[str, ...]:
    """vocabulary.yml's ``runon_legal_suffixes`` in a fixed order (a set's order follows the string hash
    seed, and a word ending in one and starting with another must split alike in every process)."""
    return tuple(sorted(vocab().runon_legal))


def _split_legal_suffix(word: str) -> tuple[str, ...]:
    """ "siemensag" → "siemens ag", "jscshipyard" → "jsc shipyard": a legal form run onto a long name (at
    its start only a form written before names: ``runon_legal_prefixes``, not "spa" + "rrow")."""
    leading = vocab().runon_legal_leading
    if len(word) >= 7 and word.isalpha() and word not in _vocabulary_words() and not _near_known(word):
        for suffix in _runon_legal_forms():
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                return (word[: -len(suffix)], suffix)
            if suffix in leading and word.startswith(suffix) and len(word) - len(suffix) >= 4:
                return (suffix, word[len(suffix) :])
    return (word,)


@cache
def _vocabulary_words() -> frozenset[str]:
    """Every word of the legal-form and symbol phrases plus the known single words."""
    v = vocab()
    words = set(_known_words())
    for table in (v.legal_forms, v.symbols):
        for phrase in table:
            words.update(w for w in phrase if w.isalpha() and w.isascii() and len(w) >= 4)
    return frozenset(words)


def _join_broken(words: list[str]) -> list[str]:
    """Rejoins a known word broken by a stray space ("tech nology", "otvetstve nnostyu")."""
    known = _vocabulary_words()
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            a, b = words[i], words[i + 1]
            if (
                len(a) >= 2
                and len(b) >= 2
                and a.isalpha()
                and b.isalpha()
                and a + b in known
                and a not in known
                and b not in known
            ):
                out.append(a + b)
                i += 2
                continue
        out.append(words[i])
        i += 1
    return out


# a number word is known with one typo from this many letters ("Sevneth" is "Seventh"): shorter ones
# ("first", "third", "fifth") are one edit from other words ("fist", "thirds")
NUMBER_TYPO_MIN = 6


@cache
def _number_typos() -> dict[str, str]:
    """One-letter deletions of the long number words → their digits; a deletion two number words share
    ("sevent" of "seventh" and "seventy") names neither."""
    table: dict[str, str] = {}
    ambiguous: set[str] = set()
    for word, value in vocab().number_words.items():
        if len(word) >= NUMBER_TYPO_MIN and word.isalpha():
            for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                if table.setdefault(key, value) != value:
                    ambiguous.add(key)
    return {key: value for key, value in table.items() if key not in ambiguous}


@lru_cache(maxsize=100_000)
def _number_typo(word: str) -> str | None:
    """The digits of the number word ``word`` is a one-edit typo of ("sevneth", "secodn"), if any; a
    known word never is one."""
    if len(word) < NUMBER_TYPO_MIN or not word.isalpha() or word in _known_words():
        return None
    value = _one_edit(_number_typos(), word)
    if value is None:
        return None
    # two words sharing a deletion may be two edits apart ("severny", Russian "northern", and "seventy"):
    # only a number word one edit away (a swap of two letters counts one) is meant
    near = [w for w, v in vocab().number_words.items() if v == value and OSA.distance(w, word) <= 1]
    return value if near else None


def _numbers(words: list[str]) -> list[str]:
    """Number words → digits; "forty four" → "44"."""
    table = vocab().number_words
    out: list[str] = []
    for word in words:
        value = table.get(word)
        if value is None and len(word) == 1 and word.isdigit():
            value = word
        if value is None and len(word) >= NUMBER_TYPO_MIN:
            value = _number_typo(word)
        if value is None:
            out.append(word)
            continue
        if out and out[-1].isdigit() and out[-1].endswith("0") and len(out[-1]) == 2 and len(value) == 1:
            out[-1] = str(int(out[-1]) + int(value))
        else:
            out.append(value)
    return out


_DIGITS_THEN_WORD = re.compile(r"^(\d+)([a-z]{5,})$")


def _split_digits(word: str) -> tuple[str, ...]:
    """A number run onto a known word ("1095proprietary" → "1095 proprietary"); model numbers and
    short codes ("3d", "5g", "a320") stay whole."""
    m = _DIGITS_THEN_WORD.match(word)
    if m and m.group(2) in _vocabulary_words():
        return (m.group(1), m.group(2))
    return (word,)


@lru_cache(maxsize=100_000)
def _word_pieces(word: str) -> tuple[str, ...]:
    """The words one word of an organisation name stands for: a number run onto a known word, a legal
    form run onto a name and known org words run together split apart. Cached: the same words recur in
    name after name (legal forms, "technology", places), and each split probes the vocabularies."""
    out: list[str] = []
    for piece in _split_digits(word):
        cut = _split_legal_suffix(piece)
        if len(cut) > 1 and cut[0] in vocab().runon_legal:
            known_words = _split_runon(piece)
            if len(known_words) > 1:
                # a known org word run onto the rest explains the word better than a legal form cut off
                # its start: "spacesystems" is "space systems", not the Italian "SpA" + "cesystems"
                out.extend(known_words)
                continue
        out.extend(part for unsuffixed in cut for part in _split_runon(unsuffixed))
    return tuple(out)


def _prepare_org_words(words: list[str]) -> list[str]:
    words = _join_broken(_numbers(words))
    out: list[str] = []
    run: list[str] = []
    for word in words:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            out.append("".join(run) if len(run) > 1 else run[0])
            run = []
        out.extend(_word_pieces(word))
    if run:
        out.append("".join(run) if len(run) > 1 else run[0])
    return out


def _org_tokens(words: list[str]) -> list[Token]:
    v = vocab()
    words = _prepare_org_words(words)
    out: list[Token] = []
    i = 0
    n = len(words)
    # each word's spellings with legal-form typos corrected (itself when none), made on first need
    spelled: list[tuple[str, ...]] | None = None
    begins: list[bool] = []  # … and whether one of a word's spellings begins a multi-word legal form
    starts = _legal_form_starts()
    while i < n:
        matched = False
        # Longest legal-form phrase first ("co ltd" before "co"). A leading legal form ("OAO Gazprom",
        # "Limited Liability Company Iskusstvo Krasoty") needs a name after it and 3+ letters.
        if i > 0 or n == 1 or len(words[0]) >= 3:
            # (a word that begins no legal form as written or by its letters, and no multi-word one
            # through its typos, begins none: its phrases are not looked up — most words of a name)
            head = words[i]
            if head not in starts and n - i >= 2 and spelled is None:
                spelled = [_legal_spellings(w) or (w,) for w in words]
                prefixes = _legal_prefixes()
                begins = [any((o,) in prefixes for o in options) for options in spelled]
            may_start = head in starts or (n - i >= 2 and begins[i])
        else:
            may_start = False
        if may_start:
            for length in range(min(v.legal_max_len, n - i), 0, -1):
                phrase = tuple(words[i : i + length])
                label = v.legal_forms.get(phrase)
                if label is None and length >= 2:
                    # a typo inside a multi-word legal form ("Limited Liability Comapny")
                    if spelled is None:
                        spelled = [_legal_spellings(w) or (w,) for w in words]
                        prefixes = _legal_prefixes()
                        begins = [any((o,) in prefixes for o in options) for options in spelled]
                    if begins[i]:
                        label = _legal_form_of_typos(spelled, i, length)
                if label is None:
                    # its spaces lost or moved ("S.A. DEC.V.", "Limitedpartnership"), not added: pinyin
                    # written a syllable a word ("you xian gong si") is the name's own rendering
                    label, words_in_form = _legal_forms_by_letters().get("".join(phrase), (None, 0))
                    if length > words_in_form:
                        label = None
                if i == 0 and n > 1 and length >= n:
                    continue
                if label and not (length == 1 and len(words[i]) <= 2 and i < n - 1 and n > 3):
                    out.append(Token(" ".join(phrase), label, LEGAL))
                    i += length
                    matched = True
                    break
        if matched:
            continue
        out.append(_org_word_token(words[i], i == 0))
        i += 1
    return _merge_legal_runs(out)


@cache
def _legal_form_starts() -> frozenset[str]:
    """Every word a legal form can begin with as _org_tokens finds one: the first word of each legal form
    as written, and every leading part of the letters of a multi-word one (``_legal_forms_by_letters``:
    "sa", "sadecv", "limitedliab"). A word that is none of these and begins no multi-word legal form
    through its typos begins no legal form."""
    out = {phrase[0] for phrase in vocab().legal_forms}
    for letters in _legal_forms_by_letters():
        out.update(letters[:k] for k in range(1, len(letters) + 1))
    return frozenset(out)


@cache
def one_word_legal_forms() -> frozenset[str]:
    """The legal forms of one word ("ltd", "gmbh", "sa", "fze"), as vocabulary.yml's legal forms spell them."""
    return frozenset(phrase[0] for phrase in vocab().legal_forms if len(phrase) == 1)


@cache
def legal_phrase_words() -> frozenset[str]:
    """Words of the multi-word legal forms that are neither a legal form on their own nor stopwords
    ("closed", "joint", "stock", "liability", "aktsionernoe", "cv"): a name holding one as a word of its
    own may hold a legal form out of its place (chipguard.match.score: ``legal_form_displaced``)."""
    v = vocab()
    single = one_word_legal_forms()
    return frozenset(
        word
        for phrase in v.legal_forms
        if len(phrase) >= 2
        for word in phrase
        if word not in single and word not in v.stopwords
    )


# a legal form is recognised by its letters alone (spaces lost or moved) from this many letters: shorter
# runs ("sa", "ag", "coop") are words of names too
LEGAL_LETTERS_MIN = 5


@cache
def _legal_forms_by_letters() -> dict[str, tuple[str, int]]:
    """Multi-word legal forms by their letters without spaces ("sadecv" → the label of "sa de cv" and
    its three words): a legal form written with a space lost or moved ("S.A. DEC.V.", "S. DER.L. DE
    C.V.", "Limited Partnership" run together) is still that legal form, not two or three words of the
    name."""
    out: dict[str, tuple[str, int]] = {}
    for phrase, label in vocab().legal_forms.items():
        letters = "".join(phrase)
        if len(phrase) >= 2 and len(letters) >= LEGAL_LETTERS_MIN:
            out.setdefault(letters, (label, len(phrase)))
    return out


@lru_cache(maxsize=100_000)
def _org_word_token(word: str, leading: bool) -> Token:
    """The token of one word of an organisation name that starts no legal-form phrase (``leading``: the
    name's first word). Cached: tokens are immutable and the same words recur in name after name."""
    v = vocab()
    canon = _canon_word(word)
    if not leading and canon == word and (word,) not in v.symbols:
        label = _legal_typo(word)
        if label == "co":
            canon = "co"
        elif label:
            return Token(word, label, LEGAL)
    cls = _classify(word, canon, False)
    if cls == STOP and leading and word not in LEADING_ARTICLES:
        cls = WORD  # "DES International" — a leading "des"/"de"/"y" is a name, not a stopword
    return Token(word, canon, cls, phonetic_key(word))


def _merge_legal_runs(tokens: list[Token]) -> list[Token]:
    """ "Company Limited", "Corporation Limited", "Co. Ltd." all end as one legal-form token, so the
    same company written with another legal form differs only in a near-zero-weight token."""
    out: list[Token] = []
    for tok in tokens:
        if out and (
            (tok.cls == LEGAL and (out[-1].cls == LEGAL or out[-1].canon == "co") and len(out) > 1)
            or (tok.canon == "co" and out[-1].cls == LEGAL)
        ):
            prev = out.pop()
            label = tok.canon if tok.cls == LEGAL else prev.canon
            out.append(Token(f"{prev.text} {tok.text}", label, LEGAL))
            continue
        out.append(tok)
    # a bare trailing "Co." / "Corp." / "Company" is the legal form ("Huawei Technologies Co")
    if len(out) > 1 and out[-1].canon == "co" and out[-1].cls != LEGAL:
        out[-1] = Token(out[-1].text, "lf:llc", LEGAL)
    return out


def _person_tokens(words: list[str]) -> list[Token]:
    v = vocab()
    out: list[Token] = []
    for idx, word in enumerate(words):
        if idx == 0 and len(words) > 1 and word in v.person_prefixes:
            continue
        if word in ("mr", "mrs", "ms", "dr", "president", "prof", "sheikh", "shaikh", "general", "colonel"):
            continue
        out.append(_person_word_token(word))
    return out


@lru_cache(maxsize=100_000)
def _person_word_token(word: str) -> Token:
    """The token of one word of a person's name (cached, as _org_word_token)."""
    canon = vocab().person_nicks.get(word, word)
    return Token(word, canon, _classify(word, canon, True), phonetic_key(word))


@cache
def _symbol_phrase_starts() -> frozenset[str]:
    """The first words of the multi-word org symbols (a phrase beginning with another word is none)."""
    return frozenset(phrase[0] for phrase in vocab().symbols if len(phrase) >= 2)


def _phrase_symbols(words: tuple[str, ...]) -> frozenset[str]:
    """Keys of multi-word org symbols inside the name: "People's Liberation Army" → {"pla"}."""
    v = vocab()
    keys: set[str] = set()
    n = len(words)
    starts = _symbol_phrase_starts()
    for i in range(n):
        if words[i] not in starts:
            continue
        for length in range(2, min(v.symbols_max_len, n - i) + 1):
            phrase = words[i : i + length]
            key = v.symbols.get(phrase)
            if key and key == "".join(
                w[0] for w in phrase if w not in v.stopwords
            ):  # only acronym-like symbols (PLA, IRGC), not "investment bank"
                keys.add(key)
    return frozenset(keys) if keys else NO_WORDS


# a word, its last letter, then dotted letters: "IMPEXS.R.L.", "SYSTEML.T.D.", "JSA.S.", "CS.A." (a lone
# letter "C" before "S.A.": "B R CS.A." for "B R C S.A.")
_GLUED_DOTTED = re.compile(r"([^\W\d_]+)([^\W\d_])\.((?:[^\W\d_]\.)*[^\W\d_]\b\.?)")


def _detach_dotted_legal_form(name: str) -> str:
    """A dotted legal form whose space before it was lost keeps its first letter on the word before it
    ("GELRO IMPEXS.R.L." for "GELRO IMPEX S.R.L.", "CYLINDER SYSTEML.T.D."): the letters would be read
    "impexs" and "rl". The space is put back when that letter and the dotted ones spell a one-word legal
    form ("srl", "ltd", "as") — a dotted acronym after a word ("Sons U.K.") is left as it is."""

    if not _glued_dot(name):
        return name

    def detach(match: re.Match[str]) -> str:
        letters = (match.group(2) + match.group(3).replace(".", "")).casefold()
        if letters in one_word_legal_forms():
            return f"{match.group(1)} {match.group(2)}.{match.group(3)}"
        return match.group(0)

    return _GLUED_DOTTED.sub(detach, name)


def _glued_dot(name: str) -> bool:
    """Whether ``name`` holds a dot with two letters or digits right before it and one right after: what
    every match of _GLUED_DOTTED holds at least (its letters are word characters that are no digit or
    underscore, each ``isalnum``). Why: the pattern's search backtracks through every word at every
    position — 75,000 instructions a name with a dot (bench.scale's 2,000 queries: 769 names, 57 M) —
    while a name's dots are nearly all after a legal form's letters ("Co.,", "Ltd.", "S.A."), where this
    walk of its dots tells at once that nothing matches."""
    at = name.find(".", 2)
    size = len(name)
    while at != -1:
        if at + 1 < size and name[at + 1].isalnum() and name[at - 1].isalnum() and name[at - 2].isalnum():
            return True
        at = name.find(".", at + 1)
    return False


# letters of one or two between dots, a dot doubled somewhere: "S.AR..L.", "L.T..D", "SA..S." — a dotted
# legal form with a letter and a dot swapped (a dotted form as written is joined by the text cleaning)
_DOTTED_SWAPPED = re.compile(r"(?<![\w.])(?:[^\W\d_]{1,2}\.+)+[^\W\d_]{0,2}(?![\w])")


def _dotted_legal_form_swapped(name: str) -> str:
    """A dotted legal form with a letter and a dot swapped ("LAMA FOODS S.AR..L." for "S.A.R.L.",
    "GELRO IMPEX S.R..L") would be read as loose letters ("s ar l"): written with its letters ("sarl")
    when they spell a one-word legal form and a dot is doubled (as no form is written)."""

    def join(match: re.Match[str]) -> str:
        text = match.group(0)
        letters = text.replace(".", "")
        if ".." in text and letters.casefold() in one_word_legal_forms():
            return letters
        return text

    return _DOTTED_SWAPPED.sub(join, name) if ".." in name else name


# the dashes that join a word's parts ("E-science", "Stroytransgaz-M"), as punctuation_to_space reads them
_HYPHENS: Final = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_HYPHEN_SPLIT: Final = re.compile("[" + _HYPHENS + "]")


def hyphenated_letters(name: str) -> frozenset[str]:
    """The letters that ``analyze(name)`` reads as lone one-letter words because a hyphen joined them to
    a word ("E" of "E-science", "M" of "Stroytransgaz-M"), cleaned as the analysis cleans them. Why: the
    analysis turns every hyphen into a space, so its one-letter tokens do not say which letters stood
    alone — an abbreviation's letters ("R&D", "M. D. S.") or a letter of a hyphenated word, which is the
    word's own (a retrieval weight for lone letters, matching.yml ``retrieval.single_letter``, is for the
    first: "E-science Co., Ltd." weighed its E as an initial and lost Beijing E-science). Letters hyphened
    only to letters ("A-B-C") are an abbreviation's."""
    found: set[str] = set()
    for chunk in name.split():
        if not any(h in chunk for h in _HYPHENS):
            continue
        parts = [clean_steps(part)[0] for part in _HYPHEN_SPLIT.split(chunk)]
        last = len(parts) - 1
        for i, part in enumerate(parts):
            if (
                len(part) == 1
                and part.isalpha()
                and ((i > 0 and len(parts[i - 1]) > 1) or (i < last and len(parts[i + 1]) > 1))
            ):
                found.add(part)
    return frozenset(found) if found else NO_WORDS


@lru_cache(maxsize=NAME_ANALYSES)
def analyze(name: str, person: bool = False) -> NameAnalysis:
    """Analyses one name. ``person`` selects person rules (no legal forms or org symbols)."""
    if not person and "." in name:
        name_read = _detach_dotted_legal_form(_dotted_legal_form_swapped(name))
    else:
        name_read = name
    cleaned, steps = clean_steps(name_read)
    words = cleaned.split()
    tokens = _person_tokens(words) if person else _org_tokens(words)
    if not tokens and words:
        tokens = [Token(w, w, WORD, phonetic_key(w)) for w in words]
    distinctive = [t for t in tokens if t.cls not in (LEGAL, STOP)]
    joined = "".join(t.text.replace(" ", "") for t in distinctive)
    acronym = ""
    initials = [
        t.text[0] for t in distinctive if t.cls in (WORD, GENERIC, PLACE, ADMIN) and t.text[0].isalpha()
    ]
    if not person and len(initials) >= 3:
        acronym = "".join(initials)
    institutional = not person and any(
        t.canon in vocab().institutional or t.text in vocab().institutional for t in tokens
    )
    all_tokens = tuple(tokens)
    return NameAnalysis(
        name,
        cleaned,
        person,
        all_tokens,
        steps,
        joined,
        acronym,
        institutional,
        # (the same tuple when no token is left out: one object less per analysis)
        all_tokens if len(distinctive) == len(all_tokens) else tuple(distinctive),
        frozenset(t.text for t in tokens) if tokens else NO_WORDS,
        frozenset(a.text + b.text for a, b in zip(tokens, tokens[1:], strict=False))
        if len(tokens) > 1
        else NO_WORDS,
        NO_WORDS if person else _phrase_symbols(tuple(words)),
    )
