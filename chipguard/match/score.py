"""Pairwise name scorer that explains itself.

Two analysed names are aligned token by token (one-to-one): equal canonical forms first (which is where
abbreviations, plurals, legal forms and multilingual symbols meet), then split/merged tokens
("Wuxihyatech" ↔ "Wuxi Hyatech"), then typos, phonetic equivalents, initials and abbreviation prefixes.
Each token carries a weight — distinctive words and numbers high, generic org words, places and legal
forms low, optionally scaled by how rare the token is on the list — and the score is the weighted share
of both names that the alignment covers. Persons and organisations differ: person tokens may be
reordered and abbreviated to initials and carry no legal forms; organisation names weigh legal forms
and generic words low, two different places or numbers as a clash.

The scorer returns a :class:`Scored` whose ``explain()`` lists the alignment, the unmatched tokens and
every component, so an analyst can see why a customer was flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from rapidfuzz.distance import OSA, Hamming, Indel

from chipguard.match.config import (
    ScorerConfig,
    corpus_rarity,
    name_form_files,
    person_name_forms,
    scorer_config,
)
from chipguard.names.analysis import (
    ADMIN,
    COUNTRY,
    GENERIC,
    INITIAL,
    LEGAL,
    NUMBER,
    PLACE,
    STOP,
    WORD,
    NameAnalysis,
    Token,
    analyze,
    legal_phrase_words,
)
from chipguard.names.chinese import NUMERAL
from chipguard.names.chinese import analyse as chinese_analyse
from chipguard.names.chinese import has_han as _has_han
from chipguard.names.chinese_vocab import TERM
from chipguard.names.chinese_vocab import vocabulary as chinese_vocabulary
from chipguard.names.morphology import variants as morph_variants
from chipguard.names.phonetic import syllable_key
from chipguard.names.pinyin_sound import SPELT_AS, other_pinyin_name, pinyin_syllables, sounds_alike
from chipguard.names.vocab import (
    chinese_place_words,
    company_city_words,
    country_names,
    place_words,
    translation_senses,
    vocab,
)

# weight of a token's canonical form → scaling factor in [floor, 1] from its rarity on the list
RarityFn = Callable[[str], float]


def token_weight(tok: Token, rarity: RarityFn | None, person: bool) -> float:
    """A token's weight: its class's weight from matching.yml (``weights``), times its rarity on the
    lists for words, generic words and initials (``rarity``: screening; compare has no lists). A matched
    word's weight is also scaled by its rarity in company names at large (see :func:`corpus_factor`)."""
    # (the class weights read once per config, SimilarityRules.class_weights: a table made for every
    # token, its eight numbers read from the interpreted config, was ~5,600 instructions a token weighed)
    w = similarity_rules(scorer_config())
    base = w.class_weights.get(tok.cls, w.person_token if person else w.word)
    if rarity is not None and tok.cls in (WORD, GENERIC, INITIAL):
        base *= rarity(tok.canon)
    return base


@cache
def corpus_factor(canon: str) -> float:
    """How much a matched word of an organisation's name counts as evidence, from how common it is in
    company names at large: its corpus rarity (chipguard.match.config.corpus_rarity) raised to
    ``token_rarity.corpus_share``. Why: rarity on the lists alone calls "Network" or "Engineering"
    distinctive because few listed names hold them, so a query sharing only such words with a list name
    — and lacking its distinctive word — matched too well. Only matched words are scaled: a word one name
    lacks counts in full, and two names matching word for word still score 1."""
    return corpus_rarity(canon) ** scorer_config().rarity_corpus_share


@cache
def industry_words() -> frozenset[str]:
    """Words that say what a company does, not who it is: the English of the curated Chinese
    organisation terms (数字 Digital, 信息 Information, 电信 Telecom …) besides the generic org words."""
    out: set[str] = set()
    for entry in chinese_vocabulary().words.curated(TERM):
        out.update(t.canon for t in analyze(entry.english, False).tokens if t.cls == WORD)
    return frozenset(out)


def _industry_pair(a: Token, b: Token) -> bool:
    """Two different industry words (name_score.industry_words_distinct): Electric / Electronic, Shipping /
    Shopping are words the vocabulary knows, neither a misspelling of the other."""
    words = industry_words()
    return a.canon in words and b.canon in words


def _is_place(text: str, institutional: bool) -> bool:
    """A place or region word (name_score.place_words_distinct): the vocabulary's places and region words,
    and in an institution's name the Chinese places of CC-CEDICT (a county's name is often a company's
    trade name: 嘉祥 Jiaxiang)."""
    return text in place_words() or (institutional and text in chinese_place_words())


def _place_pair(a: Token, b: Token, institutional: bool) -> bool:
    """Two different place or region words (name_score.place_words_distinct): Southwest / Northwest,
    Jianghan / Jiangnan are other places, neither a misspelling of the other."""
    return (_is_place(a.text, institutional) or _is_place(a.canon, institutional)) and (
        _is_place(b.text, institutional) or _is_place(b.canon, institutional)
    )


def _places_left(
    unmatched_q: list[tuple[str, str, float]], unmatched_c: list[tuple[str, str, float]], institutional: bool
) -> bool:
    """One word left unmatched on each side (legal forms and stopwords aside), two different place words
    (name_score.place_words_distinct): the names' letters are alike because their places are (Beijing /
    Neijiang Normal University), which says they are two bodies, not one."""
    q = [text for text, cls, _w in unmatched_q if cls not in (STOP, LEGAL)]
    c = [text for text, cls, _w in unmatched_c if cls not in (STOP, LEGAL)]
    return (
        len(q) == 1
        and len(c) == 1
        and q[0] != c[0]
        and _is_place(q[0], institutional)
        and _is_place(c[0], institutional)
    )


def names_place(tokens: Sequence[Token]) -> bool:
    """Whether a name names a place anywhere: a place or country word, a region word, or a Chinese place
    spelt in pinyin (the words _is_place reads in an institution's name). Why: an institution's leading
    place is left at a place's weight only against a name naming none (name_score.institution_place_
    left_out) — a name naming another place names another body (Shanghai / Beijing University)."""
    for t in tokens:
        if t.cls == PLACE or t.cls == COUNTRY or _is_place(t.text, True) or _is_place(t.canon, True):
            return True
    return False


def names_company_place(tokens: Sequence[Token], cities: frozenset[str]) -> bool:
    """Whether a company's name names a place anywhere: a place or country word, a region word, or one of
    the cities ``cities`` (name_score.company_city_left_out). Unlike :func:`names_place`, a
    Chinese county's name in pinyin is no place here: in a company's name it is as often its trade name
    (东源 Dongyuan)."""
    places = place_words()
    return any(t.cls == PLACE or t.cls == COUNTRY or t.text in places or t.text in cities for t in tokens)


def _leading_places(tokens: Sequence[Token]) -> int:
    """How many words start a name as its place: the places (and administrative words: Beijing
    Municipal) before its first other word; 0 when it starts with no place."""
    n = 0
    for t in tokens:
        if t.cls != PLACE and not (n and t.cls == ADMIN):
            break
        n += 1
    return n


def _proper_word_paired(pairs: list[tuple[int, int, float, str]], c_tokens: Sequence[Token]) -> bool:
    """Whether a pair of words holds a proper word of the list name: a word the vocabulary gives no class
    (not generic, a place, a number …) that says neither what kind of institution (Police, College) nor
    what business (an industry word: Medical, Agricultural, Shipbuilding) — the vocabulary's own reading
    of a generic name (chipguard.match.evidence.generic_institutional, by the vocabulary alone)."""
    inst = vocab().institutional
    industry = industry_words()
    for _i, j, _sim, _how in pairs:
        tok = c_tokens[j]
        if (
            tok.cls == WORD
            and tok.canon not in inst
            and tok.text not in inst
            and tok.canon not in industry
            and tok.text not in industry
        ):
            return True
    return False


def _lone_word_weighs(
    pairs: list[tuple[int, int, float, str]],
    q_tokens: Sequence[Token],
    c_tokens: Sequence[Token],
    q_used: list[bool],
    c_used: list[bool],
    q_w: list[float],
    c_w: list[float],
    shared: float,
    translated: bool,
) -> None:
    """Two institutions' names that share only places and generic words (Beijing, University, Science,
    Technology), one of them holding a distinctive word the other lacks and nothing else left on either
    side (北京电子科技学院 "Peking Electronic University of Science and Technology" / University of Science
    and Technology Beijing; Inner Mongolia Normal University / Inner Mongolia University): that word is
    all that says which body one name is, and the other name says none — two bodies. The word weighs as
    much as the words the names share (``shared``: Σ 2·weight of the pairs), at least its own weight: the
    pair scores two thirds at most (name_score.institution_lone_word). Not when a distinctive word
    paired (Xihua University / Xihua Normal University is translated_institution_one_word's), nor when
    each side keeps one (two bodies' names, or one name spelt two ways the rules did not pair). In a
    word-by-word translation (``translated``: the query's side) only a word of the translation: a word
    of the other name the translation lacks may be what it rendered by meaning (以色列理工学院, "Israel
    Institute of Technology", is the Technion's Chinese name: Guangdong Technion-Israel Institute of
    Technology)."""
    for i, j, _sim, _how in pairs:
        if q_tokens[i].cls == WORD or c_tokens[j].cls == WORD:
            return
    lone_q = [i for i in range(len(q_tokens)) if not q_used[i] and q_tokens[i].cls == WORD]
    lone_c = [j for j in range(len(c_tokens)) if not c_used[j] and c_tokens[j].cls == WORD]
    if len(lone_q) + len(lone_c) != 1 or (translated and lone_c):
        return
    weight = shared / 2.0
    if lone_q:
        q_w[lone_q[0]] = max(q_w[lone_q[0]], weight)
    else:
        c_w[lone_c[0]] = max(c_w[lone_c[0]], weight)


def _short_word_left(
    unmatched_q: list[tuple[str, str, float]],
    unmatched_c: list[tuple[str, str, float]],
    shortest: int,
    query: NameAnalysis,
    cand: NameAnalysis,
    translated: bool,
    short_name: bool = False,
    pairs: list[tuple[int, int, float, str]] | None = None,
    q_tokens: Sequence[Token] = (),
    c_tokens: Sequence[Token] = (),
) -> bool:
    """One word left unmatched on each side (legal forms and stopwords aside), both words of letters as
    written (not parts the analysis cut from a longer word: MOUNTIAN read "mount ian"), one of them shorter
    than ``shortest`` letters (word_lengths.typo: the word rules meet no shorter word but its equal): the
    word rules compared the two and found other words, and the names' letters are alike through the words
    they share, not these (CK / A.C. International). In a translated pair only when the translated word is a
    place (湖南 "Hunan" / HNA Investment Group): a Chinese firm's English name often writes its trade name
    by initials (拓尔思 TRS, 劲拓 JT), never its place. Not when one of the two words holds the other (HKCO /
    HK CO., S. DER.L. / S. DE R.L.: the "words" are where the spaces fell), nor when they are one edit
    apart (PTV / PVT, Hon Wai / Hon Hai: a short word's typo, which the word rules leave to the letters)
    (name_score.character_short_word_distinct) — unless, with ``short_name``
    (name_score.character_short_name_distinct), every word the names pair (``pairs`` of ``q_tokens`` and
    ``c_tokens``) is generic, an industry word, a legal form, a place or a stopword and the two short words
    are not the same letters in another order: the short word is then all that names the firm, and one
    letter off it is another firm's short name (MCS / MKS / MRS International, DES / SES International,
    CONSTRUCTORA H.L.P. / H.L.T.: each pair two records of the CSL)."""
    q = [(text, cls) for text, cls, _w in unmatched_q if cls not in (STOP, LEGAL)]
    c = [(text, cls) for text, cls, _w in unmatched_c if cls not in (STOP, LEGAL)]
    if len(q) != 1 or len(c) != 1:
        return False
    (qt, qc), (ct, _cc) = q[0], c[0]
    return (
        min(len(qt), len(ct)) < shortest
        and qt.isalpha()
        and ct.isalpha()
        and qt in query.cleaned.split()
        and ct in cand.cleaned.split()
        and (not translated or qc == PLACE)
        # (neither word holds the other: a word run onto its neighbour or cut from it is one name spaced
        # otherwise — HKCO / HK CO, G & M AUTOSS.A.C. / AUTOS S.A.C., 顺发恒业 read "Shunfaheng Ye" /
        # SHUNFA HENGYE)
        and qt not in ct
        and ct not in qt
        # (one edit apart they are a short word's typo, which the letters forgive: PTV / PVT, Wai / Hai —
        # unless the short word is all that names the firm, name_score.character_short_name_distinct)
        and (
            OSA.distance(qt, ct, score_cutoff=2) >= 2
            or (
                short_name
                and sorted(qt) != sorted(ct)
                and pairs is not None
                and _shares_no_proper_word(pairs, q_tokens, c_tokens)
            )
        )
    )


def _shares_no_proper_word(
    pairs: list[tuple[int, int, float, str]], q_tokens: Sequence[Token], c_tokens: Sequence[Token]
) -> bool:
    """Every word two names pair is generic, an industry or institutional word, a legal form, a place or a
    stopword (no proper word, no number): what they share says what the firms are, not which."""
    for i, j, _sim, _how in pairs:
        for t in (q_tokens[i], c_tokens[j]):
            if t.cls == NUMBER or (t.cls == WORD and not _known_word(t.text)):
                return False
    return True


def _sole_words_differ(
    unmatched_q: list[tuple[str, str, float]],
    unmatched_c: list[tuple[str, str, float]],
    pairs: list[tuple[int, int, float, str]],
    q_tokens: Sequence[Token],
    c_tokens: Sequence[Token],
    query: NameAnalysis,
    cand: NameAnalysis,
    institutional: bool,
) -> bool:
    """Two institutions' names that share no distinctive word — every word they pair is generic, an
    industry or institutional word, a legal form, a place or a stopword — and leave one word each unmatched
    (legal forms and stopwords aside), each name's own (a proper word or a place), written as words (not
    parts the analysis cut from a longer word), neither inside the other nor the same letters in another
    order, starting with different letters and two edits apart or more (name_score.
    character_sole_word_distinct): 闽南 Minnan / Lingnan Normal University. An institution is named by its
    place or its founder, the word rules found the two words other words, and the letters are alike through
    the generic words. One edit at the first letter is left to the letters: it is as often a typo (Mefei for
    Hefei University) as another body (赣南 Gannan / Wannan Medical College); so are names sharing a
    distinctive word (Hon Wai / Hon Hai). (A firm's short word one letter off, MCS / MKS International, is
    _short_word_left's, with name_score.character_short_name_distinct.)"""
    q = [(text, cls) for text, cls, _w in unmatched_q if cls not in (STOP, LEGAL)]
    c = [(text, cls) for text, cls, _w in unmatched_c if cls not in (STOP, LEGAL)]
    if len(q) != 1 or len(c) != 1:
        return False
    (qt, qc), (ct, cc) = q[0], c[0]
    if not institutional or qt[:1] == ct[:1] or qc not in (WORD, PLACE) or cc not in (WORD, PLACE):
        return False
    if qt in ct or ct in qt or sorted(qt) == sorted(ct) or OSA.distance(qt, ct, score_cutoff=2) < 2:
        return False
    if qt not in query.cleaned.split() or ct not in cand.cleaned.split():
        return False
    return _shares_no_proper_word(pairs, q_tokens, c_tokens)


@cache
def _known_word(text: str) -> bool:
    """``text`` is one word the vocabulary knows as what an organisation is or does, not who it is: a
    generic organisation word (Tech, Group, Invest), an industry word (Bank, Electronic) or a kind of
    institution (name_score.stem_compound_distinct)."""
    tokens = analyze(text, False).tokens
    if len(tokens) != 1:
        return False
    tok = tokens[0]
    return (
        tok.cls == GENERIC
        or tok.canon in industry_words()
        or tok.canon in vocab().institutional
        or tok.text in vocab().institutional
    )


def _compound_of(shorter: str, longer: str) -> bool:
    """``longer`` is ``shorter`` run onto a word the vocabulary knows (NingboTech = Ningbo + Tech,
    Gazprombank = Gazprom + Bank): a compound naming another body — the tech university of Ningbo, the
    bank of Gazprom —, not the word's stem with an ending (name_score.stem_compound_distinct). The known
    word has four letters or more: a shorter one is as often an ending (PETROCHEMI|CAL, PROMOTO|RES)."""
    rest = longer[len(shorter) :]
    return len(rest) >= 4 and _known_word(rest)


# (a vowel added, dropped or changed at the start of a name is a spelling: Ssad / Asad, Omar / Umar)
_VOWELS: Final = frozenset("aeiou")


def _first_letters_differ(a: str, b: str, alike: Sequence[str]) -> bool:
    """Two person name parts starting with two different Latin consonants that no group of ``alike``
    (name_score.person_first_letters_alike: J / Y, C / K / Q — one sound romanised two ways) holds both
    of: Song / Gong, Jang / Kang are other names when short (word_lengths.person_first_consonant_variant);
    Ssad / Asad (a vowel), Yong / Jong, Qais / Kais are one name spelt two ways."""
    x, y = a[0], b[0]
    if x == y or x in _VOWELS or y in _VOWELS:
        return False
    if not (x.isascii() and y.isascii() and x.isalpha() and y.isalpha()):
        return False
    return not any(x in group and y in group for group in alike)


@cache
def _common_word(text: str) -> bool:
    """``text`` is a word the vocabulary knows (:func:`_known_word`) or one company names at large use
    (more than token_rarity.corpus_reference_count names of the corpus hold it): a word of the language,
    not a name (name_score.abbreviation_known_word)."""
    if _known_word(text):
        return True
    tokens = analyze(text, False).tokens
    return len(tokens) == 1 and corpus_rarity(tokens[0].canon) < 1.0


def _abbreviation_of(query: str, listed: str, same_business: frozenset[str]) -> bool:
    """The shorter of a query word and a list word may abbreviate the longer (name_score.
    abbreviation_known_word). Not when the longer is the shorter run onto another common word of four
    letters or more: a compound's first word is that word, not the compound cut short (Air is not Aircraft
    = Air + Craft, nor Airline). Nor when the query's word is the longer and no common word: the query
    then adds letters to a listed proper name, which names another party (Gazprom is not the listed Gaz,
    Rossiya not Rossi) — unless what it adds is one letter (a typo: AIRR for Air) or a legal form's word
    run onto it (TECHCO for Tech Co.). A query cutting a listed word short (Gazp for Gazprom, Chem for
    Chemical) is still an abbreviation. A compound that names its first word's own business
    (``same_business``, name_score.abbreviation_same_business: Airlines for Air) is no other name."""
    query_longer = len(query) > len(listed)
    short, long = (listed, query) if query_longer else (query, listed)
    if long in same_business:
        return True
    rest = long[len(short) :]
    if len(rest) >= 4 and _common_word(rest):
        return False
    # (one letter more is a typo, AIRR for Air; a legal form's word run onto the listed word is the "two
    # words joined" evasion: SUNWAY TECHCO., LTD)
    return not query_longer or len(rest) == 1 or _common_word(long) or rest in _legal_form_words()


@cache
def _legal_form_words() -> frozenset[str]:
    """The words a legal form starts with (the vocabulary's one-word legal forms, and the first word of the
    others: ltd, llc, gmbh, co of Co., Ltd.): what a name's legal form run onto its last word adds."""
    return frozenset(phrase[0] for phrase in vocab().legal_forms)


def _numbers_differ(a: str, b: str) -> bool:
    """Two Chinese names of numbered bodies whose numbers differ (中国船舶集团有限公司第七二一研究所 /
    …第七一一研究所: name_score.numbered_body_numbers): their letters are alike but for the number, which
    names another institute, as two numbers of a Latin name clash."""
    if not (_has_han(a) and _has_han(b)):
        return False
    na = tuple(s.number for s in chinese_analyse(a).segments if s.kind == NUMERAL)
    nb = tuple(s.number for s in chinese_analyse(b).segments if s.kind == NUMERAL)
    return bool(na and nb) and na != nb


def _other_pinyin(a: Token, b: Token) -> bool:
    """Two pinyin trade names one syllable apart (name_score.pinyin_other_syllables); a place word is left
    to the place rules (a list may misspell a city: ZHENZHEN for Shenzhen)."""
    return a.cls != PLACE and b.cls != PLACE and other_pinyin_name(a.text, b.text)


# how a translated query's run-together pinyin word meets the list word its leading syllables spell
# (name_score.pinyin_head_syllables)
PINYIN_HEAD: Final = "pinyin head"


def _pinyin_head(query_word: str, listed: str) -> bool:
    """Whether ``listed`` is the first two syllables or more of ``query_word`` read as pinyin
    (pinyin_syllables), a syllable or more of it left: 美亚柏科 "Meiyabaike" registered "Meiya Pico",
    永利带业 "Yonglidai Industry" (the trade name 永利 run into 带 of its business, belting) registered
    "Yongli Belting". The head ends where a syllable ends: "Meiyab" is no head."""
    if len(listed) >= len(query_word) or not query_word.startswith(listed):
        return False
    syllables = pinyin_syllables(query_word)
    spelt = 0
    for k, syllable in enumerate(syllables):
        spelt += len(syllable)
        if spelt >= len(listed):
            return spelt == len(listed) and k >= 1 and len(pinyin_syllables(listed)) >= 2
    return False


def _body_kind_company(a: Token, b: Token, query: NameAnalysis, cand: NameAnalysis) -> bool:
    """One word is a kind of teaching or research body (vocabulary body_kinds: University, College,
    Institute, Academy, School) and the other, in a company's name (one with a legal form), names no
    institution (Universe, Universal): a company named so is not the body, and the two words share
    letters, not meaning (name_score.body_kind_morphology_distinct). Without a legal form the word may
    be the kind misspelt as another word ("Harbin Engineering Universe") and still meets."""
    known = vocab()
    kinds, institutional = known.body_kinds, known.institutional
    if a.canon in kinds and b.canon not in institutional:
        other = cand
    elif b.canon in kinds and a.canon not in institutional:
        other = query
    else:
        return False
    return any(t.cls == LEGAL for t in other.tokens)


class SimilarityRules:
    """The numbers of matching.yml that :func:`token_similarity` reads, and those score_or_bound reads of
    every candidate before its early bound, copied from a ScorerConfig once.

    Why: ScorerConfig is an interpreted dataclass, so compiled code (chipguard.native) reads each of its
    fields by a generic attribute lookup; token_similarity reads half a dozen per word pair, tens of
    thousands of pairs a query mix (score_or_bound a dozen per candidate). Compiled, this class's fields
    are read in place."""

    phonetic_syllables: bool
    person_x_is_ks: bool
    name_forms: dict[str, int]
    name_form_members: dict[int, tuple[str, ...]]
    sim_name_form: float
    pinyin_other_syllables: bool
    sound_alike_spelt_first: bool
    spelt_as: dict[str, str]
    pinyin_head_syllables: bool
    sim_pinyin_head: float
    industry_words_distinct: bool
    place_words_distinct: bool
    body_kind_morphology_distinct: bool
    stem_compound_distinct: bool
    abbreviation_known_word: bool
    same_business: frozenset[str]
    body_kind_similarity: float
    translation_synonym_similarity: float
    translation_sense_similarity: float
    sound_alike_similarity: float
    sim_initial: float
    sim_short_typo: float
    typo_per_edit: float
    typo_short_word: float
    typo_very_short_word: float
    typo_translated_pinyin: float
    sim_morphology: float
    sim_phonetic: float
    sim_one_letter_variant: float
    sim_stem: float
    sim_abbreviation: float
    len_other_first_letter: int
    len_short_typo: int
    len_typo: int
    len_typo_two_edits: int
    len_typo_short_word_below: int
    len_typo_very_short_word_below: int
    len_translated_pinyin_below: int
    len_morphology: int
    len_morphology_same_start: int
    len_phonetic: int
    len_one_letter_variant: int
    len_first_consonant_variant: int
    first_letters_alike: tuple[str, ...]
    len_prefix: int
    len_stem: int
    len_sound_alike: int
    # (and what score_or_bound reads of every candidate before its early bound)
    legal_form_displaced: bool
    joined_word_class: bool
    split_word_typo: bool
    place_institutional: float
    place_left_out: bool
    # the cities a company's listed name may start with (name_score.company_city_left_out), empty when off
    left_out_cities: frozenset[str]
    rarity_corpus_share: float
    acronym_min_length: int
    char_floor: float
    translated_unmatched: float
    subset_min_parts: int
    subset_base: float
    subset_token_share: float
    person_extra_penalty: float
    subset_cap: float
    person_clash_penalty: float
    len_translated_anchor_stem: int
    # (and what token_weight reads of every token: the weights of its classes)
    class_weights: dict[str, float]
    word: float
    person_token: float

    def __init__(self, cfg: ScorerConfig) -> None:
        self.phonetic_syllables = cfg.phonetic_syllables
        self.person_x_is_ks = cfg.person_x_is_ks
        # a form of a person's name part → the number of its name (name_score.person_name_forms; empty
        # when off: no word is then looked up)
        files = name_form_files(cfg)
        self.name_forms = person_name_forms(files) if files else {}
        members: dict[int, list[str]] = {}
        for form, name in sorted(self.name_forms.items()):
            members.setdefault(name, []).append(form)
        self.name_form_members = {name: tuple(forms) for name, forms in members.items()}
        self.sim_name_form = cfg.sim_person_name_form
        self.pinyin_other_syllables = cfg.pinyin_other_syllables
        self.sound_alike_spelt_first = cfg.sound_alike_spelt_first
        # a pinyin first letter → the English first letters a sound-alike may start with (none when off)
        self.spelt_as = dict(SPELT_AS) if cfg.sound_alike_spelt_first else {}
        self.pinyin_head_syllables = cfg.pinyin_head_syllables
        self.sim_pinyin_head = cfg.sim_pinyin_head
        self.industry_words_distinct = cfg.industry_words_distinct
        self.place_words_distinct = cfg.place_words_distinct
        self.body_kind_morphology_distinct = cfg.body_kind_morphology_distinct
        self.stem_compound_distinct = cfg.stem_compound_distinct
        self.abbreviation_known_word = cfg.abbreviation_known_word
        self.same_business = frozenset(cfg.abbreviation_same_business)
        self.body_kind_similarity = cfg.body_kind_similarity
        self.translation_synonym_similarity = cfg.translation_synonym_similarity
        self.translation_sense_similarity = cfg.translation_sense_similarity
        self.sound_alike_similarity = cfg.sound_alike_similarity
        self.sim_initial = cfg.sim_initial
        self.sim_short_typo = cfg.sim_short_typo
        self.typo_per_edit = cfg.typo_per_edit
        self.typo_short_word = cfg.typo_short_word
        self.typo_very_short_word = cfg.typo_very_short_word
        self.typo_translated_pinyin = cfg.typo_translated_pinyin
        self.sim_morphology = cfg.sim_morphology
        self.sim_phonetic = cfg.sim_phonetic
        self.sim_one_letter_variant = cfg.sim_one_letter_variant
        self.sim_stem = cfg.sim_stem
        self.sim_abbreviation = cfg.sim_abbreviation
        self.len_other_first_letter = cfg.len_other_first_letter
        self.len_short_typo = cfg.len_short_typo
        self.len_typo = cfg.len_typo
        self.len_typo_two_edits = cfg.len_typo_two_edits
        self.len_typo_short_word_below = cfg.len_typo_short_word_below
        self.len_typo_very_short_word_below = cfg.len_typo_very_short_word_below
        self.len_translated_pinyin_below = cfg.len_translated_pinyin_below
        self.len_morphology = cfg.len_morphology
        self.len_morphology_same_start = cfg.len_morphology_same_start
        self.len_phonetic = cfg.len_phonetic
        self.len_one_letter_variant = cfg.len_one_letter_variant
        self.len_first_consonant_variant = cfg.len_first_consonant_variant
        self.first_letters_alike = cfg.person_first_letters_alike
        self.len_prefix = cfg.len_prefix
        self.len_stem = cfg.len_stem
        self.len_sound_alike = cfg.len_sound_alike
        self.legal_form_displaced = cfg.legal_form_displaced
        self.joined_word_class = cfg.joined_word_class
        self.split_word_typo = cfg.split_word_typo
        self.place_institutional = cfg.place_institutional
        self.place_left_out = cfg.place_left_out
        self.left_out_cities = company_city_words() if cfg.city_left_out else frozenset()
        self.rarity_corpus_share = cfg.rarity_corpus_share
        self.acronym_min_length = cfg.acronym_min_length
        self.char_floor = cfg.char_floor
        self.translated_unmatched = cfg.translated_unmatched
        self.subset_min_parts = cfg.subset_min_parts
        self.subset_base = cfg.subset_base
        self.subset_token_share = cfg.subset_token_share
        self.person_extra_penalty = cfg.person_extra_penalty
        self.subset_cap = cfg.subset_cap
        # (never below 0 here: the early bound takes it off as a sure penalty)
        self.person_clash_penalty = max(cfg.person_clash_penalty, 0.0)
        self.len_translated_anchor_stem = cfg.len_translated_anchor_stem
        self.class_weights = {
            LEGAL: float(cfg.legal_form),
            ADMIN: float(cfg.admin),
            STOP: float(cfg.stopword),
            GENERIC: float(cfg.generic),
            PLACE: float(cfg.place),
            COUNTRY: float(cfg.country),
            NUMBER: float(cfg.number),
            INITIAL: float(cfg.initial),
        }
        self.word = float(cfg.word)
        self.person_token = float(cfg.person_token)


# the rules of each ScorerConfig met, by its identity (each value holds its config, so an identity is never
# reused while it is kept; a process meets one or two)
_RULES: dict[int, tuple[ScorerConfig, SimilarityRules]] = {}


# the config met last and its rules, as one tuple (replaced whole: a thread reads a config and its own
# rules, never another's)
_LAST_RULES: list[tuple[ScorerConfig, SimilarityRules]] = []


def similarity_rules(cfg: ScorerConfig) -> SimilarityRules:
    """The SimilarityRules of ``cfg`` (made once per config).

    Why the last one first: every candidate's scoring asks (bench.scale's 2,000 queries: ~38 k asks), a
    process meets one config, and an identity test is a few instructions where ``id()`` (a new int) and
    a dict look-up were ~850 (callgrind)."""
    if _LAST_RULES:
        last = _LAST_RULES[0]
        if last[0] is cfg:
            return last[1]
    found = _RULES.get(id(cfg))
    if found is not None and found[0] is cfg:
        rules = found[1]
    else:
        if len(_RULES) >= 64:
            _RULES.clear()
        rules = SimilarityRules(cfg)
        _RULES[id(cfg)] = (cfg, rules)
    if _LAST_RULES:
        _LAST_RULES[0] = (cfg, rules)
    else:
        _LAST_RULES.append((cfg, rules))
    return rules


def _very_short(shorter: int, cfg: SimilarityRules) -> float:
    """What a very short word one letter off loses besides (similarity.typo_very_short_word below
    word_lengths.typo_very_short_word_below): one edit in four letters changes a quarter of the word, and
    such a word is often another real word (Adam / Adag, Aqsa / Aqua, Lang / Wang), not a typo."""
    return cfg.typo_very_short_word if shorter < cfg.len_typo_very_short_word_below else 0.0


def token_similarity(
    a: Token,
    b: Token,
    person: bool,
    translated: bool = False,
    config: ScorerConfig | None = None,
    institutional: bool = False,
) -> tuple[float, str]:
    """Similarity of two tokens in [0, 1] and how it was reached. ``translated``: ``a`` comes from a
    word-by-word translation (Chinese → English), whose choice among near-synonyms is arbitrary;
    ``institutional``: one of the names is an institution's (its place is part of its identity)."""
    return _similarity(a, b, person, translated, similarity_rules(config or scorer_config()), institutional)


def _similarity(
    a: Token, b: Token, person: bool, translated: bool, cfg: SimilarityRules, institutional: bool
) -> tuple[float, str]:
    """:func:`token_similarity` with the rules of its config (``cfg``: see SimilarityRules)."""
    if a.canon == b.canon:
        return 1.0, "exact" if a.text == b.text else "equivalent"
    if a.cls == NUMBER or b.cls == NUMBER or a.cls == LEGAL or b.cls == LEGAL:
        return 0.0, ""
    if person and cfg.name_forms:
        # the lists give both as one person's name part (Sergey / Serhiy: name_score.person_name_forms)
        name_of = cfg.name_forms.get(a.text, -1)
        if name_of >= 0 and cfg.name_forms.get(b.text, -2) == name_of:
            return cfg.sim_name_form, NAME_FORM
    if translated and a.cls == PLACE and b.cls == PLACE:
        # a translated place is spelt from its characters, not typed: Zhanjiang is not a typo of Zhejiang
        return 0.0, ""
    if translated and not person:
        known = vocab()
        kinds = known.body_kinds
        if a.canon in kinds and b.canon in kinds:
            # 学院 is registered as College, Institute or University alike; between two English names
            # the kind stays a difference (Beijing Institute vs University of Technology)
            return cfg.body_kind_similarity, "kind of body"
        synonyms = known.translation_synonyms
        group = synonyms.get(a.text, synonyms.get(a.canon))
        if group is not None and group == synonyms.get(b.text, synonyms.get(b.canon)):
            # 海洋 is "Ocean" word by word and "Marine" in the registered name
            return cfg.translation_synonym_similarity, "translation synonym"
        if cfg.translation_sense_similarity > 0:
            # 卫生 is "Health" word by word and "Hygiene" in the registered name: another sense of the word
            senses = translation_senses()
            also = senses.get(a.text, senses.get(a.canon))
            if also is not None and (b.text in also or b.canon in also):
                return cfg.translation_sense_similarity, "another sense"
    ta, tb = a.text, b.text
    # the lengths each rule needs are word_lengths.* of matching.yml (cfg.len_*)
    # a translated word's first letter may be the other's spelt otherwise, for the sound rule
    # (name_score.sound_alike_spelt_first: Wanke / Vanke)
    spelt_first = False
    if ta[:1] != tb[:1]:
        spelt_first = translated and tb[:1] in cfg.spelt_as.get(ta[:1], "-")
        if (
            not person
            and (len(ta) < cfg.len_other_first_letter or len(tb) < cfg.len_other_first_letter)
            and not spelt_first
        ):
            # every organisation rule below (typo, morphology, stem, sound) needs the same first letter,
            # or, for a typo, long words on both sides: decide at once, this runs for every word pair
            return 0.0, ""
    if not (ta.isascii() and tb.isascii()) and (_has_han(ta) or _has_han(tb)):
        # each Chinese character is a word: 北京化工大学 is not a typo of 北京理工大学
        return 0.0, ""
    la, lb = len(ta), len(tb)
    if (
        translated
        and cfg.pinyin_head_syllables
        and not person
        and a.cls == WORD
        and b.cls == WORD
        and la > lb >= cfg.len_prefix
        and ta.startswith(tb)
        and ta.isalpha()
        and _pinyin_head(ta, tb)
    ):
        # the list's trade name is the head of a run-together pinyin word, which ran on into its next
        # word's syllables (name_score.pinyin_head_syllables)
        return cfg.sim_pinyin_head, PINYIN_HEAD
    if person and (la == 1 or lb == 1):
        return (cfg.sim_initial, "initial") if ta[0] == tb[0] else (0.0, "")
    shorter = min(la, lb)
    if (
        person
        and shorter == cfg.len_short_typo
        and ta[0] == tb[0]
        and abs(la - lb) <= 1
        and OSA.distance(ta, tb, score_cutoff=1) <= 1
    ):
        return cfg.sim_short_typo, "typo"
    if shorter >= cfg.len_typo:
        allowed = 1 if shorter < cfg.len_typo_two_edits else 2
        # (no edit changes a word's length by more than one letter: words further apart in length than the
        # edits allowed are not measured, most of a name's word pairs)
        dist = OSA.distance(ta, tb, score_cutoff=2) if abs(la - lb) <= allowed else 3
        if dist > allowed and person and cfg.person_x_is_ks and ("x" in ta) != ("x" in tb):
            # a person's x written ks (Alexander / Aleksandr, Aleksei / Alexei, Maxim / Maksim): one edit,
            # whatever the letters count (name_score.person_x_is_ks)
            xa, xb = ta.replace("x", "ks"), tb.replace("x", "ks")
            if abs(len(xa) - len(xb)) < allowed:
                dist = min(dist, OSA.distance(xa, xb, score_cutoff=2) + 1)
        # a typo rarely hits the first letter of a short word ("Anna" is not "Banna")
        if (
            dist <= allowed
            and (shorter >= cfg.len_other_first_letter or ta[0] == tb[0])
            and not (cfg.pinyin_other_syllables and translated and not person and _other_pinyin(a, b))
            and not (cfg.industry_words_distinct and not person and _industry_pair(a, b))
            and not (cfg.place_words_distinct and not person and _place_pair(a, b, institutional))
        ):
            # in a translated query a short pinyin word one letter off is mostly another word
            # (Dongbei "north-east" vs Dongmei), not a typo
            short_pinyin = translated and shorter < cfg.len_translated_pinyin_below and ta.isalpha()
            return (
                1.0
                - cfg.typo_per_edit * dist
                - (cfg.typo_short_word if shorter < cfg.len_typo_short_word_below else 0.0)
                # a translated query's short pinyin word has its own (larger) deduction
                - (cfg.typo_translated_pinyin if short_pinyin else _very_short(shorter, cfg))
            ), "typo"
    if (
        not person
        and shorter >= cfg.len_morphology
        and ta[: cfg.len_morphology_same_start] == tb[: cfg.len_morphology_same_start]
        and morph_variants(ta, tb)
        and not (cfg.pinyin_other_syllables and translated and _other_pinyin(a, b))
    ):
        # "Chemistry"/"Chemical", "Finance"/"Financial": a translated word and the registered form
        return cfg.sim_morphology, "morphology"
    if (
        person
        and shorter >= cfg.len_phonetic
        and a.phonetic
        and a.phonetic == b.phonetic
        and ta[:1] == tb[:1]
        and (not cfg.phonetic_syllables or syllable_key(ta) == syllable_key(tb))
    ):
        return cfg.sim_phonetic, "phonetic"
    if person and shorter >= cfg.len_one_letter_variant and la == lb and Hamming.distance(ta, tb) == 1:
        if shorter < cfg.len_first_consonant_variant and _first_letters_differ(
            ta, tb, cfg.first_letters_alike
        ):
            # Song / Gong, Jang / Kang: a short name with another first consonant is another name
            # (word_lengths.person_first_consonant_variant); Ssad / Asad, Yong / Jong are one name
            return 0.0, ""
        # Gates / Cates: one letter, same length (Lang / Wang: a quarter of a four-letter name)
        return cfg.sim_one_letter_variant - _very_short(shorter, cfg), "one-letter-variant"
    if person and cfg.name_forms and shorter >= cfg.len_typo:
        # a form of the name spelt one edit off (Oleksii for the listed Oleksiy, a form of Aleksey): the
        # form's similarity less one edit's (name_score.person_name_forms)
        form_a, form_b = cfg.name_forms.get(ta, -1), cfg.name_forms.get(tb, -1)
        if (form_a >= 0) != (form_b >= 0):
            listed, other = (form_a, tb) if form_a >= 0 else (form_b, ta)
            for spelt in cfg.name_form_members[listed]:
                if spelt[0] == other[0] and OSA.distance(spelt, other, score_cutoff=1) <= 1:
                    return cfg.sim_name_form - cfg.typo_per_edit, NAME_FORM
    if (
        not person
        and shorter >= cfg.len_prefix
        and (tb.startswith(ta) or ta.startswith(tb))
        and ta[0].isalpha()
        and not (cfg.place_words_distinct and _place_pair(a, b, institutional))
    ):
        # "Evolution"/"Evolutionary" share a stem; "Inst"/"Institute" is an abbreviation
        if shorter < cfg.len_stem:
            if (
                cfg.abbreviation_known_word
                and not translated
                and not _abbreviation_of(ta, tb, cfg.same_business)
            ):
                # Gazprom for the listed Gaz, Rossiya for Rossi, Air / Aircraft: other names, not one
                # shortened (name_score.abbreviation_known_word; a is the query's word, b the list's)
                return 0.0, ""
            return cfg.sim_abbreviation, "abbreviation"
        if cfg.stem_compound_distinct and la < lb and _compound_of(ta, tb):
            # NingboTech is not Ningbo (name_score.stem_compound_distinct)
            return 0.0, ""
        return cfg.sim_stem, "stem"
    if (
        translated
        and not person
        and shorter >= cfg.len_sound_alike
        and (ta[:1] == tb[:1] or spelt_first)  # (sounds_alike's own first test, without the call)
        and ta.isalpha()
        and tb.isalpha()
        and sounds_alike(ta, tb, spelt_first)
        # (a first letter spelt otherwise only for a coined brand, not a word of the language: Yinji is
        # no "Institute", Kangshun no "Consulting")
        and (ta[:1] == tb[:1] or not _common_word(tb))
    ):
        # 利亚德 "Liyade" registered as "Leyard": the English trade name imitates the Chinese sound
        return cfg.sound_alike_similarity, "sounds alike"
    return 0.0, ""


@dataclass(slots=True)
class Pair:
    query: str
    candidate: str
    similarity: float
    how: str
    weight: float

    # (written out, not generated: compiled by chipguard.native, an __init__ of the class's own is a
    # native one, where the dataclass's is interpreted — ~0.7 µs a pair, a dozen pairs per query; the
    # same arguments, defaults and attributes)
    def __init__(self, query: str, candidate: str, similarity: float, how: str, weight: float) -> None:
        self.query = query
        self.candidate = candidate
        self.similarity = similarity
        self.how = how
        self.weight = weight


@dataclass(slots=True)
class Scored:
    score: float
    token_score: float
    char_score: float
    person: bool
    pairs: list[Pair] = field(default_factory=list)
    unmatched_query: list[tuple[str, str, float]] = field(default_factory=list)  # (text, class, weight)
    unmatched_candidate: list[tuple[str, str, float]] = field(default_factory=list)
    penalties: list[dict[str, Any]] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    acronym: bool = False
    subset: bool = False
    # which rule gave the name score before penalties (a FEATURES name: token_alignment, person_subset,
    # character_similarity, acronym, symbol) and what it was computed from
    basis: str = "token_alignment"
    base_detail: dict[str, Any] = field(default_factory=dict)

    # (written out, as Pair's: ~3 µs a Scored through the dataclass's interpreted __init__; a list or
    # dict left out is a new empty one, as the fields' default factories make)
    def __init__(
        self,
        score: float,
        token_score: float,
        char_score: float,
        person: bool,
        pairs: list[Pair] | None = None,
        unmatched_query: list[tuple[str, str, float]] | None = None,
        unmatched_candidate: list[tuple[str, str, float]] | None = None,
        penalties: list[dict[str, Any]] | None = None,
        merges: list[str] | None = None,
        acronym: bool = False,
        subset: bool = False,
        basis: str = "token_alignment",
        base_detail: dict[str, Any] | None = None,
    ) -> None:
        self.score = score
        self.token_score = token_score
        self.char_score = char_score
        self.person = person
        self.pairs = [] if pairs is None else pairs
        self.unmatched_query = [] if unmatched_query is None else unmatched_query
        self.unmatched_candidate = [] if unmatched_candidate is None else unmatched_candidate
        self.penalties = [] if penalties is None else penalties
        self.merges = [] if merges is None else merges
        self.acronym = acronym
        self.subset = subset
        self.basis = basis
        self.base_detail = {} if base_detail is None else base_detail

    def swapped(self) -> Scored:
        """The same result with the two sides exchanged: a list name that is a word-by-word translation
        is scored in the query's seat (where the translation rules apply) and reported back as the list
        side."""
        return Scored(
            score=self.score,
            token_score=self.token_score,
            char_score=self.char_score,
            person=self.person,
            pairs=[Pair(p.candidate, p.query, p.similarity, p.how, p.weight) for p in self.pairs],
            unmatched_query=list(self.unmatched_candidate),
            unmatched_candidate=list(self.unmatched_query),
            penalties=[
                {**p, "query": p["list"], "list": p["query"]} if "query" in p and "list" in p else p
                for p in self.penalties
            ],
            merges=list(self.merges),
            acronym=self.acronym,
            subset=self.subset,
            basis=self.basis,
            base_detail=dict(self.base_detail),
        )

    def explain(self) -> dict[str, Any]:
        return {
            "mode": "person" if self.person else "organisation",
            "token_score": round(self.token_score, 4),
            "char_score": round(self.char_score, 4),
            "alignment": [
                {
                    "query": p.query,
                    "candidate": p.candidate,
                    "similarity": round(p.similarity, 3),
                    "how": p.how,
                    "weight": round(p.weight, 3),
                }
                for p in self.pairs
            ],
            "unmatched_query": [
                {"token": t, "class": c, "weight": round(w, 3)} for t, c, w in self.unmatched_query
            ],
            "unmatched_candidate": [
                {"token": t, "class": c, "weight": round(w, 3)} for t, c, w in self.unmatched_candidate
            ],
            "merged_tokens": self.merges,
            "acronym_match": self.acronym,
            "subset_match": self.subset,
            "penalties": list(self.penalties),
        }

    def features(self, extra: list[dict[str, Any]], score: float) -> list[dict[str, Any]]:
        """The features that made ``score`` (this name score with the pair's ``extra`` penalties), the
        way nomenklatura's logic-v2 explains a score: each feature's name, its weight from matching.yml,
        its value and its contribution (weight × value). The contributions add up to ``score``: the
        name score's basis, every penalty, and — when the sum left the range 0…1 — ``score_range``, the
        amount by which the score was held at 0 or 1 (each figure rounded to four decimals)."""
        w = scorer_config()
        out: list[dict[str, Any]] = []
        if self.basis == "character_similarity":
            out.append(
                _feature(
                    "character_similarity",
                    1.0,
                    self.char_score,
                    self.char_score - w.char_margin,
                    f"the names' letters {self.char_score:.4f} alike, less the margin {w.char_margin}",
                )
            )
        elif self.basis in ("acronym", "symbol"):
            weight = w.acronym_score if self.basis == "acronym" else w.symbol_score
            detail = (
                "a one-word name is the other's acronym"
                if self.basis == "acronym"
                else "a one-word name is a symbol of the other (symbols.yml)"
            )
            out.append(_feature(self.basis, weight, 1, weight, detail))
        elif self.basis == "person_subset":
            d = self.base_detail
            out.append(
                _feature(
                    "person_subset",
                    1.0,
                    self.token_score,
                    self.token_score,
                    f"every part of the shorter name found exactly in the longer: {w.subset_base} + "
                    f"{w.subset_token_share} × alignment {d.get('alignment', 0.0):.4f} − "
                    f"{w.person_extra_penalty} × {d.get('extra_parts', 0)} part(s) on one side only "
                    f"(at most {w.subset_cap})",
                )
            )
        else:
            out.append(
                _feature(
                    "token_alignment",
                    1.0,
                    self.token_score,
                    self.token_score,
                    "the weighted share of both names' words that pair up (see alignment)",
                )
            )
        for p in [*self.penalties, *extra]:
            value = float(p.get("amount", 1))
            weight = float(p["weight"]) if "weight" in p else float(p["value"])
            out.append(
                _feature(str(p.get("feature", "penalty")), weight, value, float(p["value"]), p["reason"])
            )
        total = sum(f["_exact"] for f in out)
        if abs(score - total) > 1e-9:
            out.append(
                _feature("score_range", 1.0, score - total, score - total, "the score is held within 0 and 1")
            )
        for f in out:
            del f["_exact"]
        return out


def _feature(name: str, weight: float, value: float, contribution: float, detail: str) -> dict[str, Any]:
    """One feature of a score as an explanation shows it (``_exact``: the unrounded contribution)."""
    return {
        "feature": name,
        "weight": round(weight, 4),
        "value": round(value, 4),
        "contribution": round(contribution, 4),
        "detail": detail,
        "_exact": contribution,
    }


def _join_adjacent(
    side: list[Token] | tuple[Token, ...],
    join: Callable[[Token, Token], Token | None],
    merges: list[str],
    label: str,
    note: str,
) -> list[Token]:
    """Walks ``side``'s adjacent pairs left to right and puts ``join(a, b)``'s token in their place when it
    gives one (the pair is then used up), noting each join in ``merges``. The one walk behind
    _merge_adjacent and _merge_split_typo, which differ only in when two words join."""
    out: list[Token] = []
    i = 0
    n = len(side)
    while i < n:
        if i + 1 < n:
            a, b = side[i], side[i + 1]
            joined = join(a, b)
            if joined is not None:
                out.append(joined)
                merges.append(f"{label}: '{a.text}' + '{b.text}' → '{joined.text}'{note}")
                i += 2
                continue
        out.append(side[i])
        i += 1
    return out


def _merge_adjacent(
    side: tuple[Token, ...],
    other: tuple[Token, ...],
    other_texts: frozenset[str],
    merges: list[str],
    label: str,
    legal: bool,
    own_class: bool,
) -> tuple[Token, ...]:
    """Joins adjacent tokens of ``side`` whose concatenation is a token of the other name that neither
    part equals ("tech nology" → "technology", "luoyang weimi" ↔ "luoyangweimi"); with ``legal``
    (matching.yml ``name_score.legal_form_displaced``) a word and a one-word legal form too: "Dena Tankers
    FZE" written "DENA TANKERSFZE", "LLCVEB SERVICE" — the other name holds the same letters in the same
    order, only a space is lost (the analysis cannot split "fze" or "sa" off every word that ends in
    them: "Mimosa" is a name).

    The joined word is the other name's word (``other``, whose texts are ``other_texts``), class and all:
    "She nzhen" joined is the place Shenzhen, as the name spelt right reads it — a word's class of its own
    would weigh a misspelt place as a proper word and score the misspelling above the right spelling
    (``own_class``: matching.yml ``name_score.joined_word_class``; off: a word's class, or a number's)."""
    if len(side) < 2:
        return side

    def join(a: Token, b: Token) -> Token | None:
        joined = a.text + b.text
        if (
            joined in other_texts
            and not (a.text in other_texts and b.text in other_texts)
            and (a.cls != LEGAL and b.cls != LEGAL or legal and a.cls != b.cls and " " not in joined)
        ):
            if own_class:
                for t in other:
                    if t.text == joined:
                        return t
            return Token(joined, joined, NUMBER if joined.isdigit() else WORD, "")
        return None

    out = _join_adjacent(side, join, merges, label, "")
    return tuple(out) if len(out) != len(side) else side


def _merge_split_typo(
    side: tuple[Token, ...],
    side_texts: frozenset[str],
    other: tuple[Token, ...],
    other_texts: frozenset[str],
    merges: list[str],
    label: str,
    min_length: int,
) -> tuple[Token, ...]:
    """Joins two adjacent words of ``side`` whose concatenation is one edit (a letter changed, added,
    dropped, or two swapped) from a word of the other name of ``min_length`` letters or more, starting
    with the same letter: a typo in a word the analysis splits on one side only ("MOKU GOLDIMNES" vs the
    listed "MOKU GOLDMINES", read "gold mines"; "PERTOCHEMICALS", read "perto chemicals", vs
    "PETROCHEMICALS"). The joined word then meets the other as a typo (token_similarity). ``side_texts``
    and ``other_texts``: the two names' words (NameAnalysis.texts). ``side`` itself when nothing joins."""
    targets = [
        t.text
        for t in other
        if len(t.text) >= min_length and t.cls in (WORD, GENERIC) and t.text not in side_texts
    ]
    if not targets:
        return side
    # most pairs of names join nothing: every adjacent pair is looked at once, and the walk that joins
    # (with its list of tokens) is made only when some pair would (the walk joins no pair this one does not)
    for k in range(len(side) - 1):
        if _split_typo_join(side[k], side[k + 1], targets, other_texts) is not None:
            break
    else:
        return side

    def join(a: Token, b: Token) -> Token | None:
        return _split_typo_join(a, b, targets, other_texts)

    out = _join_adjacent(side, join, merges, label, " (a typo)")
    return tuple(out) if len(out) != len(side) else side


def _split_typo_join(a: Token, b: Token, targets: list[str], other_texts: frozenset[str]) -> Token | None:
    """_merge_split_typo's joined word of adjacent words ``a`` and ``b`` (None when they do not join)."""
    if a.cls not in (WORD, GENERIC) or b.cls not in (WORD, GENERIC):
        return None
    length = len(a.text) + len(b.text)
    first = a.text[:1]
    if (
        any(abs(len(t) - length) <= 1 and t[0] == first for t in targets)
        and a.text not in other_texts
        and b.text not in other_texts
    ):
        joined = a.text + b.text
        if joined.isalpha() and any(OSA.distance(t, joined, score_cutoff=1) <= 1 for t in targets):
            return Token(joined, joined, WORD, "")
    return None


PATRONYMIC: Final = frozenset({"bin", "ibn", "bint", "ben", "ould"})


def _patronymic_reversal(q: tuple[Token, ...], c: tuple[Token, ...]) -> dict[str, Any] | None:
    """ "Ahmad bin Hasan" (Ahmad, son of Hasan) is not "Hasan bin Ahmad": the names right before and
    right after "bin"/"ibn" swapped places."""

    def around(tokens: tuple[Token, ...]) -> tuple[str, str] | None:
        texts = [t.text for t in tokens]
        for k, text in enumerate(texts):
            if text in PATRONYMIC and 0 < k < len(texts) - 1:
                return texts[k - 1], texts[k + 1]
        return None

    a, b = around(q), around(c)
    if a and b and a[0] != a[1] and a == (b[1], b[0]):
        return {
            "feature": "patronymic_reversal",
            "reason": "given name and patronymic (bin/ibn) swapped",
            "query": list(a),
            "list": list(b),
            "value": -scorer_config().patronymic_penalty,
        }
    return None


def _institutional_weight(tok: Token, weight: float, w: ScorerConfig, inst: frozenset[str]) -> float:
    if tok.cls == GENERIC and tok.canon not in inst and tok.text not in inst:
        return max(weight, w.generic_institutional)
    return weight


def weights_of(a: NameAnalysis, rarity: RarityFn | None, person: bool) -> tuple[float, ...]:
    """Token weights of one analysed name (precomputed per list entry at index build)."""
    return tuple(token_weight(t, rarity, person) for t in a.tokens)


# a margin for the early bound's rounding: floating-point sums of different terms may differ in the last
# bits, and the early bound must never rule out a pair the exact one keeps
_ROUNDING: Final = 1e-9


class QueryWords:
    """What score_or_bound reads of the query name's own words, whatever the candidate: each word's first
    letter, length and whether a translation table holds it, the weights' total (and with an institution's
    place weights), whether the name holds a word of a multi-word legal form or such a legal form itself.
    Made once per query form and scoring mode (pairs.score_candidates), beside the weights it reads.

    Why: a query meets a dozen candidates or more, most ruled out by a bound after reading little more
    than these and the candidate's words — read again for each, they were ~70 M of bench.scale's 2,000
    queries (callgrind). score_or_bound reads them only while it scores this analysis as it is, with
    these weights, in this mode (no word merged: a merge makes it read the name again)."""

    def __init__(
        self,
        query: NameAnalysis,
        weights: tuple[float, ...],
        person: bool,
        translated: bool,
        rules: SimilarityRules,
    ) -> None:
        self.query = query
        self.weights = weights
        self.rules = rules
        self.person = person
        self.translated = translated
        tokens = query.tokens
        self.firsts: tuple[str, ...] = tuple([t.text[:1] for t in tokens])
        self.lengths: tuple[int, ...] = tuple([len(t.text) for t in tokens])
        tables = translated and not person
        table = _table_words(rules.translation_sense_similarity > 0) if tables else _NO_KINDS
        self.in_tables: tuple[bool, ...] = tuple(
            [tables and (t.canon in table or t.text in table) for t in tokens]
        )
        self.total = sum((x for x in weights), 0.0)
        place_weight = rules.place_institutional
        self.placed = (
            tuple([place_weight if t.cls == PLACE else x for t, x in zip(tokens, weights, strict=True)])
            if any(t.cls == PLACE for t in tokens)
            else weights
        )
        self.placed_total = sum((x for x in self.placed), 0.0)
        # whether the name names a place (names_place), read on first need: only a candidate that is an
        # institution's name starting with a place asks (-1: not read yet)
        self.place_named = -1
        self.stray_words = legal_phrase_words()
        self.holds_stray = not self.stray_words.isdisjoint(query.texts)
        self.legal_phrase = any(t.cls == LEGAL and " " in t.text for t in tokens)

    def names_place(self) -> bool:
        """Whether the query names a place anywhere (:func:`names_place`), read once."""
        if self.place_named < 0:
            self.place_named = 1 if names_place(self.query.tokens) else 0
        return self.place_named == 1


# score_or_bound's words of kinds of body and translation synonyms when no table applies
_NO_KINDS: Final[frozenset[str]] = frozenset()


@cache
def _table_words(senses: bool) -> frozenset[str]:
    """The words a translated organisation's pair may pair across first letters by, as one set: the kinds
    of body and the translation synonyms (vocabulary.yml), with ``senses`` also the words of the sense table
    (names/vocab.translation_senses). Looked up by a word's text and its canonical form — two lookups
    a word where the tables took three (five with the senses); a word found by a form its own table does
    not key only lets a pair reach token_similarity, which decides."""
    known = vocab()
    words = set(known.body_kinds) | set(known.translation_synonyms)
    if senses:
        words |= set(translation_senses())
    return frozenset(words)


_NO_FORMS: Final[dict[str, int]] = {}
_NO_SPELLINGS: Final[dict[str, str]] = {}
_NO_POSITIONS: Final[tuple[int, ...]] = ()

# a matched pair of these is weighed by its list word alone (score_or_bound)
_LIST_WEIGHED: Final = ("typo", "phonetic", "abbreviation")
# the feature of a pair whose listed institution's leading place the query left out
# (name_score.institution_place_left_out): the hit is potential at most on the name alone
PLACE_LEFT_OUT: Final = "place_left_out"
# how a person's two name parts meet when the lists give both as one name (name_score.person_name_forms)
NAME_FORM: Final = "name form"


def _early_bound(exact: float, gain: float, unmatched: float, subset: bool, w: SimilarityRules) -> float:
    """An upper bound of a pair's score (before penalties, which only lower it): its words' alignment
    scores ``matched / (matched_weight + unmatched_weight)``, where the pairs' matched weight is at least
    what they match (similarity ≤ 1) and at most ``exact`` (the equal words' weights) plus ``gain`` (the
    most the other pairs can weigh, each at its similarity), and ``unmatched`` is at most the weight left
    unmatched (the corpus factor ≤ 1 only lowers a matched word, institutional weights only raise an
    unmatched one). ``subset``: a person's subset rule may apply, at most base + share × that bound less
    one extra part's penalty, at most the cap."""
    best = exact + gain
    bound = best / (best + unmatched) if best > 0 else 0.0
    if subset:
        lifted = w.subset_base + w.subset_token_share * bound - w.person_extra_penalty
        bound = max(bound, min(lifted, w.subset_cap))
    return bound


def _pairs_bound(
    gains: list[tuple[int, int, float, bool]],
    q_w: tuple[float, ...],
    c_w: tuple[float, ...],
    exact: float,
    total_all: float,
    unmatched_share: float,
    person: bool,
    equal_pairs: int,
    w: SimilarityRules,
) -> float:
    """:func:`_early_bound` of a pair whose words left may pair up as ``gains`` says: (query word, list
    word, the most the pair adds to the matched weight, whether it may be a person's pair alike at 0.99
    or more, which the subset rule counts). Each word pairs with its best partner, at most m = the fewer
    words with a partner on either side; a word with no partner, and the lightest of the surplus on the
    side with more, stay unmatched. ``exact``: the weight of the ``equal_pairs`` pairs of equal words;
    ``total_all``: both names' weight."""
    unmatched = total_all - exact
    gain = 0.0
    alike_q: set[int] = set()
    alike_c: set[int] = set()
    if gains:
        best_q: dict[int, float] = {}
        best_c: dict[int, float] = {}
        for i, j, g, same in gains:
            if same:
                alike_q.add(i)
                alike_c.add(j)
            if g > best_q.get(i, -1.0):
                best_q[i] = g
            if g > best_c.get(j, -1.0):
                best_c[j] = g
        fq = [q_w[i] for i in best_q]
        fc = [c_w[j] for j in best_c]
        m = min(len(fq), len(fc))
        # (sums over generators throughout: compiled, a generator's sum is a loop of float additions in
        # place, a list's a call of the builtin — the same additions in the same order)
        unmatched -= sum((x for x in fq), 0.0) + sum((x for x in fc), 0.0)
        unmatched += sum((x for x in sorted(fq)[: len(fq) - m]), 0.0) + sum(
            (x for x in sorted(fc)[: len(fc) - m]), 0.0
        )
        gain = min(
            sum((x for x in sorted(best_q.values(), reverse=True)[:m]), 0.0),
            sum((x for x in sorted(best_c.values(), reverse=True)[:m]), 0.0),
        )
    subset = person and equal_pairs + min(len(alike_q), len(alike_c)) >= w.subset_min_parts
    return _early_bound(exact, gain, unmatched_share * unmatched, subset, w)


def _may_pairs_bound(
    may_q: list[int],
    may_c: list[int],
    rest_q: list[int],
    rest_c: list[int],
    q_w: tuple[float, ...],
    c_w: tuple[float, ...],
    exact: float,
    total_all: float,
    unmatched_share: float,
    person: bool,
    equal_pairs: int,
    w: SimilarityRules,
) -> float:
    """An upper bound of the bound score_or_bound reaches once it has compared the word pairs that may pair
    up (``may_q[k]`` with ``may_c[k]``, words of ``rest_q`` and ``rest_c``; :func:`_pairs_bound`), known
    before any comparison: every such pair taken alike at 1. A list word then adds at most 2·max(its
    weight, the mean of its weight and the heaviest query word it may pair with) — the most either
    weighting of a pair gives it (score_or_bound: a typo, phonetic or abbreviation pair weighs the list
    word, the others the mean) — and a query word likewise with the heaviest list word; the words that
    may pair up leave nothing unmatched, the others all they weigh. A person's words with no word they
    may pair with are parts that clash (fewer than may clash once compared), and the subset rule counts
    every pair. ``unmatched_share``: the least share of the unmatched weight (a translated query's, once
    an anchor pairs). Each term is at least _pairs_bound's, and its bound only grows with them."""
    q_mask = 0
    c_mask = 0
    for k in range(len(may_q)):
        q_mask |= 1 << may_q[k]
        c_mask |= 1 << may_c[k]
    q_may = c_may = 0.0  # the weight of the words that may pair up
    q_top = c_top = 0.0  # the heaviest of them
    q_count = c_count = 0
    q_free = c_free = 0  # words that may pair with none
    for i in rest_q:
        if (q_mask >> i) & 1:
            x = q_w[i]
            q_may += x
            q_count += 1
            if x > q_top:
                q_top = x
        else:
            q_free += 1
    for j in rest_c:
        if (c_mask >> j) & 1:
            y = c_w[j]
            c_may += y
            c_count += 1
            if y > c_top:
                c_top = y
        else:
            c_free += 1
    gain_c = 0.0
    for j in rest_c:
        if (c_mask >> j) & 1:
            y = c_w[j]
            gain_c += 2.0 * max(y, (q_top + y) / 2)
    gain_q = 0.0
    for i in rest_q:
        if (q_mask >> i) & 1:
            x = q_w[i]
            gain_q += 2.0 * max(c_top, (x + c_top) / 2)
    unmatched = max(total_all - exact - q_may - c_may, 0.0)
    clashes = min(q_free, c_free) if person else 0
    subset = person and not clashes and equal_pairs + min(q_count, c_count) >= w.subset_min_parts
    bound = _early_bound(exact, min(gain_c, gain_q), unmatched_share * unmatched, subset, w)
    if clashes:
        bound = max(bound - w.person_clash_penalty * clashes, 0.0)  # (a score is never below 0)
    return bound


def _anchor_among(
    pairs: list[tuple[int, int, float, str]],
    q_tokens: tuple[Token, ...],
    c_tokens: tuple[Token, ...],
    anchors: frozenset[str] | None,
    w: SimilarityRules,
) -> bool:
    """Whether one of ``pairs`` (query word, list word, similarity, how) is a matched anchor of a
    translated query: a query word (WORD) that is an anchor, alike at 0.99 or more, or a stem pair of a
    long anchor. Only then do the unmatched words of a translated pair weigh ``translated_unmatched`` of
    their weight — in the score (score_or_bound) and in its early bound, which reads the pairs found so
    far and counts the unmatched words whole otherwise. False when ``anchors`` is None."""
    if anchors is None:
        return False
    for i, j, sim, how in pairs:
        if q_tokens[i].cls == WORD and (
            (sim >= 0.99 and q_tokens[i].text in anchors)
            or (
                how == "stem"
                and len(c_tokens[j].text) >= w.len_translated_anchor_stem
                and (c_tokens[j].text in anchors or q_tokens[i].text in anchors)
            )
            # (a run-together pinyin word's head: the word is the translation's pinyin by the rule's test)
            or how == PINYIN_HEAD
        ):
            return True
    return False


def _acronym_match(query: NameAnalysis, cand: NameAnalysis, shortest: int) -> bool:
    """One name's only significant word is the other's acronym (of ``shortest`` letters or more)."""
    q_sig, c_sig = query.significant, cand.significant
    return (len(q_sig) == 1 and len(cand.acronym) >= shortest and q_sig[0].text == cand.acronym) or (
        len(c_sig) == 1 and len(query.acronym) >= shortest and c_sig[0].text == query.acronym
    )


def _symbol_match(query: NameAnalysis, cand: NameAnalysis) -> bool:
    """One name's only significant word but places is a multilingual symbol of the other (symbols.yml)."""
    if cand.symbol_keys:
        q_core = [t for t in query.significant if t.cls != PLACE]
        if len(q_core) == 1 and q_core[0].canon in cand.symbol_keys:
            return True
    if query.symbol_keys:
        c_core = [t for t in cand.significant if t.cls != PLACE]
        if len(c_core) == 1 and c_core[0].canon in query.symbol_keys:
            return True
    return False


def _legal_words_apart(
    tokens: tuple[Token, ...], other: tuple[Token, ...], other_texts: frozenset[str]
) -> list[int]:
    """Positions of ``tokens`` that are words the other name holds inside a legal form of two words or
    more, and not on its own: left without a partner, each weighs as a legal form. Why: "JOINT STOCK
    COMPANY ABSOLUTBANK CLOSED" is "Closed Joint Stock Company Absolutbank" with its first word moved,
    and "S.A. DE C.V. MEXGLOBO" is "MEXGLOBO, S.A. DE C.V." — the legal form was only recognised where
    it stood whole, and its stray words ("closed", "sa", "cv") weighed as the name's own (issue 12: every
    disguise ≥ 0.98). Only words the other name holds: nothing one name lacks is forgiven."""
    legal_words = {word for t in other if t.cls == LEGAL and " " in t.text for word in t.text.split()}
    if not legal_words:
        return []
    return [
        i
        for i, t in enumerate(tokens)
        if t.cls in (WORD, GENERIC, PLACE, ADMIN) and t.text in legal_words and t.text not in other_texts
    ]


@cache
def _country_name_words() -> frozenset[str]:
    """The countries' own one-word names (``vocab.country_names``: "jamaica", "deutschland"), which the
    token classes do not make country words: a translated pair never lowers them as possible synonyms."""
    return frozenset(country_names())


def _one_word_each(
    q_open: list[int],
    q_tokens: list[Token] | tuple[Token, ...],
    c_open: list[int],
    c_tokens: list[Token] | tuple[Token, ...],
) -> bool:
    """The words a translated pair left unmatched (``q_open``, ``c_open``: positions in the tokens; the
    query's seat holds the translation) are one proper word (WORD) the translation adds and the other name
    has no counterpart for, or a proper word against a kind of body (Zoo / University): the one word
    telling two institutions apart (see name_score.translated_institution_one_word). Not a word only the
    other name adds (what the translation dropped: 县 "County", "No." of No. 2, "and Finance" of a
    registered name), nor two proper words, one a side (航海 "Navigation" registered as "Marine")."""
    if not c_open:
        return len(q_open) == 1 and q_tokens[q_open[0]].cls == WORD
    if len(q_open) != 1 or len(c_open) != 1:
        return False
    a, b = q_tokens[q_open[0]], c_tokens[c_open[0]]
    kinds = vocab().body_kinds
    return (a.cls == WORD and b.canon in kinds) or (b.cls == WORD and a.canon in kinds)


def _heaviest(indices: list[int], weights: list[float], count: int) -> list[int]:
    """The ``count`` heaviest of ``indices`` by ``weights`` (ties: the earlier word first)."""
    return sorted(indices, key=lambda i: (-weights[i], i))[:count] if count < len(indices) else indices


def score_analyses(
    query: NameAnalysis,
    cand: NameAnalysis,
    *,
    person: bool,
    rarity: RarityFn | None = None,
    q_weights: tuple[float, ...] | None = None,
    c_weights: tuple[float, ...] | None = None,
    min_score: float = 0.0,
    anchors: frozenset[str] | None = None,
) -> Scored:
    """Scores ``query`` against ``cand`` (person mode decided by the caller).

    ``q_weights``/``c_weights`` are the names' precomputed token weights; ``min_score`` lets the scorer
    stop early, returning an unexplained low score, when even a perfect fuzzy alignment of the
    remaining tokens could not reach it."""
    scored = score_or_bound(
        query,
        cand,
        person=person,
        rarity=rarity,
        q_weights=q_weights,
        c_weights=c_weights,
        min_score=min_score,
        anchors=anchors,
    )
    if not isinstance(scored, Scored):
        return Scored(score=scored * 0.5, token_score=scored, char_score=0.0, person=person)
    return scored


def _other_pinyin_left(
    unmatched_q: list[tuple[str, str, float]], unmatched_c: list[tuple[str, str, float]]
) -> bool:
    """One word left unmatched on each side (legal forms and stopwords aside) that say the two names are
    other names though their letters are alike (the rest is the same region, industry and legal form):
    two places (梧州 "Wuzhou" / Fuzhou University: a translated place is spelt from its characters), or two
    pinyin trade names of another number of syllables (佳士 jia|shi / JIASIBO jia|si|bo). Trade names of
    as many syllables are left to the letters: a registered English name often imitates the sound
    (兰州佛慈 "Foci", 三夫 "Sanfo", 天晟 "Tiansheng" for the reading cheng)."""
    q = [(text, cls) for text, cls, _w in unmatched_q if cls not in (STOP, LEGAL)]
    c = [(text, cls) for text, cls, _w in unmatched_c if cls not in (STOP, LEGAL)]
    if len(q) != 1 or len(c) != 1:
        return False
    (qt, qc), (ct, cc) = q[0], c[0]
    if qc == PLACE and cc == PLACE:
        return True
    return other_pinyin_name(qt, ct) and len(pinyin_syllables(qt)) != len(pinyin_syllables(ct))


def _full_parts(tokens: Sequence[Token]) -> int:
    """The parts of a person's name that are more than an initial (stopwords and legal words aside)."""
    return sum(1 for t in tokens if len(t.text) > 1 and t.cls not in (STOP, LEGAL))


def _typo_initials_cap(
    pairs: list[Pair],
    c_tokens: Sequence[Token],
    base: float,
    penalties: list[dict[str, Any]],
    cap: float,
) -> None:
    """Caps at ``cap`` (name_score.person_typo_initials_cap) a person's listed name of one full part and
    initials (``c_tokens``: a person's list name is never in the query's seat) met only by initials and a
    full part met neither exactly nor as a listed form of the name (GHAILANI's alias "Ahmed A." against
    'AHMAD, Ayman': a typo and an initial, 0.80).

    Why: such an alias (one given name and an initial) names thousands of people, and a typo of its one
    full part is another name as often as the same one (Ahmad / Ahmed): the only evidence is one word
    that does not agree. Other persons of the OFAC and UN lists meeting the CSL's such aliases by a typo
    and an initial: 6 of 103 hit, every one another person; the aliases' own records' other names: 84 of
    84 still found. Why the listed side only: a query written with initials against a listed full name
    ("A. Ghailan") meets a listed name that says more than one word, and capping it too lost 45 of 241
    own records of that sample (BENCHMARKS.md, issue 12 session 24). Appends the cut as a penalty (the
    explanation shows it); a full part met exactly (Ahmed Ali / Ahmed A.) or two full parts met leave the
    score as it is."""
    initials = 0
    full: Pair | None = None
    for p in pairs:
        if p.how == "initial":
            initials += 1
        elif full is not None:
            return  # two full parts met
        else:
            full = p
    if (
        not initials
        or full is None
        or full.similarity >= 0.99
        or full.how == NAME_FORM
        or _full_parts(c_tokens) != 1
    ):
        return
    now = base + sum((p["value"] for p in penalties), 0.0)
    if now > cap:
        penalties.append(
            {
                "feature": "person_typo_initials",
                "reason": "met only by initials and a misspelt full part: one name and an initial say little",
                "query": [full.query],
                "list": [full.candidate],
                "value": cap - now,
            }
        )


def score_or_bound(
    query: NameAnalysis,
    cand: NameAnalysis,
    *,
    person: bool,
    rarity: RarityFn | None = None,
    q_weights: tuple[float, ...] | None = None,
    c_weights: tuple[float, ...] | None = None,
    min_score: float = 0.0,
    anchors: frozenset[str] | None = None,
    list_translated: bool = False,
    cand_has_script: bool = False,
    similar: dict[int, tuple[Token, dict[int, tuple[float, str, Token]]]] | None = None,
    rules: SimilarityRules | None = None,
    q_words: QueryWords | None = None,
) -> Scored | float:
    """:func:`score_analyses`, but when the early bound rules the pair out (it cannot reach
    ``min_score``) the bound itself, a float, instead of an unexplained Scored. Why: screening drops
    such a pair at once, and half the candidates of a query end here — making a Scored with its
    empty lists for each is a measurable share of a query's time. ``list_translated``: ``query`` is a
    list's Chinese name translated, in the query's seat, and ``cand`` the (English) query.
    ``cand_has_script``: ``query`` is a Chinese query translated and ``cand`` an English name of a record
    that carries a Chinese name of its own (see name_score.translated_record_script_needs_partner).

    ``similar``: the word pairs already compared (token_similarity) for this query form, kept by the
    caller across its candidates (screening: one dict per form and query). Half the comparisons of a
    query's candidates are the same two words again — the query's words against the list's common ones
    (bench.scale's 2,000 queries: 71,940 of 142,754) — and the same two tokens compare alike under the
    same rules. Keyed by the query token's identity and the rules in play (a row per query word, read
    once per name), then by the list token's identity (a decoded list name shares its words' Token
    objects, chipguard.match.indexfile); each value holds its token, so an identity is never reused
    while the dict lives. (Integer keys: a tuple key per word pair cost as much as the comparisons
    it spared.)

    ``rules``: similarity_rules(scorer_config()), when the caller has it (screening: once per query,
    PairQuery.rules) — most pairs end at the bound, which reads nothing else of the configuration, so
    the configuration itself is read only for a pair scored in full. ``q_words``: what it reads of
    ``query``'s own words, made once per query form and mode (see QueryWords)."""
    # (matching.yml's numbers read of every candidate, in place: see SimilarityRules)
    sim_rules = rules if rules is not None else similarity_rules(scorer_config())
    # (tuples, never lists: compiled, a word of either name is then read in place, not through the
    # generic item protocol)
    q_tokens: tuple[Token, ...] = query.tokens
    c_tokens: tuple[Token, ...] = cand.tokens
    merges: list[str] = []
    if not query.joins.isdisjoint(cand.texts):
        merged = _merge_adjacent(
            q_tokens,
            c_tokens,
            cand.texts,
            merges,
            "query",
            sim_rules.legal_form_displaced,
            sim_rules.joined_word_class,
        )
        if merged is not q_tokens:
            q_tokens, q_weights = merged, None
    if not cand.joins.isdisjoint(query.texts):
        merged = _merge_adjacent(
            c_tokens,
            q_tokens,
            query.texts,
            merges,
            "list",
            sim_rules.legal_form_displaced,
            sim_rules.joined_word_class,
        )
        if merged is not c_tokens:
            c_tokens, c_weights = merged, None
    if sim_rules.split_word_typo and not person and anchors is None and not list_translated:
        # a typo in a word one name's analysis split and the other's did not (see _merge_split_typo)
        lengths = sim_rules.len_typo_two_edits
        rejoined = _merge_split_typo(q_tokens, query.texts, c_tokens, cand.texts, merges, "query", lengths)
        if rejoined is not q_tokens:
            q_tokens, q_weights = rejoined, None
        rejoined = _merge_split_typo(c_tokens, cand.texts, q_tokens, query.texts, merges, "list", lengths)
        if rejoined is not c_tokens:
            c_tokens, c_weights = rejoined, None
    # the words' weights, read in place up to the bounds (copied into lists only for a pair scored in
    # full, which changes them: most pairs end at a bound)
    q_wt = q_weights if q_weights is not None else tuple([token_weight(t, rarity, person) for t in q_tokens])
    c_wt = c_weights if c_weights is not None else tuple([token_weight(t, rarity, person) for t in c_tokens])
    # the query's own words as q_words read them, when it describes them as scored here
    own = (
        q_words
        if q_words is not None
        and q_words.query is query
        and q_words.person == person
        and q_words.rules is sim_rules
        and q_words.translated == (anchors is not None)
        and q_tokens is query.tokens
        and q_wt is q_words.weights
        else None
    )
    q_total = own.total if own is not None else -1.0
    # words of the other name's legal form standing apart (see _legal_words_apart): two set tests per
    # pair, few names holding a word of a multi-word legal form on its own
    q_apart: list[int] = []
    c_apart: list[int] = []
    if not person and sim_rules.legal_form_displaced:
        if own is not None:
            stray = own.stray_words
            if own.holds_stray:
                q_apart = _legal_words_apart(q_tokens, c_tokens, cand.texts)
            # (the query's words then hold no legal form of several words: none is apart)
            if own.legal_phrase and not stray.isdisjoint(cand.texts):
                c_apart = _legal_words_apart(c_tokens, q_tokens, query.texts)
        else:
            stray = legal_phrase_words()
            if not stray.isdisjoint(query.texts):
                q_apart = _legal_words_apart(q_tokens, c_tokens, cand.texts)
            if not stray.isdisjoint(cand.texts):
                c_apart = _legal_words_apart(c_tokens, q_tokens, query.texts)
    institutional = not person and (query.institutional or cand.institutional)
    # the list name's first words that are its place, which a query naming no place may have left out
    # (name_score.institution_place_left_out), 0 when none; the list name's own weights before an
    # institution's place weights
    lead = 0
    light: Sequence[int] = _NO_POSITIONS  # … those weighed as a place's (below)
    c_own = c_wt
    c_heavy = c_wt  # … the list name's weights before its left-out place weighed as a place
    if institutional:
        # "Institute of Semiconductors" is not "Hebei Institute of Semiconductors": in names of
        # institutes, universities and bureaus the place is part of the identity, not an optional prefix
        # (a name without a place keeps its weights as they are)
        place_weight = sim_rules.place_institutional
        if own is not None:
            q_wt, q_total = own.placed, own.placed_total
        elif any(t.cls == PLACE for t in q_tokens):
            q_wt = tuple([place_weight if t.cls == PLACE else x for t, x in zip(q_tokens, q_wt, strict=True)])
        if any(t.cls == PLACE for t in c_tokens):
            c_wt = tuple([place_weight if t.cls == PLACE else x for t, x in zip(c_tokens, c_wt, strict=True)])
            # (not for a word-by-word translation: its reading of a Chinese name may leave a part out —
            # 中国医学科学院肿瘤医院 read as its unit "Tumor Hospital", the parent and its China left out)
            if (
                sim_rules.place_left_out
                and anchors is None
                and c_tokens[0].cls == PLACE
                and not (own.names_place() if own is not None else names_place(q_tokens))
            ):
                lead = _leading_places(c_tokens)
    elif (
        not person
        and anchors is None
        and len(c_tokens) > 1
        and c_tokens[0].cls == WORD
        and c_tokens[0].text in sim_rules.left_out_cities
        and not names_company_place(q_tokens, sim_rules.left_out_cities)
    ):
        # … and a company's listed name starting with a city no vocabulary place holds ("Dandong Dongyuan
        # Industrial", "Damascus Cham Holding", name_score.company_city_left_out): left out by a query
        # naming no place, it weighs as a place would (below), a city both names hold as the word it is
        lead = 1
        c_own = tuple([sim_rules.class_weights.get(PLACE, x) if j == 0 else x for j, x in enumerate(c_wt)])

    # matched words common in company names at large count as less evidence (screening an organisation
    # name written in Latin letters; a word-by-word translation has its own rules)
    corpus = rarity is not None and not person and anchors is None and sim_rules.rarity_corpus_share > 0
    nq, nc = len(q_tokens), len(c_tokens)
    q_used = [False] * nq
    c_used = [False] * nc
    pairs: list[tuple[int, int, float, str]] = []
    # 1. equal canonical forms (order-free: persons reorder, orgs move places and qualifiers)
    # each query word takes the first list word of its canonical form not taken yet (names being a few
    # words, a walk of the list words: compiled, each a string comparison in place)
    for i, t in enumerate(q_tokens):
        canon = t.canon
        for j in range(nc):
            if not c_used[j] and c_tokens[j].canon == canon:
                q_used[i] = c_used[j] = True
                pairs.append((i, j, 1.0, "exact" if t.text == c_tokens[j].text else "equivalent"))
                break
    rest_q = [i for i in range(nq) if not q_used[i] and q_tokens[i].cls not in (STOP, LEGAL)]
    rest_c = [j for j in range(nc) if not c_used[j] and c_tokens[j].cls not in (STOP, LEGAL)]
    # the letters of the two names alike (character_similarity): computed at most once per pair
    char_sim: float | None = None
    bounded = (
        min_score > 0
        and not (q_apart or c_apart)  # their weight falls once they find no partner
        and (
            person  # the person subset rule is bounded below, on the pairs it needs
            or (
                query.joined != cand.joined
                # the acronym and symbol rules can lift an organisation's score over its words'
                and not _acronym_match(query, cand, sim_rules.acronym_min_length)
                and not _symbol_match(query, cand)
            )
        )
    )
    if bounded and not person:
        # the names' letters can be alike only as far as their lengths allow (Indel similarity ≤ 2·the
        # shorter / both): most pairs are told apart by their lengths, without the call (the similarity is
        # then measured below only if the character rule asks for it)
        q_joined, c_joined = len(query.joined), len(cand.joined)
        if 2.0 * min(q_joined, c_joined) >= (sim_rules.char_floor - _ROUNDING) * (q_joined + c_joined):
            char_sim = Indel.normalized_similarity(query.joined, cand.joined)
            bounded = char_sim < sim_rules.char_floor
    # what is sure to stay unmatched counts at least at this share of its weight (a translated query's
    # unmatched words may weigh as little as translated_unmatched once its anchor matched)
    unmatched_share = min(1.0, sim_rules.translated_unmatched) if anchors is not None and not person else 1.0
    # 2. fuzzy candidates among what is left. Two words of different first letters, one of them under
    # seven letters, are no match once translation is out of play (token_similarity: every organisation
    # rule and every person rule needs the same first letter below seven letters, but a person's
    # one-letter variant of the same length, "Gates"/"Cates"): most word pairs of two names are told
    # apart here, without a call
    translated = anchors is not None
    # Two words of different first letters pair at all only as a typo (both words len_other_first_letter
    # letters or more, their lengths two apart at most: no rule allows more edits), a person's one-letter
    # variant (the same length) or, in a translated organisation's pair, as two kinds of body or
    # translation synonyms (both words in those tables): the rest are no match whatever the rules, told
    # apart here too — half of a translated query's word pairs (token_similarity, where no first-letter
    # test applies to a translation: bench.scale's 2,000 queries, 48,815 of 81,410 comparisons, 29 alike).
    # (Needs the morphology and stem rules to compare first letters, as they do from one letter on.)
    other_first = sim_rules.len_morphology_same_start >= 1 and sim_rules.len_prefix >= 1
    long_word = sim_rules.len_other_first_letter
    tables = translated and not person
    table = _table_words(sim_rules.translation_sense_similarity > 0) if tables else _NO_KINDS
    c_side = [
        (
            j,
            c_tokens[j].text[:1],
            len(c_tokens[j].text),
            tables and (c_tokens[j].canon in table or c_tokens[j].text in table),
        )
        for j in rest_c
    ]
    # the word pairs that may pair up, as two lists of positions (the query's, the list's): a pair of
    # small integers is two references to Python's shared small ints, where a tuple was a new object
    may_q: list[int] = []
    may_c: list[int] = []
    forms = sim_rules.name_forms if person else _NO_FORMS
    spelt_as = sim_rules.spelt_as if tables else _NO_SPELLINGS
    for i in rest_q:
        if own is not None:
            q_first, q_len, q_table = own.firsts[i], own.lengths[i], own.in_tables[i]
        else:
            q_tok = q_tokens[i]
            q_text = q_tok.text
            q_first, q_len = q_text[:1], len(q_text)
            q_table = tables and (q_tok.canon in table or q_text in table)
        # the number of the person's name this word is a form of (name_score.person_name_forms), or −1
        q_form = forms.get(q_tokens[i].text, -1) if forms else -1
        # the English first letters this word's sound may be spelt with ("" none)
        q_spelt = spelt_as.get(q_first, "") if spelt_as else ""
        for j, c_first, c_len, c_table in c_side:
            if c_first != q_first:
                if q_form >= 0 and forms.get(c_tokens[j].text, -2) == q_form:
                    # two forms of one name pair up whatever their letters (Mykola / Nikolai)
                    may_q.append(i)
                    may_c.append(j)
                    continue
                if not translated and (q_len < 7 or c_len < 7) and not (person and q_len == c_len):
                    continue
                if (
                    other_first
                    and not (person and q_len == c_len)
                    and not (q_len >= long_word and c_len >= long_word and -2 <= q_len - c_len <= 2)
                    and not (q_table and c_table)
                    # (a sound spelt with another first letter: name_score.sound_alike_spelt_first)
                    and not (q_spelt and c_first in q_spelt)
                ):
                    continue
            may_q.append(i)
            may_c.append(j)
    if lead:
        # … but a query naming no place at all may be the listed name with its leading place left out
        # ("Computational Science Research Center"): a leading place no word of the query can pair with
        # (no equal word, no word that may be alike) weighs as a place, as in a company's name, until the
        # alignment shows what else the names leave (below: restoring its weight only lowers the score,
        # so the bounds may read the lighter one). A place the query met in another spelling (Guangdog,
        # a translation's Chinese) keeps an institution's weight.
        light = [
            j
            for j in range(lead)
            # (a company's lead is its city, a word; an institution's its places)
            if (not institutional or c_tokens[j].cls == PLACE) and not c_used[j] and j not in may_c
        ]
        if light:
            c_heavy = c_wt
            c_wt = tuple([c_own[j] if j in light else c_wt[j] for j in range(nc)])
        else:
            lead = 0
    exact = total_all = 0.0
    if bounded:
        # upper bound (see _early_bound): with no word pair left that may pair up, what the equal words
        # match is all there is; most candidates stop here, before any word comparison
        # (sums over generators: compiled, a loop of float additions in place — a list's sum is a call of
        # the builtin, three a candidate; the same additions in the same order)
        exact = sum((q_wt[i] + c_wt[j] for i, j, _s, _h in pairs), 0.0)
        total_all = (q_total if own is not None else sum((x for x in q_wt), 0.0)) + sum(
            (x for x in c_wt), 0.0
        )
        if not may_q:
            # (the pairs are the equal words': a translated query's unmatched words weigh less only when
            # one of them is an anchor, and a person's words left on both sides are parts that clash)
            share = unmatched_share if _anchor_among(pairs, q_tokens, c_tokens, anchors, sim_rules) else 1.0
            if person and rest_q and rest_c:
                # (a score is never below 0)
                bound = max(
                    _early_bound(exact, 0.0, total_all - exact, False, sim_rules)
                    - sim_rules.person_clash_penalty * min(len(rest_q), len(rest_c)),
                    0.0,
                )
            else:
                subset = person and len(pairs) >= sim_rules.subset_min_parts
                bound = _early_bound(exact, 0.0, share * (total_all - exact), subset, sim_rules)
            if bound < min_score - _ROUNDING:
                return bound
        else:
            # the same bound with every word pair that may pair up taken as alike as can be (see
            # _may_pairs_bound): a fifth of the candidates with such pairs stop here, before their words
            # are compared (bench.scale's 2,000 queries: 6,508 of 22,203, and 8,317 of the 38,222 word
            # comparisons not already made for the query)
            bound = _may_pairs_bound(
                may_q,
                may_c,
                rest_q,
                rest_c,
                q_wt,
                c_wt,
                exact,
                total_all,
                unmatched_share,
                person,
                len(pairs),
                sim_rules,
            )
            if bound < min_score - _ROUNDING:
                return bound
    cands: list[tuple[float, int, int, str]] = []
    alike: list[tuple[int, int, float, bool]] = []
    # (what token_similarity depends on besides the two words)
    in_play = person + 2 * translated + 4 * institutional
    row: dict[int, tuple[float, str, Token]] = {}
    row_of = -1
    for k in range(len(may_q)):
        i, j = may_q[k], may_c[k]
        qt, ct = q_tokens[i], c_tokens[j]
        if similar is None:
            sim, how = _similarity(qt, ct, person, translated, sim_rules, institutional)
        else:
            if i != row_of:  # (may_q holds each query word's pairs together)
                row_of = i
                row_key = id(qt) * 8 + in_play
                found = similar.get(row_key)
                if found is None:
                    row = {}
                    similar[row_key] = (qt, row)
                else:
                    row = found[1]
            c_key = id(ct)
            known = row.get(c_key)
            if known is None:
                sim, how = _similarity(qt, ct, person, translated, sim_rules, institutional)
                row[c_key] = (sim, how, ct)
            else:
                sim, how = known[0], known[1]
        if sim > 0:
            if (
                how == "morphology"
                and sim_rules.body_kind_morphology_distinct
                and _body_kind_company(qt, ct, query, cand)
            ):
                continue
            cands.append((sim, i, j, how))
            if bounded:
                # what the pair adds at most, at its similarity and weight (see _early_bound)
                pw = c_wt[j] if how in _LIST_WEIGHED else (q_wt[i] + c_wt[j]) / 2
                alike.append((i, j, 2.0 * sim * pw, person and sim >= 0.99))
    if bounded and may_q:
        # the same bound on the word pairs found alike; a translated query's unmatched words weigh less
        # only once an anchor pairs (an equal word's or one alike enough: see below), and a person's
        # words that found nothing alike, left on both sides, are parts that clash (person_parts_clash:
        # the subset rule then does not apply)
        share = unmatched_share
        if (
            anchors is not None
            and not person
            and not (
                _anchor_among(pairs, q_tokens, c_tokens, anchors, sim_rules)
                or _anchor_among(
                    [(i, j, sim, how) for sim, i, j, how in cands], q_tokens, c_tokens, anchors, sim_rules
                )
            )
        ):
            share = 1.0
        clashes = 0
        if person:
            paired_q = {i for _s, i, _j, _h in cands}
            paired_c = {j for _s, _i, j, _h in cands}
            clashes = min(
                sum(1 for i in rest_q if i not in paired_q), sum(1 for j in rest_c if j not in paired_c)
            )
        if alike:
            bound = _pairs_bound(
                alike, q_wt, c_wt, exact, total_all, share, person and not clashes, len(pairs), sim_rules
            )
        else:
            subset = person and not clashes and len(pairs) >= sim_rules.subset_min_parts
            bound = _early_bound(exact, 0.0, share * (total_all - exact), subset, sim_rules)
        if clashes:
            bound = max(bound - sim_rules.person_clash_penalty * clashes, 0.0)  # (a score is never below 0)
        if bound < min_score - _ROUNDING:
            return bound
    w = scorer_config()
    q_w = list(q_wt)
    c_w = list(c_wt)
    # best pairs first
    cands.sort(reverse=True)
    for sim, i, j, how in cands:
        if not q_used[i] and not c_used[j]:
            q_used[i] = c_used[j] = True
            pairs.append((i, j, sim, how))

    matched = 0.0
    total = 0.0
    out_pairs: list[Pair] = []
    for i, j, sim, how in pairs:
        # a matched pair is weighed by the list token (a typo in the query must not inflate it)
        pw = c_w[j] if how in _LIST_WEIGHED else (q_w[i] + c_w[j]) / 2
        if corpus and c_tokens[j].cls in (WORD, GENERIC):
            pw *= corpus_factor(c_tokens[j].canon)
        matched += 2 * sim * pw
        total += 2 * pw
        out_pairs.append(Pair(q_tokens[i].text, c_tokens[j].text, sim, how, pw))
    if not person and (query.institutional or cand.institutional):
        # the kind of institute is part of its identity: an unmatched "Commercial" or "Petrochemical"
        # makes "Tianjin Commercial University" another university than "Tianjin University"
        inst = vocab().institutional
        for i in range(nq):
            if not q_used[i]:
                q_w[i] = _institutional_weight(q_tokens[i], q_w[i], w, inst)
        for j in range(nc):
            if not c_used[j]:
                c_w[j] = _institutional_weight(c_tokens[j], c_w[j], w, inst)
        if w.body_kinds_unmatched_distinct and anchors is None:
            # two different kinds of body left one against the other (Beijing University / Institute of
            # Technology): between names not translated word by word the kind is the registered one, and
            # it tells two bodies apart as "Normal" or "Commercial" does (name_score.body_kinds_unmatched_distinct)
            kinds = vocab().body_kinds
            q_kinds = [i for i in range(nq) if not q_used[i] and q_tokens[i].canon in kinds]
            c_kinds = [j for j in range(nc) if not c_used[j] and c_tokens[j].canon in kinds]
            if q_kinds and c_kinds:
                for i in q_kinds:
                    q_w[i] = max(q_w[i], w.generic_institutional)
                for j in c_kinds:
                    c_w[j] = max(c_w[j], w.generic_institutional)
    # The query is a word-by-word translation (Chinese → English): its translated words and the
    # list's English words may be synonyms ("Fan"/"Ventilator"), so once a transliterated anchor
    # (the brand in pinyin) matched, unmatched words on both sides weigh less.
    # a brand written whole in pinyin may be registered by its head only ("Zhongtaishenleng" →
    # "Zhongtai Cryogenic"): a stem match of a long anchor counts too
    # (the same reading of a pair as the early bound's: _anchor_among)
    if anchors is not None and not person and _anchor_among(pairs, q_tokens, c_tokens, anchors, sim_rules):
        # a word naming a country is a region, as a place is: never a synonym (translated_country_is_region)
        regions = _country_name_words() if w.translated_country_is_region else frozenset()
        q_open = [
            i
            for i in range(nq)
            if not q_used[i]
            and q_tokens[i].text not in anchors
            and q_tokens[i].cls in (WORD, GENERIC)
            and q_tokens[i].text not in regions
        ]
        c_open = [
            j
            for j in range(nc)
            if not c_used[j] and c_tokens[j].cls in (WORD, GENERIC) and c_tokens[j].text not in regions
        ]
        if w.translated_needs_partner and list_translated:
            # A list's Chinese name met by an English query is a second road to a record whose
            # English names the query meets directly (US lists write every record in English): it
            # may add what translation gives — synonyms — but not forgive a word the listed name has
            # and the query lacks. So a word it rendered ("Investment" of 华为技术投资) weighs less
            # only as a synonym of an unmatched word of the query, one for one (the heaviest first,
            # the most that reading can give); with none left it is an extra word, as in "Huawei
            # Tech Investment" against "Huawei Technologies". A Chinese query has no other road to an
            # English list name, and the English name's unmatched words may render Chinese the
            # translation merged or dropped (珠江啤酒 read whole as "zhujiangpijiu" against
            # "Zhujiang Brewery"): there every unmatched word keeps the lower weight.
            q_open = _heaviest(q_open, q_w, len(c_open))
        elif w.record_script_needs_partner and cand_has_script:
            # The mirror: a Chinese query meeting the English name of a record that carries its own
            # Chinese name. The query meets that Chinese name directly, character for character;
            # the translation is a second road, which may add synonyms but not forgive a word the
            # English name has and the query lacks — 华为技术有限公司 against "Huawei Tech.
            # Investment Co., Limited" (华为技术投资有限公司): "Investment" is an extra word, as 投资
            # is one Han to Han. So the English name's unmatched words weigh less only as many as the
            # query leaves unmatched (the heaviest first); the query's own keep the lower weight (its
            # translation may merge or drop what the English name renders).
            c_open = _heaviest(c_open, c_w, len(q_open))
        if w.institution_one_word and institutional and _one_word_each(q_open, q_tokens, c_open, c_tokens):
            # Two institutions' names sharing all but their one distinctive word — a proper word the
            # translation adds, or one standing against the other's kind of body: that word says which
            # body it is, it is no synonym — 西华师范大学 "Xihua Normal University" is not Xihua
            # University, 臺北市立動物園 "Taipei Municipal Zoo" not University of Taipei. Those words
            # keep their weight. (Several words left on a side are a phrase the translation may have
            # rendered otherwise — 外国语 "International Studies" of Zhejiang Yuexiu University —, a
            # generic word one it may add: 科技 "Science and Technology" of Jinling Institute of
            # Technology.)
            q_open, c_open = [], []
        for i in q_open:
            q_w[i] *= w.translated_unmatched
        for j in c_open:
            c_w[j] *= w.translated_unmatched
    if w.institution_lone_word and institutional and pairs:
        _lone_word_weighs(pairs, q_tokens, c_tokens, q_used, c_used, q_w, c_w, total, anchors is not None)
    # the list name's leading place left out by a query naming none (name_score.institution_place_left_
    # out): only when it is all the names leave unmatched (legal forms and stopwords aside) and the
    # names share a proper word (not what kind of body: Computational of Beijing Computational Science
    # Research Center) — a query that also lacks or adds a word is not the listed name less its place,
    # and a query of generic words only ("Institute of Technology", "Police College") names no body: the
    # place is all that says which. Else the place weighs as an institution's again (unmatched: the
    # score only falls, below the bounds read above)
    left_out: list[str] = []
    if lead:
        whole = (
            all(q_used[i] or q_tokens[i].cls in (STOP, LEGAL) for i in range(nq))
            and all(c_used[j] or j < lead or c_tokens[j].cls in (STOP, LEGAL) for j in range(nc))
            and _proper_word_paired(pairs, c_tokens)
        )
        for j in light:
            if whole:
                left_out.append(c_tokens[j].text)
            else:
                c_w[j] = max(c_w[j], c_heavy[j])
    unmatched_q = [(q_tokens[i].text, q_tokens[i].cls, q_w[i]) for i in range(nq) if not q_used[i]]
    unmatched_c = [(c_tokens[j].text, c_tokens[j].cls, c_w[j]) for j in range(nc) if not c_used[j]]
    if q_apart or c_apart:
        # left without a partner, they weigh as the legal form they belong to; a word that found one (a
        # typo of the name's own word) keeps its weight
        q_set, c_set = set(q_apart), set(c_apart)
        unmatched_q = [
            (t.text, LEGAL, w.legal_form) if i in q_set else (t.text, t.cls, q_w[i])
            for i, t in enumerate(q_tokens)
            if not q_used[i]
        ]
        unmatched_c = [
            (t.text, LEGAL, w.legal_form) if j in c_set else (t.text, t.cls, c_w[j])
            for j, t in enumerate(c_tokens)
            if not c_used[j]
        ]
    total += sum((x[2] for x in unmatched_q), 0.0) + sum((x[2] for x in unmatched_c), 0.0)
    token_score = matched / total if total > 0 else 0.0

    penalties: list[dict[str, Any]] = []
    if not person:
        q_nums = {t.text for t, used in zip(q_tokens, q_used, strict=True) if t.cls == NUMBER and not used}
        c_nums = {t.text for t, used in zip(c_tokens, c_used, strict=True) if t.cls == NUMBER and not used}
        if q_nums and c_nums:
            penalties.append(
                {
                    "feature": "number_clash",
                    "reason": "numbers differ (a different unit, factory or institute)",
                    "query": sorted(q_nums),
                    "list": sorted(c_nums),
                    "value": -w.number_clash_penalty,
                }
            )
        q_places = {
            t.text for t, used in zip(q_tokens, q_used, strict=True) if t.cls in (PLACE, COUNTRY) and not used
        }
        c_places = {
            t.text for t, used in zip(c_tokens, c_used, strict=True) if t.cls in (PLACE, COUNTRY) and not used
        }
        if q_places and c_places:
            penalties.append(
                {
                    "feature": "place_clash",
                    "reason": "different places in the names",
                    "query": sorted(q_places),
                    "list": sorted(c_places),
                    "value": -w.place_clash_penalty,
                }
            )
        if left_out:
            # no amount of its own (the place's lighter weight is in the alignment): the strength reads it
            penalties.append(
                {
                    "feature": PLACE_LEFT_OUT,
                    "reason": "the query names no place; the listed name's leading place weighs as a "
                    "place, and the hit is reviewed, not confirmed on the name",
                    "query": [],
                    "list": left_out,
                    "value": 0.0,
                }
            )

    subset = False
    base_detail: dict[str, Any] = {}
    if person:
        # Persons: a name part present on one side only (a dropped middle name or patronymic) is
        # common and cheap; a part that differs on both sides (another given name) is a clash.
        uq = [x for x in unmatched_q if x[1] not in (STOP, LEGAL)]
        uc = [x for x in unmatched_c if x[1] not in (STOP, LEGAL)]
        reversal = _patronymic_reversal(q_tokens, c_tokens)
        if reversal:
            penalties.append(reversal)
        if uq and uc:
            clashes = min(len(uq), len(uc))
            penalties.append(
                {
                    "feature": "person_parts_clash",
                    "reason": "name parts differ on both sides",
                    "query": [x[0] for x in uq],
                    "list": [x[0] for x in uc],
                    "value": -w.person_clash_penalty * clashes,
                    "weight": -w.person_clash_penalty,
                    "amount": clashes,
                }
            )
        elif (uq or uc) and len(out_pairs) >= w.subset_min_parts:
            # every part of the shorter name is found exactly in the longer one
            long_enough = w.subset_part_min_length
            exact_pairs = all(p.similarity >= 0.99 for p in out_pairs) and (
                sum(len(p.candidate) >= long_enough and len(p.query) >= long_enough for p in out_pairs)
                >= w.subset_min_parts
            )
            matched_w = sum((p.weight for p in out_pairs), 0.0)
            if exact_pairs and matched_w >= w.person_subset_min_weight:
                extra = len(uq) + len(uc)
                subset_score = (
                    w.subset_base + w.subset_token_share * token_score - w.person_extra_penalty * extra
                )
                if subset_score > token_score:
                    base_detail = {"alignment": token_score, "extra_parts": extra}
                    token_score, subset = min(subset_score, w.subset_cap), True

    char_score = 0.0
    acronym = False
    base = token_score
    basis = "person_subset" if subset else "token_alignment"
    if not person and query.joined and cand.joined and token_score < w.char_rule_below:
        char_score = Indel.normalized_similarity(query.joined, cand.joined) if char_sim is None else char_sim
        if (
            char_score >= w.char_floor
            and char_score - w.char_margin > base
            and min(len(query.joined), len(cand.joined)) >= w.char_min_length
            and not (w.pinyin_other_syllables and translated and _other_pinyin_left(unmatched_q, unmatched_c))
            and not (w.place_words_distinct and _places_left(unmatched_q, unmatched_c, institutional))
            and not (w.numbered_body_numbers and _numbers_differ(query.joined, cand.joined))
            and not (
                w.character_short_word_distinct
                and _short_word_left(
                    unmatched_q,
                    unmatched_c,
                    w.len_typo,
                    query,
                    cand,
                    translated,
                    w.character_short_name_distinct,
                    pairs,
                    q_tokens,
                    c_tokens,
                )
            )
            and not (
                w.character_sole_word_distinct
                and _sole_words_differ(
                    unmatched_q, unmatched_c, pairs, q_tokens, c_tokens, query, cand, institutional
                )
            )
        ):
            base, basis = char_score - w.char_margin, "character_similarity"
    if not person and base < w.acronym_score:
        if _acronym_match(query, cand, w.acronym_min_length):
            base, acronym, basis = w.acronym_score, True, "acronym"
        if _symbol_match(query, cand):
            if w.symbol_score > base:
                basis = "symbol"
            base, acronym = max(base, w.symbol_score), True
    if person and w.typo_initials_cap < 1.0:
        _typo_initials_cap(out_pairs, c_tokens, base, penalties, w.typo_initials_cap)
    score = base + sum(p["value"] for p in penalties)
    score = max(0.0, min(1.0, score))
    return Scored(
        score=score,
        token_score=token_score,
        char_score=char_score,
        person=person,
        pairs=out_pairs,
        unmatched_query=unmatched_q,
        unmatched_candidate=unmatched_c,
        penalties=penalties,
        merges=merges,
        acronym=acronym,
        subset=subset,
        basis=basis,
        base_detail=base_detail,
    )
