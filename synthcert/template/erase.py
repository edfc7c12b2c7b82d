"""Erase the printed values of a flat document and measure how they were printed.

Authoring stage (used by `synthcert template init`): finds the ink inside a field box (strokes darker than
the paper around them), inpaints it so that the captions, guilloche and tint around it stay, and measures
the ink's colour and text height. No randomness and no file I/O; it never touches pixels outside the box and
a small margin of context around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_TEXT_PX = 4  # a line of ink lower than this is a rule or dirt, not text
MIN_CONTRAST = 28  # grey levels between ink and the paper around it; weaker marks are not ink


@dataclass(frozen=True)
class FieldInk:
    """What was printed in one field box of the photo.

    Attributes:
        color_rgb: median colour of the ink's darker half, or None when the box held no ink.
        text_height_px: height of the tallest line of ink in document pixels, or None.
        text_centre_y: where that line's middle is, in document pixels, or None.
    """

    color_rgb: tuple[int, int, int] | None
    text_height_px: float | None
    text_centre_y: float | None = None


def find_ink(patch: np.ndarray, threshold: float | None = None) -> tuple[np.ndarray, float]:
    """Finds the strokes darker than the paper around them in an RGB patch.

    A black-hat (closing minus image) with a kernel about as large as the patch is high removes the slowly
    varying paper, tint and light guilloche. Ink is where it exceeds `threshold`, by default the smaller of
    Otsu's threshold and half the strongest contrast in the patch, and at least MIN_CONTRAST; a patch with
    no contrast of twice that has no ink.

    Returns:
        (h, w) bool ink mask, and the threshold used (grey levels; inf when there is no ink).
    """
    grey = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    k = max(5, int(0.8 * min(patch.shape[:2])) | 1)
    blackhat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if threshold is None:
        strongest = float(np.percentile(blackhat, 99.7))
        if strongest < 2 * MIN_CONTRAST:
            return np.zeros(grey.shape, bool), float("inf")
        otsu, _ = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        threshold = max(MIN_CONTRAST, min(otsu, 0.5 * strongest))
    return blackhat > threshold, float(threshold)


def erase_field(flat: np.ndarray, box, passes: int = 3) -> tuple[np.ndarray, FieldInk]:
    """Inpaints the ink inside `box` of a flat document and measures what was printed there.

    The ink mask is grown by a fraction of the text height (to take the blurred halo) and inpainted with
    Telea's method; what is still ink-dark afterwards is grown and inpainted again, up to `passes` times.

    Args:
        flat: (h, w, 3) uint8 RGB flat document; not modified.
        box: (x0, y0, x1, y1) in its pixels (COCO).

    Returns:
        The erased copy of `flat` and the FieldInk measured before erasing.
    """
    x0, y0, x1, y1 = _pixel_box(box, flat.shape)
    out = flat.copy()
    patch = out[y0:y1, x0:x1]
    mask, threshold = find_ink(patch)
    letters = _without_rules(mask)
    color = _ink_color(patch, letters)
    line = _text_line(letters)
    if line is not None and line[0] < MIN_TEXT_PX:
        line = None
    height = None if line is None else line[0]
    grow = max(2, int(round(0.12 * (height or (y1 - y0)))))
    near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2 * grow) > 0
    todo = mask
    for _ in range(passes):
        if not todo.any():
            break
        # Inpaint with a margin of context around the box, so that the fill continues the paper around it.
        m = max(grow * 3, 8)
        cx0, cy0, cx1, cy1 = max(x0 - m, 0), max(y0 - m, 0), min(x1 + m, flat.shape[1]), min(y1 + m, flat.shape[0])
        full = np.zeros((cy1 - cy0, cx1 - cx0), np.uint8)
        full[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0] = todo.astype(np.uint8) * 255
        full = cv2.dilate(full, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
        out[cy0:cy1, cx0:cx1] = cv2.inpaint(out[cy0:cy1, cx0:cx1], full, max(3, grow), cv2.INPAINT_TELEA)
        # Only what is still as dark as the ink was, and near it: the guilloche elsewhere is not a value.
        todo = find_ink(out[y0:y1, x0:x1], threshold)[0] & near
    centre = None if line is None else y0 + line[1]
    return out, FieldInk(color_rgb=color, text_height_px=height, text_centre_y=centre)


# --- helpers --------------------------------------------------------------------------------------------


def _pixel_box(box, shape) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    h, w = shape[:2]
    return (max(int(np.floor(x0)), 0), max(int(np.floor(y0)), 0),
            min(int(np.ceil(x1)), w), min(int(np.ceil(y1)), h))


def _ink_color(patch: np.ndarray, mask: np.ndarray) -> tuple[int, int, int] | None:
    if mask.sum() < 4:
        return None
    pixels = patch[mask].astype(np.float64)
    grey = pixels @ [0.299, 0.587, 0.114]
    core = pixels[grey <= np.median(grey)]  # the darker half: the strokes' cores, not their blurred rims
    return tuple(int(round(v)) for v in np.median(core, axis=0))


def _without_rules(mask: np.ndarray) -> np.ndarray:
    """Drops thin straight strokes (rules, box outlines, underlines) that are ink but not letters."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    for k in range(1, count):
        w, h = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]
        keep[k] = not ((w >= 8 * h and h < MIN_TEXT_PX) or (h >= 8 * w and w < MIN_TEXT_PX))
    return keep[labels]


def _text_line(mask: np.ndarray) -> tuple[float, float] | None:
    """(height, centre y) of the tallest run of ink rows (1 px gaps bridged; rows with a trace of ink ignored)."""
    counts = mask.sum(axis=1)
    if counts.max(initial=0) < 2:
        return None
    rows = counts >= max(1, 0.1 * counts.max())
    rows = rows | (np.roll(rows, 1) & np.roll(rows, -1))
    best, best_end, run = 0, 0, 0
    for k, r in enumerate(rows):
        run = run + 1 if r else 0
        if run > best:
            best, best_end = run, k + 1
    return float(best), best_end - best / 2.0
