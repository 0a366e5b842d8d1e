"""`make run` and the WeChat bridge: started only with a token, checked before start."""

from __future__ import annotations

from pathlib import Path

from huimin.settings import Settings
from launcher.preflight import check_wechat
from launcher.processes import process_specs


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, **overrides)  # type: ignore[arg-type,call-arg]


def test_wechat_bridge_only_with_a_token(tmp_path: Path) -> None:
    assert "wechat" not in {s.name for s in process_specs(make_settings(tmp_path))}
    configured = make_settings(
        tmp_path, wechat_token="t", wechat_app_id="wx1", wechat_app_secret="s", wechat_port=8011
    )
    wechat = next(s for s in process_specs(configured) if s.name == "wechat")
    assert wechat.command[-2:] == ["-m", "channels.wechat"]
    assert wechat.url == "http://127.0.0.1:8011/wechat/callback"


def test_preflight_names_missing_wechat_settings(tmp_path: Path) -> None:
    assert check_wechat(make_settings(tmp_path)) == []
    problems = check_wechat(
        make_settings(tmp_path, wechat_token="t", wechat_encoding_aes_key="too-short")
    )
    assert [p.setting for p in problems] == [
        "HUIMIN_WECHAT_APP_ID",
        "HUIMIN_WECHAT_APP_SECRET",
        "HUIMIN_WECHAT_ENCODING_AES_KEY",
    ]
    assert all(p.message[0] not in "abcdefghijklmnopqrstuvwxyz" for p in problems)  # Chinese first


def test_preflight_refuses_template_data_that_is_not_a_json_object(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        wechat_token="t",
        wechat_app_id="wx1",
        wechat_app_secret="s",
        wechat_notice_template_data='["{number}"]',
    )
    [problem] = check_wechat(settings)
    assert problem.setting == "HUIMIN_WECHAT_NOTICE_TEMPLATE_DATA"
