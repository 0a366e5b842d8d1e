"""Build the document storage from settings."""

from __future__ import annotations

from huimin.settings import Settings
from workflows.storage.base import DocumentStorage
from workflows.storage.local_disk import LocalDiskStorage


def make_storage(settings: Settings) -> DocumentStorage:
    """Files under HUIMIN_UPLOAD_DIR (default var/uploads), each at most max_upload_bytes."""
    return LocalDiskStorage(settings.effective_upload_dir, max_bytes=settings.max_upload_bytes)
