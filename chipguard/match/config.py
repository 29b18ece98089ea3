"""The scorer's features and weights, read from ``chipguard/data/names/matching.yml`` and nowhere else.

Why: a score an analyst or an auditor has to trust must be explainable from data alone. Every weight,
similarity and penalty the scorer applies is a key of matching.yml; this module reads them once, checks
that every key is present with the right type (a missing or misspelt key is an error naming the file and
the key at load — never a silent default in code that may disagree with the file) and hands them out as
one frozen :class:`ScorerConfig`. :data:`FEATURES` describes each feature a score can be made of; the
explanation of every hit lists the features that fired with their contributions, and
``tools/matching_features.py`` writes the table in docs/MATCHING_FEATURES.md from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from chipguard.errors import InputError
from chipguard.names.chinese import ABBREVIATION_KEYS, SEGMENTATION_FLAGS, SEGMENTATION_KEYS
from chipguard.names.data import matching_config, name_data_file

MATCHING_FILE = "names/matching.yml"


@dataclass(frozen=True, slots=True)
class ScorerConfig:
    """Every number the scorer uses (field → matching.yml key in :data:`KEYS`)."""

    # token weights by class
    legal_form: float
    admin: float
    stopword: float
    generic: float
    place: float
    place_institutional: float
    generic_institutional: float
    country: float
    translated_unmatched: float
    translated_needs_partner: bool
    phonetic_syllables: bool
    person_x_is_ks: bool
    person_name_forms: bool
    korean_name_forms: bool
    pinyin_other_syllables: bool
    sound_alike_spelt_first: bool
    pinyin_head_syllables: bool
    sim_pinyin_head: float
    record_script_needs_partner: bool
    institution_one_word: bool
    legal_form_displaced: bool
    joined_word_class: bool
    translated_country_is_region: bool
    split_word_typo: bool
    industry_words_distinct: bool
    place_words_distinct: bool
    body_kind_morphology_distinct: bool
    stem_compound_distinct: bool
    abbreviation_known_word: bool
    abbreviation_same_business: tuple[str, ...]
    character_short_word_distinct: bool
    character_short_name_distinct: bool
    character_sole_word_distinct: bool
    body_kinds_unmatched_distinct: bool
    dictionary_names_registered: bool
    institution_lone_word: bool
    numbered_body_numbers: bool
    trade_name_place_clash: bool
    place_left_out: bool
    city_left_out: bool
    number: float
    word: float
    person_token: float
    initial: float
    # how the name score is formed
    person_clash_penalty: float
    person_extra_penalty: float
    person_subset_min_weight: float
    number_clash_penalty: float
    place_clash_penalty: float
    char_floor: float
    char_margin: float
    char_min_length: int
    acronym_score: float
    symbol_score: float
    subset_base: float
    subset_token_share: float
    subset_cap: float
    typo_initials_cap: float
    patronymic_penalty: float
    char_rule_below: float
    acronym_min_length: int
    subset_min_parts: int
    subset_part_min_length: int
    # similarity of two words that are not equal
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
    sim_person_name_form: float
    # the letters the shorter of two unequal words needs for each similarity rule
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
    person_first_letters_alike: tuple[str, ...]
    len_prefix: int
    len_stem: int
    len_sound_alike: int
    len_translated_anchor_stem: int
    # features of a pair beyond the names' words (the query's details and the listed record)
    kind_clash_penalty: float
    country_clash_penalty: float
    person_country_clash_penalty: float
    qualifier_clash_penalty: float
    dropped_qualifier_penalty: float
    dropped_qualifier_query: bool
    query_wade_giles_reading: bool
    arabic_compound_reading: bool
    query_korean_reading: bool
    korean_list_style_reading: bool
    korean_list_spellings: bool
    korean_voiced_first_word: bool
    korean_reading_min_score: float
    wade_giles_pinyin_alike: bool
    wade_giles_readings: int
    wade_giles_reading_min_score: float
    branch_marker_penalty: float
    core_name_penalty: float
    parent_part_penalty: float
    han_mismatch_penalty_factor: float
    # candidate retrieval
    candidates_per_query: int
    candidates_full_match_cap: int
    candidates_full_match_long_lists: bool
    candidates_same_name_scored: bool
    candidates_deepen_cap: int
    candidates_deepen_names: int
    candidates_deepen_to_end: bool
    candidate_relative_floor: float
    candidate_query_floor: float
    candidates_relaxed_near_words: bool
    candidates_record_translations: bool
    candidates_near_word_credit: bool
    candidates_near_word_forms: bool
    candidates_shared_renderings: bool
    candidates_crossed_renderings: bool
    candidates_symbol_names: bool
    candidates_person_sound_bag: bool
    candidates_split_word_pair: bool
    candidates_rare_word_holders: bool
    candidates_same_initials: bool
    scoring_floor_margin: float
    max_posting: int
    core_names: bool
    core_name_ranking: bool
    core_name_max_words: int
    core_name_min_letters: int
    branch_markers: tuple[str, ...]
    # retrieval key weights (chipguard.match.index.NameIndex.query_keys)
    key_rarity_power: float
    key_generic_word: float
    key_single_letter: float
    key_number: float
    key_person_phonetic: float
    key_typo: float
    key_word_root: float
    key_run_together_head: float
    key_pair_as_one_word: float
    key_legal_runon: float
    key_pair_in_order: float
    key_whole_name: float
    key_same_words: float
    key_sound_alike: float
    key_translation_synonym: float
    key_word_start: float
    key_word_start_min: int
    same_name_cap: int
    # token weight from distinctiveness (chipguard.match.index.NameIndex.token_rarity)
    rarity_floor: float
    rarity_list_reference_count: int
    rarity_corpus_file: str
    rarity_corpus_reference_count: int
    rarity_corpus_share: float


# field → its key in matching.yml (dotted: section.key)
KEYS: dict[str, str] = {
    "legal_form": "weights.legal_form",
    "admin": "weights.admin_qualifier",
    "stopword": "weights.stopword",
    "generic": "weights.generic",
    "place": "weights.place",
    "place_institutional": "weights.place_institutional",
    "generic_institutional": "weights.generic_institutional",
    "country": "weights.country",
    "translated_unmatched": "weights.translated_unmatched",
    "translated_needs_partner": "name_score.translated_unmatched_needs_partner",
    "phonetic_syllables": "name_score.phonetic_same_syllables",
    "person_x_is_ks": "name_score.person_x_is_ks",
    "person_name_forms": "name_score.person_name_forms",
    "korean_name_forms": "name_score.korean_name_forms",
    "pinyin_other_syllables": "name_score.pinyin_other_syllables",
    "sound_alike_spelt_first": "name_score.sound_alike_spelt_first",
    "pinyin_head_syllables": "name_score.pinyin_head_syllables",
    "sim_pinyin_head": "similarity.pinyin_head",
    "record_script_needs_partner": "name_score.translated_record_script_needs_partner",
    "institution_one_word": "name_score.translated_institution_one_word",
    "legal_form_displaced": "name_score.legal_form_displaced",
    "joined_word_class": "name_score.joined_word_class",
    "translated_country_is_region": "name_score.translated_country_is_region",
    "split_word_typo": "name_score.split_word_typo",
    "industry_words_distinct": "name_score.industry_words_distinct",
    "place_words_distinct": "name_score.place_words_distinct",
    "body_kind_morphology_distinct": "name_score.body_kind_morphology_distinct",
    "stem_compound_distinct": "name_score.stem_compound_distinct",
    "abbreviation_known_word": "name_score.abbreviation_known_word",
    "abbreviation_same_business": "name_score.abbreviation_same_business",
    "character_short_word_distinct": "name_score.character_short_word_distinct",
    "character_short_name_distinct": "name_score.character_short_name_distinct",
    "character_sole_word_distinct": "name_score.character_sole_word_distinct",
    "body_kinds_unmatched_distinct": "name_score.body_kinds_unmatched_distinct",
    "dictionary_names_registered": "name_score.dictionary_names_registered",
    "institution_lone_word": "name_score.institution_lone_word",
    "numbered_body_numbers": "name_score.numbered_body_numbers",
    "trade_name_place_clash": "name_score.trade_name_place_clash",
    "place_left_out": "name_score.institution_place_left_out",
    "city_left_out": "name_score.company_city_left_out",
    "number": "weights.number",
    "word": "weights.word",
    "person_token": "weights.person_token",
    "initial": "weights.initial",
    "person_clash_penalty": "person_clash_penalty",
    "person_extra_penalty": "person_extra_token_penalty",
    "person_subset_min_weight": "person_subset_min_weight",
    "number_clash_penalty": "number_clash_penalty",
    "place_clash_penalty": "place_clash_penalty",
    "char_floor": "name_score.character_similarity_floor",
    "char_margin": "name_score.character_margin",
    "char_min_length": "name_score.character_min_length",
    "acronym_score": "name_score.acronym_score",
    "symbol_score": "name_score.symbol_score",
    "subset_base": "name_score.person_subset_base",
    "subset_token_share": "name_score.person_subset_token_share",
    "subset_cap": "name_score.person_subset_cap",
    "typo_initials_cap": "name_score.person_typo_initials_cap",
    "patronymic_penalty": "name_score.patronymic_reversal_penalty",
    "char_rule_below": "name_score.character_rule_below",
    "acronym_min_length": "name_score.acronym_min_length",
    "subset_min_parts": "name_score.person_subset_min_parts",
    "subset_part_min_length": "name_score.person_subset_part_min_length",
    "body_kind_similarity": "body_kind_similarity",
    "translation_synonym_similarity": "translation_synonym_similarity",
    "translation_sense_similarity": "translation_sense_similarity",
    "sound_alike_similarity": "sound_alike_similarity",
    "sim_initial": "similarity.initial",
    "sim_short_typo": "similarity.short_typo",
    "typo_per_edit": "similarity.typo_per_edit",
    "typo_short_word": "similarity.typo_short_word",
    "typo_very_short_word": "similarity.typo_very_short_word",
    "typo_translated_pinyin": "similarity.typo_translated_pinyin",
    "sim_morphology": "similarity.morphology",
    "sim_phonetic": "similarity.phonetic",
    "sim_one_letter_variant": "similarity.one_letter_variant",
    "sim_stem": "similarity.stem",
    "sim_abbreviation": "similarity.abbreviation",
    "sim_person_name_form": "similarity.person_name_form",
    "len_other_first_letter": "word_lengths.other_first_letter",
    "len_short_typo": "word_lengths.short_typo",
    "len_typo": "word_lengths.typo",
    "len_typo_two_edits": "word_lengths.typo_two_edits",
    "len_typo_short_word_below": "word_lengths.typo_short_word_below",
    "len_typo_very_short_word_below": "word_lengths.typo_very_short_word_below",
    "len_translated_pinyin_below": "word_lengths.typo_translated_pinyin_below",
    "len_morphology": "word_lengths.morphology",
    "len_morphology_same_start": "word_lengths.morphology_same_start",
    "len_phonetic": "word_lengths.phonetic",
    "len_one_letter_variant": "word_lengths.one_letter_variant",
    "len_first_consonant_variant": "word_lengths.person_first_consonant_variant",
    "person_first_letters_alike": "name_score.person_first_letters_alike",
    "len_prefix": "word_lengths.stem_or_abbreviation",
    "len_stem": "word_lengths.stem",
    "len_sound_alike": "word_lengths.sound_alike",
    "len_translated_anchor_stem": "word_lengths.translated_anchor_stem",
    "kind_clash_penalty": "kind_clash_penalty",
    "country_clash_penalty": "country_clash_penalty",
    "person_country_clash_penalty": "person_country_clash_penalty",
    "qualifier_clash_penalty": "qualifier_clash_penalty",
    "dropped_qualifier_penalty": "dropped_qualifier_penalty",
    "dropped_qualifier_query": "dropped_qualifier_query",
    "query_wade_giles_reading": "query_wade_giles_reading",
    "arabic_compound_reading": "arabic_compound_reading",
    "query_korean_reading": "query_korean_reading",
    "korean_list_style_reading": "korean_list_style_reading",
    "korean_list_spellings": "korean_list_spellings",
    "korean_voiced_first_word": "korean_voiced_first_word",
    "korean_reading_min_score": "korean_reading_min_score",
    "wade_giles_pinyin_alike": "wade_giles_pinyin_alike",
    "wade_giles_readings": "wade_giles_readings",
    "wade_giles_reading_min_score": "wade_giles_reading_min_score",
    "branch_marker_penalty": "branch_marker_penalty",
    "core_name_penalty": "core_name_penalty",
    "parent_part_penalty": "parent_part_penalty",
    "han_mismatch_penalty_factor": "han_mismatch_penalty_factor",
    "candidates_per_query": "candidates_per_query",
    "candidates_full_match_cap": "candidates_full_match_cap",
    "candidates_full_match_long_lists": "candidates_full_match_long_lists",
    "candidates_same_name_scored": "candidates_same_name_scored",
    "candidates_deepen_cap": "candidates_deepen_cap",
    "candidates_deepen_names": "candidates_deepen_names",
    "candidates_deepen_to_end": "candidates_deepen_to_end",
    "candidate_relative_floor": "candidate_relative_floor",
    "candidate_query_floor": "candidate_query_floor",
    "candidates_relaxed_near_words": "candidates_relaxed_near_words",
    "candidates_record_translations": "candidates_record_translations",
    "candidates_near_word_credit": "candidates_near_word_credit",
    "candidates_near_word_forms": "candidates_near_word_forms",
    "candidates_shared_renderings": "candidates_shared_renderings",
    "candidates_crossed_renderings": "candidates_crossed_renderings",
    "candidates_symbol_names": "candidates_symbol_names",
    "candidates_person_sound_bag": "candidates_person_sound_bag",
    "candidates_split_word_pair": "candidates_split_word_pair",
    "candidates_rare_word_holders": "candidates_rare_word_holders",
    "candidates_same_initials": "candidates_same_initials",
    "scoring_floor_margin": "scoring_floor_margin",
    "max_posting": "max_posting",
    "core_names": "core_names",
    "core_name_ranking": "core_name_ranking",
    "core_name_max_words": "core_name_max_words",
    "core_name_min_letters": "core_name_min_letters",
    "branch_markers": "branch_markers",
    "key_rarity_power": "retrieval.rarity_power",
    "key_generic_word": "retrieval.generic_word",
    "key_single_letter": "retrieval.single_letter",
    "key_number": "retrieval.number",
    "key_person_phonetic": "retrieval.person_phonetic",
    "key_typo": "retrieval.typo",
    "key_word_root": "retrieval.word_root",
    "key_run_together_head": "retrieval.run_together_head",
    "key_pair_as_one_word": "retrieval.pair_as_one_word",
    "key_legal_runon": "retrieval.legal_runon",
    "key_pair_in_order": "retrieval.pair_in_order",
    "key_whole_name": "retrieval.whole_name",
    "key_same_words": "retrieval.same_words",
    "key_sound_alike": "retrieval.sound_alike",
    "key_translation_synonym": "retrieval.translation_synonym",
    "key_word_start": "retrieval.word_start",
    "key_word_start_min": "retrieval.word_start_min_letters",
    "same_name_cap": "retrieval.same_name_cap",
    "rarity_floor": "token_rarity.floor",
    "rarity_list_reference_count": "token_rarity.list_reference_count",
    "rarity_corpus_file": "token_rarity.corpus_file",
    "rarity_corpus_reference_count": "token_rarity.corpus_reference_count",
    "rarity_corpus_share": "token_rarity.corpus_share",
}

# sections wholly owned by the scorer: a key in them that the scorer does not know is a misspelling
_OWNED_SECTIONS = (
    "weights",
    "similarity",
    "name_score",
    "token_rarity",
    "word_lengths",
    "retrieval",
    "chinese_segmentation",
)

# Keys of the ``evidence`` and ``strength`` sections, read by chipguard.match.evidence (and grouping) as
# one mapping: checked here at load like the scorer's own, so a missing or mistyped key stops the engine
# at once, naming it, instead of when the first hit that needs it is assessed.
EVIDENCE_KEYS: dict[str, type] = {
    "evidence.circa_years": int,
    "evidence.dob_conflict_days": int,
    "evidence.dob_conflict_penalty": float,
    "evidence.min_identifier_length": int,
    "evidence.max_identifier_length": int,
    "evidence.address_similarity": float,
    "evidence.address_min_words": int,
    "evidence.non_identifier_schemes": tuple,
    "evidence.institution_words": tuple,
    "evidence.generic_name_max_rarity": float,
    "evidence.single_word_min_rarity": float,
    "evidence.identifiers": list,
    "strength.confirm_name_score": float,
    "strength.person_name_alone_confirms": bool,
    "strength.identifier_min_name_score": float,
    "strength.declared_kind_review_score": float,
    "strength.generic_query_evidence": bool,
    "strength.generic_name_needs_country": bool,
    "strength.homophone_conflict": bool,
    "strength.approximate_brand_conflict": bool,
    "strength.kindless_person_or_org": bool,
    "strength.weak_alias_needs_evidence": bool,
    "strength.thin_trade_name_needs_country": bool,
    "strength.generic_query_business_line": bool,
    "strength.pinyin_trade_name_registered": bool,
    "strength.address_after_legal_form": bool,
    "strength.near_person_needs_dob": bool,
    "strength.near_person_margin": float,
    "strength.near_person_dob_days": int,
    "strength.near_person_place_for_nationality": bool,
    "strength.near_person_day_margin": float,
}


def _fail(message: str, key: str) -> InputError:
    return InputError(message, file=str(name_data_file(MATCHING_FILE)), field=key)


def _value(data: dict[str, Any], key: str, kind: type) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise _fail("missing: every scorer weight is data, there is no default in code", key)
        node = node[part]
    if kind is bool:
        if not isinstance(node, bool):
            raise _fail(f"must be true or false, not {node!r}", key)
        return node
    if kind is str:
        if not isinstance(node, str) or not node.strip():
            raise _fail(f"must be a text, not {node!r}", key)
        return node
    if kind is tuple:  # a list of words or phrases (an empty list is allowed: the feature is off)
        if not isinstance(node, list) or not all(isinstance(x, str) and x.strip() for x in node):
            raise _fail(f"must be a list of texts, not {node!r}", key)
        return tuple(x.strip() for x in node)
    if kind is list:  # a list of mappings, checked by its reader
        if not isinstance(node, list) or not all(isinstance(x, dict) for x in node):
            raise _fail(f"must be a list of mappings, not {node!r}", key)
        return node
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise _fail(f"must be a number, not {node!r}", key)
    if kind is int:
        if node != int(node):
            raise _fail(f"must be a whole number, not {node!r}", key)
        return int(node)
    return float(node)


def load(data: dict[str, Any]) -> ScorerConfig:
    """The scorer configuration in ``data`` (matching.yml parsed); an error names a missing, mistyped or
    unknown key."""
    known = {key for key in KEYS.values() if "." in key} | {
        f"chinese_segmentation.{k}" for k in SEGMENTATION_KEYS + SEGMENTATION_FLAGS
    }
    for section in _OWNED_SECTIONS:
        for name in sorted((data.get(section) or {}) if isinstance(data.get(section), dict) else {}):
            if f"{section}.{name}" not in known:
                raise _fail("unknown key (misspelt?): the scorer does not use it", f"{section}.{name}")
    for key, kind in EVIDENCE_KEYS.items():
        _value(data, key, kind)
    for name in SEGMENTATION_KEYS:  # read by chipguard.names.chinese, checked here with the rest
        _value(data, f"chinese_segmentation.{name}", float)
    for name in ABBREVIATION_KEYS:  # read by chipguard.names.chinese too
        _value(data, name, bool)
    for name in SEGMENTATION_FLAGS:
        _value(data, f"chinese_segmentation.{name}", bool)
    types = {f.name: f.type for f in fields(ScorerConfig)}
    kinds = {"float": float, "int": int, "bool": bool, "str": str, "tuple[str, ...]": tuple}
    return ScorerConfig(**{name: _value(data, key, kinds[str(types[name])]) for name, key in KEYS.items()})


@cache
def scorer_config() -> ScorerConfig:
    """The scorer's configuration from matching.yml (read and checked once per process)."""
    cfg = load(matching_config())
    if not 0.0 <= cfg.rarity_corpus_share <= 1.0:
        raise _fail("must be between 0 and 1", KEYS["rarity_corpus_share"])
    if cfg.rarity_list_reference_count < 1 or cfg.rarity_corpus_reference_count < 1:
        raise _fail("must be 1 or more", "token_rarity.*_reference_count")
    return cfg


PERSON_NAME_FORMS_FILE = "person_name_forms.tsv"
# the Korean persons' table (name_score.korean_name_forms): the DPRK's and McCune-Reischauer's spellings
KOREAN_NAME_FORMS_FILE = "korean_name_forms.tsv"


def name_form_files(cfg: ScorerConfig) -> tuple[str, ...]:
    """The name-forms tables the configuration reads (name_score.person_name_forms, korean_name_forms)."""
    return (PERSON_NAME_FORMS_FILE,) * cfg.person_name_forms + (
        KOREAN_NAME_FORMS_FILE,
    ) * cfg.korean_name_forms


@cache
def person_name_forms(files: tuple[str, ...] = (PERSON_NAME_FORMS_FILE,)) -> dict[str, int]:
    """Each form of a person's name part in the name-forms tables ``files`` (names/, written by
    tools/build_person_name_forms.py) → the number of its name: the forms the files pair, joined
    (Sergey / Serhiy and Sergei / Sergey make one name of three forms), numbered in the order of each
    name's first form, so the numbers never depend on hashing."""
    from chipguard.refdata import recorded_file

    pairs: list[tuple[str, str]] = []
    for file in files:
        found = recorded_file(f"names/{file}")
        pairs += name_form_pairs(found.text(), found.name)
    return join_name_forms(pairs)


def parse_person_name_forms(text: str, file: str) -> dict[str, int]:
    """A person-name-forms file: ``form <TAB> form <TAB> records`` lines (a bad line is an error naming
    the file and the line); see :func:`person_name_forms`."""
    return join_name_forms(name_form_pairs(text, file))


def name_form_pairs(text: str, file: str) -> list[tuple[str, str]]:
    """The pairs of a person-name-forms file (a bad line is an error naming the file and the line)."""
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not cells[0].strip() or not cells[1].strip() or not cells[2].strip():
            raise InputError("expected: form <TAB> form <TAB> records", file=file, line=number)
        pairs.append((cells[0].strip(), cells[1].strip()))
    return pairs


def join_name_forms(pairs: list[tuple[str, str]]) -> dict[str, int]:
    """Form → the number of its name: the forms ``pairs`` join (see :func:`person_name_forms`)."""
    parent: dict[str, str] = {}

    def root(form: str) -> str:
        while parent[form] != form:
            parent[form] = parent[parent[form]]
            form = parent[form]
        return form

    for a, b in pairs:
        for form in (a, b):
            parent.setdefault(form, form)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    names = sorted({root(form) for form in parent})
    numbers = {name: k for k, name in enumerate(names)}
    return {form: numbers[root(form)] for form in sorted(parent)}


@cache
def company_words() -> tuple[int, dict[str, int]]:
    """The general company-name corpus (``token_rarity.corpus_file`` under names/): how many names it
    holds, and canonical word → how many of them hold it. Written by tools/build_company_words.py."""
    from chipguard.refdata import recorded_file

    found = recorded_file(f"names/{scorer_config().rarity_corpus_file}")  # the bytes decisions record
    return parse_company_words(found.text(), found.name)


def read_company_words(path: Path) -> tuple[int, dict[str, int]]:
    """A company-word file read from ``path`` (see :func:`parse_company_words`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the company-name corpus: {exc}", file=str(path)) from exc
    return parse_company_words(text, str(path))


def parse_company_words(text: str, file: str) -> tuple[int, dict[str, int]]:
    """A company-word file: its ``names <TAB> N`` line and its ``word <TAB> count`` lines (a bad line is an
    error naming the file and the line)."""
    counts: dict[str, int] = {}
    total = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        word, _, count = line.partition("\t")
        if not count.strip().isdigit():
            raise InputError("expected: word <TAB> count", file=file, line=number, field=word)
        if word == "names":
            total = int(count)
        elif word != "min_count":
            counts[word] = int(count)
    if total < 1:
        raise InputError("the corpus file needs a 'names <TAB> count' line", file=file)
    return total, counts


@cache
def corpus_rarity(canon: str) -> float:
    """How rare a word is in company names at large: 1.0 for a word on ``corpus_reference_count`` names
    or fewer, down to ``token_rarity.floor`` for the commonest — the same scale as the list rarity."""
    cfg = scorer_config()
    total, counts = company_words()
    idf = math.log((total + 1) / (counts.get(canon, 0) + 1))
    ref = max(math.log(total / cfg.rarity_corpus_reference_count), 1.0)
    return cfg.rarity_floor + (1 - cfg.rarity_floor) * min(1.0, idf / ref)


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature a score can be made of, as a hit's explanation names it."""

    name: str
    keys: tuple[str, ...]  # the matching.yml keys that weigh it
    applies: str  # "name" (both faces), "record" (screening: the candidate is a listed record)
    description: str


FEATURES: tuple[Feature, ...] = (
    Feature(
        "token_alignment",
        (
            "weights.*",
            "token_rarity.*",
            "similarity.*",
            "word_lengths.*",
            "body_kind_similarity",
            "translation_synonym_similarity",
            "translation_sense_similarity",
            "sound_alike_similarity",
            "name_score.translated_unmatched_needs_partner",
            "name_score.phonetic_same_syllables",
            "name_score.person_x_is_ks",
            "name_score.person_name_forms",
            "name_score.korean_name_forms",
            "name_score.pinyin_other_syllables",
            "name_score.sound_alike_spelt_first",
            "name_score.pinyin_head_syllables",
            "name_score.translated_record_script_needs_partner",
            "name_score.translated_institution_one_word",
            "name_score.legal_form_displaced",
            "name_score.joined_word_class",
            "name_score.translated_country_is_region",
            "name_score.split_word_typo",
            "name_score.industry_words_distinct",
            "name_score.place_words_distinct",
            "name_score.body_kind_morphology_distinct",
            "name_score.stem_compound_distinct",
            "name_score.abbreviation_known_word",
            "name_score.abbreviation_same_business",
            "name_score.person_first_letters_alike",
            "name_score.body_kinds_unmatched_distinct",
            "name_score.dictionary_names_registered",
            "name_score.institution_lone_word",
        ),
        "name",
        "The weighted share of both names' words that pair up: Σ 2·similarity·weight over aligned pairs "
        "÷ Σ of every word's weight. A word weighs by its class (weights.*) times its rarity on the lists; "
        "a matched word of an organisation's name also by its rarity in company names at large "
        "(token_rarity.*); two unequal words meet by the similarity.* rules, each from the length "
        "word_lengths.* gives. A word-by-word translation's word meets another CC-CEDICT sense of the "
        "Chinese word it renders (卫生 Health / Hygiene, 石油 Petroleum / Oil; zh/cedict_senses.tsv) at "
        "translation_sense_similarity (0: off). A translated Chinese name's pair, once its pinyin brand matched, weighs "
        "unmatched words by weights.translated_unmatched (they may be synonyms); with "
        "translated_unmatched_needs_partner, a list's Chinese name met by an English query has only as many "
        "of its own unmatched words lowered as the query leaves unmatched (a synonym needs a counterpart); "
        "with translated_record_script_needs_partner, the same for the English name of a record that "
        "carries its own Chinese name, met by a Chinese query; with translated_institution_one_word, "
        "when one of the names is an institution's (a university, an institute, a hospital) and the pair "
        "leaves unmatched only one proper word of the translated name, which the other name has no "
        "counterpart for, or a proper word against the other's kind of body, those words keep their weight: the one word telling two bodies "
        "apart (Xihua Normal University / Xihua University, Taipei Municipal Zoo / University of Taipei) "
        "is no synonym. "
        "With person_x_is_ks, a person's name part written with x meets the same part written "
        "with ks (Alexander / Aleksandr, Alexei / Aleksei: one name romanised two ways) as one edit of the "
        "typo rule. "
        "With person_name_forms, two forms of one person's name part that the sanctions lists give as "
        "names of one person of Russia, Ukraine or Belarus, two records or more (person_name_forms.tsv: "
        "Sergey / Serhiy, Aleksey / Oleksiy, Vladimirovich / Volodymyrovych), meet at "
        "similarity.person_name_form: the Russian and the Ukrainian or Belarusian form are other words, "
        "no typo of each other. "
        "With korean_name_forms, the same for two spellings of a Korean person's name part that the lists "
        "give as names of one person of North or South Korea, two persons or more (korean_name_forms.tsv: "
        "Chong / Jong, Chin / Jin, Tae / Thae, Chol / Chul). "
        "With pinyin_other_syllables, a translated query's word and a list word that both read as two "
        "pinyin syllables or more, neither starting the other (Guanhao / Huanhao), are other trade names: "
        "no typo or morphology similarity. "
        "With translated_country_is_region, a word "
        "naming a country is never lowered so: by the vocabulary's country words or by the countries' own "
        "names (country_names.yml, ISO 3166-1 and CLDR), it is a region, as a place is, not a synonym. "
        "With legal_form_displaced, a word one name holds on its own and the other inside a legal form of "
        "two words or more (CLOSED … Joint Stock Company vs Closed Joint Stock Company) weighs as a legal form, "
        "and a one-word legal form run onto a word (TANKERSFZE vs Tankers FZE) is joined like two words. "
        "With joined_word_class, two adjacent words joined into a word of the other name (She nzhen / "
        "Shenzhen) take that word's class: a misspelt place weighs as the place. "
        "With split_word_typo, two words of one organisation name whose concatenation is one edit from a word "
        "of the other (word_lengths.typo_two_edits letters or more, same first letter) are joined: a typo in "
        "a word the analysis split on one side only (GOLDIMNES vs GOLDMINES, read gold mines). "
        "With industry_words_distinct, two different industry words (the English of the curated Chinese "
        "industry terms: Electric / Electronic, Shipping / Shopping, Powder / Power) never meet as a typo: "
        "each is a word the vocabulary knows, so one is not a misspelling of the other. "
        "With place_words_distinct, two different place or region words never meet as a typo or as one "
        "the other's start: two places are two bodies' places, neither a misspelling of the other "
        "(Southwest / Northwest, Hunan / Henan: the vocabulary's places and region_words, names/vocab."
        "place_words; in an institution's name also the Chinese places of CC-CEDICT spelt in pinyin, "
        "Jiangnan / Jianghan, names/vocab.chinese_place_words — in a company's name a county's name is as "
        "often the trade name). "
        "With body_kind_morphology_distinct, a kind of teaching or research body (the vocabulary's "
        "body_kinds: University, College, Institute …) and a word naming no institution (Universe, "
        "Universal) in a company's name (one with a legal form) never meet as morphology variants: the "
        "company is not the body (Shenzhen University / Shenzhen Universe (Group) Co., Ltd). "
        "With stem_compound_distinct, a word that is another word run onto a word the vocabulary knows as "
        "what a body is or does (a generic organisation word, an industry word, a kind of institution: "
        "NingboTech = Ningbo + Tech, Gazprombank = Gazprom + Bank; four letters or more) never meets that "
        "word as its stem: the "
        "compound names another body. "
        "With abbreviation_known_word, in a pair not translated word by word, a word meets another it "
        "starts (shorter than word_lengths.stem: similarity.abbreviation) only when the longer is not the "
        "shorter run onto another common word (four letters or more: a compound's first word is that word, "
        "Air / Aircraft) and, when the query's word is the longer, only when that word is one the "
        "vocabulary knows or company names at large use: a query adding letters to a listed proper name "
        "names another party (Gazprom for the listed Gaz, Rossiya for Rossi), unless it adds one letter (a "
        "typo: AIRR) or a legal form's word (TECHCO for Tech Co.); a query cutting a listed word short "
        "still abbreviates it; a compound naming its first word's own business "
        "(abbreviation_same_business: Airlines for Air) is not parted from it. "
        "With word_lengths.person_first_consonant_variant, a person's name part one letter off at its "
        "start, both first letters consonants, meets as a one-letter variant only from that length, unless "
        "one group of name_score.person_first_letters_alike holds both (one sound romanised two ways: J / Y, "
        "C / K / Q, and the initials Wade-Giles and Pinyin, or the two Korean romanisations, write apart: "
        "Teng / Deng, Chou / Zhou, Hsu / Xu, Kang / Gang, Ri / Li): a short name with another first "
        "consonant is another name (Song / Gong, Jang / Kang); Ssad / Asad (a vowel), Yong / Jong stay "
        "variants. "
        "With body_kinds_unmatched_distinct, two different kinds of teaching or research body left "
        "unmatched one against the other in a pair not translated word by word (Beijing University / "
        "Institute of Technology) weigh as weights.generic_institutional: the kind is the registered one. "
        "With dictionary_names_registered, a Chinese name that is as a whole one dictionary entry of a "
        "named body (CC-CEDICT's 北京工业大学, Beijing University of Technology) is rendered as that "
        "body's registered English name and compared as a name, with none of a word-by-word "
        "translation's leniencies (another kind of body, a synonym, an unmatched word lowered): Beijing "
        "University of Technology is not Beijing Institute of Technology (北京理工大学). Not for a name "
        "ending in a kind the curated vocabulary registers as two kinds of body (学院: University or "
        "College), whose dictionary English is one gloss among several. "
        "With institution_lone_word, two institutions' names sharing only places and generic words, one "
        "of them holding a distinctive word the other lacks and nothing else left on either side (Peking "
        "Electronic University of Science and Technology / University of Science and Technology Beijing, "
        "Inner Mongolia Normal University / Inner Mongolia University), weigh that word as much as the "
        "words they share: it alone says which body one of them is (two thirds at most); against a "
        "word-by-word translation only the translation's word (a listed word it lacks may be one it "
        "rendered by meaning: 以色列理工 is the Technion). "
        "The explanation's alignment lists each pair with its weight.",
    ),
    Feature(
        "person_subset",
        (
            "name_score.person_subset_base",
            "name_score.person_subset_token_share",
            "name_score.person_subset_cap",
            "person_extra_token_penalty",
            "person_subset_min_weight",
            "name_score.person_subset_min_parts",
            "name_score.person_subset_part_min_length",
        ),
        "name",
        "A person's shorter name found exactly in the longer (a dropped middle name; at least min_parts "
        "parts of part_min_length letters): base + share × alignment − penalty per extra part, at most "
        "the cap; replaces token_alignment when higher.",
    ),
    Feature(
        "character_similarity",
        (
            "name_score.character_similarity_floor",
            "name_score.character_margin",
            "name_score.character_min_length",
            "name_score.character_rule_below",
            "name_score.numbered_body_numbers",
            "name_score.character_short_word_distinct",
            "name_score.character_short_name_distinct",
            "name_score.character_sole_word_distinct",
        ),
        "name",
        "Two organisation names alike letter by letter (spaces and punctuation removed) at or above the "
        "floor: their letter similarity less the margin; replaces token_alignment when higher (tried "
        "when the alignment is below character_rule_below). With numbered_body_numbers, not for two Chinese "
        "names of numbered bodies whose numbers differ (第七二一研究所 / 第七一一研究所); with "
        "name_score.place_words_distinct, not when the one word left on each side is a different place word "
        "(Beijing / Neijiang Normal University); with character_short_word_distinct, not when the one word "
        "left on each side is, on either side, shorter than word_lengths.typo, neither holds the other and "
        "they are two edits apart or more "
        "(CK / A.C. International, "
        "Hunan / HNA Investment Group: the word rules judged those two words other words, and the letters "
        "are alike only through the words the names share); with character_short_name_distinct, not either "
        "when they are one edit apart (not the same letters in another order) and every word the names pair "
        "is generic, an industry word, a legal form, a place or a stopword: the short word is all that names "
        "the firm, and one letter off it is another firm's short name (MCS / MKS International; PTV / PVT "
        "and Hon Wai / Hon Hai still meet); with character_sole_word_distinct, not for "
        "two institutions' names that share no distinctive word (every word they pair generic, an industry "
        "or institutional word, a legal form, a place) and leave one word on each side, each name's own, "
        "neither holding the other nor the same letters in another order, starting with different letters "
        "and two edits apart or more (闽南 Minnan / Lingnan Normal University; one edit at the first letter "
        "is as often a typo, Mefei for Hefei University).",
    ),
    Feature(
        "acronym",
        ("name_score.acronym_score", "name_score.acronym_min_length"),
        "name",
        "A one-word name that is the other's acronym (acronym_min_length letters or more) scores this when the names "
        "score lower otherwise.",
    ),
    Feature(
        "symbol",
        ("name_score.symbol_score",),
        "name",
        "A one-word name that is a multilingual symbol of the other (symbols.yml) scores at least this.",
    ),
    Feature(
        "number_clash",
        ("number_clash_penalty",),
        "name",
        "Both organisation names hold numbers that find no partner: another unit, factory or series.",
    ),
    Feature(
        "place_clash",
        ("place_clash_penalty", "name_score.trade_name_place_clash"),
        "name",
        "Both organisation names hold a place or country that finds no partner; with "
        "trade_name_place_clash also a match on a listed firm's trade name whose listed name adds a place "
        "(city, province) the query's differs from.",
    ),
    Feature(
        "place_left_out",
        ("name_score.institution_place_left_out", "name_score.company_city_left_out"),
        "name",
        "An institution's listed name starting with a place (Beijing Computational Science Research "
        "Center), met by a query naming no place at all — no place, region or country word, no Chinese "
        "place in pinyin — that leaves nothing else unmatched on either side: the listed name with its place "
        "left out. That leading place weighs weights.place instead of weights.place_institutional (no "
        "contribution of its own: it shows in the alignment's weights), and the hit never confirms on the "
        "name alone (potential, for a review to say which place's body the customer is). Only when the "
        "names share a proper word (not a generic, institutional or industry word: a query of those alone, "
        '"Institute of Technology", "Medical University", names no body, and the place is all that '
        "says which), the place is met by no word of the query (a misspelt place, Guangdog, keeps its "
        "weight), and the query is no word-by-word translation (a unit's reading leaves its parent out: "
        '中国医学科学院肿瘤医院 as "Tumor Hospital"). A query naming another place keeps the '
        "institutional weight (Shanghai University / Beijing University). With company_city_left_out the "
        "same for a company's listed name starting with a city that is no vocabulary place (China's "
        "prefecture-level cities, names/chinese_cities.tsv: Dandong Dongyuan Industrial; the cities of the "
        "bundled lists' addresses, names/list_cities.tsv: Damascus Cham Holding Company): that city weighs "
        "weights.place instead of a word's weight; a city both names hold keeps a word's weight.",
    ),
    Feature(
        "person_typo_initials",
        ("name_score.person_typo_initials_cap",),
        "name",
        "A person's listed name of one full part and initials met only by initials and a typo of that part "
        "(GHAILANI's alias Ahmed A. against Ahmad Ayman: 0.80): such an alias names thousands of people, "
        "and a typo of its one full part is another name as often as the same one. The score is at most "
        "the cap (the difference shows as this feature's negative contribution). Not when the full part is "
        "met exactly (Ahmed Ali against Ahmed A.) or as a listed form of the name, nor for a query written "
        "with initials against a listed full name (A. Ghailan).",
    ),
    Feature(
        "person_parts_clash",
        ("person_clash_penalty",),
        "name",
        "Per person-name part that differs on both sides (another given name); weight × count.",
    ),
    Feature(
        "patronymic_reversal",
        ("name_score.patronymic_reversal_penalty",),
        "name",
        "The names before and after bin/ibn swapped places (Ahmad bin Hasan vs Hasan bin Ahmad).",
    ),
    Feature(
        "qualifier_clash",
        ("qualifier_clash_penalty",),
        "name",
        "A parenthesised qualifier was dropped to match and both names carry different ones "
        "(Bank of China (Hong Kong) vs Bank of China (Australia)).",
    ),
    Feature(
        "han_characters_differ",
        ("han_mismatch_penalty_factor",),
        "name",
        "A Chinese query met a Chinese list name through their Latin forms but the characters differ: "
        "weight × (1 − character similarity).",
    ),
    Feature(
        "kind_clash",
        ("kind_clash_penalty",),
        "record",
        "The query says person and the listed party is an organisation, vessel or aircraft (or the reverse).",
    ),
    Feature(
        "country_clash",
        ("country_clash_penalty", "person_country_clash_penalty"),
        "record",
        "The query's country is not among the listed party's countries (a person's weighs less).",
    ),
    Feature(
        "dropped_qualifier",
        ("dropped_qualifier_penalty",),
        "record",
        "The list name was matched without a parenthesised qualifier the query lacks "
        "(Huawei Technologies (Australia) for Huawei Technologies): a subsidiary or branch.",
    ),
    Feature(
        "query_qualifier",
        ("dropped_qualifier_penalty", "dropped_qualifier_query"),
        "record",
        "With dropped_qualifier_query: the query matched without a place or country in parentheses of its "
        "own that the list name lacks (Semiconductor Manufacturing International (Beijing) for "
        "Semiconductor Manufacturing International): the query names a subsidiary or branch of the listed "
        "firm; a qualifier naming the query's or the record's country says nothing more.",
    ),
    Feature(
        "wade_giles_reading",
        ("query_wade_giles_reading",),
        "name",
        "A Latin name that reads as Wade-Giles (two to four words of one or two Wade-Giles syllables, one "
        "at least no Pinyin: Chang Hsiao-ming) is matched as read in Pinyin too (Chang Xiaoming), a query "
        "form of its own (method wade-giles in the explanation's compared forms): the lists write Chinese "
        "persons in Pinyin, a passport of Taiwan or an older document in Wade-Giles.",
    ),
    Feature(
        "arabic_compound_reading",
        ("arabic_compound_reading",),
        "name",
        "A name holding an Arabic compound, ʿAbd + the article + one of God's names or the kunya Abu + a name "
        "(Abd al-Rahman, Abdul Rahman, Abdel Rahman, Abdulrahman, Abderrahmane; Abu Bakr, Abou Bakr), is read "
        "with every compound as one word of one spelling (Abdalrahman, Abubakr; vocabulary.yml "
        "arabic_compounds, chipguard.names.arabic): a query form of its own (method arabic-compound in the "
        "explanation's compared forms) and, for a listed person, an indexed name of its own, so two spellings "
        "of one compound meet whichever each side used.",
    ),
    Feature(
        "korean_reading",
        ("query_korean_reading",),
        "name",
        "A Latin name that reads as the Revised Romanization of Korean (two to four words of one or two RR "
        "syllables, one at least not written as the lists write Korean: Gim Jeong-eun, Bak Han Se) is matched "
        "as read in McCune-Reischauer too (Kim Jong-un, Pak Han Se; up to eight readings, each a query form "
        "of its own, method korean-rr): the lists write North Korean persons in McCune-Reischauer, a passport "
        "of the Republic of Korea in RR.",
    ),
    Feature(
        "korean_list_style_reading",
        (
            "korean_list_style_reading",
            "korean_list_spellings",
            "korean_voiced_first_word",
            "korean_reading_min_score",
        ),
        "name",
        "With query_korean_reading: a name whose every word is written as the lists write Korean is read too "
        "(Ri Jong Jol, Kim Il-ram, Joe Ryong Hae: RR's j is MR's ch at a word's start, RR's initial r is the "
        "lists' n; the readings Ri Chong Chol, Kim Il-nam, Choe Ryong Hae). With korean_list_spellings, a "
        "syllable is read as the lists' other spellings of its Hangul syllables too (ICU's McCune-Reischauer at "
        "a word's start and inside a word, as the DPRK writes it anywhere: Kim Chong Un as Kim Jong Un, Ri Man "
        "Kon as Ri Man Gon), but a first word with g, d or b only as written so (korean_voiced_first_word "
        "false: KIM SONG is not read Gim Song; the lists write a Korean name's first word with MR's k, t, p). "
        "A record a Korean reading meets "
        "counts only at korean_reading_min_score or more (a near name of a guessed reading is no evidence).",
    ),
    Feature(
        "wade_giles_pinyin_alike",
        ("wade_giles_pinyin_alike", "wade_giles_readings", "wade_giles_reading_min_score"),
        "name",
        "With query_wade_giles_reading: a name whose every word is Pinyin as well (Peng Po, Kao Chi: 彭博 Peng "
        "Bo, 高奇 Gao Qi in Wade-Giles) is read too, and a name's syllables are read every way they may be "
        "(aspirated or not, with or without the umlaut a form drops: Chen Chuan-kuo as Chen Quanguo), at most "
        "wade_giles_readings readings besides the name as written, the likeliest by the characters reading "
        "each syllable. A record a reading meets counts only at wade_giles_reading_min_score or more (a "
        "near name of a guessed reading is no evidence).",
    ),
    Feature(
        "branch_marker",
        ("branch_marker_penalty", "branch_markers"),
        "record",
        'The listed record is a branch or office (branch_markers: "… Branch", "… Representative '
        "Office\", 分公司) and the query names none: the body's own record ranks first.",
    ),
    Feature(
        "trade_name",
        ("core_name_penalty",),
        "record",
        "The match is on the listed company's trade name (region, industry words and legal form removed).",
    ),
    Feature(
        "parent_part",
        ("parent_part_penalty",),
        "record",
        "The matched name is the parent named in another entity's record (Affiliated Entity / Parent "
        "Organization).",
    ),
    Feature(
        "dob_conflict",
        ("evidence.dob_conflict_penalty",),
        "record",
        "The query's date of birth is a year or more from the listed one (after circa and ranges).",
    ),
    Feature(
        "score_range",
        (),
        "name",
        "The amount by which the sum of the other contributions was held within 0 and 1.",
    ),
)


@dataclass(frozen=True, slots=True)
class Setting:
    """Keys of matching.yml that are no feature of a score: the threshold, how candidates are found, when
    a hit is confirmed, potential or weak, and how query evidence is compared with the list."""

    keys: tuple[str, ...]
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(("threshold",), "A hit scores at least this (per call: --threshold, CHIPGUARD_MATCH_THRESHOLD)."),
    Setting(
        (
            "candidates_per_query",
            "candidates_full_match_cap",
            "candidates_full_match_long_lists",
            "candidates_same_name_scored",
            "candidates_deepen_cap",
            "candidates_deepen_names",
            "candidates_deepen_to_end",
            "candidate_relative_floor",
            "candidate_query_floor",
            "candidates_relaxed_near_words",
            "candidates_record_translations",
            "candidates_near_word_credit",
            "candidates_near_word_forms",
            "candidates_shared_renderings",
            "candidates_crossed_renderings",
            "candidates_symbol_names",
            "candidates_person_sound_bag",
            "candidates_split_word_pair",
            "candidates_rare_word_holders",
            "candidates_same_initials",
            "max_posting",
        ),
        "Which listed names are scored for a query (chipguard.match.index): the best candidates by shared "
        "word weight, every entry holding all the query's words up to the cap (long_lists: those the common "
        "words' long posting lists alone reach too), none below the floors (relative_floor of the best "
        "candidate's weight; down to query_floor of the query's own for names holding one of its two rarest "
        "words, or with relaxed_near_words its rarest one one edit off, joined with the next or by sound); "
        "with same_name_scored, every "
        "entry named as the query's trade name or as a candidate whose name clears the threshold; while the "
        "candidates scored last bring records over the threshold through deepen_names list names or more, "
        "the next candidates_per_query by weight (floors aside) are scored too, up to deepen_cap more; with "
        "deepen_to_end, once those batches stop, the rest of the ranking whose score bound "
        "(chipguard.match.bound) reaches the threshold, but records already over it; with "
        "record_translations, a Latin organisation query holding a record's trade name, once it has "
        "cleared the threshold on some record, scores the record's translated Chinese names too; with "
        "near_word_credit, a name inside the limit holding one of the query's words one edit off is "
        "weighed against the floor as though it held it as written (with near_word_forms, also two of its "
        "words joined one edit off, Dong Hwa for Donghua, or a word starting it or started by it, Western "
        "for West); with shared_renderings, the "
        "translations of a Chinese query, once it has cleared the threshold on some record, score the "
        "first candidates of its pinyin too (with crossed_renderings, those of its other translations holding a word "
        "of its own the other lacks, too); "
        "with symbol_names, every name that is an acronym-like symbol "
        "the query spells out (IRGC for Islamic Revolutionary Guard Corps); with person_sound_bag, every "
        "person's name whose parts sound as the query's in any order (MUHAMMAD, Mustafa for Mahamed "
        "Mostafa)"
        "; with split_word_pair, a list word that is two adjacent query words no list holds, joined "
        "(Brilliance for Brilli ance), weighs as both"
        "; with rare_word_holders, the names over the relaxed floor holding the query's rarest word and "
        "more, when no more than candidates_per_query names hold it, past the limit too"
        "; with same_initials, the names over the relaxed floor whose initials (four or more) are the "
        "query's, past the limit too, the query holding no number (China Ship Scientific Research Center "
        "for China Shipbuilding Science Research Center)"
        ".",
    ),
    Setting(
        ("retrieval.*",),
        "What a listed name sharing one retrieval key with the query adds to its candidate weight "
        "(chipguard.match.index.NameIndex.query_keys): shared words by their rarity (generic words and an "
        "organisation's lone letters less, not a letter hyphened to a word), typos, roots, pairs, the "
        "whole name; for a translated Chinese name also the list words that sound like its pinyin words and "
        "its words' synonyms and shorter forms. Every listed name that is the query's name canonically is "
        "scored, whatever the candidate limit, up to same_name_cap.",
    ),
    Setting(
        ("scoring_floor_margin",),
        "A candidate is scored in full only when its name may still reach the threshold less this (below, "
        "the scorer stops early); the candidates kept, hits or not, are where a record that states no "
        "country finds the countries of its same-name records.",
    ),
    Setting(
        ("core_names", "core_name_max_words", "core_name_min_letters"),
        "A listed company is also found by its trade name (region, industry words and legal form removed), "
        "a Latin one of at most max_words words and min_letters letters (see the trade_name feature).",
    ),
    Setting(
        ("core_name_ranking",),
        "Among hits of equal score on trade names, the listed name adding the fewest words beyond its trade "
        "name ranks first (other words, then places and other countries; a legal form and the query's own "
        "country cost nothing): the body itself before its subsidiaries. Order only.",
    ),
    Setting(
        ("zh_acronym_rendering", "zh_group_prefix_trade_name", "zh_abbreviation_words_rendering"),
        "A Chinese name holding a state group's abbreviation (中航 → Aviation Industry / AVIC, zh/org_terms.yml) "
        "is also rendered word by word with the group's acronym (中航航空高科技 → AVIC Aviation High-Tech); a "
        "group abbreviation before a place is a subsidiary's prefix, its trade name the word after the place "
        "(中国航发|沈阳|黎明 → AECC Shenyang Liming); an abbreviation made of dictionary words is also read "
        "as those words (中国石油大学 → China Petroleum University, not only PetroChina University).",
    ),
    Setting(
        ("chinese_segmentation.*",),
        "How a Chinese name is cut into words (chipguard.names.chinese): the cost of each kind of segment "
        "in the least-cost segmentation; the words then meet the list's words by the features above.",
    ),
    Setting(
        ("strength.*",),
        "Match strength (chipguard.match.evidence): when a name alone confirms a hit, how close a name "
        "must be for an identical identifier to confirm it, when a declared kind is reviewed, whether a "
        "generic query is weak on a list name adding the place or proper name it lacks, whether a generic "
        "name confirms on its name only in the record's country, whether a Chinese query whose brand the "
        "record's Chinese name writes with other characters of the same sound is weak, and one whose brand "
        "met the English name only by a near word while the record's Chinese names lack it, whether a query "
        "of no kind is a person or an organisation, never a vessel or aircraft, whether a near match on a "
        "weak alias needs evidence beyond the name, whether a trade name of one common word, its listed "
        "name naming another country than the query's, is weak, whether a generic query holding a listed "
        "Chinese name that names only a line of business is weak, whether a Chinese registered name met by "
        "its pinyin alone on an English-only record's trade name, the listed name adding what the query's "
        "firm is not, is weak, and whether a person's near name below the "
        "threshold (every part met, within near_person_margin) is kept as a potential hit when the date of "
        "birth agrees, whether, for it, a record stating no nationality lets its address or birth "
        "country stand in for one, and how far below (near_person_day_margin, the query's every part "
        "met) a declared person giving a date of birth is scored and kept by a day-precise date "
        "(see 'Match strength' below).",
    ),
    Setting(
        ("evidence.*",),
        "How the query's evidence is compared with the list record: dates of birth (circa, conflict), "
        "which list identifiers are numbers, the identifier rules (identifiers: agree confirms, conflict "
        "makes weak), addresses, generic institutional names, single-word names.",
    ),
)


TABLE_BEGIN = "<!-- matching-features:begin (generated by tools/matching_features.py) -->"
TABLE_END = "<!-- matching-features:end -->"


def _value_text(value: Any) -> str:
    """A value as the table shows it: a list as its items (a mapping as ``key: value`` pairs)."""
    if isinstance(value, list):
        return "[" + "; ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _weights_text(data: dict[str, Any], key: str) -> str:
    """``key = value`` for a matching.yml key (``section.*``: every key of the section)."""
    if key.endswith(".*"):
        section = data.get(key[:-2]) or {}
        return ", ".join(f"`{key[:-2]}.{k}` = {_value_text(v)}" for k, v in section.items())
    node: Any = data
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return f"`{key}` = {_value_text(node)}"


def matching_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every key of a matching.yml, dotted (``weights.word``), in file order."""
    out: list[str] = []
    for key, value in data.items():
        out += matching_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]
    return out


def _named(key: str, patterns: list[str]) -> bool:
    return any(key == p or (p.endswith(".*") and key.startswith(p[:-1])) for p in patterns)


def features_table(data: dict[str, Any] | None = None) -> str:
    """The Markdown table of every feature with its weights as matching.yml (``data``) sets them."""
    data = matching_config() if data is None else data
    rows = [
        TABLE_BEGIN,
        "",
        "| feature | applies to | weights (matching.yml) | what it means |",
        "|---|---|---|---|",
    ]
    applies = {"name": "screen and compare", "record": "screening (a listed record)"}
    for f in FEATURES:
        weights = "; ".join(_weights_text(data, key) for key in f.keys) or "—"
        rows.append(f"| `{f.name}` | {applies[f.applies]} | {weights} | {f.description} |")
    rows += ["", "The other keys of matching.yml (no feature of a score):", ""]
    rows += ["| keys (matching.yml) | what they do |", "|---|---|"]
    for setting in SETTINGS:
        keys = "; ".join(_weights_text(data, key) for key in setting.keys)
        rows.append(f"| {keys} | {setting.description} |")
    named = [k for f in FEATURES for k in f.keys] + [k for st in SETTINGS for k in st.keys]
    others = [k for k in matching_keys(data) if not _named(k, named)]
    if others:  # a key added without a description still shows with its value
        rows.append(f"| {'; '.join(_weights_text(data, k) for k in others)} | (not described yet) |")
    rows += ["", TABLE_END]
    return "\n".join(rows)
