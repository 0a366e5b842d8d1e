"""Uploaded documents: validation of type and size, and content-addressed storage on disk."""

from workflows.storage.base import DocumentStorage, StoredFile, StoredFileNotFoundError
from workflows.storage.factory import make_storage
from workflows.storage.local_disk import LocalDiskStorage
from workflows.storage.validation import (
    ALLOWED_TYPES,
    UploadRejected,
    read_head,
    sniff_kind,
    validate_upload,
)

__all__ = [
    "ALLOWED_TYPES",
    "DocumentStorage",
    "LocalDiskStorage",
    "StoredFile",
    "StoredFileNotFoundError",
    "UploadRejected",
    "make_storage",
    "read_head",
    "sniff_kind",
    "validate_upload",
]
