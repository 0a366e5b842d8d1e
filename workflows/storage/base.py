"""The storage interface the workflows call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class StoredFile:
    key: str  # opaque; pass it back to ``open``
    size: int  # bytes
    sha256: str  # hex digest of the content
    content_type: str


class StoredFileNotFoundError(LookupError):
    """No stored file has this key (or the key is malformed); the message is Chinese."""


class DocumentStorage(Protocol):
    def save(self, data: BinaryIO, *, filename: str, content_type: str) -> StoredFile:
        """Store the stream's content; raise ``UploadRejected`` if it exceeds the size limit."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored content for reading; raise ``StoredFileNotFoundError`` for an unknown key."""
        ...
