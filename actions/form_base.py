"""Shared base of the form validation actions (financial-demo ``custom_forms.py`` pattern).

Subclasses write ``validate_<slot>`` methods that call :meth:`accept` or :meth:`reject`.
``reject`` utters the named response and counts consecutive failures; at the third the resident
is also told how to get a person's help. Validators shared by several forms live here too.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import api_client, household, parsing
from actions.common import latest_intent, latest_text
from huimin.townships import from_text as township_from_text

MAX_FAILURES = 3
MAX_ANSWER_CHARS = 300
_PLACE = re.compile(r"省|市|县|区|镇|乡|村|街道")
_YES = re.compile(r"同意|可以|好的?|是的?|对|愿意|行|嗯|要|确认|没问题|ok|OK")
_NO = re.compile(r"不|没|否|别|算了")
_YES_DESPITE_NO = re.compile(r"没问题|没错|不错")
_LIVES_THERE = re.compile(
    r"(也|都|就|一直)住(在)?(这|那|本地|当地|那里|这里)|(户口|户籍)和(住|居住)|都在"
)
_SAME = re.compile(r"一样|相同|同一|就是户籍|户口那|户籍那|^同$")


def yes_no(tracker: Tracker, text: str) -> bool | None:
    """A resident's yes or no: by intent first (buttons), then by words."""
    intent = latest_intent(tracker)
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    if _YES_DESPITE_NO.search(text):
        return True
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def township_answer(text: str) -> str | None:
    """A district township's canonical name, the free text of a place outside it, or None."""
    township = township_from_text(text)
    if township:
        return township.name
    value = text.strip()
    if _PLACE.search(value) and len(value) <= 40 and not value.startswith("/"):
        return value
    return None


def township_code(answer: str | None) -> str | None:
    """The statistical code of the district township named in a slot, else None."""
    township = township_from_text(answer) if answer else None
    return township.code if township else None


def in_district(answer: str | None) -> bool:
    return township_code(answer) is not None


class HuiminFormValidation(FormValidationAction, ABC):
    """Accept/reject helpers plus validators of slots several forms share."""

    @abstractmethod
    def name(self) -> str:
        """``validate_<form name>``; abstract so the action server does not register the base."""

    def accept(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "form_failures": 0}

    def reject(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        slot: str,
        response: str,
        **kwargs: Any,
    ) -> dict[str, Any]:
        failures = int(tracker.get_slot("form_failures") or 0) + 1
        dispatcher.utter_message(response=response, **kwargs)
        if failures >= MAX_FAILURES:
            dispatcher.utter_message(response="utter_repeated_failure")
            failures = 0
        return {slot: None, "form_failures": failures}

    def answer_text(self, value: Any, tracker: Tracker) -> str:
        """The resident's answer as text (button payloads fall back to the message text)."""
        text = value if isinstance(value, str) else latest_text(tracker)
        return text.strip()

    def yes_no_answer(self, value: Any, tracker: Tracker) -> bool | None:
        """A yes/no slot's answer; a bool is a value already validated (form reactivated)."""
        if isinstance(value, bool):
            return value
        return yes_no(tracker, self.answer_text(value, tracker))

    def too_long(self, text: str) -> bool:
        return len(text) > MAX_ANSWER_CHARS

    # Shared validators ----------------------------------------------------------------------
    def validate_hukou_township(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        answer = None if self.too_long(text) else township_answer(text)
        if not answer:
            return self.reject(dispatcher, tracker, "hukou_township", "utter_invalid_township")
        if _LIVES_THERE.search(text) and tracker.get_slot("residence_township") is None:
            # "户口在富春街道,也住这里": the residence question is answered too
            return self.accept({"hukou_township": answer, "residence_township": answer})
        return self.accept({"hukou_township": answer})

    def validate_residence_township(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        hukou = tracker.get_slot("hukou_township")
        asked = tracker.get_slot("requested_slot") == "residence_township"
        if asked and hukou and (latest_intent(tracker) == "affirm" or _SAME.search(text)):
            return self.accept({"residence_township": hukou})
        answer = None if self.too_long(text) else township_answer(text)
        if not answer:
            return self.reject(dispatcher, tracker, "residence_township", "utter_invalid_township")
        if hukou and answer != hukou:
            if in_district(hukou) and in_district(answer):
                dispatcher.utter_message(
                    response="utter_township_differs", hukou=hukou, residence=answer
                )
            elif in_district(answer):
                dispatcher.utter_message(
                    response="utter_hukou_outside", hukou=hukou, residence=answer
                )
            else:
                dispatcher.utter_message(
                    response="utter_residence_outside", hukou=hukou, residence=answer
                )
        return self.accept({"residence_township": answer})

    async def validate_income_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """The API reads the incomes and puts each on the member it names (the ``members``
        slot keeps them); if it is unavailable the text is kept and read at submission."""
        text = self.answer_text(value, tracker)
        if latest_intent(tracker) == "deny" and not parsing.numbers(text):
            text = "没有收入"
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "income_text", "utter_invalid_income")
        members = list(tracker.get_slot("members") or [])
        try:
            parsed = await household.parse("income", text, members)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return self.accept({"income_text": text})
        except api_client.ApiRejectedError:
            return self.reject(dispatcher, tracker, "income_text", "utter_invalid_income")
        if not parsed.get("understood"):
            return self.reject(dispatcher, tracker, "income_text", "utter_invalid_income")
        if not members:
            return self.accept({"income_text": text})  # pre-screening: read again when sent
        attributed, unknown = household.with_incomes(members, parsed)
        if unknown:
            relations = "、".join(str(m.get("relation") or "") for m in unknown)
            dispatcher.utter_message(
                text=f"您提到了{relations}的收入,但家庭成员里没有这位。"
                "请说明是家庭成员中哪一位的收入,或在最后确认时修改家庭成员。"
            )
            return self.reject(dispatcher, tracker, "income_text", "utter_invalid_income")
        return self.accept({"income_text": text, "members": attributed})

    async def validate_expenses_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        if latest_intent(tracker) == "deny" and not parsing.numbers(text):
            text = "没有"
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "expenses_text", "utter_invalid_expenses")
        try:
            parsed = await household.parse("expenses", text)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return self.accept({"expenses_text": text})  # read again when the form is sent
        except api_client.ApiRejectedError:
            parsed = {}
        if not parsed.get("understood"):
            return self.reject(dispatcher, tracker, "expenses_text", "utter_invalid_expenses")
        return self.accept({"expenses_text": text})
