"""Files residents send: what is accepted, and the files kept until an application exists."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from telegram import Message

from huimin.uploads import SNIFF_BYTES, UploadRejected, validate_upload

log = logging.getLogger(__name__)

DOCUMENT_KIND = "other"  # the resident did not say which material it is; staff classify it


@dataclass(frozen=True)
class FileRef:
    """A Telegram file (its ``file_id`` stays valid, so it can be fetched later)."""

    file_id: str
    file_unique_id: str
    filename: str
    content_type: str
    size: int | None


def file_ref(message: Message) -> FileRef | None:
    """The photo (largest size) or document carried by a message."""
    if message.photo:
        photo = message.photo[-1]
        return FileRef(
            file_id=photo.file_id,
            file_unique_id=photo.file_unique_id,
            filename=f"photo_{photo.file_unique_id}.jpg",
            content_type="image/jpeg",
            size=photo.file_size,
        )
    document = message.document
    if document is not None:
        return FileRef(
            file_id=document.file_id,
            file_unique_id=document.file_unique_id,
            filename=document.file_name or f"file_{document.file_unique_id}",
            content_type=(document.mime_type or "").lower(),
            size=document.file_size,
        )
    return None


def refusal(ref: FileRef, max_bytes: int, content: bytes | None = None) -> str | None:
    """A Chinese reason when the file must not be uploaded, else None.

    The API's own rules (``huimin.uploads``) are applied here, before anything is
    downloaded or uploaded; once the content is there its real size and first bytes are checked.
    """
    # Size not known yet (no content, Telegram did not say): judge the type now, the size later.
    size = len(content) if content is not None else (ref.size or 1)
    try:
        validate_upload(
            ref.filename,
            ref.content_type,
            size,
            max_bytes,
            head=content[:SNIFF_BYTES] if content is not None else None,
        )
    except UploadRejected as exc:
        return exc.message_zh
    return None


class PendingFiles:
    """Files received before the resident had an application, kept per Telegram user.

    Kept in a small JSON file so a restart of the bridge does not forget them.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._files: dict[str, list[FileRef]] = {}
        if path is not None and path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self._files = {
                    user: [FileRef(**item) for item in refs] for user, refs in raw.items()
                }
            except (ValueError, TypeError):
                log.warning("pending files store %s unreadable; starting empty", path)

    def add(self, user_id: str, ref: FileRef) -> None:
        refs = self._files.setdefault(user_id, [])
        if all(r.file_unique_id != ref.file_unique_id for r in refs):
            refs.append(ref)
        self._save()

    def get(self, user_id: str) -> list[FileRef]:
        return list(self._files.get(user_id, []))

    def remove(self, user_id: str, ref: FileRef) -> None:
        refs = [r for r in self._files.get(user_id, []) if r.file_unique_id != ref.file_unique_id]
        if refs:
            self._files[user_id] = refs
        else:
            self._files.pop(user_id, None)
        self._save()

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        data = {user: [asdict(r) for r in refs] for user, refs in self._files.items()}
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self._path)
