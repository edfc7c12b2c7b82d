"""The pre-rendered pool: exactly the renderer's samples, drawn once per pass in a new order each pass."""

import numpy as np

from synthcert import RenderConfig, Renderer
from synthcert.training.pool import SyntheticPool

CONFIG = RenderConfig().replace(scene={"image_size_wh": (64, 48)})


def test_pool_holds_the_renderers_samples_with_every_effect():
    pool = SyntheticPool.render(3, seed=2, config=CONFIG)
    renderer = Renderer(config=CONFIG)
    for i in range(3):
        sample = renderer.render(i, seed=2)
        np.testing.assert_array_equal(pool.images[i], sample.image)
        np.testing.assert_array_equal(pool.corners[i], sample.target.corners)


def test_worker_processes_render_the_same_samples_in_order():
    pool = SyntheticPool.render(66, 1, CONFIG, workers=2)  # two chunks, one per worker
    renderer = Renderer(config=CONFIG)
    for i in (0, 63, 64, 65):
        np.testing.assert_array_equal(pool.images[i], renderer.render(i, seed=1).image)


def test_each_pass_draws_every_sample_once_with_its_own_label():
    pool = SyntheticPool.render(4, seed=0, config=CONFIG)
    seen = []
    for b in range(2):
        images, corners = pool.batch(batch_index=b, count=2)
        for image, c in zip(images, corners, strict=True):
            i = next(k for k in range(4) if np.array_equal(pool.images[k], image))
            np.testing.assert_array_equal(c, pool.corners[i])
            seen.append(i)
    assert sorted(seen) == [0, 1, 2, 3]


def test_one_worker_builds_one_renderer_for_every_chunk(monkeypatch):
    built = []
    real_init = Renderer.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(Renderer, "__init__", counting)
    pool = SyntheticPool.render(130, seed=0, config=CONFIG.replace(photometric={"preset": "none"}))  # three chunks
    assert len(pool) == 130 and len(built) == 1
