"""Attacks through the running app's API (`guide serve` as a process, gradio_client), each
reproducing a hole reported in issue 12 and failing on the code before it was fixed:

- a file argument sent as a plain {"path": ...} dict (no Gradio `meta`) made `/upload`,
  `/replace` and `/eval_add_testset` read any server file: another library's PDF became a
  document here, and accounts, audit log and /etc/passwd were read as test sets; the error
  also said whether a path existed;
- evaluation runs had no limits (a 60 MB question, a 120 MB test set of 55,000 questions);
- test-set errors showed the server's temporary path.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import CORPUS, serving
from tests.isolation import run_in_child

pytestmark = pytest.mark.security
OTHER_PDF = CORPUS / "10-social-value-right-to-challenge-asset-transfer.pdf"  # not in the sample


@dataclass
class Served:
    url: str
    data_dir: Path

    def client(self):  # type: ignore[no-untyped-def]
        from gradio_client import Client

        return Client(self.url, verbose=False)

    def registry(self) -> bytes:
        return (self.data_dir / "registry.json").read_bytes()


@pytest.fixture(scope="module")
def served(sample_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app in local mode (the one user may do everything) over a copy of the sample."""
    root = tmp_path_factory.mktemp("attacks")
    data_dir = root / "library"
    shutil.copytree(sample_library, data_dir)
    (data_dir / "accounts-like.json").write_text('{"secret": "a server file"}\n')
    with serving(data_dir, root / "serve.log") as url:
        yield Served(url, data_dir)


def error_of(call) -> str:  # type: ignore[no-untyped-def]
    try:
        call()
    except Exception as exc:  # gradio_client raises AppError with the server's message
        return str(exc)
    return ""


def test_a_path_sent_instead_of_a_file_is_refused_without_telling_if_it_exists(served: Served):
    client = served.client()
    registry = served.registry()
    existing = {"path": str(OTHER_PDF), "orig_name": "borrowed.pdf"}
    missing = {"path": "/no/such/folder/secret.pdf", "orig_name": "secret.pdf"}
    messages = set()
    for file in (existing, missing):
        for call in (
            lambda f=file: client.predict([f], api_name="/upload"),
            lambda f=file: client.predict("05-spin-out-journey-guide.pdf", f, api_name="/replace"),
        ):
            message = error_of(call)
            assert "not uploaded to this server" in message, message
            messages.add(message)
    assert len(messages) == 1  # one message, whether or not the path exists
    assert "No such file" not in messages.pop()
    assert served.registry() == registry  # nothing was added or replaced
    listed = client.predict(api_name="/documents")
    assert "borrowed.pdf" not in json.dumps(listed)


@pytest.mark.parametrize("target", ["accounts-like.json", "/etc/passwd", "audit/audit.jsonl"])
def test_server_files_cannot_be_read_as_test_sets(served: Served, target: str):
    path = target if target.startswith("/") else str(served.data_dir / target)
    message = error_of(
        lambda: served.client().predict(
            {"path": path, "orig_name": "stolen.jsonl"}, api_name="/eval_add_testset"
        )
    )
    assert "not uploaded to this server" in message, message
    assert "secret" not in message and "root:" not in message
    listed = served.client().predict(api_name="/eval_testsets")
    assert not any("stolen" in name for name in listed["testsets"])


def test_a_real_upload_still_works(served: Served, tmp_path: Path):
    from gradio_client import handle_file

    copy = tmp_path / "borrowed-on-purpose.pdf"
    shutil.copyfile(OTHER_PDF, copy)
    added = served.client().predict([handle_file(str(copy))], api_name="/upload")
    assert [f["status"] for f in added["files"]] == ["added"]


def test_an_oversized_question_is_refused_at_once(served: Served):
    message = error_of(lambda: served.client().predict("Why? " * 20_000, [], api_name="/ask"))
    assert "at most 2,000 characters" in message, message
    history = ["What is a mutual? " * 200]
    message = error_of(lambda: served.client().predict("And pensions?", history, api_name="/ask"))
    assert "at most 2,000 characters" in message, message


def _testset_line(n: int, question: str = "What is a public service mutual?") -> str:
    return json.dumps(
        {
            "id": f"q{n}",
            "question": question,
            "answerable": True,
            "gold": [{"source_file": "05-spin-out-journey-guide.pdf", "page": 4}],
        }
    )


def test_oversized_test_sets_and_questions_are_refused(served: Served, tmp_path: Path):
    from gradio_client import handle_file

    many = tmp_path / "many.jsonl"
    many.write_text("\n".join(_testset_line(n) for n in range(2_001)) + "\n")
    huge_question = tmp_path / "huge.jsonl"
    huge_question.write_text(_testset_line(1, "why " * 5_000) + "\n")
    big = tmp_path / "big.jsonl"
    with big.open("w") as handle:
        line = _testset_line(1, "x" * 1_900)
        for n in range(3_000):
            handle.write(line.replace('"q1"', f'"q{n}"') + "\n")
    assert big.stat().st_size > 5_000_000
    for path, expected in (
        (many, "over 2,000 questions"),
        (huge_question, "over the 2,000 limit"),
        (big, "over the 5 MB limit"),
    ):
        message = error_of(
            lambda p=path: served.client().predict(
                handle_file(str(p)), api_name="/eval_add_testset"
            )
        )
        assert expected in message, message
        assert "/tmp/" not in message and "gradio" not in message  # no server path shown
        assert message.startswith(f"{path.name}:") or f" {path.name}:" in message


MALFORMED = [
    b"not json at all\n",
    b"[1, 2, 3]\n",
    b'{"id": "a", "question": "Q?", "answerable": true, "gold": {"page": 1}}\n',
    b'{"id": "a", "question": "Q?", "answerable": true, "gold": [], "type": ["fact"]}\n',
    b'{"id": "a", "question": "Q?", "answerable": true, "gold": [{"source_file": 3, "page": 1}]}\n',
    b'{"id": "a", "question": ["Q?"], "answerable": true, "gold": []}\n',
    b'{"id": "a", "question": "Q?", "answerable": "yes", "gold": []}\n',
    b'{"id": "a", "question": "Q?", "answerable": false, "gold": [], "follows": 7}\n',
    b"[" * 100_000 + b"]" * 100_000 + b"\n",
    b"\xff\xfe\x00 not UTF-8\n",
]


def load_malformed(path: str) -> str:
    """In a child (a deeply nested line can exhaust the stack): the loader's error message."""
    from eval.testset import TestsetError, load_testset

    try:
        load_testset(Path(path), shown="uploaded.jsonl")
    except TestsetError as exc:
        return str(exc)
    return "loaded"


@pytest.mark.parametrize("case", range(len(MALFORMED)))
def test_malformed_test_sets_give_a_message_not_a_traceback(tmp_path: Path, case: int):
    path = tmp_path / "set.jsonl"
    path.write_bytes(MALFORMED[case])
    message = run_in_child(load_malformed, str(path), timeout=120)
    assert message != "loaded"
    assert message.startswith("uploaded.jsonl"), message  # named as uploaded, not its path
    assert str(tmp_path) not in message
