"""Independent label checks: they look at pixels, never at the code that computes labels."""

from __future__ import annotations

import cv2
import numpy as np


def changed_pixels_box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """Returns the continuous box [x0, x1) x [y0, y1) of every pixel that differs between two images."""
    ys, xs = np.nonzero(np.any(before != after, axis=2))
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def warp_layer(layer: np.ndarray, image_from_layer: np.ndarray, size_wh: tuple[int, int]) -> np.ndarray:
    """Warps a single-channel layer with OpenCV, converting COCO coordinates to OpenCV's pixel centres here."""
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1.0]])
    m = np.linalg.inv(shift) @ image_from_layer @ shift
    return cv2.warpPerspective(layer, m, size_wh, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def distances_outside(quad_xy: np.ndarray, points_xy: np.ndarray) -> np.ndarray:
    """Returns how far each point lies outside the quadrilateral (0 for points inside)."""
    contour = quad_xy.astype(np.float32).reshape(-1, 1, 2)
    signed = np.array([cv2.pointPolygonTest(contour, (float(x), float(y)), True) for x, y in points_xy])
    return np.maximum(-signed, 0.0)


def edge_gaps(quad_xy: np.ndarray, points_xy: np.ndarray) -> np.ndarray:
    """For each quad edge, the distance from the edge's line to the nearest point: how loose the edge is."""
    gaps = []
    for a, b in zip(quad_xy, np.roll(quad_xy, -1, axis=0), strict=True):
        normal = np.array([b[1] - a[1], a[0] - b[0]]) / np.linalg.norm(b - a)
        gaps.append(np.min(np.abs((points_xy - a) @ normal)))
    return np.array(gaps)


def blob_centroids(image: np.ndarray, colours: list[tuple[int, int, int]], tolerance: int = 60) -> list[np.ndarray]:
    """Returns the intensity-weighted centre (COCO coordinates) of each coloured marker in an RGB image."""
    centres = []
    for colour in colours:
        distance = np.linalg.norm(image.astype(np.float32) - np.array(colour, np.float32), axis=2)
        weight = np.clip(1 - distance / tolerance, 0, None)
        ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]]
        total = weight.sum()
        centres.append(np.array([(weight * (xs + 0.5)).sum() / total, (weight * (ys + 0.5)).sum() / total]))
    return centres
