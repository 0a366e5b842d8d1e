"""QR codes: every PNG decodes back to its link; the printable page lists them all."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from huimin.settings import Settings
from huimin.townships import all_townships
from workflows.qr.__main__ import main
from workflows.qr.links import targets


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("qr")
    settings = Settings(
        _env_file=None,
        var_dir=out,
        telegram_bot_username="huimin_fuyang_bot",
        public_base_url="https://huimin.fuyang.example/",
    )
    assert main(["build", "--out", str(out)], settings) == 0
    return out, settings


def decode(path) -> str:
    image = cv2.imdecode(np.fromfile(str(path), dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_every_png_decodes_to_its_link(built) -> None:
    out, _ = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == 4 + len(all_townships()) == 28
    checked = 0
    for entry in manifest:
        for kind in ("telegram", "web"):
            assert decode(out / entry[kind]["png"]) == entry[kind]["link"]
            assert (out / entry[kind]["svg"]).read_text(encoding="utf-8").startswith("<svg")
            checked += 1
    assert checked == 56


def test_links_point_at_the_bot_and_the_web_chat(built) -> None:
    _, settings = built
    by_payload = {t.payload: t for t in targets(settings)}
    assert by_payload["apply"].telegram_url == "https://t.me/huimin_fuyang_bot?start=apply"
    assert by_payload["apply"].web_url == "https://huimin.fuyang.example/chat?start=apply"
    township = all_townships()[0]
    station = by_payload[f"station_{township.code}"]
    assert station.telegram_url.endswith(f"?start=station_{township.code}")
    assert station.label == f"{township.name}服务站"
    assert {"apply", "status", "elder", "human"} <= set(by_payload)


def test_printable_page_lists_every_code(built) -> None:
    out, _ = built
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('class="card"') == 28
    assert page.count("<svg") == 56
    assert "码上办" in page
    assert "@media print" in page
    for township in all_townships():
        assert f"{township.name}服务站" in page
