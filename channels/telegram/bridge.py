"""The bridge's update handlers: Telegram updates -> Rasa / API -> replies to the chat."""

from __future__ import annotations

import json
import logging
import traceback
from contextlib import suppress
from dataclasses import replace
from typing import Any

from telegram import Bot, Location, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from channels.api import ApiClient
from channels.telegram import texts
from channels.telegram.keyboards import LOCATION_PAYLOAD, PayloadCache
from channels.telegram.replies import ReplySender
from channels.telegram.retry import OrderedRetrier, RetryPolicy
from channels.telegram.uploads import (
    DOCUMENT_KIND,
    FileRef,
    PendingFiles,
    file_ref,
    refusal,
)
from huimin.deeplinks import rasa_message_for
from huimin.http_client import ServiceRejectedError, ServiceUnavailableError
from huimin.masking import mask_id_text
from huimin.rasa_client import RasaClient

log = logging.getLogger(__name__)
CHANNEL = "telegram"
COMMAND_MESSAGES = {"status": "/check_status", "human": "/request_human"}


class FileTooLargeError(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"file of {size} bytes")
        self.size = size


class Bridge:
    """Holds the bridge's collaborators; its methods are the Application's handlers."""

    def __init__(
        self,
        *,
        rasa: RasaClient,
        api: ApiClient,
        max_upload_bytes: int,
        pending: PendingFiles,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.rasa = rasa
        self.api = api
        self.max_upload_bytes = max_upload_bytes
        self.pending = pending
        self.cache = PayloadCache()
        self.replies = ReplySender(self.cache)
        self.retrier = OrderedRetrier(
            retry_policy or RetryPolicy(),
            self.say,
            busy_text=texts.BUSY_RETRYING,
            queued_text=texts.QUEUED_BEHIND_RETRY,
            give_up_text=texts.BUSY_GIVE_UP,
        )
        self._bot: Bot | None = None

    # Wiring ------------------------------------------------------------------------------
    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._bot = application.bot
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("start", self.on_start, filters=private))
        application.add_handler(CommandHandler("help", self.on_help, filters=private))
        application.add_handler(
            CommandHandler(list(COMMAND_MESSAGES), self.on_command, filters=private)
        )
        application.add_handler(MessageHandler(private & filters.COMMAND, self.on_unknown_command))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.on_text)
        )
        application.add_handler(MessageHandler(private & filters.LOCATION, self.on_location))
        files = filters.PHOTO | (filters.Document.ALL & ~filters.ANIMATION)
        application.add_handler(MessageHandler(private & files, self.on_file))
        application.add_handler(
            MessageHandler(private & ~filters.StatusUpdate.ALL, self.on_unsupported)
        )
        application.add_error_handler(self.on_error)

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("Bridge.register(application) was not called")
        return self._bot

    async def say(self, chat_id: int, text: str) -> None:
        await self.bot.send_message(chat_id=chat_id, text=text)

    # Text and commands -------------------------------------------------------------------
    async def forward(self, user_id: int, chat_id: int, text: str, *, typed: bool = False) -> None:
        """Send one message to Rasa as ``telegram:<user id>`` and relay the replies.

        ``typed`` (what the resident wrote): during a hand-off (人工服务) it goes to the staff
        member instead (the API stores it on the hand-off; Rasa is paused). Asking the API is
        part of the job, so when the API is down the message waits and is retried in order like
        any other: nothing typed is lost. Staff replies come back through the outbox notifier.
        """
        sender = f"{CHANNEL}:{user_id}"

        async def job() -> None:
            if typed:
                taken = await self.api.resident_message(CHANNEL, str(user_id), text)
                if taken.get("accepted"):
                    return
            with suppress(TelegramError):
                await self.bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
            replies = await self.rasa.send(sender, text)
            await self.replies.send_all(self.bot, chat_id, replies)
            await self._attach_pending(str(user_id), chat_id)

        await self.retrier.submit(sender, chat_id, job)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        if message.text.lstrip().startswith("/"):  # Rasa would read it as "/intent{...}"
            await message.reply_text(texts.UNKNOWN_COMMAND)
            return
        await self.forward(user.id, message.chat_id, message.text, typed=True)

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location ("发送位置"): to Rasa as an intent with the coordinates."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.location is None:
            return
        await self.forward(user.id, message.chat_id, location_message(message.location))

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        payload = context.args[0] if context.args else None
        await self.forward(user.id, message.chat_id, rasa_message_for(payload))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        await self.forward(user.id, message.chat_id, COMMAND_MESSAGES[command])

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.HELP)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Not forwarded: Rasa would read "/intent{...}" as an intent with slots.
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        payload = self.cache.decode(query.data or "")
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        if payload is None:
            await query.answer()
            await self.say(chat_id, texts.BUTTON_EXPIRED)
            return
        await query.answer(text=_button_title(query.message, query.data) or None)
        with suppress(BadRequest):  # the keyboard may already be gone
            await query.edit_message_reply_markup(reply_markup=None)
        await self.forward(query.from_user.id, chat_id, payload)

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.UNSUPPORTED_MEDIA)

    # Files -------------------------------------------------------------------------------
    async def on_file(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ref = file_ref(message)
        if ref is None:
            return
        reason = refusal(ref, self.max_upload_bytes)
        if reason is not None:
            log.info("file from telegram:%s refused before upload (%s)", user.id, ref.content_type)
            await message.reply_text(reason)
            return
        chat_id, user_key = message.chat_id, str(user.id)

        async def job() -> None:
            await self._attach(user_key, chat_id, ref)

        await self.retrier.submit(f"{CHANNEL}:{user.id}", chat_id, job)

    async def _attach(self, user_key: str, chat_id: int, ref: FileRef) -> None:
        application = await self.api.newest_open_application(CHANNEL, user_key)
        if application is None:
            self.pending.add(user_key, ref)
            await self.say(chat_id, texts.FILE_KEPT_NO_APPLICATION)
            return
        reason = await self._upload(application, ref)
        if reason is not None:
            await self.say(chat_id, reason)
            return
        number = application.get("number") or application.get("id")
        await self.say(chat_id, texts.FILE_ATTACHED.format(number=number))

    async def _upload(self, application: dict[str, Any], ref: FileRef) -> str | None:
        """Download from Telegram and upload to the API; a Chinese reason if refused."""
        try:
            content = await self._download(ref)
        except FileTooLargeError as exc:
            return refusal(replace(ref, size=exc.size), self.max_upload_bytes)
        reason = refusal(ref, self.max_upload_bytes, content)
        if reason is not None:
            return reason
        try:
            await self.api.upload_document(
                application["id"],
                filename=ref.filename,
                content=content,
                content_type=ref.content_type or "application/octet-stream",
                kind=DOCUMENT_KIND,
            )
        except ServiceRejectedError as exc:
            log.info("upload refused by the API (%s)", exc.status_code)
            return texts.FILE_REFUSED_BY_API.format(reason=exc.reason)
        return None

    async def _download(self, ref: FileRef) -> bytes:
        try:
            telegram_file = await self.bot.get_file(ref.file_id)
            if (telegram_file.file_size or 0) > self.max_upload_bytes:
                raise FileTooLargeError(telegram_file.file_size or 0)
            return bytes(await telegram_file.download_as_bytearray())
        except BadRequest as exc:  # "file is too big" for the Bot API's 20 MB download limit
            raise FileTooLargeError(20 * 1024 * 1024) from exc
        except NetworkError as exc:
            raise ServiceUnavailableError(f"telegram download failed: {exc.message}") from exc

    async def _attach_pending(self, user_key: str, chat_id: int) -> None:
        """Attach files kept before the resident had an application, once one exists."""
        refs = self.pending.get(user_key)
        if not refs:
            return
        try:
            application = await self.api.newest_open_application(CHANNEL, user_key)
            if application is None:
                return
            attached = 0
            for ref in refs:
                reason = await self._upload(application, ref)
                self.pending.remove(user_key, ref)
                if reason is None:
                    attached += 1
                else:
                    await self.say(chat_id, reason)
        except ServiceUnavailableError as exc:  # kept; tried again after the next message
            log.warning("pending files of telegram:%s not attached yet: %s", user_key, exc)
            return
        if attached:
            number = application.get("number") or application.get("id")
            await self.say(
                chat_id, texts.PENDING_FILES_ATTACHED.format(count=attached, number=number)
            )

    # Errors ------------------------------------------------------------------------------
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        trace = "".join(traceback.format_exception(error)) if error is not None else ""
        log.error("update %s failed:\n%s", update_id, mask_id_text(trace))
        if isinstance(update, Update) and update.effective_chat is not None:
            with suppress(TelegramError):
                await self.say(update.effective_chat.id, texts.INTERNAL_ERROR)


def _button_title(message: object, data: str | None) -> str:
    markup = getattr(message, "reply_markup", None)
    if not isinstance(message, Message) or markup is None:
        return ""
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return f"已选择:{button.text}"
    return ""


def location_message(location: Location) -> str:
    """``/share_location{"latitude": …, "longitude": …}`` (Rasa reads it as intent + entities)."""
    coordinates = {
        "latitude": round(float(location.latitude), 6),
        "longitude": round(float(location.longitude), 6),
    }
    return f"{LOCATION_PAYLOAD}{json.dumps(coordinates)}"
