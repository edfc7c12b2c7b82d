"""Sample a camera pose and turn it into one matrix, `image_from_doc`.

The document is a flat sheet seen by a pinhole camera: tilted about both axes, rolled in plane, at the
distance at which the sampled 35 mm-equivalent focal length makes it fill the sampled share of the
frame, and shifted off centre. Only the matrix leaves this module; pixels are warped elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthcert import geometry
from synthcert.config import SceneConfig

SENSOR_WIDTH_MM = 36.0  # a 35 mm-equivalent focal length is defined against a 36 mm wide frame


@dataclass(frozen=True)
class CameraParams:
    """One sampled camera pose; angles in degrees, offsets as fractions of the image size."""

    tilt_x_deg: float
    tilt_y_deg: float
    roll_deg: float
    focal_mm: float
    fill: float
    offset_xy: tuple[float, float]


def sample_camera(config: SceneConfig, rng: np.random.Generator) -> CameraParams:
    """Draws one camera pose from the ranges of `config`."""
    return CameraParams(
        tilt_x_deg=float(rng.uniform(*config.tilt_x_range_deg)),
        tilt_y_deg=float(rng.uniform(*config.tilt_y_range_deg)),
        roll_deg=float(rng.uniform(*config.roll_range_deg)),
        focal_mm=float(rng.uniform(*config.focal_mm_range)),
        fill=float(rng.uniform(*config.fill_range)),
        offset_xy=(float(rng.uniform(*config.offset_range)), float(rng.uniform(*config.offset_range))),
    )


def image_from_doc(camera: CameraParams, doc_size_wh: tuple[int, int], image_size_wh: tuple[int, int]) -> np.ndarray:
    """Returns the (3, 3) homography from document pixels to image pixels (both COCO coordinates).

    The sheet is measured in document widths (plane_from_doc), so perspective depends on the focal
    length and fill only, not on the art's resolution.
    """
    doc_w, doc_h = doc_size_wh
    out_w, out_h = image_size_wh
    plane_from_doc = geometry.scaling(1.0 / doc_w) @ geometry.translation(-doc_w / 2, -doc_h / 2)
    focal_px = camera.focal_mm / SENSOR_WIDTH_MM * out_w
    # At this distance an upright sheet one unit wide spans `fill` of the image width; a portrait sheet
    # (taller than wide) spans `fill` of the image height instead, so that it fits any output size.
    span_px = out_w if doc_h <= doc_w else out_h * doc_w / doc_h
    distance = focal_px / (camera.fill * span_px)
    centred_from_plane = geometry.camera_homography(
        camera.tilt_x_deg, camera.tilt_y_deg, camera.roll_deg, focal_px, distance
    )
    centre = (out_w * (0.5 + camera.offset_xy[0]), out_h * (0.5 + camera.offset_xy[1]))
    return geometry.translation(*centre) @ centred_from_plane @ plane_from_doc
