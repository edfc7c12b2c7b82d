"""Pure 3x3 homography algebra: no I/O, no randomness.

Matrices are named `dst_from_src` and compose right to left: `image_from_doc = image_from_plane @
plane_from_doc`. Points are `(N, 2)` float64 arrays named `*_xy`.

Every matrix here works in continuous COCO coordinates: an image spans [0, W] x [0, H] and pixel
(i, j) covers [i, i+1) x [j, j+1). OpenCV's warps and drawing (and PIL's drawing and albumentations'
keypoints) put pixel centres at integer coordinates instead, so this module is the single place where the
half-pixel shift is applied: `opencv_from_coco` for matrices, `opencv_from_coco_xy` and
`coco_from_opencv_xy` for points.
"""

from __future__ import annotations

import math

import numpy as np

HALF_PIXEL = 0.5  # the centre of pixel (i, j) is (i, j) for OpenCV and (i + 0.5, j + 0.5) in COCO coordinates


def translation(tx: float, ty: float) -> np.ndarray:
    """Returns the (3, 3) matrix that adds (tx, ty) to every point."""
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def scaling(sx: float, sy: float | None = None) -> np.ndarray:
    """Returns the (3, 3) matrix that scales about the origin (uniformly when `sy` is None)."""
    return np.diag([sx, sx if sy is None else sy, 1.0])


def rotation(angle_deg: float) -> np.ndarray:
    """Returns the (3, 3) rotation about the origin; positive angles turn x towards y (clockwise on screen)."""
    a = np.deg2rad(angle_deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def quarter_turn(size_wh: tuple[int, int], turns: int) -> np.ndarray:
    """Returns `turned_from_image`: where `np.rot90(image, turns)` (counter-clockwise on screen) puts each point
    of an image of `size_wh`.

    Example:
        >>> transform_points(quarter_turn((40, 30), 1), [[0, 0], [40, 30]]).tolist()  # TL goes bottom left
        [[0.0, 40.0], [30.0, 0.0]]
    """
    w, h = size_wh
    m = np.eye(3)
    for k in range(turns % 4):  # each turn: (x, y) -> (y, W - x), W the width before it
        width = w if k % 2 == 0 else h
        m = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]]) @ m
    return m


def camera_homography(
    tilt_x_deg: float, tilt_y_deg: float, roll_deg: float, focal_px: float, distance: float
) -> np.ndarray:
    """Returns `image_plane_from_plane`: a pinhole camera looking at a flat sheet.

    The sheet lies in z = 0 with its centre at the origin; it is turned about x, then y, then z (roll)
    and seen from `distance` along the optical axis. The result maps sheet coordinates to image
    coordinates centred on the principal point.

    Args:
        tilt_x_deg, tilt_y_deg: rotations of the sheet about its horizontal and vertical axes.
        roll_deg: in-plane rotation.
        focal_px: focal length in output pixels.
        distance: distance from the camera to the sheet's centre, in sheet units.
    """
    ax, ay, az = np.deg2rad([tilt_x_deg, tilt_y_deg, roll_deg])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    r = rz @ ry @ rx
    # A plane point (u, v, 0) lands at R[:, 0] u + R[:, 1] v + t, so the homography is K [r1 r2 t].
    plane_to_camera = np.column_stack([r[:, 0], r[:, 1], [0.0, 0.0, distance]])
    return np.diag([focal_px, focal_px, 1.0]) @ plane_to_camera


def transform_points(m: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Applies the (3, 3) homography `m` to (N, 2) points; returns (N, 2) float64."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    p = np.column_stack([xy, np.ones(len(xy))]) @ np.asarray(m, dtype=np.float64).T
    return p[:, :2] / p[:, 2:3]


def rect_corners_xy(box_xyxy) -> np.ndarray:
    """Returns the (4, 2) corners TL, TR, BR, BL of an axis-aligned box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = (float(v) for v in box_xyxy)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def nearest_parallelogram(corners_xy) -> np.ndarray:
    """Returns the parallelogram closest to (4, 2) corners TL, TR, BR, BL in the least-squares sense.

    A parallelogram has TL + BR = TR + BL; the residual d = TL + BR - TR - BL is taken out in equal quarters
    (TL and BR move by -d/4, TR and BL by +d/4), the orthogonal projection onto that constraint.

    Example:
        >>> nearest_parallelogram([[0, 0], [10, 0], [10, 4], [4, 4]]).tolist()  # the bottom-left corner 4 px in
        [[1.0, 0.0], [9.0, 0.0], [11.0, 4.0], [3.0, 4.0]]
    """
    q = np.asarray(corners_xy, dtype=np.float64).reshape(4, 2)
    d = q[0] + q[2] - q[1] - q[3]
    return q + np.array([[-1], [1], [-1], [1]]) * d / 4


def opencv_from_coco(m: np.ndarray) -> np.ndarray:
    """Converts a homography between COCO coordinates into the one OpenCV's warps expect.

    OpenCV's pixel (i, j) has its centre at (i, j); in COCO coordinates that centre is (i + 0.5, j + 0.5).
    """
    return translation(-HALF_PIXEL, -HALF_PIXEL) @ m @ translation(HALF_PIXEL, HALF_PIXEL)


def opencv_from_coco_xy(xy) -> np.ndarray:
    """Returns (N, 2) COCO points in pixel-centre coordinates, as OpenCV and PIL draw and albumentations moves.

    Example:
        >>> opencv_from_coco_xy([[0.0, 0.0], [10.0, 4.0]]).tolist()
        [[-0.5, -0.5], [9.5, 3.5]]
    """
    return np.asarray(xy, dtype=np.float64) - HALF_PIXEL


def coco_from_opencv_xy(xy) -> np.ndarray:
    """Returns (N, 2) pixel-centre points (OpenCV, albumentations) in COCO coordinates; inverts the above.

    Example:
        >>> coco_from_opencv_xy([[0, 0]]).tolist()
        [[0.5, 0.5]]
    """
    return np.asarray(xy, dtype=np.float64) + HALF_PIXEL


def max_scale(m: np.ndarray, corners_xy: np.ndarray) -> float:
    """Returns the largest length ratio of the quadrilateral's edges after and before `m`.

    Used to choose the resolution to draw at: the result is how many output pixels one source pixel
    becomes along the most magnified edge.
    """
    # Python floats: numpy's per-call cost is most of the work on four points.
    (a, b, c), (d, e, f), (g, h, k) = np.asarray(m, dtype=np.float64).tolist()
    points = np.asarray(corners_xy, dtype=np.float64).tolist()
    moved = [((a * x + b * y + c) / (g * x + h * y + k), (d * x + e * y + f) / (g * x + h * y + k)) for x, y in points]
    ratios = []
    for i in range(len(points)):
        (x0, y0), (x1, y1) = points[i], points[(i + 1) % len(points)]
        (u0, v0), (u1, v1) = moved[i], moved[(i + 1) % len(points)]
        ratios.append(math.hypot(u1 - u0, v1 - v0) / math.hypot(x1 - x0, y1 - y0))
    return max(ratios)
