"""Fit any photo into the model's input size without distorting it, and map corners both ways exactly.

Training/inference input stage; pure functions, no randomness, never changes a corner's order. In COCO
coordinates (the image spans [0, W] x [0, H]) a resize from w to w' pixels maps x to x * w' / w with no
half-pixel shift (OpenCV's `resize` aligns pixel areas, not pixel centres), and padding by an integer
offset adds it. Nothing else happens to the corners.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PAD_VALUE = 127  # neutral grey: never mistaken for paper or ink


@dataclass(frozen=True)
class Letterbox:
    """Where an image landed in the model input: `input_xy = image_xy * scale_xy + offset_xy`.

    Attributes:
        image_size_wh: size of the original image (W, H).
        input_size_wh: size of the model input (W, H).
        resized_wh: size of the resized image inside the input.
        offset_xy: integer padding left and top, in input pixels.
    """

    image_size_wh: tuple[int, int]
    input_size_wh: tuple[int, int]
    resized_wh: tuple[int, int]
    offset_xy: tuple[int, int]

    @property
    def scale_xy(self) -> np.ndarray:
        """(2,) float64: input pixels per image pixel along x and y (equal up to rounding of the size)."""
        return np.array(self.resized_wh, np.float64) / np.array(self.image_size_wh, np.float64)

    def to_input(self, image_xy: np.ndarray) -> np.ndarray:
        """Maps (N, 2) points from the original image to the model input (COCO coordinates both)."""
        return np.asarray(image_xy, np.float64) * self.scale_xy + np.array(self.offset_xy, np.float64)

    def to_image(self, input_xy: np.ndarray) -> np.ndarray:
        """Maps (N, 2) points from the model input back to the original image."""
        return (np.asarray(input_xy, np.float64) - np.array(self.offset_xy, np.float64)) / self.scale_xy


def plan_letterbox(image_size_wh: tuple[int, int], input_size_wh: tuple[int, int]) -> Letterbox:
    """Returns the largest centred fit of an image into the input that keeps its aspect ratio.

    Example:
        >>> plan_letterbox((400, 400), (192, 128))
        Letterbox(image_size_wh=(400, 400), input_size_wh=(192, 128), resized_wh=(128, 128), offset_xy=(32, 0))
    """
    (w, h), (iw, ih) = image_size_wh, input_size_wh
    if min(w, h, iw, ih) <= 0:
        raise ValueError(f"image size {w}x{h} and input size {iw}x{ih}: expected positive sizes")
    s = min(iw / w, ih / h)
    rw, rh = min(iw, max(1, round(w * s))), min(ih, max(1, round(h * s)))
    return Letterbox((w, h), (iw, ih), (rw, rh), ((iw - rw) // 2, (ih - rh) // 2))


def letterbox(image: np.ndarray, input_size_wh: tuple[int, int]) -> tuple[np.ndarray, Letterbox]:
    """Resizes an (H, W, 3) uint8 image into the input size, padding the rest with grey.

    Returns:
        The (input_h, input_w, 3) uint8 image and the Letterbox that maps corners into it.

    Example:
        >>> out, box = letterbox(np.zeros((300, 600, 3), np.uint8), (192, 128))
        >>> out.shape, box.to_input([[600.0, 300.0]]).tolist()
        ((128, 192, 3), [[192.0, 112.0]])
    """
    h, w = image.shape[:2]
    box = plan_letterbox((w, h), input_size_wh)
    if (box.resized_wh, box.offset_xy) == ((w, h), (0, 0)):
        return image, box
    shrinking = box.resized_wh[0] < w
    resized = cv2.resize(image, box.resized_wh, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    iw, ih = input_size_wh
    out = np.full((ih, iw, 3), PAD_VALUE, np.uint8)
    (x0, y0), (rw, rh) = box.offset_xy, box.resized_wh
    out[y0:y0 + rh, x0:x0 + rw] = resized
    return out, box
