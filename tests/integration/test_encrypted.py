"""Encrypted PDFs that open without a password (an owner password restricting printing or
copying, an empty user password: what publishers often send) are read, for every cipher pypdf
writes; only a PDF that really needs a password to open is refused, and it says so."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import RefusedFile
from ingest.pdf import PdfLoader
from ingest.pipeline import IngestPipeline
from tests.pdfs import text_pdf

pytestmark = pytest.mark.integration
TEXT = (
    "Community asset transfer lets a council transfer land or buildings to a community group at "
    "less than market value when the transfer brings local social, economic or environmental "
    "benefit. "
)
CIPHERS = ["RC4-40", "RC4-128", "AES-128", "AES-256"]


def encrypt(source: Path, target: Path, algorithm: str, user_password: str = "") -> Path:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(source)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_metadata(reader.metadata or {})  # encrypted with the rest
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())
    return target


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    return text_pdf(tmp_path / "plain.pdf", [TEXT * 3, TEXT * 2], title="Asset transfer note")


@pytest.mark.parametrize("algorithm", CIPHERS)
def test_an_owner_password_only_pdf_is_read(plain: Path, tmp_path: Path, algorithm: str):
    locked = encrypt(plain, tmp_path / f"restricted-{algorithm}.pdf", algorithm)
    from pypdf import PdfReader

    assert PdfReader(locked).is_encrypted  # really encrypted
    loaded = PdfLoader().load(locked)
    assert "less than market value" in loaded.pages[0].text
    assert loaded.title == "Asset transfer note"  # its metadata is decrypted too


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_that_needs_a_password_to_open_is_refused_saying_so(
    plain: Path, tmp_path: Path, algorithm: str
):
    locked = encrypt(plain, tmp_path / "locked.pdf", algorithm, user_password="open-sesame")
    with pytest.raises(RefusedFile, match="encrypted and needs a password to open"):
        PdfLoader().load(locked)


def test_a_restricted_pdf_is_ingested_answered_and_its_quotes_verify(
    plain: Path, tmp_path: Path, embedder, guide_factory
):
    locked = encrypt(plain, tmp_path / "restricted.pdf", "AES-256")
    data_dir = tmp_path / "library"
    [result] = IngestPipeline(Settings(data_dir=data_dir), embedder=embedder).run([locked])
    assert result.status == "added", result.reason
    answer = guide_factory(data_dir).ask("Can a council transfer a building below market value?")
    assert answer.citations and all(c.verified for c in answer.citations)  # read by PDFium too
