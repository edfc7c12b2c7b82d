"""The answer's ends moved onto the ink: the last step of stage 2 (`synthcert.training.refine.Search.snap`).

A label is the box of the field's ink (`synthcert.labels`), and a corner of that box can lie on blank paper:
above the hook of a "J", below the arm of a "7", beside the foot of a "1". The refiner places each corner on
the evidence near it, so there it picks the nearest ink, a fifth to a half of the text height inside, and
the nearest parallelogram then leans (its left side from the J's top to its hook). The line itself says
where its ink ends and which way its strokes stand: read rectified by the answer, the shear under which the
ink's columns are sharpest is the strokes' upright, and along it the outermost inked columns are the ends;
they move the left and right sides, along the top and bottom lines the refiner found. The top and bottom
stay: rules, hatching and the next line lie as close below and above as a stroke's width, while along the
line the space before and after the number is wide.

Numpy and OpenCV only: this runs on the photo, after the networks.
"""

from __future__ import annotations

import cv2
import numpy as np

from synthcert import geometry
from synthcert.evaluation import text_height_px, text_width_px
from synthcert.training.refine import Canvas, cut_neighbourhood

LINE_HEIGHT_PX = 32  # the line is read at this many pixels per text height: a column is 1/32 of it
REACH = 0.35  # an end moves at most this many text heights, out or in
GAP = 0.2  # ... over blank columns narrower than this (text heights): wider is the space before the next thing
INKED = 0.06  # a column is inked where at least this share of the text's rows is ink
MAX_ASPECT = 40.0  # widest line read, in text heights
# The shears tried (columns per row), nearest upright first, so that a tie keeps the refiner's own direction. A
# quarter: the refiner's lean on a blank corner is up to about 0.2; wider, a line of diagonals ("A 5771") leans.
SLANTS = np.array(sorted(np.linspace(-0.25, 0.25, 21), key=abs))


def snap_ends(image: np.ndarray, quad_xy: np.ndarray) -> np.ndarray:
    """Returns the quad with its left and right sides moved onto the ends of the ink on its line, upright along
    its strokes.

    The line is cut from the photo rectified by the quad (`cut_neighbourhood`, LINE_HEIGHT_PX per text height),
    with REACH text heights of paper on every side. Ink is what differs from the paper, dark or light: its
    polarity is the side of the paper's level (the median of the rows above and below the text) that the
    mean inside the quad lies on, and Otsu's threshold on that difference tells ink from paper. The ink is
    sheared by each of SLANTS and the shear whose column histogram is peakiest stands the strokes upright
    (`_upright_slant`). Under it, from the outermost inked columns inside the quad each end walks outwards
    over ink and blank runs of at most GAP text heights, at most REACH text heights; an end whose ink lies
    more than REACH inside, or a line without ink, keeps its place. Both sides then follow the strokes.

    Args:
        image: (H, W, 3) uint8 RGB photo at full resolution.
        quad_xy: (4, 2) float64 corners TL, TR, BR, BL in the photo's pixels (COCO), a plausible view.

    Returns:
        (4, 2) float64: the corners on the same top and bottom lines, at the ink's ends, a parallelogram in
        the frame the quad rectifies.
    """
    quad_xy = np.asarray(quad_xy, np.float64)
    h = LINE_HEIGHT_PX
    aspect = float(text_width_px(quad_xy[None])[0] / text_height_px(quad_xy[None])[0])
    # the margin holds the reach and a few rows of paper beyond it, where the paper's level is read
    reach, gap, margin = round(REACH * h), round(GAP * h), round(REACH * h) + 4
    width = max(1, round(min(aspect, MAX_ASPECT) * h))
    canvas = Canvas((width + 2 * margin, h + 2 * margin), (margin, margin, margin + width, margin + h))
    line, canvas_from_image = cut_neighbourhood(image, quad_xy, canvas)
    grey = line.astype(np.float32).mean(axis=2)
    text = grey[margin:margin + h]
    paper = float(np.median(np.concatenate([grey[:margin], grey[margin + h:]])))
    ink = (paper - text) if text[:, margin:margin + width].mean() <= paper else (text - paper)
    ink = np.clip(ink, 0, 255).astype(np.uint8)
    threshold, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    rows, cols = np.nonzero(ink > threshold)
    slant = _upright_slant(rows, cols, h)
    columns = _sheared_columns(rows, cols, slant, h) + margin  # margin: room for the shear
    inked = np.bincount(np.clip(columns, 0, None), minlength=line.shape[1] + 2 * margin) >= max(1.0, INKED * h)
    left, right = (v - margin for v in _ends(inked, 2 * margin, 2 * margin + width, reach, gap))
    top, bottom, half = margin, margin + h, slant * h / 2  # the sides follow the strokes: x = end + slant (y - middle)
    box = np.array([[left - half, top], [right - half, top], [right + half, bottom], [left + half, bottom]])
    return geometry.transform_points(np.linalg.inv(canvas_from_image), box)


def _upright_slant(rows: np.ndarray, cols: np.ndarray, h: int) -> float:
    """The shear (columns per row) under which the ink's strokes stand upright: the one whose column histogram
    is peakiest (largest sum of squares), as in slant correction for handwriting; none when that is the
    widest shear tried, which is where a line of diagonal strokes peaks."""
    if not rows.size:
        return 0.0
    scores = []
    for s in SLANTS:
        columns = _sheared_columns(rows, cols, s, h)
        scores.append(np.square(np.bincount(columns - columns.min())).sum())
    best = float(SLANTS[int(np.argmax(scores))])
    return 0.0 if abs(best) >= SLANTS.max() else best  # the range's limit: diagonals ("A", "7"), not uprights


def _sheared_columns(rows: np.ndarray, cols: np.ndarray, slant: float, h: int) -> np.ndarray:
    """The column of each ink pixel (row, col of the text's `h` rows) once the ink is sheared by `slant` about
    the text's middle row: x - slant (y - middle), at pixel centres."""
    return np.floor(cols + 0.5 - slant * (rows + 0.5 - h / 2)).astype(int)


def _ends(inked: np.ndarray, lo: int, hi: int, reach: int, gap: int) -> tuple[int, int]:
    """The (left, right) column edges of the ink in columns [lo, hi) and its continuation outside them."""
    inside = np.flatnonzero(inked[lo:hi])
    if not inside.size:
        return lo, hi
    first, last = lo + int(inside[0]), lo + int(inside[-1])
    left = _walk(inked, first, -1, max(lo - reach, 0), gap)
    right = _walk(inked, last, 1, min(hi + reach, len(inked)) - 1, gap) + 1
    return (left if left <= lo + reach else lo), (right if right >= hi - reach else hi)


def _walk(inked: np.ndarray, start: int, step: int, stop: int, gap: int) -> int:
    """The last inked column reached from `start` towards `stop` before a blank run wider than `gap`."""
    end, blank, pos = start, 0, start
    while pos != stop:
        pos += step
        if inked[pos]:
            end, blank = pos, 0
        else:
            blank += 1
            if blank > gap:
                break
    return end
