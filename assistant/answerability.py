"""Whether the library answers a question, judged on the answer it would give.

The similarity floor and key-term share (assistant.abstention) say whether the retrieved
passages are about the question's subject. They cannot tell a question the library answers from
a near miss: "How many mutuals were trading in 2020?" retrieves the passage about 2018, close in
meaning and sharing every key term. So the decision also reads the sentence that would lead the
answer (the extractive composer's lead, whatever backend writes the final text):

- does it hold the kind of thing asked for (a duration for "how long", a date for "when", a sum
  for "how much")?
- does it, with its heading and document title, name the question's particulars?
- how close is it in meaning, and how many of the question's key terms does it hold?

The signals are combined by a logistic regression whose weights are fitted on one half of the
bundled test set and checked on the other half and on a second library it never saw
(`python -m eval.fit_answerability`); they ship in `answerability.json` beside this module, so
answering needs no fitting library. The threshold is the model's probability below which the
question is refused (Settings.answerability_threshold overrides the fitted one).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from assistant.abstention import Evidence, mentions, particulars
from assistant.generation.base import Draft
from assistant.questions import asked, states
from assistant.text import key_terms, normalise, weighted_coverage

MODEL_FILE = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True, slots=True)
class Signals:
    """What the decision reads, each in 0..1; the model's inputs, in this order (FEATURES)."""

    relevance: float  # cosine similarity of the best passage
    coverage: float  # best share of the question's key terms in one top passage
    missing: float  # share of the question's names and figures that no top passage holds
    lead_similarity: float  # cosine similarity of the lead sentence (0 when none)
    lead_coverage: float  # share of the question's key terms in the lead, its heading and title
    lead_particulars: float  # share of the question's names and figures the lead's context holds
    kind_stated: float  # a "how long / when / how much / how many / who" question: lead states one
    kind_missing: float  # ... and the lead does not state one
    follow_up: float  # the question leans on the conversation
    unknown: float  # share of the question's key terms the library never uses
    lead_rare: float  # share of the question's key terms in the lead, each weighted by rarity
    best_rare: float  # the same in the best of the top passages
    # the rarity of the rarest word of the question that the library uses but the lead (with
    # its heading and title) lacks: 0 when it lacks none, near 1 for a rare one
    lead_gap: float
    best_gap: float  # the same for the top passage that lacks the least

    def vector(self) -> list[float]:
        return [float(getattr(self, name)) for name in FEATURES]

    def as_dict(self) -> dict[str, float]:
        return {name: round(float(getattr(self, name)), 4) for name in FEATURES}


FEATURES = tuple(f.name for f in fields(Signals))

Frequencies = Callable[[Iterable[str]], tuple[int, dict[str, int]]]


def signals(
    question: str,
    context: str,
    evidence: Evidence,
    draft: Draft,
    frequencies: Frequencies | None = None,
) -> Signals:
    """The decision's inputs for a question, its evidence (with its top passages' terms), the
    composer's draft and `frequencies` (the library's passage count and each term's passage
    count; without it every term counts the same and none counts as unknown)."""
    names = particulars(question)
    own = key_terms(question)
    total, df = frequencies(own) if frequencies and own else (0, {})

    def idf(term: str) -> float:  # smoothed; 0 for a term in every passage
        return math.log((total + 1) / (df.get(term, 0) + 1)) if total else 0.0

    def rare_share(found: frozenset[str]) -> float:
        whole = sum(idf(t) + 1.0 for t in own)
        return sum(idf(t) + 1.0 for t in own if t in found) / whole if whole else 0.0

    def gap(found: frozenset[str]) -> float:
        known = [t for t in own if df.get(t) and t not in found]
        return max(idf(t) for t in known) / math.log(total + 1) if known and total else 0.0

    found_in = evidence.passage_terms
    what = asked(question)
    particular = what.wants_particular
    lead = draft.statements[0] if draft.statements else None
    if lead is None:
        lead_cov = lead_part = lead_rare = 0.0
        lead_gap = 1.0
        stated = False
    else:
        where = f"{lead.text} {lead.chunk.heading} {lead.chunk.document}"
        in_lead = frozenset(key_terms(where))
        lead_cov = weighted_coverage(set(own), set(key_terms(context)), set(in_lead))
        lead_rare, lead_gap = rare_share(in_lead), gap(in_lead)
        flat = normalise(where).lower()
        lead_part = sum(mentions(p, flat) for p in names) / len(names) if names else 1.0
        stated = states(what.kind, lead.text)
    return Signals(
        relevance=evidence.relevance,
        coverage=evidence.coverage,
        missing=len(evidence.missing) / len(names) if names else 0.0,
        lead_similarity=draft.lead_similarity if lead is not None else 0.0,
        lead_coverage=lead_cov,
        lead_particulars=lead_part,
        kind_stated=float(particular and stated),
        kind_missing=float(particular and not stated),
        follow_up=float(bool(context)),
        unknown=sum(1 for t in own if total and not df.get(t)) / len(own) if own else 0.0,
        lead_rare=lead_rare,
        best_rare=max((rare_share(f) for f in found_in), default=0.0),
        lead_gap=lead_gap,
        best_gap=min((gap(f) for f in found_in), default=1.0),
    )


@dataclass(frozen=True, slots=True)
class Model:
    """A fitted logistic regression over standardised FEATURES."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # refuse below this probability
    fitted_on: str = ""

    def probability(self, s: Signals) -> float:
        z = self.intercept
        for x, m, sd, w in zip(s.vector(), self.mean, self.scale, self.coef, strict=True):
            z += w * (x - m) / (sd or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "fitted_on": self.fitted_on,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Model:
        def floats(key: str) -> tuple[float, ...]:
            value = data[key]
            assert isinstance(value, list)
            return tuple(float(v) for v in value)

        features = tuple(str(f) for f in data["features"])  # type: ignore[attr-defined]
        if features != FEATURES:
            raise ValueError(
                f"the answerability model was fitted on {features}, not {FEATURES}: refit it "
                "with `python -m eval.fit_answerability`"
            )
        return cls(
            features,
            floats("mean"),
            floats("scale"),
            floats("coef"),
            float(data["intercept"]),  # type: ignore[arg-type]
            float(data["threshold"]),  # type: ignore[arg-type]
            str(data.get("fitted_on", "")),
        )


@cache
def load(path: Path = MODEL_FILE) -> Model:
    return Model.from_dict(json.loads(path.read_text(encoding="utf-8")))


def fit(rows: Sequence[Sequence[float]], labels: Sequence[bool], c: float = 1.0) -> Model:
    """Fit the model (scikit-learn, only needed here); the caller sets its threshold and says
    what it was fitted on (dataclasses.replace)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=int)
    scaler = StandardScaler().fit(x)
    lr = LogisticRegression(C=c, max_iter=1000).fit(scaler.transform(x), y)
    return Model(
        FEATURES,
        tuple(float(v) for v in scaler.mean_),
        tuple(float(v) for v in scaler.scale_),
        tuple(float(v) for v in lr.coef_[0]),
        float(lr.intercept_[0]),
        0.5,
    )
