"""The one geometric warp: the flat document goes straight into the output image over its background.

Pixels only: the labels come from the same matrix in `synthcert.labels`, never from these pixels.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from synthcert import geometry
from synthcert.scene.bend import BendParams, apply_bend, max_displacement_px


def photograph(document: np.ndarray, image_from_pixels: np.ndarray, background: np.ndarray,
               bend: BendParams | None = None) -> np.ndarray:
    """Warps `document` by `image_from_pixels` onto `background`, antialiasing the sheet's edge.

    Args:
        document: (h, w, 3) uint8 RGB, the flat document at the resolution it was drawn.
        image_from_pixels: (3, 3) from `document`'s COCO coordinates to the output's.
        background: (H, W, 3) uint8 RGB; it sets the output size and is not modified.
        bend: a deformation of the warped sheet (`scene.bend`), or None for flat paper.

    Returns:
        (H, W, 3) uint8 RGB.
    """
    out_h, out_w = background.shape[:2]
    out = background.copy()
    x0, y0, x1, y1 = _footprint(image_from_pixels, document.shape[:2], (out_h, out_w))
    if x1 <= x0 or y1 <= y0:
        return out
    # Warp only the box the sheet can reach: outside it the photo is the background. One warp of RGBA
    # carries the sheet's coverage in alpha, and OpenCV warps four channels faster than three. The warp
    # filters the document against transparent black, so the colour is premultiplied.
    document = cv2.cvtColor(document, cv2.COLOR_RGB2RGBA)
    if bend is None or not bend.components:
        rgba = _warp(document, image_from_pixels, (x0, y0, x1, y1))
    else:
        # The bent sheet lands within `margin` of the flat one and pulls from within `margin` of where it
        # lands, which may lie beyond the frame: the warp covers that too.
        margin = math.ceil(max_displacement_px(bend, (out_w, out_h))) + 1
        x0, y0 = max(x0 - margin, 0), max(y0 - margin, 0)
        x1, y1 = min(x1 + margin, out_w), min(y1 + margin, out_h)
        source = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        rgba = apply_bend(_warp(document, image_from_pixels, source), bend, (x0, y0, x1, y1), source[:2])
    region = out[y0:y1, x0:x1]
    uncovered = cv2.bitwise_not(cv2.extractChannel(rgba, 3))
    behind = cv2.multiply(region, cv2.merge([uncovered] * 3), scale=1 / 255.0)
    cv2.add(cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB), behind, dst=region)
    return out


def _warp(rgba: np.ndarray, image_from_pixels: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The document warped into the output pixels of `box` (x0, y0, x1, y1), transparent where it is not."""
    m = geometry.translation(-box[0], -box[1]) @ image_from_pixels
    return cv2.warpPerspective(rgba, geometry.opencv_from_coco(m), (box[2] - box[0], box[3] - box[1]),
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def _footprint(image_from_pixels: np.ndarray, shape_hw, out_shape_hw) -> tuple[int, int, int, int]:
    """Returns the integer box (x0, y0, x1, y1) of output pixels the warped sheet can touch.

    The whole image when part of the sheet lies behind the camera, where the projected corners mean nothing.
    """
    h, w = shape_hw
    out_h, out_w = out_shape_hw
    (a, b, c), (d, e, f), (g, k, m) = image_from_pixels.tolist()  # plain floats: numpy is slower on 4 points
    xs, ys = [], []
    for x, y in ((0, 0), (w, 0), (w, h), (0, h)):
        z = g * x + k * y + m
        if z <= 0:
            return 0, 0, out_w, out_h
        xs.append((a * x + b * y + c) / z)
        ys.append((d * x + e * y + f) / z)
    # One pixel of margin for the bilinear filter's reach past the sheet's edge.
    x0, y0 = max(math.floor(min(xs)) - 1, 0), max(math.floor(min(ys)) - 1, 0)
    x1, y1 = min(math.ceil(max(xs)) + 1, out_w), min(math.ceil(max(ys)) + 1, out_h)
    return x0, y0, x1, y1
