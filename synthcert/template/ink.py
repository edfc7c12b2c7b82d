"""Ink on paper: the one blend every printed or written mark uses."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def blend_ink(region: np.ndarray, alpha: np.ndarray, color: tuple[int, int, int] | np.ndarray) -> None:
    """paper * (1 - alpha) + ink colour * alpha, in place, in 8-bit OpenCV calls (a few times faster than numpy here).

    Args:
        region: (h, w, 3) uint8 RGB view of the paper.
        alpha: (h, w) uint8 opacity of the ink.
        color: the ink's RGB, or (h, w, 3) uint8 of it per pixel (the same bytes as the tuple, for every pair of
            opacity and colour value).
    """
    alpha_rgb = cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB)
    paper = cv2.multiply(region, cv2.bitwise_not(alpha_rgb), scale=1 / 255.0)
    cv2.add(paper, cv2.multiply(alpha_rgb, color, scale=1 / 255.0), dst=region)


def blend_inks(regions: Sequence[np.ndarray], alpha: np.ndarray, colors: Sequence[tuple[int, int, int]]) -> None:
    """`blend_ink` of each (region, its opacity, color) in place, as one blend of them all laid end to end: the same
    bytes when no two regions overlap, in a fixed handful of calls rather than a handful per region (a dozen fields per
    sample, most of a few hundred pixels, where each call's overhead outweighs its pixels).

    Args:
        regions: (h, w, 3) uint8 RGB views of the paper.
        alpha: the regions' (h, w) uint8 opacities laid end to end, each in row order (h * w values per region).
        colors: each region's ink.
    """
    if len(regions) == 1:
        blend_ink(regions[0], alpha.reshape(regions[0].shape[:2]), colors[0])
        return
    sizes = [region.shape[0] * region.shape[1] for region in regions]
    paper = np.concatenate(regions, axis=None).reshape(1, -1, 3)
    # Each colour's four bytes (R, G, B, 0) as one little-endian uint32, packed in Python: repeating those and dropping
    # the fourth byte is a few times faster than repeating rows of three bytes.
    rgba = np.array([red | green << 8 | blue << 16 for red, green, blue in colors], "<u4").repeat(sizes)
    ink = cv2.cvtColor(rgba.view(np.uint8).reshape(1, -1, 4), cv2.COLOR_RGBA2RGB)
    blend_ink(paper, alpha.reshape(1, -1), ink)
    start = 0
    for region, size in zip(regions, sizes, strict=True):
        region[...] = paper[0, start:start + size].reshape(region.shape)
        start += size
