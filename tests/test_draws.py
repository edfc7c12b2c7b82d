"""Tests of synthcert.draws: each draw is its Generator method's value and leaves the same state."""

from __future__ import annotations

import numpy as np
import pytest

from synthcert import draws

QUAD = np.array([[3.0, 4.0], [90.0, 2.0], [88.0, 60.0], [1.0, 55.0]])
CASES = {
    "uniform": (lambda rng: draws.uniform(rng, -2.5, 7.25), lambda rng: rng.uniform(-2.5, 7.25)),
    "choice of two": (lambda rng: draws.choice(rng, (3, 5)), lambda rng: rng.choice([3, 5])),
    "choice of three": (lambda rng: draws.choice(rng, (0.25, 0.5, 0.75)), lambda rng: rng.choice([0.25, 0.5, 0.75])),
    "point_in": (lambda rng: draws.point_in(rng, QUAD), lambda rng: rng.dirichlet(np.ones(4)) @ QUAD),
    "uniforms": (lambda rng: draws.uniforms(rng, (0.8, -1.0, 0.0), (0.95, 2.5, 20.0)),
                 lambda rng: tuple(rng.uniform([0.8, -1.0, 0.0], [0.95, 2.5, 20.0]))),
}


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_a_draw_gives_its_generator_methods_value_and_state(name):
    ours, numpys = CASES[name]
    for seed in range(300):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(ours(a), numpys(b))
        assert a.random() == b.random()  # the same state after the draw
