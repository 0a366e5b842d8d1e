"""A resident's own 时间银行 balance, next 复核 and reporting a change, in the chat.

Nothing personal is shown before this conversation is verified for the resident's ID number
(the identity-verification contract, :mod:`actions.identity_check`): the form
``timebank_identity_form`` asks the ID number (``tb_id_number``), then how to verify
(``tb_identity``: sent | verified | skipped). Only then ``action_timebank_answer`` asks the API
by the verified channel identity: ``GET /api/timebank/balance`` + the statement of each account,
``GET /api/reviews/mine``; a reported change (``POST /api/reviews/report-change``) is sent only
after the resident confirms it (``tb_change_confirm``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client, identity_check, parsing
from actions.common import latest_intent, latest_text
from actions.form_base import HuiminFormValidation
from actions.identity import parse_sender
from huimin.idcard import InvalidIdNumber, mask, parse

ID_SLOT = "tb_id_number"
STATE_SLOT = "tb_identity"
TOPIC_SLOT = "tb_topic"
NOTE_SLOT = "tb_change_note"
CONFIRM_SLOT = "tb_change_confirm"
TOPICS = {
    "ask_timebank_balance": "balance",
    "ask_review_date": "review",
    "report_change": "change",
}
MAX_ACCOUNTS_SHOWN = 3
MAX_MOVEMENTS_SHOWN = 3
MAX_NOTE_CHARS = 500


def hours(minutes: int) -> str:
    """90 -> "1.5"; 120 -> "2" (hours as residents say them)."""
    value = round(minutes / 60, 1)
    return str(int(value)) if value == int(value) else str(value)


class ActionTimebankBegin(Action):
    """Remembers what was asked (and a change's wording); re-checks an earlier verification."""

    def name(self) -> str:
        return "action_timebank_begin"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = TOPICS.get(latest_intent(tracker) or "", "balance")
        events: list[EventType] = [SlotSet(TOPIC_SLOT, topic), SlotSet(CONFIRM_SLOT, None)]
        if topic == "change":
            events.append(SlotSet(NOTE_SLOT, latest_text(tracker)[:MAX_NOTE_CHARS]))
        id_number = tracker.get_slot(ID_SLOT)
        state = tracker.get_slot(STATE_SLOT)
        if state == identity_check.VERIFIED and id_number:
            try:
                current = await identity_check.status(tracker.sender_id, str(id_number))
                still = current.verified
            except api_client.ApiError:
                still = False
            if not still:  # expired (or cannot be checked): verify again
                events.append(SlotSet(STATE_SLOT, None))
        elif state not in (identity_check.SENT, None) or not id_number:
            # skipped earlier (or nothing yet): ask again from the ID number
            events += [SlotSet(ID_SLOT, None), SlotSet(STATE_SLOT, None)]
        return events


class ValidateTimebankIdentityForm(HuiminFormValidation):
    def name(self) -> str:
        return "validate_timebank_identity_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = [ID_SLOT, STATE_SLOT]
        if tracker.get_slot(TOPIC_SLOT) == "change" and tracker.get_slot(STATE_SLOT) in (
            None,
            identity_check.SENT,
            identity_check.VERIFIED,
        ):
            slots.append(CONFIRM_SLOT)
        return slots

    async def validate_tb_id_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        candidate = parsing.find_id_number(text) or text
        if self.too_long(text) or not candidate:
            return self.reject(dispatcher, tracker, ID_SLOT, "utter_ask_tb_id_number")
        try:
            info = parse(candidate)
        except InvalidIdNumber as error:
            return self.reject(
                dispatcher, tracker, ID_SLOT, "utter_invalid_id_number", reason=str(error)
            )
        if info.number == tracker.get_slot(ID_SLOT) and tracker.get_slot(STATE_SLOT):
            return self.accept({ID_SLOT: info.number})  # re-validated on reactivation
        try:
            current = await identity_check.status(tracker.sender_id, info.number)
        except api_client.ApiRejectedError as error:
            return self.reject(
                dispatcher,
                tracker,
                ID_SLOT,
                "utter_invalid_id_number",
                reason=error.message or "身份证号码不正确",
            )
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_tb_identity_unavailable")
            return self.accept({ID_SLOT: info.number, STATE_SLOT: identity_check.SKIPPED})
        if current.verified:
            dispatcher.utter_message(response="utter_identity_verified")
            return self.accept({ID_SLOT: info.number, STATE_SLOT: identity_check.VERIFIED})
        return self.accept({ID_SLOT: info.number, STATE_SLOT: None})

    async def validate_tb_identity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = latest_text(tracker).strip()
        if value in (*identity_check.DONE, identity_check.SENT) and value != text:
            return {STATE_SLOT: value}  # set by this action, re-validated on reactivation
        id_number = tracker.get_slot(ID_SLOT)
        if not id_number:
            return {STATE_SLOT: None}
        if self.too_long(text):
            return self.reject(dispatcher, tracker, STATE_SLOT, "utter_please_choose")
        outcome = await identity_check.answer(
            dispatcher, tracker, text, id_number=str(id_number), slot=STATE_SLOT
        )
        if outcome in (identity_check.VERIFIED, identity_check.SKIPPED):
            return self.accept({STATE_SLOT: outcome})
        return {STATE_SLOT: outcome}  # "sent" or None: the form asks again

    def validate_tb_change_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = self.yes_no_answer(value, tracker)
        if answer is None:
            return self.reject(dispatcher, tracker, CONFIRM_SLOT, "utter_please_choose")
        return self.accept({CONFIRM_SLOT: answer})


class ActionAskTbIdentity(Action):
    """How to verify, with this person's methods (the time bank's and reviews' wording)."""

    def name(self) -> str:
        return "action_ask_tb_identity"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        identity = parse_sender(tracker.sender_id)
        id_number = str(tracker.get_slot(ID_SLOT) or "")
        if tracker.get_slot(STATE_SLOT) == identity_check.SENT:
            dispatcher.utter_message(response="utter_ask_tb_identity_sent")
            return []
        if identity.is_counter:
            dispatcher.utter_message(
                response="utter_ask_identity_code_counter", id_masked=mask(id_number)
            )
            return []
        try:
            current = await identity_check.status(tracker.sender_id, id_number)
        except api_client.ApiError:
            dispatcher.utter_message(response="utter_tb_identity_unavailable")
            return [SlotSet(STATE_SLOT, identity_check.SKIPPED)]
        if current.sms_available:
            dispatcher.utter_message(
                response="utter_ask_tb_identity_sms", phone_masked=current.phone_masked
            )
        else:
            dispatcher.utter_message(response="utter_ask_tb_identity_no_sms")
        if identity.channel == "web" and current.oidc_url:
            dispatcher.utter_message(response="utter_identity_oidc_link", oidc_url=current.oidc_url)
        return []


class ActionTimebankAnswer(Action):
    """After the form: the balance, the next reviews, or the confirmed change report."""

    def name(self) -> str:
        return "action_timebank_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done: list[EventType] = [SlotSet(CONFIRM_SLOT, None), SlotSet(NOTE_SLOT, None)]
        if tracker.get_slot(STATE_SLOT) != identity_check.VERIFIED:
            dispatcher.utter_message(response="utter_tb_not_verified")
            return [*done, SlotSet(ID_SLOT, None), SlotSet(STATE_SLOT, None)]
        identity = parse_sender(tracker.sender_id)
        topic = tracker.get_slot(TOPIC_SLOT)
        try:
            if topic == "review":
                await self.reviews(dispatcher, identity.channel, identity.channel_user_id)
            elif topic == "change":
                await self.change(dispatcher, tracker, identity.channel, identity.channel_user_id)
            else:
                await self.balance(dispatcher, identity.channel, identity.channel_user_id)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
        return done

    async def balance(
        self, dispatcher: CollectingDispatcher, channel: str, channel_user_id: str
    ) -> None:
        client = api_client.get_client()
        accounts = await client.timebank_accounts(channel, channel_user_id)
        people = [a for a in accounts if a.get("kind") != "pool"]
        if not people:
            dispatcher.utter_message(response="utter_tb_no_account")
            return
        for account in people[:MAX_ACCOUNTS_SHOWN]:
            statement = await client.timebank_statement(int(account["id"]))
            dispatcher.utter_message(
                response="utter_tb_balance",
                hours=hours(int(statement.get("balance_minutes") or 0)),
            )
            pending = int(statement.get("pending_in_minutes") or 0)
            if pending:
                dispatcher.utter_message(response="utter_tb_pending", hours=hours(pending))
            movements = list(statement.get("movements") or [])[:MAX_MOVEMENTS_SHOWN]
            if not movements:
                dispatcher.utter_message(response="utter_tb_no_movements")
                continue
            lines = [
                "{date} {label} {sign}{hours}小时{other}".format(
                    date=str(m.get("at") or "")[:10],
                    label=m.get("kind_label") or "",
                    sign="+" if int(m.get("minutes") or 0) > 0 else "",
                    hours=hours(int(m.get("minutes") or 0)),
                    other=f"({m['counterparty']})" if m.get("counterparty") else "",
                )
                for m in movements
            ]
            dispatcher.utter_message(response="utter_tb_movements", lines="\n".join(lines))

    async def reviews(
        self, dispatcher: CollectingDispatcher, channel: str, channel_user_id: str
    ) -> None:
        rows = await api_client.get_client().my_reviews(channel, channel_user_id)
        if not rows:
            dispatcher.utter_message(response="utter_review_none")
            return
        for row in rows[:MAX_ACCOUNTS_SHOWN]:
            dispatcher.utter_message(
                response="utter_review_overdue" if row.get("overdue") else "utter_review_next",
                program_label=str(row.get("program_label") or row.get("program") or ""),
                due_on=str(row.get("due_on") or ""),
                months=int(row.get("interval_months") or 0),
                sample="(示例)"
                if row.get("interval_sample", True)
                else "(《最低生活保障审核确认办法》第31条)",
            )
            if row.get("status") == "change_reported":
                dispatcher.utter_message(response="utter_review_change_pending")
        dispatcher.utter_message(response="utter_review_how_to_report")

    async def change(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        channel: str,
        channel_user_id: str,
    ) -> None:
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            dispatcher.utter_message(response="utter_review_change_not_sent")
            return
        note = str(tracker.get_slot(NOTE_SLOT) or "家里情况有变化")
        try:
            rows = await api_client.get_client().report_review_change(
                channel, channel_user_id, note
            )
        except api_client.ApiRejectedError as error:
            if error.status_code == 404:
                dispatcher.utter_message(response="utter_review_none")
            else:
                dispatcher.utter_message(
                    response="utter_review_change_refused", detail=error.message or "暂时无法报告"
                )
            return
        labels = "、".join(dict.fromkeys(str(r.get("program_label") or "") for r in rows))
        dispatcher.utter_message(response="utter_review_change_sent", programs=labels)
