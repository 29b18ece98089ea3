"""Compiled lookup tables for token classes: legal forms, org symbols, abbreviations, stopwords.

Legal forms and symbols are phrases ("co ltd", "общество с ограниченной ответственностью"); they are
cleaned with the same :func:`chipguard.names.text.clean` as names so that a phrase found in a name is
found in the table whatever its case, punctuation or script disguise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from chipguard.names.data import load_yaml, vocabulary
from chipguard.names.text import clean


@dataclass(frozen=True, slots=True)
class Vocab:
    legal_forms: dict[tuple[str, ...], str]  # cleaned phrase → canonical label, e.g. ("co","ltd") → "llc"
    legal_max_len: int
    symbols: dict[tuple[str, ...], str]  # cleaned phrase → symbol key, e.g. ("group",) → "grp"
    symbols_max_len: int
    abbreviations: dict[str, str]
    stopwords: frozenset[str]
    generic: frozenset[str]
    places: frozenset[str]
    institutional: frozenset[str]
    person_particles: frozenset[str]
    number_words: dict[str, str]
    runon_legal: frozenset[str]
    runon_legal_leading: frozenset[str]  # of runon_legal, the forms written before a name ("OOO …")
    countries: frozenset[str]
    person_prefixes: frozenset[str]
    person_nicks: dict[str, str]
    admin: frozenset[str] = frozenset()  # "province", "municipal": qualifiers of a place, near-zero weight
    body_kinds: frozenset[str] = frozenset()  # university / college / institute …: near-equivalent kinds
    # word → its group of translation synonyms (ocean / marine): near-equivalents for translated queries
    translation_synonyms: dict[str, int] = field(default_factory=dict)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(clean(text).split())


@cache
def vocab() -> Vocab:
    legal: dict[tuple[str, ...], str] = {}
    for entry in load_yaml("org_types.yml")["types"]:
        label = entry.get("generic") or entry.get("compare") or entry.get("display")
        if not label:
            continue
        label = "lf:" + clean(str(label)).replace(" ", "")
        for alias in entry.get("aliases", []):
            phrase = _phrase(str(alias))
            if phrase and phrase not in legal:
                legal[phrase] = label
    cur = vocabulary()
    for alias, generic in (cur.get("extra_legal_forms") or {}).items():
        phrase = _phrase(str(alias))
        if phrase:
            legal.setdefault(phrase, "lf:" + clean(str(generic)).replace(" ", ""))
    # "Closed Joint Stock Co", "Limited Liability Co": the words of a legal-form phrase abbreviated
    short = {clean(str(k)): clean(str(v)) for k, v in (cur.get("legal_word_abbreviations") or {}).items()}
    for phrase, label in list(legal.items()):
        if len(phrase) >= 2 and any(w in short for w in phrase):
            variants: list[tuple[str, ...]] = [()]
            for w in phrase:
                options = (w, short[w]) if w in short else (w,)
                variants = [v + (o,) for v in variants for o in options]
            for variant in variants:
                legal.setdefault(variant, label)
    # the same forms written as one word ("SdnBhd", "CoLtd", "SAdeCV")
    for phrase, label in list(legal.items()):
        joined = "".join(phrase)
        if len(phrase) >= 2 and len(joined) >= 5 and joined.isalpha():
            legal.setdefault((joined,), label)
    symbols_data = load_yaml("symbols.yml")
    symbols: dict[tuple[str, ...], str] = {}
    for section in ("org_symbols", "org_domains"):
        for key, variants in (symbols_data.get(section) or {}).items():
            for variant in [key, *(variants or [])]:
                phrase = _phrase(str(variant))
                if phrase and phrase not in symbols:
                    symbols[phrase] = str(key)
    nicks: dict[str, str] = {}
    for key, variants in (symbols_data.get("person_nick") or {}).items():
        for variant in variants or []:
            nicks.setdefault(clean(str(variant)), clean(str(key)).rstrip("0123456789"))
    stop = load_yaml("stopwords.yml")
    prefixes = frozenset(clean(str(p)) for p in stop.get("PERSON_NAME_PREFIXES", []))
    cur = vocabulary()
    return Vocab(
        legal_forms=legal,
        legal_max_len=max(len(p) for p in legal),
        symbols=symbols,
        symbols_max_len=max(len(p) for p in symbols),
        abbreviations={
            clean(str(k)).replace(" ", ""): clean(str(v))
            for k, v in {**cur["abbreviations"], **(cur.get("romanisations") or {})}.items()
        },
        stopwords=frozenset(clean(str(w)) or str(w) for w in cur["stopwords"]),
        generic=frozenset(clean(str(w)) for w in cur["generic_org_words"]),
        places=frozenset(clean(str(w)) for w in cur.get("places", [])),
        person_particles=frozenset(clean(str(w)) for w in cur.get("person_particles", [])),
        number_words={clean(str(k)): str(v) for k, v in (cur.get("number_words") or {}).items()},
        runon_legal=frozenset(clean(str(w)) for w in cur.get("runon_legal_suffixes", [])),
        runon_legal_leading=frozenset(clean(str(w)) for w in cur.get("runon_legal_prefixes", [])),
        countries=frozenset(clean(str(w)) for w in cur.get("countries", [])),
        institutional=frozenset(clean(str(w)) for w in cur.get("institutional_words", [])),
        person_prefixes=prefixes,
        person_nicks=nicks,
        admin=frozenset(clean(str(w)) for w in cur.get("admin_qualifiers", [])),
        body_kinds=frozenset(clean(str(w)) for w in cur.get("body_kinds", [])),
        translation_synonyms={
            clean(str(word)): group
            for group, words in enumerate(cur.get("translation_synonyms") or [])
            for word in words
            if " " not in clean(str(word))
        },
    )


@cache
def country_names() -> dict[str, str]:
    """Each country's one-word names, cleaned as names are, → its ISO 3166-1 alpha-2 code: the file
    vocabulary.yml's ``country_names_file`` names (``names/country_names.yml``, made from ISO 3166-1 and
    the Unicode CLDR by tools/build_country_names.py: "Jamaica", "Deutschland", "Madagasikara"); none
    when it names none (a vocabulary archived before the file). A name cleaned to more than one word, or
    naming two countries, is left out.

    Read by chipguard.match.evidence.country_of_word (which country a word of a name names) — not as the
    token class ``countries`` above, which weighs a country word in the scorer: that hand list stays as
    it is, so no score moves with this file.

    Why: a listed subsidiary abroad is named by its parent's trade name and its country ("Huawei
    Technologies Jamaica Company Limited"); read as a proper word, the country became part of the firm's
    trade name ("Huawei Jamaica"), and a query naming the parent never met that record's trade name
    (issue 12 item 5)."""
    source = vocabulary().get("country_names_file")
    if not source:
        return {}
    out: dict[str, str] = {}
    twice: set[str] = set()
    for code, names in (load_yaml(str(source)) or {}).items():
        for name in names or ():
            word = clean(str(name))
            if not word or " " in word:
                continue
            if out.get(word, code) != code:
                twice.add(word)
            out[word] = str(code).upper()
    return {word: code for word, code in sorted(out.items()) if word not in twice}


@cache
def place_words() -> frozenset[str]:
    """Words that name a place or a part of a country wherever they stand, cleaned as names are: the
    vocabulary's places (vocabulary.yml ``places``: provinces and large cities) and its regions and compass
    words (``region_words``: Southwest, Huadong, Jiangnan). One word each.

    Read by the scorer (matching.yml ``name_score.place_words_distinct``): two different places are never
    a typo of each other — Southwest / Northwest University of Political Science and Law, Hunan / Henan
    are other bodies, not a misspelling — which the token classes cannot tell (a region word is a proper
    word of a name; a place weighs as little as a place only in ``places``). In an institution's name the
    Chinese places of CC-CEDICT count too (:func:`chinese_place_words`)."""
    cur = vocabulary()
    out = {clean(str(w)) for w in (*cur.get("places", []), *(cur.get("region_words") or []))}
    return frozenset(w for w in out if w and " " not in w)


@cache
def chinese_city_words() -> frozenset[str]:
    """China's prefecture-level and sub-provincial cities spelt in pinyin, one word each (Dandong, Xuchang,
    Tianshui): names/chinese_cities.tsv, made from CC-CEDICT by tools/build_chinese_cities.py.

    Read by the scorer for one rule (matching.yml ``name_score.company_city_left_out``): a company's listed
    name starting with such a city ("Dandong Dongyuan Industrial"), met by a query naming no place, may be
    the name with its city left out, as "Dahua Technology" is Zhejiang Dahua Technology. They are not
    ``places`` everywhere: a matched place weighs little, and a city both names share ("Xuchang Yuandong")
    is evidence a company's name gives in full."""
    return _first_column_words("names/chinese_cities.tsv")


@cache
def company_city_words() -> frozenset[str]:
    """The cities a company's listed name may start with and a query leave out (matching.yml
    ``name_score.company_city_left_out``): China's prefecture-level cities (:func:`chinese_city_words`) and
    the cities the bundled lists' addresses name, as GeoNames knows them (names/list_cities.tsv, made by
    tools/build_list_cities.py: Damascus, Grodno, Minsk, Tehran), one word each."""
    return chinese_city_words() | _first_column_words("names/list_cities.tsv")


def _first_column_words(rel: str) -> frozenset[str]:
    """The one-word entries of a generated table's first column (``#`` lines are its header), cleaned as
    names are: read from the recorded bytes, so a decision's archive replays the table it screened with."""
    from chipguard.refdata import recorded_file

    out: set[str] = set()
    for line in recorded_file(rel).text().splitlines():
        if line and not line.startswith("#"):
            word = clean(line.split("\t", 1)[0])
            if word and " " not in word:
                out.add(word)
    return frozenset(out)


@cache
def translation_senses() -> dict[str, frozenset[str]]:
    """A translated word → the other senses of the Chinese word it renders (zh/cedict_senses.tsv, from
    CC-CEDICT): 卫生 is rendered "Health", its registered name may say "Hygiene"; 石油 "Petroleum" / "Oil";
    安全 "Safety" / "Security". Each word's rendering (the curated English when org_terms.yml has one, else
    CC-CEDICT's chosen gloss) is paired with each of its other senses word for word: two phrases of as
    many words differing in one word pair that word (战区 "war zone" / "combat zone": war ~ combat), one word pairs
    with the other phrase's last word (大队 "group" / "production brigade": group ~ brigade). A pair holds
    both ways (the rendering met as a list word is a sense another Chinese word may have been rendered by).
    Words the matcher weighs as generic, legal or stop words (Group, Company, Limited) are left out: they
    weigh little and a sense of theirs would pair near every name. So are the words of the curated
    ``translation_synonyms`` groups (vocabulary.yml): the curation says which words those meet and which
    they do not (Medical is kept apart from Pharmaceutical there, though CC-CEDICT glosses 医药 as both).
    Two forms of one word (化学 "chemistry" / "chemical": morphology.yml) meet by the morphology rule, at its
    own similarity: no pair here, which would meet them first and lower them. Read only for translated queries
    (matching.yml ``translation_sense_similarity``); loads the Chinese vocabulary."""
    from chipguard.names.chinese_vocab import _data_text
    from chipguard.names.chinese_vocab import vocabulary as zh_vocabulary
    from chipguard.names.morphology import variants

    known = vocab()
    apart = known.generic | known.stopwords | {p[0] for p in known.legal_forms if len(p) == 1}
    apart |= set(known.translation_synonyms)
    words = zh_vocabulary().words
    pairs: dict[str, set[str]] = {}

    def content(phrase: str) -> list[str]:
        return [w for w in clean(phrase).split() if w not in known.stopwords]

    for line in _data_text("cedict_senses.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        word, senses = line.split("\t")
        entry = words.get(word)
        if entry is None:
            continue
        shown = content(entry.english)
        for sense in senses.split("|"):
            other = content(sense)
            if not shown or not other:
                continue
            if len(shown) == len(other):
                met = [(x, y) for x, y in zip(shown, other, strict=True) if x != y]
                if len(met) != 1:
                    continue  # "middle part" / "central section": which word renders which is unsaid
            elif len(shown) == 1 or len(other) == 1:
                met = [(shown[-1], other[-1])]
            else:
                continue
            for x, y in met:
                if x != y and x not in apart and y not in apart and not variants(x, y):
                    pairs.setdefault(x, set()).add(y)
                    pairs.setdefault(y, set()).add(x)
    return {w: frozenset(o) for w, o in pairs.items()}


@cache
def chinese_place_words() -> frozenset[str]:
    """The Chinese places of CC-CEDICT (zh/cedict_vocab.tsv) spelt in pinyin, cleaned as names are: a place
    entry of two characters or more, less an administrative suffix, whose English spells its pinyin
    (内江市 "Neijiang", 江汉 "Jianghan", 鹤壁 "Hebi"). A foreign place, one glossed under an older spelling
    (九龙 "Kowloon"), or a one-character place (丰县 "Feng", a syllable of many names) is not taken.

    Places for ``name_score.place_words_distinct`` in an institution's name only (a university, institute
    or bureau is named by its place: Jiangnan / Jianghan University): in a company's name a county's name is
    as often its trade name (嘉祥 Jiaxiang, 金乡 Jinxiang), and a trade name misspelt into another one must
    still meet it."""
    import re

    from chipguard.names.chinese_vocab import ADMIN
    from chipguard.names.chinese_vocab import PLACE as ZH_PLACE
    from chipguard.names.chinese_vocab import vocabulary as zh_vocabulary

    zh = zh_vocabulary()
    suffixes = tuple(sorted((e.word for e in zh.words.curated(ADMIN)), key=len, reverse=True))
    out: set[str] = set()
    for word, pinyin, english in zh.words.cedict_of_kind(ZH_PLACE):
        letters = re.sub(r"[^a-z]", "", english.casefold())
        suffix = next((s for s in suffixes if word.endswith(s) and len(word) > len(s)), "")
        stem = len(word) - len(suffix)
        if stem >= 2 and (letters == "".join(pinyin) or (bool(suffix) and letters == "".join(pinyin[:stem]))):
            out.add(clean(english))
    return frozenset(w for w in out if w and " " not in w)
