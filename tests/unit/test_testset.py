import json

import pytest

from assistant.errors import GuideError
from eval.testset import TestsetError, load_testset

pytestmark = pytest.mark.unit

GOOD = {
    "id": "q1",
    "question": "What is TUPE?",
    "answerable": True,
    "reference_answer": "...",
    "gold": [{"source_file": "a.pdf", "page": 3}],
    "evidence": "TUPE protects",
}


def write(tmp_path, *records):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records))
    return path


def test_valid_records_load(tmp_path):
    follow = {**GOOD, "id": "q2", "question": "And pensions?", "follows": "q1", "type": "follow_up"}
    none = {"id": "q3", "question": "Scottish law?", "answerable": False, "gold": []}
    items = load_testset(write(tmp_path, GOOD, follow, none))
    assert [i.id for i in items] == ["q1", "q2", "q3"]
    assert items[0].gold[0].page == 3 and items[0].evidence == ("TUPE protects",)
    assert items[1].follows == "q1"
    assert items[2].type == "unanswerable"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({k: v for k, v in GOOD.items() if k != "question"}, ":2: field 'question' is missing"),
        ({**GOOD, "answerable": "yes"}, ":2: field 'answerable' must be bool"),
        ({**GOOD, "gold": [{"source_file": "a.pdf", "page": 0}]}, "gold[0]: field 'page'"),
        ({**GOOD, "gold": []}, ":2: an answerable question needs at least one gold page"),
        ({**GOOD, "id": "q1"}, ":2: field 'id' repeats 'q1'"),
        ({**GOOD, "id": "q9", "follows": "nope"}, ":2: field 'follows' names 'nope'"),
        ({**GOOD, "id": "q9", "type": "odd"}, ":2: field 'type' must be one of"),
        ("{not json", ":2: not valid JSON"),
    ],
)
def test_errors_name_line_and_field(tmp_path, bad, message):
    with pytest.raises(TestsetError) as info:
        load_testset(write(tmp_path, GOOD, bad))
    assert message in str(info.value)
    assert isinstance(info.value, GuideError)  # the CLI shows it as one line, no traceback


def test_a_run_names_a_broken_test_set_by_its_file_name_only(tmp_path):
    """The app shows this message to people: it must not say where the server keeps files."""
    from assistant.config import Settings
    from eval.desk import EvalDesk

    kept = tmp_path / "server" / "eval-testsets"
    kept.mkdir(parents=True)
    broken = kept / "ours.jsonl"
    broken.write_text('{"id": "a", "question": "q?", "answerable": true}\n')
    desk = EvalDesk(Settings(data_dir=tmp_path / "server"))
    with pytest.raises(TestsetError) as raised:
        desk.run([broken], who="eve")
    assert str(raised.value).startswith("ours.jsonl:1: ")
    assert str(tmp_path) not in str(raised.value)
    assert desk.resolve("ours.jsonl (uploaded)") == broken
