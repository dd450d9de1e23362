"""llama.cpp is built portably (Makefile, LLAMA_CMAKE_ARGS): its libraries hold no instruction
beyond AVX2, so they run on any x86-64 machine with AVX2, whatever else its CPU advertises.
A native build on a CPU that reports AVX-512 or AMX emits those, and dies with SIGILL on a
virtual machine that does not let a process run them."""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

# AVX-512 uses the zmm registers and the k mask registers; AMX the tile instructions.
_BEYOND_AVX2 = re.compile(
    r"%zmm\d|\{%k[1-7]\}|\b(?:tileloadd|tileloaddt1|tilestored|tilezero|tilerelease|ldtilecfg|"
    r"sttilecfg|tdpb[su]{2}d|tdpbf16ps|tdpfp16ps|vpdpbusds?|vpdpwssds?)\b"
)


def llama_libraries() -> list[Path]:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin, "make test installs llama-cpp-python"
    libs = sorted((Path(spec.origin).parent / "lib").glob("*.so*"))
    assert libs, f"no shared libraries under {Path(spec.origin).parent / 'lib'}"
    return libs


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the AVX2 baseline is x86-64's")
def test_llama_cpp_libraries_use_no_instruction_beyond_avx2():
    objdump = shutil.which("objdump")
    assert objdump, "objdump (binutils, installed with gcc) is needed to inspect the build"
    names = {lib.name for lib in llama_libraries()}
    assert any(n.startswith("libggml-cpu") for n in names), names  # the CPU kernels
    for lib in llama_libraries():
        listing = subprocess.run(
            [objdump, "-d", "--no-show-raw-insn", str(lib)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = sorted({m.group(0) for m in _BEYOND_AVX2.finditer(listing)})
        assert not found, f"{lib.name} uses instructions beyond AVX2: {found[:10]}"
        if lib.name.startswith("libggml-cpu"):
            assert "%ymm" in listing  # and it does use AVX2 (not a slow generic build)


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the AVX2 baseline is x86-64's")
def test_the_check_recognises_avx512_and_amx_code(tmp_path):
    """The check above could fail: code built for AVX-512 and AMX is caught by it."""
    source = tmp_path / "wide.c"
    source.write_text(
        "#include <immintrin.h>\n"
        "void add(float *a, const float *b) {\n"
        "  _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), _mm512_loadu_ps(b)));\n"
        "}\n"
        "void tiles(void) { _tile_zero(0); _tile_release(); }\n"
    )
    lib = tmp_path / "libwide.so"
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "a C compiler is installed with the Python headers (and builds llama.cpp)"
    subprocess.run(
        [
            compiler,
            "-O2",
            "-shared",
            "-fPIC",
            "-mavx512f",
            "-mamx-tile",
            "-o",
            str(lib),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(lib)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {m.group(0) for m in _BEYOND_AVX2.finditer(listing)}
    assert any(f.startswith("%zmm") for f in found), found
    assert {"tilezero", "tilerelease"} <= found, found
