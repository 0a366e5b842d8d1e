"""Policy questions (and low-confidence messages) answered by the knowledge base."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, parsing
from actions.common import MAX_QUESTION_CHARS, latest_intent, latest_text
from actions.handoff import open_handoff

MISUNDERSTANDINGS_BEFORE_HANDOFF = 3


def _known_number(item: dict[str, Any]) -> str:
    """The 文号, unless the document says it has none (（本库资料未载明文号）, （无）)."""
    number = str(item.get("doc_number") or "").strip()
    return "" if number.startswith("（") else number


def format_citations(citations: list[dict[str, Any]]) -> str:
    """One numbered line per source: [n] 《title》 section (issuer, 文号, date as labelled:
    "…起施行" only for a real effective date)."""
    lines = []
    for index, item in enumerate(citations, start=1):
        number = item.get("n") or index
        title = str(item.get("title") or item.get("source") or "").strip()
        if title and not title.startswith("《"):
            title = f"《{title}》"
        section = str(item.get("section") or "").strip()
        dated = item.get("dated") if "dated" in item else item.get("effective_date")
        meta = "，".join(
            str(part) for part in (item.get("issuer"), _known_number(item), dated) if part
        )
        line = f"[{number}] {title}"
        if section:
            line += f" {section}"
        if meta:
            line += f"({meta})"
        lines.append(line)
    return "\n".join(lines)


def answer_body(answer: str) -> str:
    """The answer without the knowledge API's own "来源：" tail: the reply lists the sources."""
    return answer.partition("\n来源：")[0].strip()


def _previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        return str((event.get("parse_data") or {}).get("intent", {}).get("name") or "")
    return None


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = latest_text(tracker).strip()[:MAX_QUESTION_CHARS]
        is_fallback = latest_intent(tracker) == "nlu_fallback"
        in_form = bool(tracker.active_loop.get("name"))
        if question.startswith("/") or not question:
            # A button payload such as /ask_policy: ask what they want to know.
            dispatcher.utter_message(response="utter_ask_policy_prompt")
            return []
        if is_fallback and parsing.is_nonsense(question):
            # Keyboard noise never counts towards a hand-off: the main choices and the counter.
            dispatcher.utter_message(response="utter_nonsense")
            return [SlotSet("misunderstood", 0)]
        try:
            result = await api_client.get_client().ask(question, conversation_id=tracker.sender_id)
        except api_client.ApiRejectedError as error:
            if error.status_code == 429:
                dispatcher.utter_message(response="utter_too_many_questions")
                return []
            result = {"confident": False, "answer": "", "citations": []}
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return []

        citations = list(result.get("citations") or [])
        answered = bool(result.get("confident")) and bool(result.get("answer"))
        if answered:
            if citations:
                dispatcher.utter_message(
                    response="utter_policy_answer",
                    answer=answer_body(str(result["answer"])),
                    citations=format_citations(citations),
                )
            else:
                dispatcher.utter_message(
                    response="utter_policy_answer_uncited", answer=str(result["answer"])
                )
            if in_form:
                return [SlotSet("misunderstood", 0)]
            dispatcher.utter_message(response="utter_offer_after_answer")
            return [SlotSet("misunderstood", 0), SlotSet("offer", "prescreen")]

        if not is_fallback:
            dispatcher.utter_message(response="utter_policy_no_answer")
            return [SlotSet("misunderstood", 0)]

        # A message the assistant neither understood nor found in the knowledge base.
        previous = float(tracker.get_slot("misunderstood") or 0)
        count = previous + 1 if _previous_user_intent(tracker) == "nlu_fallback" else 1
        if count >= MISUNDERSTANDINGS_BEFORE_HANDOFF:
            events = await open_handoff(dispatcher, tracker, "repeated_misunderstanding")
            return [SlotSet("misunderstood", 0), *events]
        dispatcher.utter_message(response="utter_did_not_understand")
        return [SlotSet("misunderstood", count)]
