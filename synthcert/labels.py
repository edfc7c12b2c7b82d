"""Corner labels: a field's ink-tight box in the document frame, carried through `image_from_doc`.

Corners stay in the text's reading order (TL, TR, BR, BL of the text as read), never re-sorted by image
position: sorting breaks at large rotations. Visibility is a flag per corner; a corner exactly on the
image's edge (x = 0 or x = W) is inside and visible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from synthcert import geometry
from synthcert.samples import FieldLabel

# A corner computed to lie on the edge (x = W) can come out a few ulps beyond it; that is still the edge.
EDGE_TOLERANCE_PX = 1e-6
_PAD_SIGNS = np.array([-1.0, -1.0, 1.0, 1.0])  # a padded box: (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
_CORNER_COLUMNS = np.array([0, 1, 2, 1, 2, 3, 0, 3])  # (x0, y0, x1, y1) -> TL, TR, BR, BL, as rect_corners_xy


def padded_box(box_xyxy, padding_ratio: float) -> tuple[float, float, float, float]:
    """Grows a document-frame box on every side by `padding_ratio` of its height."""
    x0, y0, x1, y1 = box_xyxy
    pad = padding_ratio * (y1 - y0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def corners_visible(corners_xy: np.ndarray, image_size_wh: tuple[int, int]) -> np.ndarray:
    """Returns (N,) bools: whether each point lies in the closed rectangle [0, W] x [0, H]."""
    w, h = image_size_wh
    x, y, eps = corners_xy[:, 0], corners_xy[:, 1], EDGE_TOLERANCE_PX
    return (x >= -eps) & (x <= w + eps) & (y >= -eps) & (y <= h + eps)


def project_fields(
    texts: Mapping[str, str], boxes_xyxy: Mapping[str, tuple], image_from_doc: np.ndarray,
    image_size_wh: tuple[int, int], padding_ratio: float = 0.0,
    move_points: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, FieldLabel]:
    """Returns the label of every field printed in `boxes_xyxy` (document frame) as seen in the image.

    All boxes go through `image_from_doc` in one matrix product, then through `move_points` (e.g. the
    paper's bend, `scene.bend.bend_points`) when given.
    """
    if not boxes_xyxy:
        return {}
    # padded_box and rect_corners_xy of every box at once: (N, 4) boxes -> (4N, 2) corners TL, TR, BR, BL.
    boxes = np.array(list(boxes_xyxy.values()), np.float64)
    boxes += np.multiply.outer(padding_ratio * (boxes[:, 3] - boxes[:, 1]), _PAD_SIGNS)
    corners = geometry.transform_points(image_from_doc, boxes[:, _CORNER_COLUMNS])
    if move_points is not None:
        corners = move_points(corners)
    visible = corners_visible(corners, image_size_wh)
    return {name: FieldLabel(texts[name], corners[4 * k:4 * k + 4], visible[4 * k:4 * k + 4])
            for k, name in enumerate(boxes_xyxy)}
