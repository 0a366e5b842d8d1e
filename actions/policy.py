"""Policy questions (and low-confidence messages) answered by the knowledge base."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, parsing
from actions.common import MAX_QUESTION_CHARS, entity_values, latest_intent, latest_text
from actions.handoff import open_handoff
from huimin.masking import mask_text

MISUNDERSTANDINGS_BEFORE_HANDOFF = 3
PASSAGE_ENTITY = "policy_passage"  # a suggested passage the resident picked
QUESTION_SLOT = "policy_question"  # the question the suggestions were offered for
MAX_BUTTON_TITLE = 30


def suggestion_buttons(suggestions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One button per suggested passage (its id in the payload), then a person."""
    rows = []
    for item in suggestions:
        passage = str(item.get("passage") or "")
        label = str(item.get("label") or item.get("section") or "").strip()[:MAX_BUTTON_TITLE]
        if passage and label and passage.replace("-", "").replace("_", "").isalnum():
            rows.append(
                {"title": label, "payload": f'/ask_policy{{"{PASSAGE_ENTITY}": "{passage}"}}'}
            )
    if rows:
        rows.append({"title": "都不是,转人工", "payload": "/request_human"})
    return rows


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
        picked = entity_values(tracker, PASSAGE_ENTITY)
        if picked:
            # a suggested passage: answer the question it was offered for from it alone
            question = str(tracker.get_slot(QUESTION_SLOT) or "")[:MAX_QUESTION_CHARS]
        elif question.startswith("/") or not question:
            # A button payload such as /ask_policy: ask what they want to know.
            dispatcher.utter_message(response="utter_ask_policy_prompt")
            return []
        if is_fallback and parsing.is_nonsense(question):
            # Keyboard noise never counts towards a hand-off: the main choices and the counter.
            dispatcher.utter_message(response="utter_nonsense")
            return [SlotSet("misunderstood", 0)]
        try:
            result = await api_client.get_client().ask(
                question,
                conversation_id=tracker.sender_id,
                passage=picked[0] if picked else None,
            )
        except api_client.ApiRejectedError as error:
            if error.status_code == 429:
                dispatcher.utter_message(response="utter_too_many_questions")
                return []
            if picked:  # the passage is gone (documents re-ingested): ask again
                dispatcher.utter_message(response="utter_policy_passage_gone")
                return [SlotSet(QUESTION_SLOT, None)]
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

        buttons = suggestion_buttons(list(result.get("suggestions") or []))
        if buttons:
            # not sure which rule is meant: the closest passages to pick from, and a person
            dispatcher.utter_message(response="utter_policy_suggestions", buttons=buttons)
            # kept for the pick, with ID and mobile numbers masked (it is stored with the tracker)
            return [SlotSet("misunderstood", 0), SlotSet(QUESTION_SLOT, mask_text(question))]
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
