"""Token weight from distinctiveness (issue 12 item 2): a matched word counts by its rarity on the lists and
in company names at large (chipguard/data/names/company_words.tsv, IEEE assignee names), so a query that
shares only common company-name words with a list name — lacking its distinctive word — scores lower,
while two names matching word for word still score 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipguard.errors import InputError
from chipguard.match import config as scorer
from chipguard.match import score
from chipguard.match.score import score_analyses
from chipguard.names.analysis import analyze
from tests.scorer_support import scorer_config_with


def test_the_shipped_corpus_says_which_words_are_common_in_company_names() -> None:
    total, counts = scorer.company_words()
    assert total > 20_000  # distinct organisation names of the IEEE listings
    common = [t.canon for t in analyze("Network Technology Systems", False).tokens]
    assert all(scorer.corpus_rarity(c) < 0.8 for c in common), {c: scorer.corpus_rarity(c) for c in common}
    # a listed firm's own name word is on a handful of company names at most: fully distinctive
    assert scorer.corpus_rarity(analyze("Megvii", False).tokens[0].canon) == 1.0
    assert scorer.scorer_config().rarity_corpus_share > 0


def test_a_bad_corpus_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "company_words.tsv"
    path.write_text("# header\nnames\t100\nnetwork\tmany\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        scorer.read_company_words(path)
    assert err.value.line == 3 and str(path) in str(err.value)
    path.write_text("network\t12\n", encoding="utf-8")
    with pytest.raises(InputError, match="names"):
        scorer.read_company_words(path)


def _scores(monkeypatch: pytest.MonkeyPatch, query: str, listed: str, share: float) -> float:
    scorer_config_with(monkeypatch, rarity_corpus_share=share)
    score.corpus_factor.cache_clear()
    try:
        return score_analyses(
            analyze(query, False), analyze(listed, False), person=False, rarity=lambda _canon: 1.0
        ).score
    finally:
        score.corpus_factor.cache_clear()


def test_a_query_sharing_only_common_company_words_scores_lower(monkeypatch: pytest.MonkeyPatch) -> None:
    share = scorer.scorer_config().rarity_corpus_share
    query, listed = "Beijing Xinwei Network Communication Systems", "Beijing Network Communication Systems"
    lists_only = _scores(monkeypatch, query, listed, 0.0)
    with_corpus = _scores(monkeypatch, query, listed, share)
    assert with_corpus < lists_only
    # the distinctive word matched: the common words do not carry the score either way, it stays 1
    assert _scores(monkeypatch, listed, listed, share) == pytest.approx(1.0)
    assert _scores(monkeypatch, "Xinwei Network Systems", "Xinwei Network Systems", share) == pytest.approx(
        1.0
    )


def test_compare_has_no_lists_and_is_unchanged_by_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """compare() scores two bare names without list rarity; the corpus scales matched words only where
    the lists' rarity does (screening), so compare's figures do not move."""
    from chipguard.match.screener import compare

    before = compare("Beijing Xinwei Network Communication Systems", "Beijing Network Communication Systems")
    scorer_config_with(monkeypatch, rarity_corpus_share=0.0)
    after = compare("Beijing Xinwei Network Communication Systems", "Beijing Network Communication Systems")
    assert before.score == after.score
