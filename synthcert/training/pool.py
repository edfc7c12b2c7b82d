"""A pool of synthetic samples rendered once, in parallel, then drawn again and again in shuffled passes.

Training stage between the renderer and the stream; numpy only, no TensorFlow. Rendering a sample costs
several milliseconds while a small model trains on it in about one, so on a CPU an endless stream of
fresh renders starves the model. The pool renders samples 0 ... size - 1 of the stream's seed once, with
every effect of the configuration (the exact bytes `Renderer.render` gives), and batches draw from it:
each sample once per pass, in a new shuffled order per pass (`stream_rng(seed, pass, "pool-order")`). A
pool draw is therefore a pure function of its address too, and never differs from the renderer's sample.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from synthcert.config import RenderConfig
from synthcert.pipeline import Renderer
from synthcert.rng import stream_rng
from synthcert.workers import run_chunks

CHUNK = 64


@dataclass(frozen=True)
class SyntheticPool:
    """Samples of one seed, as the renderer makes them: 0 ... size - 1 when made by `render`, later ones when a
    renewing pool settles (`RenewingPool.settled`).

    Attributes:
        images: (N, H, W, 3) uint8 RGB.
        corners: (N, 4, 2) float64 target corners in image pixels, TL, TR, BR, BL.
        seed: the seed the pool was rendered with.
    """

    images: np.ndarray
    corners: np.ndarray
    seed: int

    @classmethod
    def render(cls, size: int, seed: int, config: RenderConfig, templates=None, workers: int = 1) -> SyntheticPool:
        """Renders samples 0 ... size - 1 of `seed` with `workers` processes (spawned, OpenCV single-threaded),
        keeping the corners of the configuration's target field (`labels.target`)."""
        if size < 1:
            raise ValueError(f"pool size = {size}; expected at least 1 sample")
        chunks = [range(lo, min(size, lo + CHUNK)) for lo in range(0, size, CHUNK)]
        parts = dict(run_chunks(render_arrays, chunks, templates, config, workers, seed))
        ordered = [parts[k] for k in range(len(chunks))]
        return cls(np.concatenate([p[0] for p in ordered]), np.concatenate([p[1] for p in ordered]), seed)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, batch_index: int, count: int) -> tuple[list, list]:
        """Returns the `count` pool samples of batch `batch_index`: (images, corners)."""
        picks = cycle_picks(self.seed, batch_index, count, len(self), "pool-order")
        return [self.images[i] for i in picks], [self.corners[i] for i in picks]


def make_pool(size: int, seed: int, config: RenderConfig, templates=None, workers: int = 1,
              freshness: int | None = None, augment: float = 0.0):
    """A fixed pool (`SyntheticPool`), or with `freshness` a pool that renews itself (`RenewingPool`)."""
    if freshness is None:
        return SyntheticPool.render(size, seed, config, templates, workers)
    from synthcert.training.renewing import RenewingPool  # it builds on this module's cycle_picks

    return RenewingPool(size, seed, config, templates, freshness, workers, augment)


def cycle_picks(seed: int, batch_index: int, count: int, n: int, stream: str) -> np.ndarray:
    """Returns the `count` item indices of batch `batch_index` when every batch takes `count` of `n` items:
    each item once per pass through a shuffled order, a new order per pass (`stream_rng(seed, pass, stream)`)."""
    positions = batch_index * count + np.arange(count)
    picks = np.empty(count, np.int64)
    for p in np.unique(positions // n):
        here = positions // n == p
        picks[here] = _pass_order(seed, int(p), n, stream)[positions[here] % n]
    return picks


@functools.lru_cache(maxsize=8)
def _pass_order(seed: int, pass_index: int, n: int, stream: str) -> np.ndarray:
    # Every batch of a pass needs the same permutation of n items; drawing it once per pass, not per batch.
    order = stream_rng(seed, pass_index, stream).permutation(n)
    order.flags.writeable = False
    return order


def render_arrays(renderer: Renderer, indices, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Renders samples `indices` of `seed`: (N, H, W, 3) uint8 images, (N, 4, 2) corners of the renderer's target."""
    samples = [renderer.render(int(i), seed) for i in indices]
    return np.stack([s.image for s in samples]), np.stack([s.fields[renderer.target].corners for s in samples])
