"""Pictures of predictions: corners drawn over images, grids of them, and rectified crops of the number.

Reporting stage; pure functions of arrays (OpenCV drawing), no TensorFlow, no randomness. Corners are
COCO pixel coordinates, TL, TR, BR, BL of the text as read; the first corner is marked with a dot so a
wrong reading order shows.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from synthcert import geometry

TRUTH_RGB = (40, 220, 40)
PREDICTION_RGB = (235, 40, 40)
SUBPIXEL_BITS = 4


def draw_corners(image: np.ndarray, corners_xy: np.ndarray, colour=PREDICTION_RGB, thickness: int = 1,
                 dot_radius: int = 2) -> np.ndarray:
    """Returns a copy of an image with a quadrilateral drawn on it and a filled dot on its first corner.

    Args:
        image: (H, W, 3) uint8 RGB.
        corners_xy: (4, 2) float in the image's pixels (COCO), TL, TR, BR, BL.
        colour: RGB of the outline and the TL dot.
        thickness, dot_radius: of the outline and the dot, in pixels.
    """
    out = np.ascontiguousarray(image).copy()
    pts = np.round(geometry.opencv_from_coco_xy(corners_xy) * (1 << SUBPIXEL_BITS)).astype(np.int32)
    cv2.polylines(out, [pts.reshape(-1, 1, 2)], True, colour, thickness, cv2.LINE_AA, shift=SUBPIXEL_BITS)
    cv2.circle(out, tuple(int(v) for v in pts[0]), dot_radius << SUBPIXEL_BITS, colour, -1, cv2.LINE_AA,
               shift=SUBPIXEL_BITS)
    return out


def prediction_grid(
    images: Sequence[np.ndarray], pred_xy: np.ndarray, true_xy: np.ndarray | None = None, columns: int = 4,
    scale: int = 2,
) -> np.ndarray:
    """Returns one RGB image tiling every image with its prediction (red) over its label (green).

    Args:
        images: same-size (H, W, 3) uint8 RGB images.
        pred_xy: (N, 4, 2) predicted corners in those images' pixels.
        true_xy: (N, 4, 2) labels, or None to draw predictions only.
        columns: tiles per row.
        scale: integer enlargement of each tile, so that outlines on small images stay readable.
    """
    if len(images) == 0:
        raise ValueError("no images to draw; give at least one")
    tiles = []
    for i, image in enumerate(images):
        tile = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        if true_xy is not None:
            tile = draw_corners(tile, np.asarray(true_xy[i]) * scale, TRUTH_RGB)
        tiles.append(draw_corners(tile, np.asarray(pred_xy[i]) * scale, PREDICTION_RGB))
    columns = min(columns, len(tiles))
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % columns)
    return np.vstack([np.hstack(tiles[r:r + columns]) for r in range(0, len(tiles), columns)])


def rectify(image: np.ndarray, corners_xy: np.ndarray, height_px: int = 48) -> np.ndarray:
    """Returns the quadrilateral cut out and straightened into an upright rectangle: the input OCR wants.

    The width follows the quadrilateral's mean aspect ratio. TL lands at the crop's top left whatever the
    rotation in the photo, because the corners are in reading order.

    Args:
        image: (H, W, 3) uint8 RGB.
        corners_xy: (4, 2) float in image pixels (COCO), TL, TR, BR, BL.
        height_px: the crop's height.

    Returns:
        (height_px, width, 3) uint8 RGB.
    """
    c = np.asarray(corners_xy, np.float64)
    widths = np.linalg.norm(c[1] - c[0]), np.linalg.norm(c[2] - c[3])
    heights = np.linalg.norm(c[3] - c[0]), np.linalg.norm(c[2] - c[1])
    width_px = max(1, int(round(height_px * np.mean(widths) / max(np.mean(heights), 1e-6))))
    crop_from_image = cv2.getPerspectiveTransform(
        c.astype(np.float32), geometry.rect_corners_xy((0, 0, width_px, height_px)).astype(np.float32)
    )
    m = geometry.opencv_from_coco(crop_from_image.astype(np.float64))
    return cv2.warpPerspective(image, m, (width_px, height_px), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


QUAD_RGB = ((235, 40, 40), (40, 90, 255), (230, 150, 0), (160, 40, 200), (0, 160, 160))


def zoom_sheet(image: np.ndarray, quads: dict[str, np.ndarray], width: int = 960) -> np.ndarray:
    """Returns one picture of a photo: the whole photo, then a zoom on the quads, then a legend.

    The first quad (the label, say) is drawn green, the others in `QUAD_RGB` order; each has a dot on its
    first corner, so a wrong reading order shows. The zoom spans every quad plus a margin.

    Args:
        image: (H, W, 3) uint8 RGB photo of any size.
        quads: name -> (4, 2) corners in the photo's pixels (COCO), TL, TR, BR, BL; the first is the label.
        width: width of the picture in pixels.
    """
    colours = dict(zip(quads, (TRUTH_RGB, *QUAD_RGB), strict=False))
    scale = width / image.shape[1]
    whole = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    every = np.concatenate([np.asarray(q, np.float64) for q in quads.values()])
    (x0, y0), (x1, y1) = every.min(axis=0), every.max(axis=0)
    m = 0.3 * max(x1 - x0, y1 - y0)
    box = (int(max(x0 - m, 0)), int(max(y0 - m, 0)), int(min(x1 + m, image.shape[1])), int(min(y1 + m, image.shape[0])))
    zoom_scale = width / max(box[2] - box[0], 1)
    zoom = cv2.resize(image[box[1]:box[3], box[0]:box[2]], None, fx=zoom_scale, fy=zoom_scale,
                      interpolation=cv2.INTER_CUBIC)
    legend = np.full((30 * len(quads) + 10, width, 3), 255, np.uint8)
    for i, (name, quad) in enumerate(quads.items()):
        whole = draw_corners(whole, np.asarray(quad) * scale, colours[name], thickness=2, dot_radius=5)
        zoom = draw_corners(zoom, (np.asarray(quad) - box[:2]) * zoom_scale, colours[name], thickness=2, dot_radius=5)
        cv2.putText(legend, name, (10, 28 + 30 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.7, colours[name], 2, cv2.LINE_AA)
    return np.vstack([whole, zoom, legend])

