"""Ink on paper: the one blend every printed or written mark uses."""

from __future__ import annotations

import cv2
import numpy as np


def blend_ink(region: np.ndarray, alpha: np.ndarray, color: tuple[int, int, int]) -> None:
    """paper * (1 - alpha) + ink colour * alpha, in place, in 8-bit OpenCV calls (a few times faster than numpy here).

    Args:
        region: (h, w, 3) uint8 RGB view of the paper.
        alpha: (h, w) uint8 opacity of the ink.
    """
    alpha_rgb = cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB)
    paper = cv2.multiply(region, cv2.bitwise_not(alpha_rgb), scale=1 / 255.0)
    cv2.add(paper, cv2.multiply(alpha_rgb, color, scale=1 / 255.0), dst=region)
