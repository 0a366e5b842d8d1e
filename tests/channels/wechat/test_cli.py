"""`python -m channels.wechat set-menu`, `… qr` and the entry point without settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from channels.wechat.__main__ import main
from huimin.deeplinks import all_payloads

ROOT = Path(__file__).resolve().parents[3]


def test_set_menu_creates_the_six_entries(wechat_settings, wechat, capsys) -> None:
    assert main(["set-menu"], wechat_settings) == 0
    [menu] = wechat.sent("/cgi-bin/menu/create")
    entries = {}
    for top in menu["button"]:
        assert len(top["name"]) <= 4  # WeChat: top-level names of at most 4 Chinese characters
        for button in top.get("sub_button", [top]):
            entries[button["name"]] = button["key"]
    assert entries == {
        "问政策": "ask_policy",
        "测一测": "check_eligibility",
        "找养老服务": "elder",
        "我要申请": "apply",
        "查进度": "status",
        "转人工": "human",
    }
    assert "menu created" in capsys.readouterr().out


def test_set_menu_reports_wechats_refusal(wechat_settings, wechat, capsys) -> None:
    wechat.valid_tokens.add("x")
    wechat.fail_next("/cgi-bin/menu/create", 40018, "invalid button name size")
    assert main(["set-menu"], wechat_settings) == 1
    assert "40018" in capsys.readouterr().err


def test_qr_codes_per_service_and_station(wechat_settings, wechat, tmp_path) -> None:
    out = tmp_path / "qr"
    assert main(["qr", "--out", str(out)], wechat_settings) == 0
    scenes = [
        body["action_info"]["scene"]["scene_str"] for body in wechat.sent("/cgi-bin/qrcode/create")
    ]
    assert scenes == [payload for payload, _ in all_payloads()]
    assert all(
        body["action_name"] == "QR_LIMIT_STR_SCENE"
        for body in wechat.sent("/cgi-bin/qrcode/create")
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == 4 + 24
    station = next(m for m in manifest if m["scene"].startswith("station_"))
    assert station["label"].endswith("服务站")
    image = cv2.imdecode(
        np.fromfile(str(out / station["png"]), dtype=np.uint8), cv2.IMREAD_GRAYSCALE
    )
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert text == station["url"] == f"http://weixin.qq.com/q/{station['scene']}"


def test_entry_point_without_settings_says_so_in_one_line(tmp_path) -> None:
    env = {"HUIMIN_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "channels.wechat"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("未配置微信公众号")
    assert "HUIMIN_WECHAT_TOKEN" in line
