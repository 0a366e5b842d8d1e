"""Validation of the joint application form ("一件事"); the summary question."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions import api_client, household, identity_check, parsing, proposals
from actions.common import entity_values, latest_intent
from actions.form_base import HuiminFormValidation, in_district, yes_no
from huimin import names
from huimin.idcard import InvalidIdNumber, mask, parse
from huimin.local_time import LOCAL_TZ
from huimin.programs import Program, program_from_text

_DONE = re.compile(r"没有了|没了|就这些|没有别人|没其他|就这几个|就我们|选好了|好了|就这样")
_LATER = re.compile(r"以后|晚点|再交|没带|过几天|下次|稍后")
_NOW = re.compile(r"现在|马上|拍照|上传")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")

# Words a resident uses for a field of the summary -> the slot to ask again.
FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("身份证", "id_number"),
    ("证件", "id_number"),
    ("名字", "applicant_name"),
    ("姓名", "applicant_name"),
    ("手机", "phone"),
    ("电话", "phone"),
    ("户籍", "hukou_township"),
    ("户口", "hukou_township"),
    ("住", "residence_township"),
    ("家人", "members"),
    ("成员", "members"),
    ("家里人", "members"),
    ("人口", "members"),
    ("收入", "income_text"),
    ("工资", "income_text"),
    ("养老金", "income_text"),
    ("存款", "property_text"),
    ("财产", "property_text"),
    ("房", "property_text"),
    ("车", "property_text"),
    ("项目", "programs"),
    ("救助", "programs"),
    ("材料", "documents_later"),
)
CORRECTABLE = {slot for _, slot in FIELD_WORDS}
# Programs whose rules need the household's rigid spending, and who is seriously ill.
NEEDS_EXPENSES = frozenset({"medical", "rigid_expenditure", "education", "temporary"})
NEEDS_ILLNESS = frozenset({"medical", "rigid_expenditure"})
# Programs whose rules need a person's own income (特困: the applicant's, [TK] art. 6).
NEEDS_OWN_INCOME = frozenset({"tekun"})
OWNER_TRIES = 2  # unclear answers to "这份收入是谁的?" before it stays the household's
OWNER_FOUND, OWNER_SHARED = "attributed", "shared"
ILLNESS_WORDS = re.compile(r"病|癌|尿毒症|透析|白血病|化疗|瘫痪|中风|住院|手术")
_PROGRAM_SLOTS = ("programs", "program_picks", "extra_programs", "program_offers")


def field_to_correct(tracker: Tracker, text: str) -> str | None:
    for value in entity_values(tracker, "field"):
        if value in CORRECTABLE:
            return value
    if program_from_text(text):
        return "programs"
    return next((slot for word, slot in FIELD_WORDS if word in text), None)


def slots_to_reset(field: str, tracker: Tracker) -> dict[str, Any]:
    """The slots to ask again when the resident corrects ``field`` in the summary."""
    if field == "id_number":
        values: dict[str, Any] = {
            "id_number": None,
            "identity_code": None,  # a verification holds for one ID number only
            "household_confirmed": None,
            "member_entry": None,
            "members": None,
            "registry_household": None,
        }
        if tracker.get_slot("registry_household"):
            values["applicant_name"] = None  # it came from the previous ID's registry record
        return values
    if field == "members":
        registry = tracker.get_slot("registry_household")
        members = list(tracker.get_slot("members") or [])
        again = {
            "illness_text": None,
            "extra_programs": None,
            "program_offers": None,
            "income_owner": None,
            "own_income_text": None,
        }
        if registry:
            rebuilt = household.members_from_registry(registry, tracker.get_slot("id_number"))
            return {"members": rebuilt, "household_confirmed": None, "member_entry": None, **again}
        return {"members": members[:1], "household_confirmed": False, "member_entry": None, **again}
    if field == "programs":
        return dict.fromkeys(_PROGRAM_SLOTS)
    if field == "residence_township":
        return {"residence_township": None, "has_residence_permit": None}
    if field == "income_text":
        return {"income_text": None, "income_owner": None, "own_income_text": None}
    return {field: None}


def manual_household(
    tracker: Tracker, id_number: str, name: str | None = None
) -> dict[str, Any]:
    """The household entered by hand: only 本人, named by the resident, never by the registry."""
    self_member = household.blank_member("本人", id_number)
    self_member["name"] = name or tracker.get_slot("applicant_name")
    return {
        "registry_household": None,
        "members": [self_member],
        "household_confirmed": False,
    }


def parse_programs(tracker: Tracker, value: Any) -> list[str]:
    """Program codes named by entities, a list value, or the words of the message."""
    found: list[str] = []
    candidates = list(value) if isinstance(value, list) else []
    candidates += entity_values(tracker, "program")
    if isinstance(value, str):
        candidates += re.split(r"[和、，,及跟与\s]+", value)
    for candidate in candidates:
        program = program_from_text(str(candidate))
        if program and program.value not in found:
            found.append(program.value)
    return found


def chosen_programs(tracker: Tracker) -> list[str]:
    """The programs chosen so far (also the picks while the resident is still choosing)."""
    chosen = [str(code) for code in tracker.get_slot("programs") or []]
    return chosen + [str(c) for c in tracker.get_slot("program_picks") or [] if c not in chosen]


class ValidateApplicationForm(HuiminFormValidation):
    def name(self) -> str:
        return "validate_application_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Any,
    ) -> list[str]:
        if tracker.get_slot("consent") is False:
            return []  # no consent: the form ends here and nothing is submitted
        slots = list(domain_slots)
        hukou = tracker.get_slot("hukou_township")
        residence = tracker.get_slot("residence_township")
        if not (hukou and residence and not in_district(hukou) and in_district(residence)):
            slots.remove("has_residence_permit")
        if tracker.get_slot("household_confirmed") is not False:
            slots.remove("member_entry")
        if identity_check.settled(tracker):
            slots.remove("identity_code")
        chosen = set(chosen_programs(tracker))
        if not chosen & NEEDS_EXPENSES:
            slots.remove("expenses_text")
        if not chosen & NEEDS_ILLNESS:
            slots.remove("illness_text")
        members = list(tracker.get_slot("members") or [])
        own_needed = bool(chosen & NEEDS_OWN_INCOME)
        if not (own_needed and household.has_shared_income(members)):
            slots.remove("income_owner")
        if not (own_needed and household.own_income_unknown(members)):
            slots.remove("own_income_text")
        return slots

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        """The slots' validation; then, when the proposal is the next question, the other
        programs the household may qualify for (none: the question is skipped)."""
        events = list(await super().get_validation_events(dispatcher, tracker, domain))
        tracker.add_slots(events)
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = [slot for slot in required if tracker.slots.get(slot) is None]
        if missing[:1] == ["extra_programs"] and tracker.get_slot("program_offers") is None:
            found = await proposals.offers(tracker, chosen_programs(tracker))
            extra: list[EventType] = [SlotSet("program_offers", found)]
            if not found:
                extra.append(SlotSet("extra_programs", []))
            tracker.add_slots(extra)
            events += extra
        return events

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> EventType | None:
        """The first empty required slot; ``identity_code`` is asked again while a code is sent."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        for slot in required:
            value = tracker.slots.get(slot)
            if value is None or (slot == "identity_code" and value == identity_check.SENT):
                return SlotSet(REQUESTED_SLOT, slot)
        return SlotSet(REQUESTED_SLOT, None)

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        answer = self.yes_no_answer(value, tracker)
        if answer is None:
            return self.reject(dispatcher, tracker, "consent", "utter_please_choose")
        if not answer:
            dispatcher.utter_message(response="utter_consent_required")
            return {"consent": False}
        return self.accept(
            {
                "consent": True,
                "consent_at": dt.datetime.now(LOCAL_TZ).isoformat(timespec="seconds"),
                "application_uuid": tracker.get_slot("application_uuid") or uuid.uuid4().hex,
            }
        )

    async def validate_id_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        candidate = parsing.find_id_number(text) or text
        if self.too_long(text) or not candidate:
            return self.reject(dispatcher, tracker, "id_number", "utter_ask_id_number")
        try:
            info = parse(candidate)
        except InvalidIdNumber as error:
            return self.reject(
                dispatcher, tracker, "id_number", "utter_invalid_id_number", reason=str(error)
            )
        if info.number == tracker.get_slot("id_number") and (
            tracker.get_slot("members") or tracker.get_slot("identity_code") == identity_check.SENT
        ):
            return self.accept({"id_number": info.number})  # re-validated on reactivation
        try:
            current = await identity_check.status(tracker.sender_id, info.number)
        except api_client.ApiRejectedError as error:
            if error.status_code == 422:
                return self.reject(
                    dispatcher,
                    tracker,
                    "id_number",
                    "utter_invalid_id_number",
                    reason=error.message or "身份证号码不正确",
                )
            current = None
        except api_client.ApiUnavailableError:
            current = None
        said = self.name_with_id(text, tracker)
        if current is None:
            # Verification cannot be checked: nothing from the registry, the household by hand.
            dispatcher.utter_message(response="utter_identity_unavailable")
            return self.accept(
                {
                    "id_number": info.number,
                    "identity_code": identity_check.SKIPPED,
                    **said,
                    **manual_household(tracker, info.number, said.get("applicant_name")),
                }
            )
        if current.verified:
            values = await self.registry_values(dispatcher, tracker, info.number)
            return self.accept({"id_number": info.number, **values})
        # Not verified for this ID: nothing from the registry until identity_code is answered.
        return self.accept(
            {
                **said,
                "id_number": info.number,
                "identity_code": None,
                "registry_household": None,
                "members": None,
                "household_confirmed": None,
            }
        )

    def name_with_id(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """ "张建国 330183…": the applicant's name said with the ID number (kept unless the
        registry names the person later), so the name is not asked again."""
        if tracker.get_slot("applicant_name") or names.member_word(text):
            return {}
        rest = parsing.ID_LIKE.sub(" ", text)
        name = names.person_name(rest)
        if not name or names.name_problem(name) or not re.search(r"[\u4e00-\u9fff]{2}", rest):
            return {}
        return {"applicant_name": name}

    async def validate_identity_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if value in (*identity_check.DONE, identity_check.SENT) and not identity_check.typed(
            tracker
        ):
            return {"identity_code": value}  # set by this action, re-validated on reactivation
        id_number = tracker.get_slot("id_number")
        if not id_number:
            return {"identity_code": None}
        text = self.answer_text(value, tracker)
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "identity_code", "utter_please_choose")
        outcome = await identity_check.answer(dispatcher, tracker, text)
        if outcome == identity_check.VERIFIED:
            return self.accept(await self.registry_values(dispatcher, tracker, id_number))
        if outcome == identity_check.SKIPPED:
            dispatcher.utter_message(response="utter_identity_skipped")
            return self.accept(
                {"identity_code": identity_check.SKIPPED, **manual_household(tracker, id_number)}
            )
        return {"identity_code": outcome}  # "sent" or None: the form asks again

    async def registry_values(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, id_number: str
    ) -> dict[str, Any]:
        """Slots from the registry household, for a conversation verified for ``id_number``."""
        verified = {"identity_code": identity_check.VERIFIED}
        try:
            found = await household.lookup(id_number, tracker.sender_id)
        except household.NotVerifiedError:
            dispatcher.utter_message(response="utter_identity_expired")
            return {
                "identity_code": None,
                "registry_household": None,
                "members": None,
                "household_confirmed": None,
            }
        except api_client.ApiUnavailableError:
            found = None
            dispatcher.utter_message(response="utter_registry_unavailable")
        else:
            if found is None:
                dispatcher.utter_message(response="utter_registry_not_found")
        if found is None:
            return {**verified, **manual_household(tracker, id_number)}
        members = household.members_from_registry(found, id_number)
        values: dict[str, Any] = {
            **verified,
            "registry_household": found,
            "members": members,
            "household_confirmed": None,
        }
        if members[0].get("name"):
            values["applicant_name"] = members[0]["name"]
        hukou = household.hukou_name(found)
        if hukou and not tracker.get_slot("hukou_township"):
            values["hukou_township"] = hukou
        return values

    async def validate_applicant_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "applicant_name", "utter_invalid_name")
        members = [dict(m) for m in tracker.get_slot("members") or []]
        if names.member_word(text):
            # "妻子 李秀英 330183…": a family member, not the applicant; the name is asked again
            added = await self.member_from_name_prompt(text, members)
            if added is not None:
                dispatcher.utter_message(
                    response="utter_name_was_member", relation=added["relation"], name=added["name"]
                )
                members.append(added)
                return {"applicant_name": None, "members": members}
            return self.reject(dispatcher, tracker, "applicant_name", "utter_name_is_member")
        name = names.person_name(text)
        problem = names.name_problem(name or text)
        if problem and (name is None or names.name_problem(name)):
            return self.reject(
                dispatcher, tracker, "applicant_name", "utter_name_not_a_name", reason=problem
            )
        if not name:
            return self.reject(dispatcher, tracker, "applicant_name", "utter_invalid_name")
        if members and members[0].get("relation") == "本人":
            members[0]["name"] = name
            category, grade = parsing.disability(text)
            if category or grade:
                members[0].update({"disability_category": category, "disability_grade": grade})
        return self.accept({"applicant_name": name, "members": members or None})

    async def member_from_name_prompt(
        self, text: str, members: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The member a resident described at the name prompt, if complete and new."""
        try:
            parsed = await household.parse("members", text)
        except api_client.ApiError:
            return None
        found = (parsed.get("members") or [{}])[0]
        member = household.blank_member(str(found.get("relation") or ""))
        member.update({key: found.get(key, member[key]) for key in household.MEMBER_KEYS})
        if not (member["relation"] and member["name"] and member["id_number"]):
            return None
        if names.name_problem(str(member["name"])):
            return None
        try:
            member["id_number"] = parse(member["id_number"]).number
        except InvalidIdNumber:
            return None
        if any(m.get("id_number") == member["id_number"] for m in members):
            return None
        return member

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        phone = parsing.find_phone(text)
        if not phone:
            landline = _LANDLINE.search(text.replace(" ", ""))
            phone = landline.group(0) if landline else None
        if not phone:
            return self.reject(dispatcher, tracker, "phone", "utter_invalid_phone")
        return self.accept({"phone": phone})

    def validate_has_residence_permit(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        answer = self.yes_no_answer(value, tracker)
        if answer is None:
            return self.reject(dispatcher, tracker, "has_residence_permit", "utter_please_choose")
        return self.accept({"has_residence_permit": answer})

    def validate_household_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"household_confirmed": value}  # set by the ID lookup, or re-validated
        answer = yes_no(tracker, self.answer_text(value, tracker))
        if answer is None:
            return self.reject(dispatcher, tracker, "household_confirmed", "utter_please_choose")
        if answer:
            return self.accept({"household_confirmed": True, "member_entry": "done"})
        members = list(tracker.get_slot("members") or [])
        dispatcher.utter_message(response="utter_household_manual")
        return self.accept(
            {"household_confirmed": False, "members": members[:1], "member_entry": None}
        )

    async def validate_member_entry(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text = self.answer_text(value, tracker)
        if value == "done" or latest_intent(tracker) == "deny" or _DONE.search(text):
            return self.accept({"member_entry": "done"})
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "member_entry", "utter_member_missing")
        try:
            parsed = await household.parse("members", text)
        except api_client.ApiUnavailableError:
            # kept as typed and read at submission; the next member (or 没有了) is asked
            dispatcher.utter_message(response="utter_api_unavailable")
            pending = [*(tracker.get_slot("members") or []), household.pending_member(text)]
            return self.accept({"members": pending, "member_entry": None})
        except api_client.ApiRejectedError:
            return self.reject(dispatcher, tracker, "member_entry", "utter_member_missing")
        found = (parsed.get("members") or [{}])[0]
        member = household.blank_member(str(found.get("relation") or ""))
        member.update({key: found.get(key, member[key]) for key in household.MEMBER_KEYS})
        if not member["relation"]:
            return self.reject(dispatcher, tracker, "member_entry", "utter_member_missing")
        if not member["name"]:
            return self.reject(dispatcher, tracker, "member_entry", "utter_member_missing_name")
        if not member["id_number"]:
            return self.reject(dispatcher, tracker, "member_entry", "utter_member_missing_id")
        try:
            member["id_number"] = parse(member["id_number"]).number
        except InvalidIdNumber as error:
            return self.reject(
                dispatcher, tracker, "member_entry", "utter_invalid_id_number", reason=str(error)
            )
        members = list(tracker.get_slot("members") or [])
        if any(m.get("id_number") == member["id_number"] for m in members):
            return self.reject(dispatcher, tracker, "member_entry", "utter_member_duplicate")
        members.append(member)
        dispatcher.utter_message(
            response="utter_member_added", relation=member["relation"], name=member["name"]
        )
        return self.accept({"members": members, "member_entry": None})

    async def validate_property_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """The API checks that it can read the text; the items are read again at submission
        (so the text kept when the API is unavailable is never lost)."""
        text = self.answer_text(value, tracker)
        if latest_intent(tracker) == "deny" and not parsing.numbers(text):
            text = "没有存款、车和其他房产"
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "property_text", "utter_invalid_property")
        try:
            parsed = await household.parse("property", text)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return self.accept({"property_text": text})
        except api_client.ApiRejectedError:
            parsed = {}
        if not parsed.get("understood"):
            return self.reject(dispatcher, tracker, "property_text", "utter_invalid_property")
        return self.accept({"property_text": text})

    async def validate_income_owner(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """Whose the household's one-figure income is: moved to the member named; several
        named ("两个人都有") or no answer after ``OWNER_TRIES``: kept on the household."""
        if value in (OWNER_FOUND, OWNER_SHARED):
            return {"income_owner": value}  # set by this action, re-validated on reactivation
        text = self.answer_text(value, tracker)
        members = [dict(m) for m in tracker.get_slot("members") or []]
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "income_owner", "utter_invalid_income_owner")
        try:
            parsed = await household.parse("who", text, members)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            parsed = None
        except api_client.ApiRejectedError:
            parsed = {}
        named = household.named_members(members, parsed) if parsed else []
        if len(named) == 1:
            owner = members[named[0]]
            dispatcher.utter_message(
                response="utter_income_owner_noted",
                member=f"{owner.get('relation') or ''}{owner.get('name') or ''}",
            )
            return self.accept(
                {
                    "income_owner": OWNER_FOUND,
                    "members": household.attribute_shared(members, named[0]),
                }
            )
        failures = int(tracker.get_slot("form_failures") or 0) + 1
        if named or parsed is None or failures >= OWNER_TRIES:
            dispatcher.utter_message(response="utter_income_kept_household")
            return self.accept({"income_owner": OWNER_SHARED})
        return self.reject(dispatcher, tracker, "income_owner", "utter_invalid_income_owner")

    async def validate_own_income_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """The applicant's own monthly income for 特困, kept on the applicant member
        (``own_income_monthly``); read again at submission if the API is unavailable now."""
        text = self.answer_text(value, tracker)
        if latest_intent(tracker) == "deny" and not parsing.numbers(text):
            text = "没有收入"
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "own_income_text", "utter_invalid_own_income")
        members = [dict(m) for m in tracker.get_slot("members") or []]
        applicant = [m for m in members if m.get("relation") == "本人"][:1]
        try:
            parsed = await household.parse("income", text, applicant)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return self.accept({"own_income_text": text})
        except api_client.ApiRejectedError:
            parsed = {}
        if not parsed.get("understood"):
            return self.reject(dispatcher, tracker, "own_income_text", "utter_invalid_own_income")
        amount = household.own_income(parsed)
        dispatcher.utter_message(
            response="utter_own_income_noted", amount=household.yuan_text(amount)
        )
        return self.accept(
            {"own_income_text": text, "members": household.with_own_income(members, amount)}
        )

    def validate_programs(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        picks = list(tracker.get_slot("program_picks") or [])
        found = parse_programs(tracker, value)
        if isinstance(value, list) and found:
            return self.accept({"programs": found, "program_picks": None})
        if tracker.get_slot("requested_slot") != "programs":
            return {"programs": None}  # unknown codes pre-filled by a typed payload: drop them
        text = self.answer_text(value, tracker)
        if not found and picks and (latest_intent(tracker) == "affirm" or _DONE.search(text)):
            return self.accept({"programs": picks, "program_picks": None})
        if len(found) >= 2:
            return self.accept({"programs": found, "program_picks": None})
        if not found:
            return self.reject(dispatcher, tracker, "programs", "utter_invalid_program")
        for code in found:
            if code not in picks:
                picks.append(code)
        labels = "、".join(Program(code).label for code in picks)
        dispatcher.utter_message(response="utter_program_added", picks=labels)
        return {"programs": None, "program_picks": picks}

    async def validate_expenses_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """Spending; an illness named in the same answer ("老伴尿毒症,看病一年自付三万") also
        answers the illness question."""
        result = await super().validate_expenses_text(value, dispatcher, tracker, domain)
        text = result.get("expenses_text")
        if (
            text
            and tracker.get_slot("illness_text") is None
            and set(chosen_programs(tracker)) & NEEDS_ILLNESS
            and ILLNESS_WORDS.search(text)
        ):
            illness = await self.validate_illness_text(text, dispatcher, tracker, domain)
            if illness.get("illness_text"):
                result.update(illness)
        return result

    async def validate_illness_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """Who is seriously ill: each member's ``serious_illness`` (kept on the members slot)."""
        text = self.answer_text(value, tracker)
        if latest_intent(tracker) == "deny" and not parsing.numbers(text):
            text = "没有"
        if self.too_long(text):
            return self.reject(dispatcher, tracker, "illness_text", "utter_invalid_illness")
        members = [dict(m) for m in tracker.get_slot("members") or []]
        try:
            parsed = await household.parse("illness", text, members)
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return self.accept({"illness_text": text})
        except api_client.ApiRejectedError:
            parsed = {}
        if not parsed.get("understood"):
            return self.reject(dispatcher, tracker, "illness_text", "utter_invalid_illness")
        answered = iter(parsed.get("members") or [])
        ill = []
        for member in members:
            if member.get("relation"):
                found: dict[str, Any] = next(answered, {})
                member["serious_illness"] = bool(found.get("serious_illness"))
                if member["serious_illness"]:
                    ill.append(f"{member['relation']}{member.get('name') or ''}")
        if ill:
            dispatcher.utter_message(response="utter_illness_noted", members="、".join(ill))
        return self.accept({"illness_text": text, "members": members})

    def validate_extra_programs(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """The proposal's answer: all (yes), none (no), or the programs named."""
        if isinstance(value, list):
            return {"extra_programs": value}  # set by this action, re-validated on reactivation
        offered = [str(item["program"]) for item in tracker.get_slot("program_offers") or []]
        text = self.answer_text(value, tracker)
        picked = [code for code in parse_programs(tracker, text) if code in offered]
        if not picked:
            answer = yes_no(tracker, text)
            if answer is None:
                return self.reject(dispatcher, tracker, "extra_programs", "utter_please_choose")
            picked = offered if answer else []
        programs = list(tracker.get_slot("programs") or [])
        programs += [code for code in picked if code not in programs]
        if picked:
            labels = "、".join(Program(code).label for code in programs)
            dispatcher.utter_message(response="utter_extra_programs_added", picks=labels)
        return self.accept({"extra_programs": picked, "programs": programs})

    def validate_documents_later(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accept({"documents_later": value})
        text = self.answer_text(value, tracker)
        if _LATER.search(text):
            return self.accept({"documents_later": True})
        if _NOW.search(text):
            return self.accept({"documents_later": False})
        answer = yes_no(tracker, text)
        if answer is None:
            return self.reject(dispatcher, tracker, "documents_later", "utter_please_choose")
        # The question is "upload now?": yes means not later.
        return self.accept({"documents_later": not answer})

    def validate_summary_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accept({"summary_confirmed": value})
        text = self.answer_text(value, tracker)
        field = field_to_correct(tracker, text)
        if field:
            return {"summary_confirmed": None, **slots_to_reset(field, tracker)}
        answer = yes_no(tracker, text)
        if answer:
            return self.accept({"summary_confirmed": True})
        if answer is False:
            # action_ask_summary_confirmed then asks which field to change.
            return {"summary_confirmed": None, "summary_change": True}
        return self.reject(dispatcher, tracker, "summary_confirmed", "utter_please_confirm")


class ActionAskSummaryConfirmed(Action):
    """Shows everything collected, then asks to submit or change."""

    def name(self) -> str:
        return "action_ask_summary_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("summary_change"):
            dispatcher.utter_message(response="utter_ask_what_to_change")
            return [SlotSet("summary_change", None)]
        programs = tracker.get_slot("programs") or []
        codes = {program.value for program in Program}
        labels = "、".join(Program(code).label for code in programs if code in codes)
        members = list(tracker.get_slot("members") or [])
        dispatcher.utter_message(
            response="utter_application_summary",
            name=tracker.get_slot("applicant_name") or "",
            id_masked=mask(tracker.get_slot("id_number") or ""),
            phone=tracker.get_slot("phone") or "",
            hukou=tracker.get_slot("hukou_township") or "",
            residence=tracker.get_slot("residence_township") or "",
            members_text=household.describe(members),
            income=income_summary(tracker.get_slot("income_text") or "", members),
            property=await property_summary(tracker.get_slot("property_text") or ""),
            programs_text=labels,
        )
        return []


def income_summary(text: str, members: list[dict[str, Any]]) -> str:
    """The resident's words, then the applicant's own income given for 特困 and a shared
    income whose owner was not found."""
    parts = [text] if text else []
    applicant = next((m for m in members if m.get("relation") == "本人"), {})
    own = applicant.get("own_income_monthly")
    if own is not None:
        parts.append(f"申请人本人每月{household.yuan_text(float(own))}元")
    if household.has_shared_income(members) and own is None:
        parts.append(household.SHARED_INCOME_NOTE)
    return ";".join(parts)


async def property_summary(text: str) -> str:
    """The property as read by the API (唯一自住房, not "0 元"); the words when it is down."""
    if not text:
        return ""
    try:
        parsed = await household.parse("property", text)
    except api_client.ApiError:
        return text
    if parsed.get("nothing"):
        return "无"
    items = household.property_items(parsed)
    return household.describe_property(items) if items else text


class ActionAskHouseholdConfirmed(Action):
    """Shows the household found in the registry and asks whether it is right."""

    def name(self) -> str:
        return "action_ask_household_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_ask_household_confirmed",
            members_text=household.describe(tracker.get_slot("members") or []),
        )
        return []


class ActionAskExtraPrograms(Action):
    """The "一件事" proposal: the other programs that came out likely/possible, as buttons."""

    def name(self) -> str:
        return "action_ask_extra_programs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        items = list(tracker.get_slot("program_offers") or [])
        dispatcher.utter_message(
            response="utter_offer_extra_programs",
            offers=proposals.offers_text(items),
            buttons=proposals.buttons(items),
        )
        return []
