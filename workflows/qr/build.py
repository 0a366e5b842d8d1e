"""Writing every code as PNG and SVG, a manifest, and the printable page, into a folder."""

from __future__ import annotations

import json
from pathlib import Path

from huimin.settings import Settings
from workflows.qr.codes import png_bytes, svg_text
from workflows.qr.links import targets
from workflows.qr.page import render_page

KINDS = ("telegram", "web")


def build(settings: Settings, out_dir: Path) -> list[Path]:
    """Write ``<out>/<kind>/<payload>.png|.svg``, ``manifest.json`` and ``index.html``."""
    written: list[Path] = []
    manifest = []
    for target in targets(settings):
        links = {"telegram": target.telegram_url, "web": target.web_url}
        entry: dict[str, object] = {"payload": target.payload, "label": target.label}
        for kind in KINDS:
            folder = out_dir / kind
            folder.mkdir(parents=True, exist_ok=True)
            png = folder / f"{target.payload}.png"
            svg = folder / f"{target.payload}.svg"
            png.write_bytes(png_bytes(links[kind]))
            svg.write_text(svg_text(links[kind]), encoding="utf-8")
            written += [png, svg]
            entry[kind] = {
                "link": links[kind],
                "png": f"{kind}/{png.name}",
                "svg": f"{kind}/{svg.name}",
            }
        manifest.append(entry)
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(render_page(settings), encoding="utf-8")
    return [*written, manifest_path, index]
