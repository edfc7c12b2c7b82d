"""The renewing pool: the renderer's samples, each served F times, renewed by background renders in order."""

from collections import Counter

import numpy as np
import pytest

from synthcert import RenderConfig, Renderer
from synthcert.training.renewing import RenewingPool

CONFIG = RenderConfig().replace(scene={"image_size_wh": (48, 32)}, photometric={"preset": "none"})


def _index_of(image, rendered):
    matches = [i for i, r in rendered.items() if np.array_equal(r, image)]
    assert len(matches) == 1
    return matches[0]


def test_every_served_sample_is_the_renderers_and_is_served_freshness_times():
    n, f, batch = 6, 3, 4
    pool = RenewingPool(n, seed=1, config=CONFIG, freshness=f, workers=0)
    renderer = Renderer(config=CONFIG)
    rendered = {i: renderer.render(i, seed=1).image for i in range(4 * n)}
    served = Counter()
    for b in range(9):  # 36 serves: six passes
        images, corners = pool.batch(b, batch)
        for image, corner in zip(images, corners, strict=True):
            i = _index_of(image, rendered)
            np.testing.assert_array_equal(corner, renderer.render(i, seed=1).target.corners)
            served[i] += 1
    assert pool.stats.served == 36 and pool.stats.rendered == n + 5 * n // f
    # Samples that entered and left within the six passes were served exactly F times.
    entered_and_left = [pool.sample_index(s, p) for s in range(n) for p in (1, 2, 3)
                        if (p + s % f) % f == 0 and p + f <= 5]
    assert entered_and_left and all(served[i] == f for i in entered_and_left)


def test_a_renewing_pool_refuses_batches_more_than_a_pass_behind():
    pool = RenewingPool(4, seed=0, config=CONFIG, freshness=1, workers=0)
    pool.batch(3, 4)
    with pytest.raises(ValueError, match="serves batches in order, give or take a pass"):
        pool.batch(1, 4)


def test_a_batch_of_the_pass_before_is_served_as_it_was_after_the_renewal():
    early = RenewingPool(4, seed=3, config=CONFIG, freshness=1, workers=0)
    late = RenewingPool(4, seed=3, config=CONFIG, freshness=1, workers=0)
    first = early.batch(0, 4)
    late.batch(1, 4)  # every slot renewed (freshness 1): pass 0's samples survive only aside
    for a, b in zip(first, late.batch(0, 4), strict=True):
        np.testing.assert_array_equal(a, b)


def test_background_render_processes_give_the_same_batches():
    here = RenewingPool(4, seed=2, config=CONFIG, freshness=2, workers=0)
    away = RenewingPool(4, seed=2, config=CONFIG, freshness=2, workers=1)
    try:
        for b in range(5):
            for a, c in zip(here.batch(b, 3), away.batch(b, 3), strict=True):
                np.testing.assert_array_equal(a, c)
    finally:
        away.close()


def test_a_settled_pool_serves_what_the_renewing_pool_held_from_batch_zero_again():
    pool = RenewingPool(4, seed=1, config=CONFIG, freshness=2, workers=0)
    for b in range(4):  # 16 serves: four passes, half the slots renewed in each
        pool.batch(b, 4)
    held = pool.images.copy()
    fixed = pool.settled()
    images, corners = fixed.batch(0, 4)
    assert sorted(_index_of(image, dict(enumerate(held))) for image in images) == [0, 1, 2, 3]
    renderer = Renderer(config=CONFIG)
    newest = {i: renderer.render(i, seed=1).image for i in range(12)}
    assert {_index_of(image, newest) for image in held} != {0, 1, 2, 3}  # renewed samples, not the first four
