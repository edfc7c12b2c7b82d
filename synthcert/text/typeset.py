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
from PIL import Image, ImageFont


@dataclass(slots=True)
class Glyph:
    """A rasterised character: its coverage, where it sits relative to the pen, and how far the pen moves."""

    mask: np.ndarray  # (h, w) uint8 coverage
    left: int  # x of the mask's first column relative to the pen
    top: int  # y of the mask's first row relative to the line's ascender
    advance: float
    # The mask at its place in a line, (ascent + descent, w), as column-major bytes (column after column: a line is
    # then one join of its glyphs' bytes), cut off above the line as the line cuts it (an accent over a capital in
    # some fonts); None if it sticks out below the line, which makes the line taller.
    columns: bytes | None = None
    width: int = field(init=False)  # w, or 0 where the mask is empty (a space): nothing to place

    def __post_init__(self):
        self.width = self.mask.shape[1] if self.mask.size else 0


@dataclass(eq=False)  # hashed by identity, so that typeset() can cache lines per face
class Face:
    """One font at one pixel size, with its glyphs rasterised on first use."""

    font: ImageFont.FreeTypeFont
    ascent: int
    descent: int
    glyphs: dict[str, Glyph] = field(default_factory=dict)
    advances: dict[str, float] = field(default_factory=dict)  # char -> its glyph's advance, for line_width

    def glyph(self, char: str) -> Glyph:
        found = self.glyphs.get(char)
        if found is None:
            found = _rasterise(self.font, char, self.ascent + self.descent)
            # The advance first: a thread that finds the glyph (line_width's fallback) must find its advance too.
            self.advances[char] = found.advance
            self.glyphs[char] = found
        return found

    def line(self, text: str) -> list[Glyph]:
        """Returns the glyphs of `text`, rasterising those not seen yet."""
        try:
            return list(map(self.glyphs.__getitem__, text))  # the common case, without a Python-level loop
        except KeyError:
            return [self.glyph(c) for c in text]


def face(path: Path, size_px: int) -> Face:
    """Returns the cached font `path` at `size_px` pixels per em."""
    return _face(str(path), size_px)  # cached by string: hashing a Path builds a tuple every time


@lru_cache(maxsize=512)
def _face(path: str, size_px: int) -> Face:
    font = ImageFont.truetype(path, size_px)
    ascent, descent = font.getmetrics()
    return Face(font=font, ascent=ascent, descent=descent)


def _rasterise(font: ImageFont.FreeTypeFont, char: str, height: int) -> Glyph:
    # Pillow's own bitmap of the glyph, as ImageDraw.text would paste it at the bitmap's offset (the glyph's bounding
    # box from the pen at the ascender), without the drawing round trip: two to three times faster, the same bytes.
    bitmap, (left, top) = font.getmask2(char, "L", anchor="la")
    width, rows = bitmap.size
    if not (width and rows):
        return Glyph(mask=np.zeros((rows, width), np.uint8), left=left, top=top, advance=font.getlength(char))
    # Its bytes as they are: np.asarray would take them through the array interface's own tobytes() and more.
    mask = np.frombuffer(Image.Image()._new(bitmap).tobytes(), np.uint8).reshape(rows, width)
    columns = None
    if top + rows <= height:
        cut = max(-top, 0)
        strip = np.zeros((width, height), np.uint8)
        strip[:, top + cut:top + rows] = mask[cut:].T
        columns = strip.tobytes()
    return Glyph(mask=mask, left=left, top=top, advance=font.getlength(char), columns=columns)


def line_width(text: str, face: Face, spacing_px: float) -> float:
    """Returns the pen advance of `text` with `spacing_px` added between characters."""
    try:
        pen = sum(map(face.advances.__getitem__, text))  # a lookup per character, no Glyph list
    except KeyError:  # a character not rasterised yet
        face.line(text)
        pen = sum(map(face.advances.__getitem__, text))
    return pen + spacing_px * max(len(text) - 1, 0)


def typeset(text: str, face: Face, spacing_px: float, cache: bool = True) -> np.ndarray:
    """Returns the (ascent + descent, ceil(width) + overhang) uint8 coverage mask of one line of text, read-only.

    Row 0 is the font's ascender line and column 0 the pen's start; glyphs that overhang to the left of
    the pen are clipped, which no Latin glyph at the start of a line does by more than a pixel. With `cache`, the
    mask is kept for the next identical line: fields drawn from short lists (makes, colours, fuels) repeat it
    often; text that hardly ever repeats (names, numbers, dates) is better laid out without, as it would only push
    those lines out of the cache.
    """
    return (_cached_line if cache else _line)(text, face, spacing_px)


def _line(text: str, face: Face, spacing_px: float) -> np.ndarray:
    height, glyphs = face.ascent + face.descent, face.line(text)
    canvas = _abutted(glyphs, height, spacing_px)
    if canvas is None:
        placed, pen = [], 0.0
        for g in glyphs:
            if g.width:
                placed.append((round(pen) + g.left, g))
            pen += g.advance + spacing_px
        canvas = _overlaid(placed, height)
    canvas.flags.writeable = False
    return canvas


_cached_line = lru_cache(maxsize=4096)(_line)


def _abutted(glyphs: list[Glyph], height: int, spacing_px: float) -> np.ndarray | None:
    """The line as one join of its glyphs' column bytes and blank gaps, the columns a glyph shares with those before
    it (kerning, negative spacing) max-combined afterwards in one call, and those left of the pen's start cut off;
    None where a glyph sticks out below the line or lies wholly left of it, or three glyphs share a column.

    Several times faster than pasting glyph by glyph (a line shares 2 columns in all on average, 0 in a third), and
    than concatenating the glyphs' arrays.
    """
    parts, shared, right, pen = [], [], 0, 0.0
    for g in glyphs:
        width = g.width
        if width:
            columns, x = g.columns, round(pen) + g.left
            if columns is None:
                return None
            if x < 0:  # cut off left of the line's start, as the line is ("J" hangs left of the pen in some fonts)
                columns, width, x = columns[-x * height:], width + x, 0
                if width <= 0:
                    return None  # wholly left of the line: rare enough to leave to _overlaid
            end = x + width
            if x >= right:
                if x > right:
                    parts.append(bytes((x - right) * height))
                parts.append(columns)
                right = end
            else:
                common = (min(end, right) - x) * height
                shared.append((x * height, columns[:common]))
                if end > right:
                    parts.append(columns[common:])
                    right = end
        pen += g.advance + spacing_px
    if not parts:
        return np.zeros((height, 1), np.uint8)
    line = np.frombuffer(b"".join(parts), np.uint8)
    if shared:
        over, reached = bytearray(line.size), 0  # the shared columns' second coverage, blank elsewhere
        for start, piece in shared:
            if start < reached:
                return None
            over[start:start + len(piece)] = piece
            reached = start + len(piece)
        line = np.maximum(line, np.frombuffer(over, np.uint8))
    return line.reshape(-1, height).T.copy()


def _overlaid(placed: list[tuple[int, Glyph]], height: int) -> np.ndarray:
    """The line pasted glyph by glyph, overlapping glyphs keeping the darker coverage, clipped left and up."""
    bottom, right = height, 1
    for x, g in placed:
        right, bottom = max(right, x + g.mask.shape[1]), max(bottom, g.top + g.mask.shape[0])
    canvas = np.zeros((bottom, right), np.uint8)
    inked_to = 0  # columns from here on are still blank, so a glyph there is copied rather than max-combined
    for x, g in placed:
        m, y = g.mask, g.top
        if x < 0 or y < 0:
            m = m[max(-y, 0):, max(-x, 0):]
            x, y = max(x, 0), max(y, 0)
        region = canvas[y:y + m.shape[0], x:x + m.shape[1]]
        if x >= inked_to:
            region[:] = m
        else:
            np.maximum(region, m, out=region)
        inked_to = max(inked_to, x + m.shape[1])
    return canvas
