"""What arrives at the callback URL: signature check, 安全模式 (AES) decryption, parsing, and the
passive reply (encrypted again in 安全模式) — all with wechatpy's own code.

Every request carries ``signature = sha1(sort(token, timestamp, nonce))``; 安全模式 requests also
carry ``encrypt_type=aes`` and ``msg_signature`` over the encrypted body, which wechatpy checks
before decrypting. Anything that fails a check is :class:`ForgedRequestError` (answered 403).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

MAX_CLOCK_SKEW_SECONDS = 300  # a signed request older than this is a replay


class ForgedRequestError(Exception):
    """The request is not from WeChat (bad or missing signature, stale timestamp, bad AES)."""


@dataclass(frozen=True)
class CallbackQuery:
    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""

    @classmethod
    def of(cls, params: Any) -> CallbackQuery:
        return cls(
            signature=str(params.get("signature") or ""),
            timestamp=str(params.get("timestamp") or ""),
            nonce=str(params.get("nonce") or ""),
            encrypt_type=str(params.get("encrypt_type") or "").lower(),
            msg_signature=str(params.get("msg_signature") or ""),
        )

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type == "aes"


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


class CallbackCodec:
    def __init__(self, token: str, app_id: str | None, encoding_aes_key: str | None) -> None:
        self._token = token
        self._crypto = (
            WeChatCrypto(token, encoding_aes_key, app_id or "") if encoding_aes_key else None
        )

    def verify(self, query: CallbackQuery, *, now: float | None = None) -> None:
        if not (query.signature and query.timestamp and query.nonce):
            raise ForgedRequestError("signature, timestamp or nonce missing")
        expected = sign(self._token, query.timestamp, query.nonce)
        if not hmac.compare_digest(expected, query.signature):
            raise ForgedRequestError("bad signature")
        try:
            sent_at = int(query.timestamp)
        except ValueError as exc:
            raise ForgedRequestError("timestamp is not a number") from exc
        if abs((now if now is not None else time.time()) - sent_at) > MAX_CLOCK_SKEW_SECONDS:
            raise ForgedRequestError("stale timestamp")

    def parse(self, query: CallbackQuery, body: bytes) -> Any:
        """The verified message (a wechatpy message or event object)."""
        self.verify(query)
        xml = body.decode("utf-8", errors="replace")
        if query.encrypted:
            if self._crypto is None:
                raise ForgedRequestError("encrypted message but no EncodingAESKey configured")
            try:
                xml = self._crypto.decrypt_message(
                    xml, query.msg_signature, query.timestamp, query.nonce
                )
            except (InvalidSignatureException, InvalidAppIdException, KeyError, ValueError) as exc:
                raise ForgedRequestError(f"encrypted body refused: {type(exc).__name__}") from exc
        try:
            return parse_message(xml)
        except Exception as exc:  # xmltodict/expat errors: not a WeChat message
            raise ForgedRequestError(f"unreadable XML: {type(exc).__name__}") from exc

    def text_reply(self, query: CallbackQuery, message: Any, content: str) -> str:
        """The passive text reply to ``message`` (encrypted when the request was)."""
        reply = TextReply(
            source=message.target, target=message.source, content=content, time=int(time.time())
        )
        xml = str(reply.render())
        if query.encrypted and self._crypto is not None:
            return str(self._crypto.encrypt_message(xml, query.nonce, query.timestamp))
        return xml
