"""Uploaded documents: validation of type and size, and content-addressed storage on disk."""

from huimin.uploads import (
    ALLOWED_TYPES,
    UploadRejected,
    read_head,
    sniff_kind,
    validate_upload,
)
from workflows.storage.base import DocumentStorage, StoredFile, StoredFileNotFoundError
from workflows.storage.factory import make_storage
from workflows.storage.local_disk import LocalDiskStorage

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
