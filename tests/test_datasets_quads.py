"""Quadrilateral rules on hand-built quads with known answers: usable labels (`quad_problem`) and plausible views
of one printed line (`view_problem`, the rule for answers and for the refiner's training quads)."""

import numpy as np
import pytest

from synthcert.datasets.quads import quad_problem, view_problem

# TL, TR, BR, BL in image coordinates (y down); the answer is the start of the reason, or None.
VIEWS = {
    "rectangle": ([[0, 0], [40, 0], [40, 10], [0, 10]], None),
    "perspective_trapezoid": ([[0, 0], [40, 0], [35, 10], [5, 10]], None),  # bottom 30 of top 40
    "sides_exactly_4x_apart": ([[0, 0], [40, 0], [25, 10], [15, 10]], None),  # bottom 10 of top 40
    "bottom_collapsed": ([[0, 0], [40, 0], [24.5, 10], [15.5, 10]], "is folded: its top side is 4.4 x as long as "
                                                                     "its bottom side"),
    "left_collapsed": ([[0, 0], [40, 0], [40, 10], [0, 1.5]], "is folded: its right side is 6.7 x as long as its "
                                                                "left side"),
    "crossed": ([[0, 0], [40, 10], [40, 0], [0, 10]], "is self-intersecting or concave"),
    "counter_clockwise": ([[0, 0], [0, 10], [40, 10], [40, 0]], "corners run counter-clockwise"),
    "two_corners_coincide": ([[0, 0], [40, 0], [40, 0], [0, 10]], "is degenerate: top_right and bottom_right"),
}


@pytest.mark.parametrize(("corners", "reason"), VIEWS.values(), ids=VIEWS.keys())
def test_view_problem_refuses_crossed_and_folded_quads_and_says_which_sides(corners, reason):
    problem = view_problem(np.array(corners, np.float64))
    assert problem == reason if reason is None else problem.startswith(reason), problem


@pytest.mark.parametrize("name", ["bottom_collapsed", "left_collapsed"])
def test_a_folded_quad_is_still_a_usable_label_shape(name):
    # Folding is a rule about views of one line, not about label files: a dataset may hold such a quad.
    assert quad_problem(np.array(VIEWS[name][0], np.float64)) is None
