"""A neighbourhood's A4 poster: what residents can do, and a QR code to its sign-up page, as
PDF (to print) and PNG (for the town's bulletin or website).

One layout, two renderers: fpdf2 draws the PDF, Pillow (already there through matplotlib)
the PNG; both use the DejaVu fonts matplotlib ships, which cover French. The QR code is made
by segno at error level M (a poster gets scratched and photographed askew), and the short
address is printed under it for who has no camera. Nothing here touches the network or the
database: ``animabot poster`` makes the same files offline.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ...errors import AnimabotError
from .texts import texts

# fpdf2 subsets the fonts through fontTools, which logs every table it touches at INFO: the
# bot's log would fill with font details at each poster.
logging.getLogger("fontTools").setLevel(logging.WARNING)

Kind = Literal["pdf", "png"]
KINDS: tuple[Kind, ...] = ("pdf", "png")
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png"}
WIDTH_MM, HEIGHT_MM = 210.0, 297.0
PNG_DPI = 150  # 1240 × 1754 pixels: sharp in a bulletin, light on a website
ACCENT = (31, 78, 121)  # the pages' blue: white text on it is above 7:1
INK = (31, 35, 40)


class PosterError(AnimabotError):
    """The poster cannot be made (a library missing)."""


def signup_url(public_url: str, neighbourhood_id: str) -> str:
    """Where the QR code leads: the neighbourhood's sign-up page."""
    if not public_url:
        raise PosterError("a poster needs [web] public_url: its QR code leads there; write "
                          'public_url = "https://participer.ville.fr"')
    return f"{public_url.rstrip('/')}/inscription/{neighbourhood_id}"


@dataclass(frozen=True)
class Line:
    """A centred line of the layout, its top at ``y`` millimetres."""

    y: float
    text: str
    size: float  # points
    bold: bool = False
    white: bool = False


def _fonts() -> tuple[Path, Path]:
    import matplotlib

    folder = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def _wrap(text: str, limit: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


QR_TOP, QR_SIZE = 128.0, 105.0  # millimetres


def layout(name: str, url: str, language: str) -> list[Line]:
    words = texts(language)
    lines: list[Line] = []
    y = 14.0
    for part in _wrap(words["poster_title"], 30):
        lines.append(Line(y, part, 26, bold=True, white=True))
        y += 12
    y = 58.0
    for part in _wrap(name, 22):
        lines.append(Line(y, part, 36, bold=True))
        y += 15
    y = max(y + 4, 80.0)
    for key in ("poster_1", "poster_2", "poster_3"):
        for part in _wrap(words[key], 52):
            lines.append(Line(y, part, 17))
            y += 8.5
        y += 1.5
    y = QR_TOP + QR_SIZE + 6
    lines.append(Line(y, words["poster_scan"], 15))
    for part in _wrap(url, 40):
        y += 9
        lines.append(Line(y, part, 19, bold=True))
    return lines


def _qr_png(url: str, scale: int) -> bytes:
    try:
        import segno
    except ImportError:
        raise PosterError("posters need segno: pip install 'animabot[poster]'") from None
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


@functools.lru_cache(maxsize=64)
def made(kind: str, name: str, url: str, language: str) -> bytes:
    """:func:`make`, drawn once per poster: a poster is a few hundred ms of CPU and the
    public face is unauthenticated, so a burst of requests must not redraw it each time."""
    return make(kind, name, url, language)


def make(kind: str, name: str, url: str, language: str) -> bytes:
    """The poster of the neighbourhood ``name`` whose sign-up page is ``url``."""
    if kind == "pdf":
        return _pdf(layout(name, url, language), url)
    if kind == "png":
        return _png(layout(name, url, language), url)
    raise PosterError(f"{kind!r} is not a poster format: pdf or png")


def _pdf(lines: list[Line], url: str) -> bytes:
    try:
        from fpdf import FPDF
    except ImportError:
        raise PosterError("PDF posters need fpdf2: pip install 'animabot[poster]'") from None
    regular, bold = _fonts()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(lines[0].text)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, WIDTH_MM, 48, style="F")
    for line in lines:
        pdf.set_font("DejaVu", "B" if line.bold else "", line.size)
        pdf.set_text_color(*((255, 255, 255) if line.white else INK))
        pdf.set_xy(10, line.y)
        pdf.cell(WIDTH_MM - 20, line.size * 0.3528 * 1.2, line.text, align="C")
    pdf.image(io.BytesIO(_qr_png(url, 10)), x=(WIDTH_MM - QR_SIZE) / 2, y=QR_TOP,
              w=QR_SIZE, h=QR_SIZE)
    return bytes(pdf.output())


def _png(lines: list[Line], url: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    def px(mm: float) -> int:
        return round(mm / 25.4 * PNG_DPI)

    regular, bold = _fonts()
    image = Image.new("RGB", (px(WIDTH_MM), px(HEIGHT_MM)), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, px(WIDTH_MM), px(48)), fill=ACCENT)
    for line in lines:
        font = ImageFont.truetype(str(bold if line.bold else regular),
                                  round(line.size / 72 * PNG_DPI))
        width = draw.textlength(line.text, font=font)
        draw.text(((px(WIDTH_MM) - width) / 2, px(line.y)), line.text, font=font,
                  fill=(255, 255, 255) if line.white else INK)
    qr = Image.open(io.BytesIO(_qr_png(url, 1))).convert("RGB")
    qr = qr.resize((px(QR_SIZE), px(QR_SIZE)), Image.Resampling.NEAREST)
    image.paste(qr, ((px(WIDTH_MM) - px(QR_SIZE)) // 2, px(QR_TOP)))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI), optimize=True)
    return out.getvalue()
