"""The answerability signals and model (pure logic: crafted passages, no embedding model)."""

import pytest

from assistant.abstention import Evidence
from assistant.answerability import FEATURES, Model, load, signals
from assistant.generation.base import Draft, Statement
from assistant.types import Chunk

pytestmark = pytest.mark.unit


def chunk(text, heading=""):
    return Chunk("v1:0", "v1", "s.pdf", "State of the sector", 3, "3", text, heading=heading)


def draft(text, similarity=0.6):
    return Draft((Statement(text, chunk(text), text),), lead_similarity=similarity)


def frequencies(terms):  # stemmed terms, as the keyword index holds them
    known = {"mutual": 40, "trad": 30, "2018": 5, "2020": 5, "turnov": 2}
    return 100, {t: known.get(t, 0) for t in terms}


def test_a_lead_about_another_year_scores_lower_on_particulars_than_one_about_the_year_asked():
    q = "How many mutuals were trading in 2020?"
    evidence = Evidence(0.7, 0.8)
    other = signals(q, "", evidence, draft("In 2018 some 115 mutuals were trading."))
    named = signals(q, "", evidence, draft("In 2020 some 130 mutuals were trading."))
    assert other.lead_particulars == 0.0 and named.lead_particulars == 1.0
    assert named.kind_stated == 1.0 and named.kind_missing == 0.0


def test_a_rare_word_of_the_question_missing_from_the_lead_is_a_gap():
    q = "What was the turnover of mutuals in 2018?"
    lacking = signals(
        q, "", Evidence(0.7, 0.8), draft("In 2018 there were 115 mutuals."), frequencies
    )
    holding = signals(
        q, "", Evidence(0.7, 0.8), draft("In 2018 mutuals' turnover was £1bn."), frequencies
    )
    assert lacking.lead_gap > 0.5 and holding.lead_gap == 0.0
    assert holding.lead_rare > lacking.lead_rare


def test_no_draft_gives_the_weakest_lead_signals():
    s = signals("What is a mutual?", "", Evidence(0.5, 0.5), Draft(()))
    assert (s.lead_similarity, s.lead_coverage, s.lead_gap) == (0.0, 0.0, 1.0)
    assert len(s.vector()) == len(FEATURES)


def test_the_model_is_monotone_in_a_feature_with_positive_weight():
    n = len(FEATURES)
    coef = [0.0] * n
    coef[FEATURES.index("lead_particulars")] = 2.0
    model = Model(FEATURES, (0.5,) * n, (0.25,) * n, tuple(coef), 0.0, 0.5)
    low = signals("How many mutuals in 2020?", "", Evidence(0.7, 0.8), draft("In 2018, 115."))
    high = signals("How many mutuals in 2020?", "", Evidence(0.7, 0.8), draft("In 2020, 130."))
    assert model.probability(high) > 0.5 > model.probability(low)
    assert Model.from_dict(model.to_dict()) == model


def test_a_model_fitted_on_other_features_is_refused_with_the_way_to_refit():
    data = Model(
        FEATURES, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), 0.0, 0.5
    ).to_dict()
    data["features"] = ["relevance"]
    with pytest.raises(ValueError, match="refit"):
        Model.from_dict(data)


def test_the_shipped_model_loads_and_gives_a_probability():
    model = load()
    s = signals("What is a mutual?", "", Evidence(0.6, 0.6), draft("A mutual is owned by staff."))
    assert 0.0 < model.probability(s) < 1.0 and 0.0 < model.threshold < 1.0
