"""The one geometric warp: the flat document goes straight into the output image over its background.

Pixels only: the labels come from the same matrix in `synthcert.labels`, never from these pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from synthcert import geometry


def photograph(document: np.ndarray, image_from_pixels: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Warps `document` by `image_from_pixels` onto `background`, antialiasing the sheet's edge.

    Args:
        document: (h, w, 3) uint8 RGB, the flat document at the resolution it was drawn.
        image_from_pixels: (3, 3) from `document`'s COCO coordinates to the output's.
        background: (H, W, 3) uint8 RGB; it sets the output size and is not modified.

    Returns:
        (H, W, 3) uint8 RGB.
    """
    out_h, out_w = background.shape[:2]
    m = geometry.opencv_from_coco(image_from_pixels)
    warped = cv2.warpPerspective(document, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    coverage = cv2.warpPerspective(
        np.full(document.shape[:2], 255, np.uint8), m, (out_w, out_h), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
    )
    # The warp filtered the document against black, so `warped` is premultiplied by `coverage`.
    behind = cv2.multiply(background, cv2.merge([255 - coverage] * 3), scale=1 / 255.0)
    return cv2.add(warped, behind)
