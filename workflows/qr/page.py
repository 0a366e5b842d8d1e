"""The printable page of all codes (served by the API at /qr and written by the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from huimin.settings import Settings
from workflows.qr.codes import svg_inline
from workflows.qr.links import CodeTarget, targets

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Card:
    target: CodeTarget
    telegram_svg: Markup
    web_svg: Markup

    @property
    def is_station(self) -> bool:
        return self.target.payload.startswith("station_")


def cards(settings: Settings) -> list[Card]:
    # Markup: segno's own SVG output, no user input in it.
    return [
        Card(t, Markup(svg_inline(t.telegram_url)), Markup(svg_inline(t.web_url)))
        for t in targets(settings)
    ]


def render_page(settings: Settings, *, nonce: str | None = None) -> str:
    """The page; ``nonce``: the CSP nonce of the serving request for its inline style and
    script (the file written by the CLI has none and needs none)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    all_cards = cards(settings)
    return environment.get_template("qr_page.html").render(
        services=[c for c in all_cards if not c.is_station],
        stations=[c for c in all_cards if c.is_station],
        bot_username=settings.telegram_bot_username,
        nonce=nonce,
    )
