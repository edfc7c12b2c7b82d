"""Pure quadrilateral helpers shared by the dataset formats, `check`, the detector's answers and the refiner's
training quads: no I/O, no randomness.

A label quadrilateral is a (4, 2) float64 array in COCO continuous pixel coordinates (the image spans
[0, W] x [0, H]), corners TL, TR, BR, BL of the text as read. In image coordinates (y down) that order
runs clockwise on screen, so its shoelace area is positive whatever the rotation.
"""

from __future__ import annotations

import numpy as np

from synthcert.samples import CORNER_NAMES

# Below this many pixels an edge is a point; below this |sin| two edges are one line.
MIN_EDGE_PX = 1e-3
MIN_SIN = 1e-3
# A camera sees the two ends of one printed line at nearly the same distance: opposite sides of its quad never
# differ 4 x in length, while a quad whose corners went to two lines (one side collapsed) does.
MIN_SIDE_RATIO = 0.25


def signed_area(corners_xy: np.ndarray) -> float:
    """Returns the shoelace area of a (4, 2) quadrilateral: positive for TL, TR, BR, BL in image coordinates."""
    return flat_signed_area(np.asarray(corners_xy, dtype=np.float64).ravel().tolist())


def bbox_xywh(corners_xy: np.ndarray) -> list[float]:
    """Returns the axis-aligned box [x, y, width, height] around the corners (not clipped to the image)."""
    return flat_bbox_xywh(np.asarray(corners_xy, dtype=np.float64).ravel().tolist())


# Python floats: on four points numpy's per-call overhead is most of the cost (the same IEEE operations). A writer
# holding the corners as x0, y0, ... y3 already (`corners.ravel().tolist()`) calls these directly.
def flat_signed_area(xy: list[float]) -> float:
    """`signed_area` of the corners given as x0, y0, x1, ... y3."""
    x0, y0, x1, y1, x2, y2, x3, y3 = xy
    return 0.5 * ((x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3))


def flat_bbox_xywh(xy: list[float]) -> list[float]:
    """`bbox_xywh` of the corners given as x0, y0, x1, ... y3."""
    x0, y0, x1, y1, x2, y2, x3, y3 = xy
    left, top = min(x0, x1, x2, x3), min(y0, y1, y2, y3)
    return [left, top, max(x0, x1, x2, x3) - left, max(y0, y1, y2, y3) - top]


def quad_problem(corners_xy: np.ndarray) -> str | None:
    """Returns why a (4, 2) quadrilateral is not a usable label in TL, TR, BR, BL order, or None if it is.

    A usable label is convex (a rectangle seen in perspective always is), has no zero-length edge and no
    three corners on a line, and runs clockwise on screen (y down).

    Example:
        >>> quad_problem(np.array([[0, 0], [4, 0], [4, 2], [0, 2]], float)) is None
        True
        >>> quad_problem(np.array([[0, 0], [0, 2], [4, 2], [4, 0]], float))
        'corners run counter-clockwise on screen; expected the order top_left, top_right, bottom_right, bottom_left'
    """
    edges = np.roll(corners_xy, -1, axis=0) - corners_xy
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    for i in np.flatnonzero(lengths < MIN_EDGE_PX):
        return f"is degenerate: {CORNER_NAMES[i]} and {CORNER_NAMES[(i + 1) % 4]} coincide"
    nxt = np.roll(edges, -1, axis=0)
    sines = (edges[:, 0] * nxt[:, 1] - edges[:, 1] * nxt[:, 0]) / (lengths * np.roll(lengths, -1))
    for i in np.flatnonzero(np.abs(sines) < MIN_SIN):
        three = ", ".join(CORNER_NAMES[(i + j) % 4] for j in range(3))
        return f"is degenerate: {three} lie on a line"
    order = ", ".join(CORNER_NAMES)
    if np.all(sines < 0):
        return f"corners run counter-clockwise on screen; expected the order {order}"
    if not np.all(sines > 0):
        return f"is self-intersecting or concave; expected a convex quadrilateral in the order {order}"
    return None


def view_problem(corners_xy: np.ndarray) -> str | None:
    """Why a (4, 2) quad is no plausible camera view of one printed line, or None.

    The rule for answers and for the coarse quads a refiner trains on: besides `quad_problem`'s rules
    (convex, clockwise, no zero-length edge), opposite sides are within 1 / MIN_SIDE_RATIO (4 x) of each
    other in length, so that a quad folded onto two lines is refused.

    Example:
        >>> view_problem(np.array([[0, 0], [40, 0], [40, 10], [0, 10]], float)) is None
        True
        >>> view_problem(np.array([[0, 0], [40, 0], [40, 10], [0, 1.5]], float))
        'is folded: its right side is 6.7 x as long as its left side'
    """
    problem = quad_problem(corners_xy)
    if problem is not None:
        return problem
    edges = np.roll(corners_xy, -1, axis=0) - corners_xy
    lengths = dict(zip(("top", "right", "bottom", "left"), np.hypot(edges[:, 0], edges[:, 1]), strict=True))
    for a, b in (("top", "bottom"), ("right", "left")):
        long, short = (a, b) if lengths[a] >= lengths[b] else (b, a)
        if lengths[short] < MIN_SIDE_RATIO * lengths[long]:
            return f"is folded: its {long} side is {lengths[long] / lengths[short]:.1f} x as long as its {short} side"
    return None
