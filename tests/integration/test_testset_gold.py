"""The bundled test set is sound: every source file exists, every gold page exists and holds
its evidence phrase in the built PDF's extracted text, and the question mix is as promised."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest
from pypdf import PdfReader

from eval.testset import load_testset
from tests.helpers import CORPUS, ROOT

pytestmark = pytest.mark.integration
TESTSET = ROOT / "eval" / "testsets" / "mutuals-guide.jsonl"


@cache
def page_texts(source_file: str) -> list[str]:
    return [
        " ".join((p.extract_text() or "").split()) for p in PdfReader(CORPUS / source_file).pages
    ]


def test_every_gold_page_exists_and_contains_its_evidence():
    problems = []
    for item in load_testset(TESTSET):
        gold_texts = []
        for gold in item.gold:
            if not (CORPUS / gold.source_file).is_file():
                problems.append(f"{item.id}: no such file {gold.source_file}")
            elif gold.page > len(page_texts(gold.source_file)):
                problems.append(f"{item.id}: {gold.source_file} has no page {gold.page}")
            else:
                gold_texts.append(page_texts(gold.source_file)[gold.page - 1])
        for phrase in item.evidence:
            if not any(" ".join(phrase.split()) in text for text in gold_texts):
                problems.append(f"{item.id}: evidence {phrase!r} is on none of its gold pages")
    assert problems == []


def test_question_mix():
    items = load_testset(TESTSET)
    types = Counter(i.type for i in items)
    assert len(items) >= 120
    assert sum(not i.answerable for i in items) / len(items) >= 0.15
    assert all(types[t] > 0 for t in ("fact", "howto", "plain", "multi_doc", "follow_up"))
    multi = [i for i in items if len({g.source_file for g in i.gold}) >= 2]
    assert len(multi) >= 8
    assert len({g.source_file for i in items for g in i.gold}) == len(list(CORPUS.glob("*.pdf")))
