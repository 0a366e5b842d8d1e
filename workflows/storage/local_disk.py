"""Documents on the local disk, content-addressed by SHA-256.

The key is the content's hex digest (so the same file uploaded twice is stored once), kept at
``root/ab/cd/<digest>``. A file is written to a temporary name in ``root/tmp`` while it is
hashed, flushed to disk, then renamed into place: a reader never sees half a file. Keys are
checked against the digest shape, so no key can point outside ``root``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from huimin.uploads import UploadRejected, megabytes_text
from workflows.storage.base import StoredFile, StoredFileNotFoundError

_KEY = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class LocalDiskStorage:
    def __init__(self, root: Path, *, max_bytes: int | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes  # refuse a stream longer than this while writing

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise StoredFileNotFoundError(f"文件编号 {key[:80]!r} 格式不正确")
        return self.root / key[:2] / key[2:4] / key

    def save(self, data: BinaryIO, *, filename: str, content_type: str) -> StoredFile:
        """Store the stream; ``filename`` is not used for the key (it is the caller's metadata)."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := data.read(_CHUNK):
                    size += len(chunk)
                    if self.max_bytes is not None and size > self.max_bytes:
                        raise UploadRejected(
                            f"文件太大:单个文件不能超过 {megabytes_text(self.max_bytes)} MB"
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            final = self._path(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_path, final)  # atomic; identical content simply replaces itself
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise
        return StoredFile(key=key, size=size, sha256=key, content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise StoredFileNotFoundError(f"找不到编号为 {key} 的文件") from None
