"""Corner-error metrics: how far predicted registration-number corners lie from their labels.

Evaluation stage, numpy only: no TensorFlow, no images, no randomness. Corners are compared in their
reading order (a predicted TL with the labelled TL), never re-sorted by position.

Two errors are reported. The *corner error* is the Euclidean distance of a corner from its label, in
pixels of the image the corners are given in; `pct_width` divides it by that image's width. The
*coordinate MAE* is the mean absolute error over the 8 numbers x0, y0 ... x3, y3: the loss the model
trains on, so it matches Keras's `loss`/`mae` logs.
"""

from __future__ import annotations

import numpy as np


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


def summarize(pred_xy, true_xy, image_width_px: float) -> dict[str, float]:
    """Returns the summary metrics of a set of predictions, as plain floats ready for JSON.

    Args:
        pred_xy: (N, 4, 2) or (N, 8) predicted corners in pixels of images `image_width_px` wide.
        true_xy: the labels, same shape and frame.
        image_width_px: the width of the images the corners are given in (the model input's width).

    Returns:
        `count`; `mean_px`, `median_px`, `p90_px`, `max_px` of the corner error; `mean_pct_width` and
        `median_pct_width` (the same in % of the image width); `per_corner_mean_px` (TL, TR, BR, BL);
        `coordinate_mae_px` (the training loss).

    Example:
        >>> m = summarize([[0, 0, 10, 0, 10, 5, 0, 5]], [[3, 4, 10, 0, 10, 5, 0, 5]], image_width_px=100)
        >>> m["mean_px"], m["mean_pct_width"], m["coordinate_mae_px"]
        (1.25, 1.25, 0.875)
    """
    if not image_width_px > 0:
        raise ValueError(f"image_width_px = {image_width_px}; expected the positive width of the model input")
    errors = corner_errors(pred_xy, true_xy)
    if errors.size == 0:
        raise ValueError("no predictions to summarise; give at least one labelled sample")
    mean, median = float(errors.mean()), float(np.median(errors))
    return {
        "count": int(errors.shape[0]),
        "mean_px": mean,
        "median_px": median,
        "p90_px": float(np.percentile(errors, 90)),
        "max_px": float(errors.max()),
        "mean_pct_width": 100.0 * mean / image_width_px,
        "median_pct_width": 100.0 * median / image_width_px,
        "per_corner_mean_px": [float(v) for v in errors.mean(axis=0)],
        "coordinate_mae_px": float(np.abs(as_corners(pred_xy) - as_corners(true_xy)).mean()),
    }
