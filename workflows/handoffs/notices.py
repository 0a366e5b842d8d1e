"""What the resident is told during a hand-off (system messages), in one place."""

from __future__ import annotations

import datetime as dt

from huimin.settings import Settings
from workflows.clock import LOCAL_TZ

CONTINUE_WITH_BOT = "继续使用小助手"
# What a resident may type to leave the queue and continue with the assistant now.
CONTINUE_PHRASES = frozenset(
    {CONTINUE_WITH_BOT, "返回小助手", "继续小助手", "返回机器人", "继续用机器人", "不等了"}
)
WEEKDAYS = "一二三四五六日"


def wants_the_bot(text: str) -> bool:
    cleaned = "".join(ch for ch in text if ch not in " 。.!!~~,,“”\"'")
    return cleaned in CONTINUE_PHRASES


def _sample(settings: Settings) -> str:
    return "(示例)" if settings.handoff_contacts_are_sample else ""


def _options(settings: Settings) -> str:
    sample = _sample(settings)
    return (
        f"您也可以:拨打服务热线 {settings.handoff_hotline}{sample};"
        f"前往{settings.handoff_counter}{sample}当面咨询;"
        f"或回复“{CONTINUE_WITH_BOT}”,现在就由小助手继续为您解答。"
    )


def when_text(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.month}月{local.day}日(星期{WEEKDAYS[local.weekday()]}){local:%H:%M}"


def waiting(settings: Settings) -> str:
    return (
        f"已为您转接人工服务,预计等待约 {settings.handoff_expected_wait_minutes} 分钟。"
        "工作人员接入后会在这里回复您,等待期间您可以继续留言。"
        f"如不想等待,可回复“{CONTINUE_WITH_BOT}”。"
    )


def out_of_hours(settings: Settings, *, opening: dt.datetime | None, hours_label: str) -> str:
    when = f"将于 {when_text(opening)} 起" if opening else "将在下一个工作日"
    return (
        f"现在是非工作时间(人工服务时间:工作日 {hours_label}{_sample(settings)}),"
        f"工作人员{when}在这里回复您,您的留言会保留。" + _options(settings)
    )


def unclaimed(settings: Settings) -> str:
    return (
        "抱歉,工作人员暂时都在忙,还没有接入您的对话。您可以继续等待,接入后会在这里回复您。"
        + _options(settings)
    )


def claimed(display_name: str) -> str:
    return f"工作人员 {display_name} 正在为您服务。"


def transferred(place: str) -> str:
    return f"您的问题已转交{place}的工作人员,请稍候,接入后会在这里回复您。"


def closed(summary: str) -> str:
    line = summary.strip().replace("\n", " ")
    text = f"本次人工服务已结束:{line}" if line else "本次人工服务已结束。"
    if line and not line.endswith(("。", "!", "?", "!", "?")):
        text += "。"
    return text + "小助手将继续为您服务,如需人工可随时再说“转人工”。"


def left_by_resident() -> str:
    return "好的,已为您结束人工服务,小助手继续为您服务。请问还有什么可以帮您?"
