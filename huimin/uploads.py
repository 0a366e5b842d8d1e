"""Which uploads are accepted: JPG/PNG/PDF/HEIC/DOCX up to the size limit, checked by extension,
declared content type and, where the first bytes are given, by their magic bytes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO


class UploadRejected(ValueError):  # noqa: N818 - the name the API and the bridge import
    """An upload that is refused; ``message_zh`` says why, for the resident or staff member."""

    def __init__(self, message_zh: str) -> None:
        self.message_zh = message_zh
        super().__init__(message_zh)


@dataclass(frozen=True)
class AllowedType:
    kind: str  # jpeg | png | pdf | heic | docx
    extensions: tuple[str, ...]
    content_types: tuple[str, ...]


ALLOWED_TYPES: tuple[AllowedType, ...] = (
    AllowedType("jpeg", (".jpg", ".jpeg"), ("image/jpeg", "image/pjpeg")),
    AllowedType("png", (".png",), ("image/png",)),
    AllowedType("pdf", (".pdf",), ("application/pdf",)),
    AllowedType("heic", (".heic", ".heif"), ("image/heic", "image/heif", "image/heic-sequence")),
    AllowedType(
        "docx",
        (".docx",),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ),
)
ALLOWED_NAMES_ZH = "JPG、PNG、PDF、HEIC(苹果手机照片)、DOCX(Word 文档)"
# Phones and some browsers send these when they don't know the type: judge by name and content.
GENERIC_CONTENT_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
SNIFF_BYTES = 32  # how many leading bytes ``sniff_kind`` needs


def sniff_kind(head: bytes) -> str | None:
    """The allowed kind the leading bytes show, or None if they match none of them."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heic"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # a ZIP container; the extension says which Office format
    return None


def megabytes_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def validate_upload(
    filename: str,
    content_type: str,
    size: int,
    max_bytes: int,
    *,
    head: bytes | None = None,
) -> None:
    """Raise UploadRejected with a Chinese reason unless the upload is allowed.

    ``head``: the file's first bytes (at least ``SNIFF_BYTES``) to check the content itself.
    """
    if size <= 0:
        raise UploadRejected("文件是空的,请重新选择文件上传")
    if size > max_bytes:
        raise UploadRejected(
            f"文件太大:单个文件不能超过 {megabytes_text(max_bytes)} MB,"
            f"这个文件约 {megabytes_text(size)} MB。可以压缩照片或分页拍摄后再上传"
        )
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    extension = PurePosixPath(name.lower()).suffix
    allowed = next((t for t in ALLOWED_TYPES if extension in t.extensions), None)
    if allowed is None:
        shown = f"“{extension}”" if extension else "没有扩展名的文件"
        raise UploadRejected(f"不支持 {shown} 类型的文件,只能上传 {ALLOWED_NAMES_ZH}")
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if declared not in GENERIC_CONTENT_TYPES and declared not in allowed.content_types:
        raise UploadRejected(
            f"文件类型不一致:文件名是 {extension},但上传的类型是 {declared}。"
            f"只能上传 {ALLOWED_NAMES_ZH}"
        )
    if head is not None and sniff_kind(head) != allowed.kind:
        raise UploadRejected(
            f"文件内容与扩展名 {extension} 不符,可能已损坏或被改了扩展名。"
            f"请上传真实的 {ALLOWED_NAMES_ZH} 文件"
        )


def read_head(data: BinaryIO) -> bytes:
    """The stream's first ``SNIFF_BYTES`` for ``validate_upload(head=...)``; rewinds the stream."""
    position = data.tell()
    head = data.read(SNIFF_BYTES)
    data.seek(position)
    return head
