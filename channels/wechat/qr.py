"""码上办 for WeChat: a permanent scene QR code (带参数二维码) per service and township station.

Scanning one opens the 公众号; WeChat then sends ``subscribe`` (new follower, EventKey
``qrscene_<scene>``) or ``SCAN`` (follower, EventKey ``<scene>``) and the bridge sends the scene's
deep-link message to the dialogue (``huimin.deeplinks``: apply, status, elder, human,
station_<code>). The scene string is the deep-link payload, so every channel shares one table.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import segno

from channels.wechat.api import WeChatApi
from huimin.deeplinks import all_payloads

PNG_SCALE = 10
BORDER = 4


async def build_codes(wechat: WeChatApi, out_dir: Path) -> list[Path]:
    """``<out>/<scene>.png`` for every payload and ``manifest.json`` (scene, label, url, ticket).

    The code's content is the ``url`` WeChat returns for the ticket (what its own image holds).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    manifest = []
    for scene, label in all_payloads():
        answer = await wechat.create_scene_qrcode(scene)
        url = str(answer["url"])
        png = out_dir / f"{scene}.png"
        buffer = io.BytesIO()
        segno.make(url, error="m", micro=False).save(
            buffer, kind="png", scale=PNG_SCALE, border=BORDER
        )
        png.write_bytes(buffer.getvalue())
        written.append(png)
        manifest.append(
            {
                "scene": scene,
                "label": label,
                "url": url,
                "ticket": answer.get("ticket"),
                "png": png.name,
            }
        )
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return [*written, path]
