"""A pass token drawn as a QR code (segno), for the phone page (inline SVG) and the printed
card (PNG, which WeasyPrint embeds as an image).

Error correction M: a card folded in a wallet or a cracked phone screen still scans, and
the ~160-character token (alphanumeric mode: "FK1." and upper-case base32) stays a version
7-8 symbol whose modules are large enough for a phone camera. The quiet zone is the 4
modules the standard asks for; readers (zbar, phone cameras) fail without it. `boost_error`
is off so the level is always M and the size of the symbol depends only on the token.
"""

import base64
import io

import segno

ERROR = "m"
BORDER = 4
# Pixels a module in the PNG: a ~45-module symbol is then ~530 px wide, enough for a
# 40 mm square at 300 dpi, and `image-rendering: pixelated` keeps the edges sharp.
PNG_SCALE = 10
SVG_SCALE = 4


def make(token: str) -> segno.QRCode:
    return segno.make(token, error=ERROR, boost_error=False, micro=False)


def svg(token: str, *, title: str = "") -> str:
    """An inline <svg> (no XML declaration, no fixed size: CSS sizes it), black on white
    whatever the page's colour scheme."""
    return make(token).svg_inline(
        scale=SVG_SCALE,
        border=BORDER,
        dark="#000",
        light="#fff",
        svgclass="pass-qr",
        lineclass=None,
        omitsize=True,
        title=title or None,
    )


def png(token: str, *, scale: int = PNG_SCALE) -> bytes:
    buffer = io.BytesIO()
    make(token).save(buffer, kind="png", scale=scale, border=BORDER, dark="#000", light="#fff")
    return buffer.getvalue()


def png_data_uri(token: str, *, scale: int = PNG_SCALE) -> str:
    """The PNG as a data: URI (the PDF's URL fetcher loads only data: URLs)."""
    return "data:image/png;base64," + base64.b64encode(png(token, scale=scale)).decode("ascii")
