"""Residents' photos (临时素材): checked with the API's upload rules, downloaded from WeChat and
attached to their newest open application; kept (by media id, which WeChat keeps 3 days) until
one exists."""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.api import ApiClient
from channels.wechat import texts
from channels.wechat.api import WeChatApi, WeChatApiError, WeChatUnavailableError
from channels.wechat.store import KeyValueStore
from huimin.http_client import ServiceRejectedError, ServiceUnavailableError
from huimin.uploads import SNIFF_BYTES, UploadRejected, validate_upload

log = logging.getLogger(__name__)
CHANNEL = "wechat"
DOCUMENT_KIND = "other"  # staff classify it
MEDIA_TTL_SECONDS = 3 * 24 * 3600 - 3600  # WeChat keeps temporary media for 3 days
IMAGE_TYPE = "image/jpeg"  # what WeChat announces for an image message
INVALID_MEDIA = frozenset({40007})  # invalid or expired media_id


def refusal(
    filename: str, content_type: str, max_bytes: int, content: bytes | None = None
) -> str | None:
    """The API's own rules (``huimin.uploads``) before the download (type) and after (size and
    the first bytes); a Chinese reason, or None when the file may be uploaded."""
    size = len(content) if content is not None else 1
    try:
        validate_upload(
            filename,
            content_type,
            size,
            max_bytes,
            head=content[:SNIFF_BYTES] if content is not None else None,
        )
    except UploadRejected as exc:
        return exc.message_zh
    return None


class MediaUploader:
    def __init__(
        self, api: ApiClient, wechat: WeChatApi, store: KeyValueStore, max_upload_bytes: int
    ) -> None:
        self._api = api
        self._wechat = wechat
        self._store = store
        self._max = max_upload_bytes

    async def attach(self, openid: str, media_id: str) -> str:
        """Attach one photo; the resident's answer. Raises ServiceUnavailableError to retry."""
        reason = refusal(_filename(media_id), IMAGE_TYPE, self._max)
        if reason is not None:
            return reason
        application = await self._api.newest_open_application(CHANNEL, openid)
        if application is None:
            await self._keep(openid, media_id)
            return texts.FILE_KEPT_NO_APPLICATION
        reason = await self._upload(application, media_id)
        if reason is not None:
            return reason
        number = application.get("number") or application.get("id")
        return texts.FILE_ATTACHED.format(number=number)

    async def attach_pending(self, openid: str) -> str:
        """After a dialogue turn: attach photos kept while no application existed."""
        pending = await self._pending(openid)
        if not pending:
            return ""
        try:
            application = await self._api.newest_open_application(CHANNEL, openid)
        except ServiceUnavailableError as exc:
            log.warning("pending photos of wechat:%s not attached yet: %s", openid, exc)
            return ""
        if application is None:
            return ""
        attached, notes = 0, []
        for media_id in pending:
            try:
                reason = await self._upload(application, media_id)
            except ServiceUnavailableError as exc:
                log.warning("pending photo of wechat:%s not attached yet: %s", openid, exc)
                return ""
            await self._forget(openid, media_id)
            if reason is None:
                attached += 1
            else:
                notes.append(reason)
        if attached:
            number = application.get("number") or application.get("id")
            notes.insert(0, texts.PENDING_FILES_ATTACHED.format(count=attached, number=number))
        return "\n".join(notes)

    async def _upload(self, application: dict[str, Any], media_id: str) -> str | None:
        try:
            content, content_type = await self._wechat.download_media(media_id)
        except WeChatUnavailableError as exc:
            raise ServiceUnavailableError(f"wechat media download: {exc}") from exc
        except WeChatApiError as exc:
            if exc.errcode in INVALID_MEDIA:
                return texts.FILE_EXPIRED
            raise ServiceUnavailableError(f"wechat media download: {exc}") from exc
        content_type = content_type or IMAGE_TYPE
        filename = _filename(media_id, content_type)
        reason = refusal(filename, content_type, self._max, content)
        if reason is not None:
            return reason
        try:
            await self._api.upload_document(
                application["id"],
                filename=filename,
                content=content,
                content_type=content_type,
                kind=DOCUMENT_KIND,
            )
        except ServiceRejectedError as exc:
            log.info("upload refused by the API (%s)", exc.status_code)
            return texts.FILE_REFUSED_BY_API.format(reason=exc.reason)
        return None

    async def _pending(self, openid: str) -> list[str]:
        raw = await self._store.get(f"pending:{openid}")
        return [str(item) for item in json.loads(raw)] if raw else []

    async def _keep(self, openid: str, media_id: str) -> None:
        pending = await self._pending(openid)
        if media_id not in pending:
            pending.append(media_id)
        await self._store.set(f"pending:{openid}", json.dumps(pending), MEDIA_TTL_SECONDS)

    async def _forget(self, openid: str, media_id: str) -> None:
        pending = [m for m in await self._pending(openid) if m != media_id]
        if pending:
            await self._store.set(f"pending:{openid}", json.dumps(pending), MEDIA_TTL_SECONDS)
        else:
            await self._store.delete(f"pending:{openid}")


def _filename(media_id: str, content_type: str = IMAGE_TYPE) -> str:
    extension = {"image/png": ".png", "image/heic": ".heic"}.get(content_type, ".jpg")
    safe = "".join(ch for ch in media_id if ch.isalnum() or ch in "-_")[:40] or "media"
    return f"wechat_{safe}{extension}"
