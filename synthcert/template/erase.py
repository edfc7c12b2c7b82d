"""Erase the printed values of a flat document and measure how they were printed.

Authoring stage (used by `synthcert template init`): decides per field box whether its ink is darker or
lighter than the ground around it, finds the strokes, inpaints them from the ground (a dark panel stays a
dark panel; captions, guilloche and tint around them stay) and measures the ink's colour, polarity, text
height and stroke width. No randomness and no file I/O; it never touches pixels outside the box and a small
margin of context around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_TEXT_PX = 4  # a line of ink lower than this is a rule or dirt, not text
MIN_CONTRAST = 28  # grey levels between ink and the ground around it; weaker marks are not ink


@dataclass(frozen=True)
class FieldInk:
    """What was printed in one field box of the photo.

    Attributes:
        color_rgb: median colour of the ink's strongest half, or None when the box held no ink.
        text_height_px: height of the tallest line of ink in document pixels, or None.
        text_centre_y: where that line's middle is, in document pixels, or None.
        polarity: "dark" (ink darker than its ground) or "light".
        ground_rgb: median colour of the ground around the ink (what the erased box is filled with).
        stroke_px: typical stroke width of the letters in document pixels, or None.
        ink_box: (x0, y0, x1, y1) tight around the letters in document pixels (COCO), or None.
        letters: (h, w) bool mask of the letters in the box's pixels (rules left out), or None.
    """

    color_rgb: tuple[int, int, int] | None
    text_height_px: float | None
    text_centre_y: float | None = None
    polarity: str = "dark"
    ground_rgb: tuple[int, int, int] | None = None
    stroke_px: float | None = None
    ink_box: tuple[float, float, float, float] | None = None
    letters: np.ndarray | None = None


def ink_polarity(patch: np.ndarray) -> str:
    """Says whether the strongest marks of an RGB patch are darker ("dark") or lighter ("light") than its ground.

    The ground is the median of the patch's outer two-pixel ring (values rarely touch their box's edge); the
    ink is whichever side of it holds the stronger contrast (99.5th percentile), since texture and guilloche
    are fainter than print.
    """
    grey = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY).astype(np.float32)
    ring = np.concatenate([grey[:2].ravel(), grey[-2:].ravel(), grey[:, :2].ravel(), grey[:, -2:].ravel()])
    ground = float(np.median(ring))
    darker = float(np.percentile(ground - grey, 99.5))
    lighter = float(np.percentile(grey - ground, 99.5))
    return "light" if lighter > darker else "dark"


def find_ink(patch: np.ndarray, threshold: float | None = None, polarity: str = "dark") -> tuple[np.ndarray, float]:
    """Finds the strokes darker (or, with polarity "light", lighter) than the ground around them in an RGB patch.

    A black-hat (closing minus image; for light ink, image minus opening) with a kernel about as large as the
    patch is high removes the slowly varying ground, tint and light guilloche. Ink is where it exceeds
    `threshold`, by default the smaller of Otsu's threshold and half the strongest contrast in the patch, and
    at least MIN_CONTRAST; a patch with no contrast of twice that has no ink.

    Returns:
        (h, w) bool ink mask, and the threshold used (grey levels; inf when there is no ink).
    """
    return _find(_contrast(patch, polarity), threshold)


def erase_field(flat: np.ndarray, box, passes: int = 3) -> tuple[np.ndarray, FieldInk]:
    """Inpaints the ink inside `box` of a flat document and measures what was printed there.

    The letters' mask (rules and box outlines excluded, so that a table rule stays) is grown by a fraction of
    the text height (to take the blurred halo) and inpainted with Telea's method from the ground around it;
    what still stands out like the ink did is grown and inpainted again, up to `passes` times. The filled
    pixels are then shifted to the ground's median colour, so that the box shows no tone of the old text.
    Whether the ink is darker or lighter than its ground is decided from the box (`ink_polarity`).

    Args:
        flat: (h, w, 3) uint8 RGB flat document; not modified.
        box: (x0, y0, x1, y1) in its pixels (COCO).

    Returns:
        The erased copy of `flat` and the FieldInk measured before erasing.
    """
    x0, y0, x1, y1 = _pixel_box(box, flat.shape)
    out = flat.copy()
    patch = out[y0:y1, x0:x1]
    polarity = ink_polarity(patch)
    contrast = _contrast(patch, polarity)
    mask, threshold = _find(contrast, None)
    letters = _without_rules(mask)
    color = _ink_color(patch, letters, contrast)
    line = text_line(letters)
    if line is not None and line[0] < MIN_TEXT_PX:
        line = None
    height = None if line is None else line[0]
    grow = max(2, int(round(0.12 * (height or (y1 - y0)))))
    near = cv2.dilate(letters.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2 * grow) > 0
    ground = _ground_color(patch, near)
    filled = np.zeros(patch.shape[:2], bool)
    todo = letters
    for _ in range(passes):
        if not todo.any():
            break
        # Inpaint with a margin of context around the box, so that the fill continues the ground around it.
        m = max(grow * 3, 8)
        cx0, cy0, cx1, cy1 = max(x0 - m, 0), max(y0 - m, 0), min(x1 + m, flat.shape[1]), min(y1 + m, flat.shape[0])
        full = np.zeros((cy1 - cy0, cx1 - cx0), np.uint8)
        full[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0] = todo.astype(np.uint8) * 255
        full = cv2.dilate(full, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
        out[cy0:cy1, cx0:cx1] = cv2.inpaint(out[cy0:cy1, cx0:cx1], full, max(3, grow), cv2.INPAINT_TELEA)
        filled |= full[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0] > 0
        # Only what still stands out as the ink did, and near it: the guilloche elsewhere is not a value.
        todo = _without_rules(_find(_contrast(out[y0:y1, x0:x1], polarity), threshold)[0]) & near
    if ground is not None and filled.any():
        _match_ground(out[y0:y1, x0:x1], filled, ground)
        _transplant_texture(out[y0:y1, x0:x1], flat[y0:y1, x0:x1], filled)
    rules = mask & ~letters
    out[y0:y1, x0:x1][rules] = flat[y0:y1, x0:x1][rules]  # a table rule the letters' halo reached stays a rule
    centre = None if line is None else y0 + line[1]
    ys, xs = np.nonzero(letters)
    ink_box = None if not len(xs) else (float(x0 + xs.min()), float(y0 + ys.min()),
                                        float(x0 + xs.max() + 1), float(y0 + ys.max() + 1))
    return out, FieldInk(color_rgb=color, text_height_px=height, text_centre_y=centre, polarity=polarity,
                         ground_rgb=ground, stroke_px=stroke_width(letters), ink_box=ink_box,
                         letters=letters)


def stroke_width(mask: np.ndarray) -> float | None:
    """Typical stroke width of the letters in a bool mask, in pixels: twice their area over their outline's length.

    A stroke of width w and length L has area w L and an outline about 2 L long. The outline is measured on
    the contours smoothed by half a pixel, so that the pixel staircase does not lengthen it.
    """
    if mask.sum() < 8:
        return None
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    outline = sum(cv2.arcLength(cv2.approxPolyDP(c, 0.5, True), True) for c in contours)
    return float(2 * mask.sum() / outline) if outline > 0 else None


# --- helpers --------------------------------------------------------------------------------------------


def _contrast(patch: np.ndarray, polarity: str) -> np.ndarray:
    grey = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    if polarity == "light":
        grey = cv2.bitwise_not(grey)  # light strokes on a dark ground become dark strokes on a light one
    k = max(5, int(0.8 * min(patch.shape[:2])) | 1)
    return cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))


def _find(contrast: np.ndarray, threshold: float | None) -> tuple[np.ndarray, float]:
    if threshold is None:
        strongest = float(np.percentile(contrast, 99.7))
        if strongest < 2 * MIN_CONTRAST:
            return np.zeros(contrast.shape, bool), float("inf")
        otsu, _ = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        threshold = max(MIN_CONTRAST, min(otsu, 0.5 * strongest))
    return contrast > threshold, float(threshold)


def _pixel_box(box, shape) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    h, w = shape[:2]
    return (max(int(np.floor(x0)), 0), max(int(np.floor(y0)), 0),
            min(int(np.ceil(x1)), w), min(int(np.ceil(y1)), h))


def _ink_color(patch: np.ndarray, mask: np.ndarray, contrast: np.ndarray) -> tuple[int, int, int] | None:
    if mask.sum() < 4:
        return None
    strength = contrast[mask]
    core = patch[mask][strength >= np.median(strength)]  # the strokes' cores, not their blurred rims
    return tuple(int(round(v)) for v in np.median(core.astype(np.float64), axis=0))


def _ground_color(patch: np.ndarray, near_ink: np.ndarray) -> tuple[int, int, int] | None:
    ground = patch[~near_ink]
    if len(ground) < 8:
        return None
    return tuple(int(round(v)) for v in np.median(ground.astype(np.float64), axis=0))


def _match_ground(region: np.ndarray, filled: np.ndarray, ground: tuple[int, int, int]) -> None:
    """Shifts the filled pixels so that their median is the ground's: Telea averages the ink's blurred rim in."""
    values = region[filled].astype(np.float32)
    # A small correction only: a larger gap means the box spans two grounds (a panel's edge), not a tone.
    shift = np.clip(np.asarray(ground, np.float32) - np.median(values, axis=0), -12, 12)
    region[filled] = np.clip(values + shift, 0, 255).round().astype(np.uint8)


def _transplant_texture(region: np.ndarray, original: np.ndarray, filled: np.ndarray) -> None:
    """Gives the smooth inpainted pixels the fine texture (guilloche, paper grain) of the ground beside them.

    The texture is the original's high-pass (image minus a 5 px blur), copied from the same row a shift
    away where the original shows ground, so that no smooth patch marks where a value was.
    """
    h, w = filled.shape
    grain = original.astype(np.float32) - cv2.GaussianBlur(original, (5, 5), 0).astype(np.float32)
    near = cv2.dilate(filled.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # the ink's blur reaches here
    todo = filled.copy()
    texture = np.zeros(region.shape, np.float32)
    for shift in sorted({w // 2, -(w // 2), w // 3, -(w // 3), w // 4, -(w // 4)} - {0}, key=lambda v: (abs(v), v)):
        source = np.roll(near, -shift, axis=1)  # source pixel x + shift must be ground
        ok = todo & ~source
        if shift > 0:
            ok[:, w - shift:] = False
        else:
            ok[:, :-shift] = False
        ys, xs = np.nonzero(ok)
        texture[ys, xs] = grain[ys, xs + shift]
        todo &= ~ok
    values = region[filled].astype(np.float32) + texture[filled]
    region[filled] = np.clip(values, 0, 255).round().astype(np.uint8)


def _without_rules(mask: np.ndarray) -> np.ndarray:
    """Drops thin straight strokes (rules, box outlines, underlines) that are ink but not letters."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    for k in range(1, count):
        w, h = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]
        keep[k] = not ((w >= 8 * h and h < MIN_TEXT_PX) or (h >= 8 * w and w < MIN_TEXT_PX))
    return keep[labels]


def text_line(mask: np.ndarray) -> tuple[float, float] | None:
    """Returns (height, centre y) of the tallest run of ink rows (1 px gaps bridged, traces of ink ignored)."""
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
