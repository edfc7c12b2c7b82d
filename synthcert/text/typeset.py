"""Lay out one line of text as an 8-bit coverage mask, from cached glyph images.

Glyphs are rasterised once per (font, pixel size) by Pillow and pasted at integer pen positions, which
is what makes per-sample letter spacing cheap. No randomness and no colour here: the caller decides what
to print, this module only says which pixels the ink covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont


@dataclass
class Glyph:
    """A rasterised character: its coverage, where it sits relative to the pen, and how far the pen moves."""

    mask: np.ndarray  # (h, w) uint8 coverage
    left: int  # x of the mask's first column relative to the pen
    top: int  # y of the mask's first row relative to the line's ascender
    advance: float


@dataclass
class Face:
    """One font at one pixel size, with its glyphs rasterised on first use."""

    font: ImageFont.FreeTypeFont
    ascent: int
    descent: int
    glyphs: dict[str, Glyph] = field(default_factory=dict)

    def glyph(self, char: str) -> Glyph:
        found = self.glyphs.get(char)
        if found is None:
            found = self.glyphs[char] = _rasterise(self.font, char)
        return found


@lru_cache(maxsize=512)
def face(path: Path, size_px: int) -> Face:
    """Returns the cached font `path` at `size_px` pixels per em."""
    font = ImageFont.truetype(str(path), size_px)
    ascent, descent = font.getmetrics()
    return Face(font=font, ascent=ascent, descent=descent)


def _rasterise(font: ImageFont.FreeTypeFont, char: str) -> Glyph:
    left, top, right, bottom = font.getbbox(char, anchor="la")
    mask = np.zeros((max(bottom - top, 0), max(right - left, 0)), np.uint8)
    if mask.size:
        image = Image.new("L", (mask.shape[1], mask.shape[0]))
        ImageDraw.Draw(image).text((-left, -top), char, font=font, fill=255, anchor="la")
        mask = np.asarray(image, dtype=np.uint8)
    return Glyph(mask=mask, left=left, top=top, advance=font.getlength(char))


def line_width(text: str, face: Face, spacing_px: float) -> float:
    """Returns the pen advance of `text` with `spacing_px` added between characters."""
    return sum(face.glyph(c).advance for c in text) + spacing_px * max(len(text) - 1, 0)


def typeset(text: str, face: Face, spacing_px: float) -> np.ndarray:
    """Returns the (ascent + descent, ceil(width) + overhang) uint8 coverage mask of one line of text.

    Row 0 is the font's ascender line and column 0 the pen's start; glyphs that overhang to the left of
    the pen are clipped, which no Latin glyph at the start of a line does by more than a pixel.
    """
    pens, x = [], 0.0
    for char in text:
        pens.append(int(round(x)))
        x += face.glyph(char).advance + spacing_px
    glyphs = [face.glyph(c) for c in text]
    right = max((p + g.left + g.mask.shape[1] for p, g in zip(pens, glyphs, strict=True)), default=0)
    bottom = max([face.ascent + face.descent] + [g.top + g.mask.shape[0] for g in glyphs])
    canvas = np.zeros((bottom, max(right, 1)), np.uint8)
    for pen, g in zip(pens, glyphs, strict=True):
        h, w = g.mask.shape
        x0, y0 = pen + g.left, g.top
        if h == 0 or w == 0:
            continue
        cx0, cy0 = max(x0, 0), max(y0, 0)
        region = canvas[cy0:y0 + h, cx0:x0 + w]
        np.maximum(region, g.mask[cy0 - y0:, cx0 - x0:], out=region)
    return canvas
