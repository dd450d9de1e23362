"""The pure parts of the load script (eval/load.py): percentiles, the loopback-only rule, the
questions it asks and the PDFs it uploads."""

from __future__ import annotations

import io

import pytest

from eval.load import (
    DEFAULT_TESTSETS,
    LoadError,
    loopback_url,
    main,
    percentile,
    questions,
    upload_pdf,
)

pytestmark = pytest.mark.unit


def test_percentiles_interpolate_between_ranks():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:7860/", "http://localhost:80", "http://[::1]:9000", "http://127.9.9.9"],
)
def test_loopback_urls_are_accepted(url: str):
    assert loopback_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5:7860",
        "https://example.org",
        "http://192.168.1.1",
        "http://127.0.0.1.example.org",
        "ftp://127.0.0.1",
        "127.0.0.1:7860",
    ],
)
def test_anything_else_is_refused(url: str):
    with pytest.raises(LoadError):
        loopback_url(url)


def test_the_command_refuses_a_remote_url_before_sending_anything(capsys):
    assert main(["--url", "http://203.0.113.7:7860", "--token", "mg_x"]) == 2
    assert "only a loopback address" in capsys.readouterr().err


def test_questions_come_from_the_bundled_sets_and_follow_ups_carry_history():
    asked = questions(DEFAULT_TESTSETS)
    assert len(asked) > 100
    follow_ups = [(q, h) for q, h in asked if h]
    assert follow_ups and all(isinstance(h[0], str) and h[0] for _, h in follow_ups)


def test_each_upload_is_a_distinct_readable_pdf():
    from pypdf import PdfReader

    made = [upload_pdf("run1", u, n) for u in range(2) for n in range(3)]
    assert len({name for name, _ in made}) == 6
    assert len({pdf for _, pdf in made}) == 6
    name, pdf = made[4]
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "load test run1, uploader 1" in text and "document 1)" in text
