"""Scalar draws for the samplers: the values of NumPy's Generator methods at a fraction of their cost.

Sampling only (no pixels), for every stage that draws many scalars (the photometric effects, fingers and
bends); `synthcert.rng` makes the generators. Each function returns exactly what the Generator call named
in its docstring returns from the same state, and leaves the generator in the same state, so swapping one
for the other changes no byte. A sample makes some thirty scalar draws, and `Generator.uniform` costs 3 us
a call, `choice` 11 us and `dirichlet` 17 us, where `random` and `standard_exponential` cost about 1 us.
"""

from __future__ import annotations

import numpy as np


def uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """`rng.uniform(lo, hi)`: lo + (hi - lo) * u, as NumPy computes it.

    Example:
        >>> uniform(np.random.default_rng(3), 2.0, 4.0) == np.random.default_rng(3).uniform(2.0, 4.0)
        True
    """
    return lo + (hi - lo) * rng.random()


def uniforms(rng: np.random.Generator, lo: tuple[float, ...], hi: tuple[float, ...]) -> tuple[float, ...]:
    """`tuple(rng.uniform(lo, hi))` for sequences of bounds: one `uniform` per pair, in order (NumPy's
    broadcast draws them so), a sixth of its cost for three.

    Example:
        >>> drawn = uniforms(np.random.default_rng(3), (0, 1), (2, 4))
        >>> drawn == tuple(np.random.default_rng(3).uniform((0, 1), (2, 4)))
        True
    """
    return tuple(uniform(rng, a, b) for a, b in zip(lo, hi, strict=True))


def choice(rng: np.random.Generator, options: tuple):
    """`rng.choice(options)` of a few values: NumPy picks the index with `integers(0, len(options))`.

    Example:
        >>> thirds = (1 / 3, 1 / 2, 2 / 3)
        >>> bool(choice(np.random.default_rng(3), thirds) == np.random.default_rng(3).choice(thirds))
        True
    """
    return options[int(rng.integers(0, len(options)))]


def point_in(rng: np.random.Generator, quad_xy: np.ndarray) -> np.ndarray:
    """`rng.dirichlet(np.ones(4)) @ quad_xy`: a random convex combination of four points ((4, 2) float64).

    NumPy draws a flat Dirichlet as four standard exponentials, each times the inverse of their sum (added in order).
    """
    e = rng.standard_exponential(4)
    e0, e1, e2, e3 = e.tolist()  # the sum in Python floats: NumPy's scalars cost ten times as much
    return (e * (1.0 / (((e0 + e1) + e2) + e3))).dot(quad_xy)
