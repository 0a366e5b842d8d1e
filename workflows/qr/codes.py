"""Making the QR images (segno): PNG for print shops, SVG for scaling."""

from __future__ import annotations

import io

import segno

PNG_SCALE = 10  # pixels per module: about 4 cm wide at 300 dpi for a short link
BORDER = 4  # quiet zone in modules, as the standard asks


def make(link: str) -> segno.QRCode:
    return segno.make(link, error="m", micro=False)


def png_bytes(link: str) -> bytes:
    buffer = io.BytesIO()
    make(link).save(buffer, kind="png", scale=PNG_SCALE, border=BORDER)
    return buffer.getvalue()


def svg_text(link: str) -> str:
    buffer = io.BytesIO()
    make(link).save(buffer, kind="svg", scale=PNG_SCALE, border=BORDER, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def svg_inline(link: str, *, scale: int = 4) -> str:
    """An <svg> element for embedding in an HTML page (with a viewBox: CSS sizes it)."""
    return str(make(link).svg_inline(scale=scale, border=BORDER, omitsize=True))
