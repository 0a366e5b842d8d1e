"""Elder-care services near the resident: "附近有老年食堂吗" → where are you? → the nearest ones.

The message names a service or facility kind (``huimin.eldercare.nearby_request``); the place
comes from a shared Telegram location (``/share_location{"latitude":…,"longitude":…}``) or from
the text (a township or village name; the API resolves it). Without a service kind the question
goes to the knowledge base (``action_answer_policy``). Replies are short, carry a phone number
and say when the directory is FICTITIOUS sample data. The reply texts are domain responses.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.common import MAX_QUESTION_CHARS, latest_text
from actions.policy import ActionAnswerPolicy
from huimin.eldercare import FacilityKind, Service, nearby_request

SHOWN = 3
FAR_MINUTES = "60"
SAMPLE_NOTE = "〔示例数据(虚构):机构和电话为虚构,正式名录导入后替换〕"
ANY = "any"


def encode(service: Service | None, kind: FacilityKind | None) -> str:
    if kind is not None:
        return f"kind:{kind.value}"
    if service is not None:
        return f"service:{service.value}"
    return ANY


def decode(value: str | None) -> tuple[Service | None, FacilityKind | None] | None:
    """The pending request kept in the ``elder_service`` slot (None: nothing pending)."""
    if not value:
        return None
    if value == ANY:
        return None, None
    prefix, _, code = value.partition(":")
    if prefix == "kind" and code in FacilityKind._value2member_map_:
        return None, FacilityKind(code)
    if prefix == "service" and code in Service._value2member_map_:
        return Service(code), None
    return None


def label(service: Service | None, kind: FacilityKind | None) -> str:
    if kind is not None:
        return kind.label
    if service is not None:
        return f"{service.label}服务"
    return "养老服务"


def format_hits(hits: list[dict[str, Any]]) -> str:
    """One numbered line per place: name, walking minutes, hours, phone."""
    lines = []
    for n, hit in enumerate(hits[:SHOWN], start=1):
        minutes = max(1, round(float(hit.get("walking_minutes") or 0)))
        lines.append(
            f"{n}. {hit.get('name')}:步行约{minutes}分钟,{hit.get('hours')},电话 {hit.get('phone')}"
        )
    return "\n".join(lines)


def _coordinates(tracker: Tracker) -> tuple[str, str] | None:
    values = {
        str(e.get("entity")): e.get("value")
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") in ("latitude", "longitude")
    }
    try:
        lat, lon = float(values["latitude"]), float(values["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return str(lat), str(lon)


def _place_refused(error: api_client.ApiRejectedError) -> bool:
    """The API could not tell where the resident is (no place, or a name it does not know)."""
    detail = error.body.get("detail") if isinstance(error.body, dict) else None
    if not isinstance(detail, list):
        return False
    fields = {
        str(field) for item in detail if isinstance(item, dict) for field in item.get("loc") or []
    }
    return bool(fields & {"place", "lat", "lon"})


class ActionElderService(Action):
    def name(self) -> str:
        return "action_elder_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker).strip()[:MAX_QUESTION_CHARS]
        point = _coordinates(tracker)
        asked = nearby_request(text) if not text.startswith("/") else (None, None)
        pending = decode(tracker.get_slot("elder_service"))
        if asked != (None, None):
            service, kind = asked
        elif pending is not None:
            service, kind = pending
        elif point is not None:
            service, kind = None, None
        else:
            return await ActionAnswerPolicy().run(dispatcher, tracker, domain)
        what = label(service, kind)
        params: dict[str, str] = {"limit": str(SHOWN)}
        if service is not None:
            params["service"] = service.value
        if kind is not None:
            params["kind"] = kind.value
        if point is not None:
            params["lat"], params["lon"] = point
        else:
            params["place"] = text
        client = api_client.get_client()
        try:
            hits = await client.nearby_services(params)
            far = False
            if not hits:
                hits = await client.nearby_services(
                    {**params, "minutes": FAR_MINUTES, "limit": "1"}
                )
                far = True
        except api_client.ApiRejectedError as error:
            if not _place_refused(error):
                raise
            response = (
                "utter_elder_service_place_unknown"
                if pending is not None and point is None
                else "utter_elder_service_ask_where"
            )
            dispatcher.utter_message(response=response, service_label=what)
            return [
                SlotSet("elder_service", encode(service, kind)),
                SlotSet("elder_place_needed", True),
            ]
        except api_client.ApiUnavailableError:
            dispatcher.utter_message(response="utter_api_unavailable")
            return []
        done = [SlotSet("elder_service", None), SlotSet("elder_place_needed", False)]
        if not hits:
            dispatcher.utter_message(response="utter_elder_service_none", service_label=what)
            return done
        sample = SAMPLE_NOTE if any(hit.get("sample") for hit in hits) else ""
        dispatcher.utter_message(
            response="utter_elder_service_far" if far else "utter_elder_service_results",
            service_label=what,
            places=format_hits(hits),
            sample_note=sample,
        )
        return done
