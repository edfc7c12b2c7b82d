"""The typed records that flow between stages and out of the library.

Every array states its shape, dtype and frame. Records check themselves on construction, so that a
writer, a preview or the Keras stream can trust any record it is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TARGET = "registration_number"
CORNER_NAMES = ("top_left", "top_right", "bottom_right", "bottom_left")


@dataclass(frozen=True)
class FieldLabel:
    """One printed field in one image.

    Attributes:
        text: the printed text.
        corners: (4, 2) float64 in image pixels (COCO: the image spans [0, W] x [0, H]); TL, TR, BR, BL
            of the text as read, so an upside-down photo has its first corner at the image's lower right.
        visible: (4,) bool, whether each corner lies inside the image (edges included: 0 and W are inside).
    """

    text: str
    corners: np.ndarray
    visible: np.ndarray

    def __post_init__(self):
        corners = np.asarray(self.corners, dtype=np.float64)
        visible = np.asarray(self.visible, dtype=bool)
        # Python's isfinite over eight floats: a tenth of numpy's per-call cost, and a dozen labels per sample.
        if corners.shape != (4, 2) or not all(map(math.isfinite, corners.ravel().tolist())):
            raise ValueError(f"corners: expected (4, 2) finite floats, got {corners.shape} {corners.tolist()}")
        if visible.shape != (4,):
            raise ValueError(f"visible: expected (4,) bools, got shape {visible.shape}")
        object.__setattr__(self, "corners", corners)
        object.__setattr__(self, "visible", visible)


@dataclass(frozen=True)
class Sample:
    """One labelled image: what the renderer returns and what the dataset readers return.

    Attributes:
        image: (H, W, 3) uint8 RGB.
        fields: field name -> FieldLabel; the target is `registration_number`.
        template: name of the template it was rendered from, or of the dataset it was read from.
        seed, index: its address in a synthetic dataset (None for real photos).
        image_from_doc: (3, 3) float64 homography from the document frame to the image (None when unknown).
        source: "synthetic", or the file the image was read from.
    """

    image: np.ndarray
    fields: dict[str, FieldLabel]
    template: str
    seed: int | None = None
    index: int | None = None
    image_from_doc: np.ndarray | None = None
    source: str = "synthetic"

    def __post_init__(self):
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(f"image: expected (H, W, 3) uint8, got {self.image.shape} {self.image.dtype}")

    @property
    def size_wh(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])

    @property
    def target(self) -> FieldLabel:
        """The registration number's label."""
        return self.fields[TARGET]
