"""``score.SimilarityRules`` holds matching.yml's word-pair numbers as a compiled class (read in place by
``token_similarity``, session 16, and by ``score_or_bound`` before its early bound, session 17), copied field
by field from the interpreted ``ScorerConfig``: every value it holds is the configuration's field of the same
name, under the shipped configuration and a changed one."""

from __future__ import annotations

import dataclasses

from chipguard.match.config import scorer_config
from chipguard.match.score import SimilarityRules, similarity_rules


def _copied(rules: SimilarityRules, cfg: object) -> dict[str, tuple[object, object]]:
    return {
        f.name: (getattr(rules, f.name), getattr(cfg, f.name))
        for f in dataclasses.fields(cfg)  # type: ignore[arg-type]
        if hasattr(rules, f.name)
    }


def test_every_number_is_the_configurations_own() -> None:
    cfg = scorer_config()
    copied = _copied(similarity_rules(cfg), cfg)
    assert len(copied) >= 44  # the word-pair numbers and score_or_bound's, not a handful
    assert all(held == given for held, given in copied.values()), copied


def test_a_changed_configuration_is_copied_too() -> None:
    cfg = scorer_config()
    changed = dataclasses.replace(
        cfg,
        sim_initial=cfg.sim_initial / 2,
        len_typo=cfg.len_typo + 3,
        char_floor=cfg.char_floor / 2,
        subset_min_parts=cfg.subset_min_parts + 1,
        legal_form_displaced=not cfg.legal_form_displaced,
    )
    copied = _copied(SimilarityRules(changed), changed)
    assert copied["sim_initial"] == (changed.sim_initial, changed.sim_initial)
    assert copied["len_typo"] == (changed.len_typo, changed.len_typo)
    assert copied["char_floor"] == (changed.char_floor, changed.char_floor)
    assert copied["subset_min_parts"] == (changed.subset_min_parts, changed.subset_min_parts)
    assert copied["legal_form_displaced"] == (changed.legal_form_displaced, changed.legal_form_displaced)
    assert all(held == given for held, given in copied.values()), copied
