"""Confidence from the heatmaps' spread, calibrated on renders: the probability that a photo is a hit.

Training/inference stage, numpy only. A heatmap with one sharp peak has a small spread; one torn between
two places, a wide one (`synthcert.keras.heatmap_spread`). The confidence is a logistic function of the
logarithm of the widest corner spread (in text heights), fitted on renders whose hits and misses are known,
so that it reads as "the share of such photos that hit" on photos like the renders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOOR = 1e-3  # spreads below a thousandth of the text height are all equally sharp


def spread_feature(spread_text_heights) -> np.ndarray:
    """(N,) log of each photo's widest corner spread, from (N, 4) spreads in text heights."""
    s = np.asarray(spread_text_heights, np.float64).reshape(-1, 4)
    return np.log(np.maximum(s.max(axis=1), FLOOR))


@dataclass(frozen=True)
class Calibration:
    """`confidence = 1 / (1 + exp(-(bias + slope * log(widest spread))))`.

    Attributes:
        bias, slope: the logistic's coefficients (slope < 0: a wider spread, a lower confidence).
        count, hit_rate: the renders it was fitted on and their share of hits.
    """

    bias: float = 0.0
    slope: float = 0.0
    count: int = 0
    hit_rate: float = float("nan")

    def confidence(self, spread_text_heights) -> np.ndarray:
        """(N,) confidence in [0, 1] from (N, 4) corner spreads in text heights."""
        z = self.bias + self.slope * spread_feature(spread_text_heights)
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"bias": self.bias, "slope": self.slope, "count": self.count, "hit_rate": self.hit_rate}


def fit_calibration(spread_text_heights, hits, ridge: float = 1e-3, steps: int = 50) -> Calibration:
    """Fits the logistic by Newton's method (a small ridge keeps it finite when hits and spreads separate).

    Args:
        spread_text_heights: (N, 4) corner spreads of renders, in text heights.
        hits: (N,) bool, whether each render was a hit (`synthcert.evaluation.photo_errors`).

    Example:
        >>> c = fit_calibration([[0.05] * 4] * 20 + [[0.5] * 4] * 20, [True] * 20 + [False] * 20)
        >>> bool(c.confidence([[0.05] * 4])[0] > 0.9 > 0.1 > c.confidence([[0.5] * 4])[0])
        True
    """
    x = spread_feature(spread_text_heights)
    y = np.asarray(hits, np.float64).reshape(-1)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{len(x)} spreads and {len(y)} hits; expected one hit flag per photo, at least one")
    a = np.column_stack([np.ones_like(x), x])
    w = np.zeros(2)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        gradient = a.T @ (p - y) + ridge * w
        hessian = (a * (p * (1 - p))[:, None]).T @ a + ridge * np.eye(2)
        w -= np.linalg.solve(hessian, gradient)
    return Calibration(float(w[0]), float(w[1]), int(len(y)), float(y.mean()))
