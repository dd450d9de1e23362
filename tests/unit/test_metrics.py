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


# -- citation pages against gold ------------------------------------------------------------
def test_citation_page_precision_is_share_of_distinct_cited_pages_that_are_gold():
    from eval.metrics import citation_page_precision

    assert citation_page_precision([A1, B1], {A1, A2}) == 0.5
    assert citation_page_precision([A1, A1, B1, B2], {A1}) == pytest.approx(1 / 3)  # repeats once
    assert citation_page_precision([A1, A2], {A1, A2, B1}) == 1.0
    assert citation_page_precision([], {A1}) is None  # nothing cited: left out of the mean


def test_citation_page_recall_is_share_of_gold_pages_cited():
    from eval.metrics import citation_page_recall

    assert citation_page_recall([A1], {A1, A2}) == 0.5
    assert citation_page_recall([A1, A2, B1], {A1, A2}) == 1.0
    assert citation_page_recall([], {A1, A2}) == 0.0  # an answer citing nothing recalls nothing
    assert citation_page_recall([A1], set()) is None  # unanswerable: no gold pages


# -- intervals -----------------------------------------------------------------------------------
def test_wilson_interval_matches_the_closed_form():
    from eval.metrics import wilson_interval

    # 8 of 10: centre (p + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)
    z, n, p = 1.959963984540054, 10, 0.8
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_interval(8, 10)
    assert (low, high) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)


def test_wilson_interval_edges_and_empty():
    from eval.metrics import wilson_interval

    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4) and high == pytest.approx(1.0)
    assert wilson_interval(0, 0) is None


def test_bootstrap_interval_is_reproducible_and_brackets_the_mean():
    from eval.metrics import bootstrap_interval

    values = [0.0, 0.25, 0.5, 1.0, 1.0, 0.2, 0.0, 1.0, 0.5, 0.333]
    first, second = bootstrap_interval(values), bootstrap_interval(values)
    assert first == second  # fixed seed
    low, high = first
    assert low < sum(values) / len(values) < high
    assert low >= 0.0 and high <= 1.0
    assert bootstrap_interval(values, seed=1) != first  # the seed is what fixes it


def test_bootstrap_interval_handles_constant_empty_and_missing_values():
    from eval.metrics import bootstrap_interval

    assert bootstrap_interval([0.5, 0.5, 0.5]) == (0.5, 0.5)
    assert bootstrap_interval([0.7]) == (0.7, 0.7)
    assert bootstrap_interval([]) is None
    assert bootstrap_interval([float("nan"), None]) is None
    assert bootstrap_interval([1.0, float("nan"), 0.0, None]) == bootstrap_interval([1.0, 0.0])


def test_finite_drops_none_and_nan():
    from eval.metrics import finite

    assert finite([1, None, float("nan"), 0.5]) == [1.0, 0.5]


def test_answer_first_reads_the_first_sentence_only():
    from eval.metrics import answer_first, first_sentence

    reference = "The council must respond within 30 days."
    lead = "The authority has 30 days to respond to an expression of interest. [1] It may refuse."
    late = "The right applies to relevant bodies. [1] The authority has 30 days to respond. [2]"
    assert first_sentence(lead).endswith("to respond to an expression of interest.")
    assert answer_first(lead, reference) == 1.0
    assert answer_first(late, reference) == 0.0  # the fact is there, but not first
    steps = "1. Run an options appraisal. [1]\n2. Consult staff for 30 days. [2]"
    assert first_sentence(steps) == "1. Run an options appraisal."
    assert answer_first("", reference) is None  # no answer
    assert answer_first(lead, "it depends on the contract.") is None  # no key facts to find
