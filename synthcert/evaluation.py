"""Corner-error metrics: how far predicted corners lie from their labels, the way users judge a detector.

Evaluation stage, numpy only: no TensorFlow, no images, no randomness. Corners are compared in their
reading order (a predicted TL with the labelled TL), never re-sorted by position. Every metric is defined
here once; `synthcert eval`, the `train.py` summary and `experiments/` call these functions.

- **corner error**: the Euclidean distance of a corner from its label, in pixels of the image the corners
  are given in (for real photos: the photo's own pixels).
- **% of width**: the corner error divided by that image's width.
- **% of text height**: the corner error divided by the label's *text height*, the mean length of its
  left (TL-BL) and right (TR-BR) sides. It does not depend on the photo's resolution or on how much of
  the frame the document fills, so renders and real photos compare on it.
- **hit**: a photo whose every corner lies within `HIT_TEXT_HEIGHTS` (a quarter) of the text height of
  its label, so that the rectified crop holds the whole field and no other line; the **hit rate** is the
  share of photos that hit.
- **coordinate MAE**: the mean absolute error over the 8 numbers x0, y0 ... x3, y3, the loss the model
  trains on, so it matches Keras's `loss` logs.
"""

from __future__ import annotations

import numpy as np

HIT_TEXT_HEIGHTS = 0.25  # a corner further off than this share of the text height reaches the next line


def as_corners(xy) -> np.ndarray:
    """Returns corners as an (N, 4, 2) float64 array from (N, 8), (N, 4, 2), (8,) or (4, 2) input.

    Raises:
        ValueError: if the input does not hold 8 numbers per sample.
    """
    a = np.asarray(xy, dtype=np.float64)
    if a.shape in ((8,), (4, 2)):
        return a.reshape(1, 4, 2)
    if (a.ndim == 2 and a.shape[1] == 8) or (a.ndim == 3 and a.shape[1:] == (4, 2)):
        return a.reshape(-1, 4, 2)
    raise ValueError(f"corners: got shape {a.shape}; expected (N, 8) or (N, 4, 2) pixel coordinates TL, TR, BR, BL")


def corner_errors(pred_xy, true_xy) -> np.ndarray:
    """Returns the distance of every predicted corner from its label.

    Args:
        pred_xy: (N, 4, 2) or (N, 8) predicted corners in image pixels, TL, TR, BR, BL of the text as read.
        true_xy: the labels, same shape and frame.

    Returns:
        (N, 4) float64 Euclidean distances in pixels.

    Raises:
        ValueError: if the shapes differ or do not hold 4 corners per sample.

    Example:
        >>> corner_errors([[0, 0, 10, 0, 10, 5, 0, 5]], [[3, 4, 10, 0, 10, 5, 0, 5]]).tolist()
        [[5.0, 0.0, 0.0, 0.0]]
    """
    pred, true = as_corners(pred_xy), as_corners(true_xy)
    if pred.shape != true.shape:
        raise ValueError(f"pred_xy has shape {pred.shape} but true_xy has {true.shape}; give one prediction per label")
    return np.linalg.norm(pred - true, axis=2)


def text_height_px(true_xy) -> np.ndarray:
    """Returns (N,) float64: the mean length of each label's left (TL-BL) and right (TR-BR) sides, in pixels.

    Example:
        >>> text_height_px([[0, 0, 40, 0, 40, 10, 0, 12]]).tolist()
        [11.0]
    """
    return _mean_side(true_xy, (0, 3), (1, 2))


def text_width_px(true_xy) -> np.ndarray:
    """Returns (N,) float64: the mean length of each label's top (TL-TR) and bottom (BL-BR) sides, in pixels.

    Example:
        >>> text_width_px([[0, 0, 40, 0, 44, 10, 0, 10]]).tolist()
        [42.0]
    """
    return _mean_side(true_xy, (0, 1), (3, 2))


def _mean_side(true_xy, side_a: tuple[int, int], side_b: tuple[int, int]) -> np.ndarray:
    c = as_corners(true_xy)
    return 0.5 * sum(np.linalg.norm(c[:, j] - c[:, i], axis=1) for i, j in (side_a, side_b))


def photo_errors(pred_xy, true_xy, image_width_px) -> dict[str, np.ndarray]:
    """Returns the per-photo metrics as arrays, one row per photo.

    Args:
        pred_xy: (N, 4, 2) or (N, 8) predicted corners in each photo's own pixels.
        true_xy: the labels, same shape and frame.
        image_width_px: the photos' widths in pixels: one number for all, or (N,).

    Returns:
        `error_px` (N, 4); `pct_width` (N, 4) and `pct_text_height` (N, 4), the same errors in % of the
        photo's width and of the label's text height; `text_height_px` (N,); `hit` (N,) bool, every corner
        within `HIT_TEXT_HEIGHTS` of the text height.

    Raises:
        ValueError: for mismatched shapes, a non-positive width or a label of zero height.

    Example:
        >>> e = photo_errors([[0, 2, 40, 0, 40, 10, 0, 10]], [[0, 0, 40, 0, 40, 10, 0, 10]], 100)
        >>> e["pct_text_height"].tolist(), e["hit"].tolist()
        ([[20.0, 0.0, 0.0, 0.0]], [True])
    """
    errors = corner_errors(pred_xy, true_xy)
    widths = np.broadcast_to(np.asarray(image_width_px, np.float64), errors.shape[:1])
    if not np.all(widths > 0):
        raise ValueError(f"image_width_px = {image_width_px}; expected the positive width of each photo")
    heights = text_height_px(true_xy)
    if not np.all(heights > 0):
        raise ValueError(f"labels {np.flatnonzero(heights <= 0).tolist()} have zero text height; fix their corners")
    pct_height = 100.0 * errors / heights[:, None]
    return {"error_px": errors, "pct_width": 100.0 * errors / widths[:, None], "pct_text_height": pct_height,
            "text_height_px": heights, "hit": np.all(pct_height <= 100.0 * HIT_TEXT_HEIGHTS, axis=1)}


def summarize(pred_xy, true_xy, image_width_px) -> dict[str, float]:
    """Returns the summary metrics of a set of predictions, as plain numbers ready for JSON.

    Args:
        pred_xy: (N, 4, 2) or (N, 8) predicted corners in each photo's own pixels.
        true_xy: the labels, same shape and frame.
        image_width_px: the photos' widths: one number for all (e.g. the model input's width), or (N,).

    Returns:
        `count`; `mean_px`, `median_px`, `p90_px`, `max_px` of the corner error; `mean_pct_width` and
        `median_pct_width`; `mean_pct_text_height`, `median_pct_text_height`, `p90_pct_text_height`,
        `max_pct_text_height`; `hits` and `hit_rate`; `per_corner_mean_px` (TL, TR, BR, BL);
        `coordinate_mae_px` (the training loss).

    Example:
        >>> m = summarize([[3, 4, 10, 0, 10, 5, 0, 5]], [[0, 0, 10, 0, 10, 5, 0, 5]], image_width_px=100)
        >>> m["mean_px"], m["mean_pct_width"], m["mean_pct_text_height"], m["hit_rate"]
        (1.25, 1.25, 25.0, 0.0)
    """
    e = photo_errors(pred_xy, true_xy, image_width_px)
    errors = e["error_px"]
    if errors.size == 0:
        raise ValueError("no predictions to summarise; give at least one labelled sample")
    pct = e["pct_text_height"]
    return {
        "count": int(errors.shape[0]),
        "mean_px": float(errors.mean()),
        "median_px": float(np.median(errors)),
        "p90_px": float(np.percentile(errors, 90)),
        "max_px": float(errors.max()),
        "mean_pct_width": float(e["pct_width"].mean()),
        "median_pct_width": float(np.median(e["pct_width"])),
        "mean_pct_text_height": float(pct.mean()),
        "median_pct_text_height": float(np.median(pct)),
        "p90_pct_text_height": float(np.percentile(pct, 90)),
        "max_pct_text_height": float(pct.max()),
        "hits": int(e["hit"].sum()),
        "hit_rate": float(e["hit"].mean()),
        "per_corner_mean_px": [float(v) for v in errors.mean(axis=0)],
        "coordinate_mae_px": float(np.abs(as_corners(pred_xy) - as_corners(true_xy)).mean()),
    }
