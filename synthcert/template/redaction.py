"""Redaction marks: felt-pen strokes and filled bars over the fields an owner blacked out before sharing.

Photos of certificates that people share have their personal data blacked out (or whited out), and such
marks are the sharpest shapes on the card: a detector that never saw one takes their edge for a line of text.
`sample_redactions` draws a sample's marks (which fields, how thick, how far past the ink, how wobbly) as
numbers relative to each field's ink; `draw_redactions` resolves them against the ink that was printed, so a
mark covers what it redacts. No mark comes within a quarter of the target's text height of the target's ink
(the hit tolerance): a mark that would is thinned and shortened, or left out. A redacted field can no longer
be read, so it carries no label. Deterministic once sampled; no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import geometry
from synthcert.labels import padded_box

KINDS = ("marker", "bar")
WOBBLE_POINTS = 5
TARGET_MARGIN = 0.25  # of the target's ink height: the hit tolerance of synthcert.evaluation
SHRINK_TRIES = 3
OUTLINE_COLOR = (28, 28, 32)


@dataclass(frozen=True)
class Redaction:
    """One field's mark, relative to its ink (heights are in units of one printed line).

    Attributes:
        field: the field it covers.
        kind: "marker" (a felt pen's round-capped, wobbling stroke) or "bar" (a filled rectangle, as an
            image editor draws it, black or white).
        thickness: the mark's height over the line's height.
        overshoot: how far it runs past the ink on the left and right, in line heights.
        wobble: the stroke's vertical offsets at WOBBLE_POINTS points along it, in line heights.
        color: RGB, near black (a white bar: near white).
        outline: a bar's dark border, as image editors stroke a rectangle, as a fraction of one line's bar height
            (0: none); drawn once around all of the field's lines.
    """

    field: str
    kind: str
    thickness: float
    overshoot: tuple[float, float]
    wobble: tuple[float, ...]
    color: tuple[int, int, int]
    outline: float = 0.0


def sample_redactions(fields: list[str], p: float, rng: np.random.Generator) -> tuple[Redaction, ...]:
    """With probability `p`, blacks out each of `fields` (never the target: leave it out) with probability 1/2,
    all with one kind of mark; no draws at all when `p` is 0, so renders without redaction keep their bytes."""
    if p <= 0.0 or not fields or rng.random() >= p:
        return ()
    u_kind, u_white, u_shade, u_outline = rng.random(4)
    kind = KINDS[int(u_kind < 0.35)]
    shade = int(40 * u_shade) if kind == "marker" or u_white >= 0.4 else int(235 + 20 * u_shade)
    # Half the bars are stroked with a thin dark border (a white box with a black outline is common)
    outline = float(0.03 + 0.14 * u_outline) if kind == "bar" and u_outline < 0.5 else 0.0
    chosen = [name for name, u in zip(fields, rng.random(len(fields)), strict=True) if u < 0.5]
    out = []
    for name in chosen:
        u = rng.random(3)
        wobble = (0.0,) * WOBBLE_POINTS if kind == "bar" else tuple(rng.normal(0.0, 0.12, WOBBLE_POINTS).tolist())
        out.append(Redaction(name, kind, float(1.1 + 0.7 * u[0]), (float(0.6 * u[1]), float(0.9 * u[2])), wobble,
                             (shade, shade, min(shade + 8, 255) if shade < 128 else shade), outline))
    return tuple(out)


def draw_redactions(image: np.ndarray, marks: tuple[Redaction, ...], ink_boxes: dict, line_px: dict,
                    target_box) -> set[str]:
    """Draws `marks` onto `image` in place and returns the fields they cover.

    Args:
        image: the document at one pyramid level, RGB.
        ink_boxes: field -> its ink-tight (x0, y0, x1, y1) in this image's pixels; fields without ink get no mark.
        line_px: field -> the height of one printed line (its font size) in this image's pixels.
        target_box: the target's ink box in this image's pixels, or None if it printed nothing.
    """
    keep_out = None if target_box is None else padded_box(target_box, TARGET_MARGIN)
    covered = set()
    for mark in marks:
        if mark.field not in ink_boxes:
            continue
        for scale in 0.7 ** np.arange(SHRINK_TRIES + 1):
            strokes = _strokes(mark, ink_boxes[mark.field], line_px[mark.field], scale)
            border = mark.outline * 2 * strokes[0][1]  # the outline's width in pixels
            if keep_out is None or not any(boxes_overlap(_envelope(s, r + border), keep_out) for s, r in strokes):
                break
        else:
            continue  # too close to the target however thin: this field stays readable
        for points, radius in strokes:
            _draw(image, mark, points, radius)
        if border > 0:
            points = np.concatenate([_bar_corners(s, r) for s, r in strokes])
            corners = geometry.rect_corners_xy((*points.min(axis=0), *points.max(axis=0)))
            cv2.polylines(image, [np.round(corners * 4).astype(np.int32)], True, OUTLINE_COLOR,
                          max(int(round(border)), 1), cv2.LINE_AA, shift=2)
        covered.add(mark.field)
    return covered


def _strokes(mark: Redaction, box, line: float, scale: float) -> list[tuple[np.ndarray, float]]:
    """The mark's strokes over `box`, one per printed line: (points (n, 2), half thickness), `scale` shrinking it."""
    x0, y0, x1, y1 = box
    line = max(min(line, y1 - y0), 1.0)
    lines = max(1, int(round((y1 - y0) / line)))
    radius = 0.5 * line * (1.0 + (mark.thickness - 1.0) * scale)
    left, right = x0 - mark.overshoot[0] * line * scale, x1 + mark.overshoot[1] * line * scale
    xs = np.linspace(left, right, WOBBLE_POINTS)
    strokes = []
    for k in range(lines):
        cy = y0 + (y1 - y0) * (k + 0.5) / lines
        ys = cy + np.asarray(mark.wobble) * line * scale
        strokes.append((np.stack([xs, ys], axis=1), radius))
    return strokes


def _envelope(points: np.ndarray, radius: float) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return x0 - radius, y0 - radius, x1 + radius, y1 + radius


def boxes_overlap(a, b) -> bool:
    """Whether two (x0, y0, x1, y1) boxes share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _bar_corners(points: np.ndarray, radius: float) -> np.ndarray:
    """A bar's (4, 2) corners: the stroke's length, `radius` above and below it."""
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return geometry.rect_corners_xy((x0, y0 - radius, x1, y1 + radius))


def _draw(image: np.ndarray, mark: Redaction, points: np.ndarray, radius: float) -> None:
    # Drawn at 4x subpixel precision (shift=2) so thin marks on coarse pyramid levels keep their size.
    if mark.kind == "bar":
        corners = _bar_corners(points, radius)
        cv2.fillConvexPoly(image, np.round(corners * 4).astype(np.int32), mark.color, cv2.LINE_AA, shift=2)
        return
    thickness = max(int(round(2 * radius)), 1)
    cv2.polylines(image, [np.round(points * 4).astype(np.int32)], False, mark.color, thickness, cv2.LINE_AA,
                  shift=2)
