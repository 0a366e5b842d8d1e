"""Which uploads are refused, and that the Chinese reason names the limit or the allowed types."""

from __future__ import annotations

import io

import pytest

from workflows.storage import UploadRejected, read_head, sniff_kind, validate_upload

MB = 1024 * 1024
LIMIT = 10 * MB
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 20
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 8
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 24
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("filename", "content_type", "head"),
    [
        ("户口簿.jpg", "image/jpeg", JPEG),
        ("IMG_0001.JPEG", "image/jpeg", JPEG),
        ("身份证.png", "image/png", PNG),
        ("病历.pdf", "application/pdf", PDF),
        ("IMG_2024.HEIC", "image/heic", HEIC),
        ("IMG_2025.heic", "application/octet-stream", HEIC),  # phones often send this
        ("申请书.docx", DOCX_TYPE, DOCX),
        ("scan.pdf", "application/pdf; charset=binary", PDF),
        ("photo.jpg", "", JPEG),
    ],
)
def test_allowed(filename: str, content_type: str, head: bytes) -> None:
    validate_upload(filename, content_type, 200_000, LIMIT, head=head)
    validate_upload(filename, content_type, LIMIT, LIMIT)  # exactly at the limit, no sniffing


def test_too_large_names_the_limit() -> None:
    with pytest.raises(UploadRejected) as caught:
        validate_upload("a.pdf", "application/pdf", LIMIT + 1, LIMIT, head=PDF)
    assert "10 MB" in caught.value.message_zh
    with pytest.raises(UploadRejected, match=r"12\.5 MB"):
        validate_upload("a.pdf", "application/pdf", int(12.5 * MB), LIMIT)


def test_empty_file() -> None:
    with pytest.raises(UploadRejected, match="空的"):
        validate_upload("a.pdf", "application/pdf", 0, LIMIT)


@pytest.mark.parametrize("filename", ["病历.exe", "页面.html", "表格.xlsx", "README", "a.doc"])
def test_type_not_allowed_names_allowed_types(filename: str) -> None:
    with pytest.raises(UploadRejected) as caught:
        validate_upload(filename, "application/octet-stream", 1000, LIMIT)
    message = caught.value.message_zh
    for name in ("JPG", "PNG", "PDF", "HEIC", "DOCX"):
        assert name in message


def test_declared_type_must_fit_extension() -> None:
    with pytest.raises(UploadRejected, match="text/html"):
        validate_upload("photo.jpg", "text/html", 1000, LIMIT)


@pytest.mark.parametrize(
    ("filename", "head"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", PNG),  # a PNG renamed .jpg is refused too (type must be honest)
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 28),  # a Windows program
        ("IMG.heic", b"\x00\x00\x00\x18ftypavif" + b"\x00" * 20),
        ("a.docx", PDF),
    ],
)
def test_content_must_match_extension(filename: str, head: bytes) -> None:
    with pytest.raises(UploadRejected, match="不符"):
        validate_upload(filename, "application/octet-stream", 1000, LIMIT, head=head)


def test_directory_parts_of_the_name_are_ignored() -> None:
    validate_upload("../../etc/passwd.png", "image/png", 10, LIMIT, head=PNG)
    with pytest.raises(UploadRejected):
        validate_upload("C:\\photos.jpg\\evil.exe", "", 10, LIMIT)


def test_sniff_kind() -> None:
    assert [sniff_kind(h) for h in (JPEG, PNG, PDF, HEIC, DOCX)] == [
        "jpeg",
        "png",
        "pdf",
        "heic",
        "docx",
    ]
    assert sniff_kind(b"") is None
    assert sniff_kind(b"GIF89a") is None


def test_read_head_rewinds_the_stream() -> None:
    stream = io.BytesIO(PNG + b"rest of the image")
    head = read_head(stream)
    assert head == (PNG + b"rest of the image")[:32]
    assert stream.tell() == 0
    validate_upload("a.png", "image/png", 100, LIMIT, head=head)
    with pytest.raises(UploadRejected, match="不符"):
        validate_upload("a.pdf", "application/pdf", 100, LIMIT, head=head)
