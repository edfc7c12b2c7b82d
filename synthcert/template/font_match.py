"""Which shipped font prints like the photo: shape and weight of a field's ink against each font's rendering.

Authoring stage (used by `template init` and the replay report): pure functions over bool ink masks, no
randomness and no file I/O. A font is rendered at the size that gives the photo's cap height; with the
printed text known, the rendering is compared with the ink as a mask (after scaling to the ink's box: the
letters' shape), by its width at that size and by its stroke width (weight); without it, only the weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import ImageFont

from synthcert.template.document import embolden
from synthcert.template.erase import stroke_width, text_line
from synthcert.text.fonts import fonts_covering, resolve_font
from synthcert.text.typeset import face, typeset

CANDIDATE_FONTS = ("dejavu-sans", "dejavu-sans-bold", "liberation-sans", "liberation-sans-bold", "roboto-black",
                   "roboto-condensed", "roboto-condensed-bold", "osp-din", "bebas-neue-bold", "dejavu-sans-mono",
                   "dejavu-sans-mono-bold", "liberation-mono", "ocrb")
"""The shipped fonts `template init` chooses among."""
WEIGHT_PROBE = "HE08NA"  # capitals and digits most documents print


@dataclass(frozen=True)
class FontMatch:
    """How well one font at one size prints like a field's ink.

    Attributes:
        font: the font's built-in name.
        size_px: the font size (em) that gives the ink's cap height (with the text known: its line height).
        score: similarity in [0, 1]: how well the weights (stroke widths) agree, times, with the text known,
            the masks' similarity and how well the widths agree.
        stroke_ratio: the font's stroke width at that size over the ink's.
    """

    font: str
    size_px: float
    score: float
    stroke_ratio: float


@lru_cache(maxsize=64)
def cap_metrics(path: Path) -> tuple[float, float]:
    """A font's cap height (the height of "H") and how far the capitals' middle lies below the middle of
    ascent + descent (where the renderer centres a line in its box), both per em."""
    font = ImageFont.truetype(str(path), 200)
    _, top, _, bottom = font.getbbox("H", anchor="ls")
    ascent, descent = font.getmetrics()
    return (bottom - top) / 200, (ascent + (top + bottom) / 2 - (ascent + descent) / 2) / 200


def text_mask(text: str, path: Path, size_px: float, bold_px: float = 0.0) -> np.ndarray:
    """The bool ink mask of `text` in font `path` at `size_px`, strokes thickened by `bold_px`, cropped to the ink."""
    coverage, _ = embolden(typeset(text, face(path, max(int(round(size_px)), 4)), 0.0), bold_px)
    return _crop(coverage > 127)


def mask_similarity(a: np.ndarray, b: np.ndarray, rescale: bool = True) -> float:
    """How alike two bool ink masks are: the share of each one's ink within a pixel of the other's, averaged.

    With `rescale`, `b` is first scaled onto `a`'s ink box (shape only; size and place do not count).
    One pixel of tolerance keeps thin strokes from scoring low for a sub-pixel shift.
    """
    if rescale:
        a, b = _crop(a), _crop(b)
        if a.any() and b.any():
            b = cv2.resize(b.astype(np.float32), a.shape[::-1], interpolation=cv2.INTER_AREA) > 0.5
    if not a.any() or not b.any():
        return 0.0
    near_a, near_b = (cv2.dilate(m.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0 for m in (a, b))
    return float(((a & near_b).sum() / a.sum() + (b & near_a).sum() / b.sum()) / 2)


def rank_fonts(ink: np.ndarray, cap_px: float, text: str | None = None,
               fonts: tuple[str, ...] = CANDIDATE_FONTS) -> list[FontMatch]:
    """Ranks `fonts` by how much their rendering looks like the bool ink mask `ink` (best first).

    Args:
        ink: (h, w) bool mask of the field's letters.
        cap_px: the ink's cap height in pixels.
        text: the printed text, when known; fonts lacking one of its characters are skipped.
        fonts: built-in font names.
    """
    stroke = stroke_width(ink)
    ink = _crop(ink)
    matches = []
    for name in fonts:
        path = resolve_font(name)
        if text and not fonts_covering((path,), text):
            continue
        size = cap_px / cap_metrics(path)[0]
        if text:
            # The size whose line of this very text is as high as the ink's (round letters overshoot), measured
            # at that resolution like the ink; its width, 5-10 times longer, is the finer but kerning-biased
            # measure: the geometric mean of the two sizes.
            probe, drawn = text_mask(text, path, size), max(int(round(size)), 4)  # faces come in whole pixels
            line = text_line(probe)
            by_height = drawn * cap_px / line[0] if line else size
            size = float(np.sqrt(by_height * drawn * ink.shape[1] / max(probe.shape[1], 1)))
        probe = text_mask(text or WEIGHT_PROBE, path, size)
        ratio = (stroke_width(probe) or 0.0) / stroke if stroke else 1.0
        weight = min(ratio, 1 / ratio) if ratio > 0 else 0.0
        if text:
            width = probe.shape[1] / max(ink.shape[1], 1)
            score = mask_similarity(ink, probe) * min(width, 1 / width) * weight
        else:
            score = weight
        matches.append(FontMatch(font=name, size_px=float(size), score=float(score), stroke_ratio=float(ratio)))
    return sorted(matches, key=lambda m: -m.score)


def _crop(mask: np.ndarray) -> np.ndarray:
    """Crops to the text: strong components, and small ones (accents, dots) only within their reach."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count > 2:
        area = stats[1:, cv2.CC_STAT_AREA]
        strong = np.flatnonzero(area >= 0.15 * area.max()) + 1
        x0 = stats[strong, cv2.CC_STAT_LEFT].min()
        x1 = (stats[strong, cv2.CC_STAT_LEFT] + stats[strong, cv2.CC_STAT_WIDTH]).max()
        reach = 0.5 * stats[strong, cv2.CC_STAT_HEIGHT].max()
        left, right = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_LEFT] + stats[1:, cv2.CC_STAT_WIDTH]
        keep = np.concatenate([[False], (right >= x0 - reach) & (left <= x1 + reach)])
        mask = keep[labels]
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return mask
    return mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
