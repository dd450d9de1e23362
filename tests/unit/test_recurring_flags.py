"""Flags that would repeat on every page (a printer's slug line, a production credit, a scan's
OCR note) are one flag on the first page, counting the pages; everything else is as before."""

import pytest

from assistant.types import Page
from ingest.flags import OCR, OCR_NOTE, Flag, find_flags

pytestmark = pytest.mark.unit


def pages(n):
    return [Page("a.pdf", "A", i + 1, str(i + 1), "Plain visible text.") for i in range(n)]


def test_a_hidden_run_on_every_page_is_one_flag_with_its_count():
    slug = "VerDate Sep<11>2014 16:21 Aug 05, 2020 Jkt 250001 PO 00000 Frm 0000{n} Fmt 4702"
    hidden = [(slug.format(n=n), "Powered by TCPDF (www.tcpdf.org)") for n in range(1, 5)]
    flags = find_flags(pages(4), hidden)
    assert [(f.page, f.kind, f.count) for f in flags] == [(1, "hidden", 4), (1, "hidden", 4)]
    assert flags[0].text == slug.format(n=1)  # the first page's own words
    assert flags[0].to_dict()["count"] == 4


def test_different_hidden_text_and_one_off_runs_keep_their_own_flags():
    hidden = [("white words",), ("other words", "white   words"), ("white words 2",)]
    flags = find_flags(pages(3), hidden)
    assert [(f.page, f.text, f.count) for f in flags] == [
        (1, "white words", 2),
        (2, "other words", 1),
        (3, "white words 2", 1),
    ]


def test_a_run_twice_on_one_page_counts_that_page_once():
    hidden = [("Page 1 slug", "Page 2 slug"), ("Page 3 slug",)]
    assert [(f.page, f.count) for f in find_flags(pages(2), hidden)] == [(1, 2)]


def test_pages_read_from_an_ocr_layer_are_one_note():
    flags = find_flags(pages(3), [(), (), ()], ocr=[True, False, True])
    assert flags == (Flag(1, "1", OCR, OCR_NOTE, 2),)
    assert "check quotes against the image" in OCR_NOTE


def test_a_flag_that_does_not_recur_is_stored_as_before():
    (flag,) = find_flags(pages(1), [("white words",)])
    assert flag.to_dict() == {"page": 1, "page_label": "1", "kind": "hidden", "text": "white words"}
