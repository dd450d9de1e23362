import math

import pytest

from eval.metrics import (
    dedupe,
    first_relevant_rank,
    hit_at,
    mean,
    ndcg_at,
    percentile,
    reciprocal_rank,
)

pytestmark = pytest.mark.unit

A1, A2, B1, B2 = ("a.pdf", 1), ("a.pdf", 2), ("b.pdf", 1), ("b.pdf", 2)


def test_dedupe_keeps_first_occurrence_order():
    assert dedupe([A1, B1, A1, A2, B1]) == [A1, B1, A2]


def test_rank_hit_and_reciprocal_rank():
    ranked = [A1, B1, A2]
    assert first_relevant_rank(ranked, {A2}) == 3
    assert first_relevant_rank(ranked, {B2}) is None
    assert hit_at(3, 1) == 0.0 and hit_at(3, 5) == 1.0 and hit_at(None, 5) == 0.0
    assert reciprocal_rank(4) == 0.25 and reciprocal_rank(None) == 0.0


def test_ndcg_known_values():
    assert ndcg_at([A1, B1], {A1}) == 1.0
    assert ndcg_at([B1, A1], {A1}) == pytest.approx(1 / math.log2(3))
    # two gold pages, found at ranks 1 and 3: (1 + 1/log2(4)) / (1 + 1/log2(3))
    expected = (1 + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at([A1, B1, A2], {A1, A2}) == pytest.approx(expected)
    assert ndcg_at([B1], set()) == 0.0


def test_mean_and_percentile():
    assert math.isnan(mean([]))
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)


def test_token_f1_ignores_markers_case_punctuation_and_articles():
    from eval.metrics import token_f1

    assert token_f1("The report was published [1].", "report was published") == 1.0
    assert token_f1("Nothing in common.", "report published") == 0.0
    assert token_f1("", "anything") == 0.0
    # "a" is dropped: 2 of 3 tokens match on each side, P = R = 2/3
    assert token_f1("five years maximum", "a maximum of five") == pytest.approx(2 / 3)


def test_key_facts_are_numbers_sums_dates_and_names():
    from eval.metrics import key_fact_recall, key_facts

    ref = (
        "The Procurement Act 2023 allows up to five years; regulation 77 allowed 3 years, 2012-13."
    )
    assert key_facts(ref) == {"procurement act", "2023", "77", "3", "2012-13"}
    assert key_fact_recall("Under the Procurement Act 2023 [1] ... regulation 77 [2]", ref) == 0.6
    assert key_fact_recall("anything", "no particulars here at all") is None
    assert key_fact_recall("It costs £2,000,000.", "It costs £2000000.") == 1.0
