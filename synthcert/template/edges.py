"""Fit a document's four sides to the edges in a photo: refine rough corners and say how sure the fit is.

Authoring stage (used by `template rectify/init`): from a rough quadrilateral (found automatically or given
with --corners), each side is searched along its normal for the strongest step in brightness, sampled along
its middle 84 % (so that rounded card corners do not pull it), fitted with a robust line, and the lines are
intersected. Pure image geometry: no randomness, no file I/O. Corners are COCO (pixel (i, j) covers
[i, i+1) x [j, j+1)), TL, TR, BR, BL.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import geometry

MIN_STEP = 6.0  # grey levels per pixel: a weaker step along a side is no edge
SAMPLES = 48  # points per side


@dataclass(frozen=True)
class EdgeFit:
    """The refined corners and how well the photo's edges support them.

    Attributes:
        corners_xy: (4, 2) float64 TL, TR, BR, BL in photo pixels (COCO).
        support: the smallest share, over the four sides, of sample points with a clear edge on the fitted
            line (within 2 px): 1 is a clean outline, under 0.5 a side the photo does not show.
    """

    corners_xy: np.ndarray
    support: float


def refine_corners(image: np.ndarray, corners_xy, search: float = 0.04) -> EdgeFit:
    """Moves each side of a rough quadrilateral onto the strongest nearby edge and intersects the sides.

    Args:
        image: (H, W, 3) uint8 RGB photo.
        corners_xy: (4, 2) rough corners TL, TR, BR, BL in photo pixels (COCO).
        search: how far each side may move, as a share of the quadrilateral's mean side length.

    Returns:
        An EdgeFit; sides without a clear edge keep their rough line.
    """
    corners = np.asarray(corners_xy, np.float64).reshape(4, 2)
    h, w = image.shape[:2]
    scale = min(1.0, 1600.0 / max(h, w))  # edges of a phone photo are found as well at 1600 px
    grey = cv2.cvtColor(cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
                        if scale < 1 else image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey = cv2.GaussianBlur(grey, (5, 5), 1.2)
    quad = geometry.opencv_from_coco_xy(corners * scale)  # OpenCV pixel centres, at the working scale
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    reach = max(3.0, search * float(sides.mean()))
    lines, supports = [], []
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        line, support = _fit_side(grey, a, b, reach)
        lines.append(line)
        supports.append(support)
    refined = []
    for k in range(4):  # corner k is where side k-1 (ending there) meets side k (starting there)
        p = np.cross(lines[k - 1], lines[k])
        refined.append(p[:2] / p[2] if abs(p[2]) > 1e-9 else quad[k])
    refined = geometry.coco_from_opencv_xy(refined) / scale
    if np.abs(refined - corners).max() > 2 * reach / scale:  # nearly parallel sides: keep what was given
        return EdgeFit(corners_xy=corners, support=0.0)
    return EdgeFit(corners_xy=refined, support=float(min(supports)))


def _fit_side(grey: np.ndarray, a: np.ndarray, b: np.ndarray, reach: float) -> tuple[np.ndarray, float]:
    """The homogeneous line of the edge near side a -> b and the share of samples on it."""
    d = (b - a) / max(np.linalg.norm(b - a), 1e-9)
    normal = np.array([d[1], -d[0]])  # outwards for clockwise corners in image coordinates
    t = np.linspace(0.08, 0.92, SAMPLES)
    s = np.arange(-reach, reach + 1.0)
    points = a + t[:, None, None] * (b - a) + s[None, :, None] * normal  # (SAMPLES, len(s), 2)
    profile = cv2.remap(grey, points[..., 0].astype(np.float32), points[..., 1].astype(np.float32),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    step = np.diff(profile, axis=1)  # (SAMPLES, len(s) - 1)
    # The document is lighter or darker than what is behind it all along one side: take that direction.
    sign = 1.0 if np.median(step.max(axis=1)) >= np.median(-step.min(axis=1)) else -1.0
    # The outermost step at least half as strong as the strongest: a frame printed near the card's edge is
    # often stronger than the edge itself, and it lies inside.
    signed = sign * step
    peak = signed.max(axis=1, keepdims=True)
    outer = (signed >= np.maximum(0.5 * peak, MIN_STEP))[:, ::-1]
    best = signed.shape[1] - 1 - np.argmax(outer, axis=1)
    strong = outer.any(axis=1)
    rows = np.arange(SAMPLES)
    for _ in range(3):  # from the outer rim of a blurred edge inwards to its steepest point
        inward = (best > 0) & (signed[rows, np.maximum(best - 1, 0)] > signed[rows, best])
        best = best - inward
    # Sub-pixel: the vertex of the parabola through the steepest step and its neighbours.
    left, mid = signed[rows, np.maximum(best - 1, 0)], signed[rows, best]
    right = signed[rows, np.minimum(best + 1, signed.shape[1] - 1)]
    curve = left - 2 * mid + right
    offset = np.where(curve < -1e-6, 0.5 * (left - right) / np.where(curve < -1e-6, curve, -1.0), 0.0)
    found = a + t[:, None] * (b - a) + (s[best] + 0.5 + np.clip(offset, -0.5, 0.5))[:, None] * normal
    fallback = np.cross([*a, 1.0], [*b, 1.0])
    if strong.sum() < SAMPLES // 4:
        return fallback, float(strong.mean())
    vx, vy, x, y = cv2.fitLine(found[strong].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    line = np.cross([x, y, 1.0], [x + vx, y + vy, 1.0])
    distance = np.abs(found @ line[:2] + line[2]) / max(np.hypot(*line[:2]), 1e-9)
    return line, float((strong & (distance < 2.0)).mean())
