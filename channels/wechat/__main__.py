"""``python -m channels.wechat`` (serve the callback), ``… set-menu`` (自定义菜单) and
``… qr --out DIR`` (码上办 scene codes)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from channels.wechat.api import WeChatApiError, WeChatUnavailableError
from channels.wechat.app import build_components, make_web_app, make_wechat_api, missing_settings
from channels.wechat.menu import menu_definition
from channels.wechat.qr import build_codes
from channels.wechat.store import make_store
from huimin import log_privacy
from huimin.secrets import refuse_demo_secrets
from huimin.settings import Settings, get_settings

NOT_CONFIGURED = (
    "未配置微信公众号({names}),微信桥接未启动。"
    " / WeChat is not configured ({names}); the bridge was not started."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m channels.wechat")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve the callback URL (default)")
    sub.add_parser("set-menu", help="create the 自定义菜单 (问政策, 测一测, 我要申请, …)")
    qr = sub.add_parser("qr", help="create the 带参数二维码 per service and station")
    qr.add_argument("--out", type=Path, default=None, help="folder (default var/qr/wechat)")
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = settings or get_settings()
    missing = missing_settings(settings)
    if missing:
        print(NOT_CONFIGURED.format(names=", ".join(missing)), file=sys.stderr)
        return 1
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the access token
    log_privacy.install()
    if args.command == "set-menu":
        return asyncio.run(_set_menu(settings))
    if args.command == "qr":
        return asyncio.run(_qr(settings, args.out or settings.var_dir / "qr" / "wechat"))
    return _serve(settings)


def _serve(settings: Settings) -> int:
    import uvicorn

    refuse_demo_secrets(settings, process="WeChat bridge (python -m channels.wechat)")
    app = make_web_app(build_components(settings))
    uvicorn.run(
        app,
        host=settings.wechat_host,
        port=settings.wechat_port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


async def _set_menu(settings: Settings) -> int:
    store = make_store(settings.redis_url)
    wechat = make_wechat_api(settings, store)
    try:
        await wechat.create_menu(menu_definition())
    except (WeChatApiError, WeChatUnavailableError) as exc:
        print(f"菜单创建失败 / menu not created: {exc}", file=sys.stderr)
        return 1
    finally:
        await wechat.aclose()
        await store.aclose()
    print("自定义菜单已创建 / menu created")
    return 0


async def _qr(settings: Settings, out: Path) -> int:
    store = make_store(settings.redis_url)
    wechat = make_wechat_api(settings, store)
    try:
        written = await build_codes(wechat, out)
    except (WeChatApiError, WeChatUnavailableError) as exc:
        print(f"二维码创建失败 / QR codes not created: {exc}", file=sys.stderr)
        return 1
    finally:
        await wechat.aclose()
        await store.aclose()
    print(f"{len(written)} files written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
