"""The HTML report and the run store, on a hand-made run: plots present, text escaped,
failures first, JSON round-trips, runs saved, listed and found again."""

from __future__ import annotations

import json
import re

import pytest

from assistant.errors import GuideError
from eval import html_report
from eval.compare import compare
from eval.html_report import render_html, write_report
from eval.runner import ItemResult, evaluate, judge
from eval.runs import RunStore, dump

pytestmark = pytest.mark.unit
GOLD = ("a.pdf", 3)


def item(id, answerable=True, status="answered", cite=GOLD, verified=True, rank=1, **kw):
    cited = [cite] if cite else []
    gold = [GOLD] if answerable else []
    cites_gold = any(c in gold for c in cited)
    passed, failure = judge(
        answerable, status, cites_gold, rank, int(verified) * len(cited), len(cited)
    )
    return ItemResult(
        id=id,
        type=kw.pop("type", "fact" if answerable else "unanswerable"),
        question=kw.pop("question", f"Question {id}?"),
        answerable=answerable,
        status=status,
        answer=kw.pop("answer", f"Answer {id} [1]."),
        gold=gold,
        retrieved=[GOLD],
        cited=cited,
        rank=rank if answerable else None,
        doc_rank=rank if answerable else None,
        ndcg10=1.0 if rank == 1 else 0.5,
        cites_gold=cites_gold,
        citations_verified=int(verified) * len(cited),
        citations_total=len(cited),
        latency_ms=kw.pop("latency", 120.0),
        token_f1=0.4,
        key_fact_recall=0.5 if answerable else None,
        citations=[
            {
                "n": 1,
                "document": "Doc & Co",
                "source_file": c[0],
                "page": c[1],
                "page_label": "iv",
                "quote": "a <b>quoted</b> line",
                "verified": verified,
                "superseded": "superseded on 2026-11-24" if id == "p2" else "",
            }
            for c in cited
        ],
        evidence={"relevance": 0.5, "coverage": 0.5, "missing": 0.0},
        passed=passed,
        failure=failure,
    )


def make_run(with_meta=True):
    items = [
        item("p1", question="<script>alert('x')</script> Can staff spin out?"),
        item("f1", cite=("b.pdf", 1), rank=7),  # no gold page in the top 5
        item("p2"),
        item("f2", answerable=False),  # answered an unanswerable question
        item("p3", answerable=False, status="no_answer", cite=None, answer="No answer."),
    ]
    run = evaluate(items).to_dict()
    if with_meta:
        run["run"] = {
            "id": "20261124-153012-ab12",
            "started_at": "2026-11-24T15:30:12+00:00",
            "testsets": [{"name": "mutuals-guide.jsonl", "sha256": "0123abcd"}],
            "library": {"documents": 14, "pages": 200, "chunks": 978},
            "settings": {"min_relevance": 0.42, "llm_backend": "none"},
        }
    return run


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    run = make_run()
    path = write_report(run, out)
    return run, path, path.read_text(encoding="utf-8")


def test_report_has_the_four_plots_as_embedded_images(report):
    _, path, html = report
    assert path.name == "index.html"
    for plot_id in ("plot-scores", "plot-types", "plot-latency", "plot-abstention"):
        figure = re.search(rf'<figure id="{plot_id}">(.*?)</figure>', html, re.S)
        assert figure is not None, plot_id
        assert 'src="data:image/png;base64,' in figure.group(1), plot_id


def test_report_is_self_contained(report):
    _, _, html = report
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "<script" not in html.lower().replace("&lt;script", "")


def test_question_text_is_escaped(report):
    _, _, html = report
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "a &lt;b&gt;quoted&lt;/b&gt; line" in html and "Doc &amp; Co" in html


def test_questions_table_lists_failures_first_with_reasons(report):
    _, _, html = report
    table = html[html.index('id="questions"') :]
    rows = re.findall(r'<tr class="(fail|pass)" id="q-([\w-]+)"', table)
    assert rows == [("fail", "f1"), ("fail", "f2"), ("pass", "p1"), ("pass", "p2"), ("pass", "p3")]
    assert "no gold page in the top 5" in table and "answered an unanswerable question" in table
    assert "superseded on 2026-11-24" in table and "p. iv" in table
    assert "a.pdf p. 3" in table  # gold pages


def test_header_shows_metadata_and_headline_intervals(report):
    _, _, html = report
    header = html[: html.index("</header>")]
    assert "20261124-153012-ab12" in header and "mutuals-guide.jsonl" in header
    assert "chunks: 978" in header and "min_relevance: 0.420" in header
    assert "95% CI [" in header
    assert 'id="comparison"' not in html


def test_report_json_round_trips(report):
    run, path, _ = report
    saved = json.loads((path.parent / "report.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(run))
    assert saved["summary"]["hit@1"] == run["summary"]["hit@1"]


def test_report_without_metadata_or_items_still_renders(tmp_path):
    empty = evaluate([]).to_dict()
    html = write_report(empty, tmp_path).read_text(encoding="utf-8")
    assert html.count("No data for this plot") == 4
    assert 'id="questions"' in html
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["mrr"] is None


def test_report_with_a_comparison(tmp_path):
    current, previous = make_run(), make_run()
    previous["run"]["id"] = "20261101-090000-0000"
    flipped = next(i for i in previous["items"] if i["id"] == "f1")
    flipped.update(passed=True, failure="", answer="An older answer.")
    previous["summary"]["hit@5"] = 1.0
    html = write_report(current, tmp_path, compare(current, previous)).read_text()
    section = re.search(r'<section id="comparison">(.*?)</section>', html, re.S).group(1)
    assert "Compared with 20261101-090000-0000" in section
    assert "1 metric worse" in section and "1 question now fails" in section
    assert re.search(
        r'id="newly-failing">Newly failing \(1\)</h3>\s*<ul>\s*<li><strong>f1', section
    )
    assert "An older answer." in section
    assert json.loads((tmp_path / "comparison.json").read_text())["counts"]["newly_failing"] == 1


def test_render_html_ignores_unexpected_metadata_shapes():
    run = make_run()
    run["run"] = {"testsets": ["eval/testsets/a.jsonl"], "library": "bundled", "notes": [1, None]}
    html = render_html(run)
    assert "eval/testsets/a.jsonl" in html and "bundled" in html


# -- run store ----------------------------------------------------------------------------------
@pytest.fixture
def no_plots(monkeypatch):
    """Plots are tested above; the store tests need only the files."""
    monkeypatch.setattr(
        html_report, "PLOTS", [(p, t, lambda run: None) for p, t, _ in html_report.PLOTS]
    )


def with_meta(run_id, started_at, testsets=("mutuals-guide.jsonl",)):
    run = make_run(with_meta=False)
    run["run"] = {
        "id": run_id,
        "started_at": started_at,
        "testsets": [{"name": t} for t in testsets],
    }
    return run


def test_new_ids_sort_by_time_and_are_valid(tmp_path):
    store = RunStore(tmp_path)
    run_id = store.new_id()
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", run_id)
    assert store.path(run_id) == tmp_path / run_id


@pytest.mark.parametrize("bad", ["../etc", "a/b", "a\\b", "run.1", "", "..", "_incomplete-x"])
def test_run_ids_that_could_escape_are_rejected(tmp_path, bad):
    with pytest.raises(GuideError, match="not a run id"):
        RunStore(tmp_path).path(bad)


def test_save_list_load_latest(tmp_path, no_plots):
    store = RunStore(tmp_path / "runs")
    assert store.list() == [] and store.latest() is None
    old = store.save(with_meta("20261101-090000-aaaa", "2026-11-01T09:00:00+00:00"))
    other = store.save(
        with_meta("20261110-090000-bbbb", "2026-11-10T09:00:00+00:00", testsets=("other.jsonl",))
    )
    new = store.save(with_meta("20261124-153012-cccc", "2026-11-24T15:30:12+00:00"))
    assert old == tmp_path / "runs" / "20261101-090000-aaaa"
    assert (new / "index.html").is_file() and (new / "report.json").is_file()

    listed = store.list()
    assert [r["id"] for r in listed] == [new.name, other.name, old.name]
    assert listed[0]["testsets"] == ["mutuals-guide.jsonl"]
    assert listed[0]["path"] == new
    assert listed[0]["metrics"]["pass_rate"] == pytest.approx(3 / 5)

    assert store.load(old.name)["run"]["id"] == old.name
    assert store.latest()["run"]["id"] == new.name
    assert store.latest("other.jsonl")["run"]["id"] == other.name
    assert store.latest("eval/testsets/mutuals-guide.jsonl")["run"]["id"] == new.name
    assert store.latest(["other.jsonl"])["run"]["id"] == other.name
    assert store.latest("missing.jsonl") is None


def test_save_gives_a_run_without_an_id_a_new_one(tmp_path, no_plots):
    store = RunStore(tmp_path)
    run = make_run(with_meta=False)
    folder = store.save(run)
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", folder.name)
    assert "run" not in run  # the caller's dict is not changed
    assert store.load(folder.name)["run"]["id"] == folder.name
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary folder left


def test_save_refuses_to_overwrite_and_load_names_a_missing_run(tmp_path, no_plots):
    store = RunStore(tmp_path)
    store.save(with_meta("20261101-090000-aaaa", "2026-11-01T09:00:00+00:00"))
    with pytest.raises(GuideError, match="already saved"):
        store.save(with_meta("20261101-090000-aaaa", "2026-11-01T09:00:00+00:00"))
    with pytest.raises(GuideError, match="no saved run"):
        store.load("20991231-000000-ffff")


def test_list_skips_unfinished_and_damaged_runs(tmp_path, no_plots):
    store = RunStore(tmp_path)
    good = store.save(with_meta("20261101-090000-aaaa", "2026-11-01T09:00:00+00:00"))
    (tmp_path / "_incomplete-20261102-000000-bbbb-123456").mkdir()
    damaged = tmp_path / "20261103-000000-cccc"
    damaged.mkdir()
    (damaged / "report.json").write_text("{broken")
    assert [r["id"] for r in store.list()] == [good.name]


def test_dump_is_strict_json_with_nan_as_null():
    text = dump({"a": float("nan"), "b": (1, float("inf")), "c": "£5 – ok"})
    assert json.loads(text) == {"a": None, "b": [1, None], "c": "£5 – ok"}
    assert "NaN" not in text and "Infinity" not in text
