"""A pool that renews itself: background render processes replace pool samples while batches are served.

Training stage between the renderer and the stream; numpy only, no TensorFlow. A fixed pool is seen
tens to hundreds of times per sample over a run; rendering every sample fresh starves the model. Here
`freshness` F is the setting in between: every sample is served F times (once per pass through the
pool, in a new shuffled order each pass) and then replaced. Slot s of an N-slot pool holds, during pass p,
sample `s + N * floor((p + s mod F) / F)` of the seed: each pass renews the N / F slots whose turn it is,
so render processes make N / F samples per pass in the background while the pass is served, and the
stream only waits when they fall behind. A batch is still a pure function of (configuration, seed, N, F,
b); batches must be asked for in order (as Keras asks, from any number of threads), give or take one pass:
renewed slots keep their old sample for the pass before, then forget it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from synthcert.config import RenderConfig
from synthcert.pipeline import Renderer
from synthcert.rng import stream_rng
from synthcert.training.augment_batch import augment_batch
from synthcert.training.pool import SyntheticPool, cycle_picks, render_arrays
from synthcert.workers import RenderProcesses

CHUNK = 32
KERAS_QUEUE = 10  # batches Keras's PyDataset workers fetch ahead by default (its max_queue_size)


def check_thread_workers(size: int, batch_size: int, workers: int, queue: int, use_multiprocessing: bool = False,
                         ) -> None:
    """Raises a ValueError unless a renewing pool of `size` can serve `workers` Keras workers that fetch up to
    `queue` batches ahead: they must be threads (the pool lives in the training process), and the batches they
    hold at once must fit in one pass (it serves this one and the one before)."""
    if use_multiprocessing:
        raise ValueError("a renewing pool (pool_freshness) lives in the training process and serves batches in "
                         "order; use thread workers (use_multiprocessing off)")
    in_flight = (queue + workers) * batch_size if workers > 1 else 0
    if size < in_flight:
        raise ValueError(f"pool_size = {size} with {workers} thread workers fetching up to {queue} batches of "
                         f"{batch_size} ahead; a renewing pool needs at least {in_flight} samples, or use fewer "
                         "workers")


@dataclass
class RenewalStats:
    """What the pool did: samples served, samples rendered into it, seconds the stream waited for renders."""

    served: int = 0
    rendered: int = 0
    waited_s: float = 0.0

    @property
    def serves_per_sample(self) -> float | None:
        """Serves per rendered sample so far (tends to the freshness F), None before any render."""
        return None if not self.rendered else self.served / self.rendered


class RenewingPool:
    """N samples served in shuffled passes, each renewed after `freshness` passes by background renders.

    Args:
        size: N, the number of slots.
        seed: the stream's seed.
        config: the render configuration; the corners served are those of its `labels.target`.
        templates: template directories, or None for the built-in ones.
        freshness: F >= 1, the passes (serves) a sample stays before it is replaced.
        workers: background render processes; 0 renders each pass's renewals in this process, when needed.
        augment: strength of the per-batch augmentation (`augment_batch`); 0 for none.

    Example:
        >>> pool = RenewingPool(4, seed=0, config=RenderConfig().replace(scene={"image_size_wh": (48, 32)}),
        ...                     freshness=2, workers=0)
        >>> images, corners = pool.batch(0, 4)
        >>> images.shape, corners.shape
        ((4, 32, 48, 3), (4, 4, 2))
    """

    def __init__(self, size: int, seed: int, config: RenderConfig, templates=None, freshness: int = 4,
                 workers: int = 0, augment: float = 0.0):
        if size < 1 or freshness < 1 or workers < 0:
            raise ValueError(f"size = {size}, freshness = {freshness}, workers = {workers}; expected size >= 1, "
                             "freshness >= 1 and workers >= 0")
        self.size, self.seed, self.freshness, self.augment = size, seed, freshness, augment
        self.stats = RenewalStats()
        chunks = [range(lo, min(size, lo + CHUNK)) for lo in range(0, size, CHUNK)]
        # Without processes one Renderer here renders the pool and every renewal; with them it is never built.
        self._renderer = Renderer(templates, config) if workers == 0 else None
        self._processes = None if workers == 0 else RenderProcesses(templates, config, workers, seed)
        if self._processes is None:
            parts = [render_arrays(self._renderer, c, seed) for c in chunks]
        else:  # the processes that will renew the pool render it first
            parts = [f.result() for f in [self._processes.submit(render_arrays, c) for c in chunks]]
        self.images = np.concatenate([p[0] for p in parts])
        self.corners = np.concatenate([p[1] for p in parts])
        self.stats.rendered = size
        self._pass = 0
        self._before = None  # the images and corners of the slots the newest pass renewed, as they were before it
        self._lock = threading.Lock()
        self._pending = self._start_renewal(1)

    def close(self) -> None:
        """Ends the background render processes."""
        if self._processes is not None:
            self._processes.close()
            self._processes = None

    def settled(self) -> SyntheticPool:
        """Ends the renewal (and the render processes) and returns what the pool holds now as a fixed pool:
        after training, BatchNorm statistics and fine-tuning draw batches from index 0 again, which a renewing
        pool, having forgotten its first samples, cannot serve."""
        self.close()
        return SyntheticPool(self.images, self.corners, self.seed)

    def __len__(self) -> int:
        return self.size

    def sample_index(self, slot: int, pass_index: int) -> int:
        """The sample of the seed that `slot` holds during pass `pass_index`."""
        return slot + self.size * ((pass_index + slot % self.freshness) // self.freshness)

    def batch(self, batch_index: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Returns batch `batch_index` of `count` samples: (count, H, W, 3) uint8 images, (count, 4, 2) corners.

        Safe from several threads (Keras's thread workers): batches of the pass before the newest one are still
        served as they were (the slots renewed since keep their old samples aside), and the augmentation, the
        costly part, runs outside the lock.
        """
        first = batch_index * count
        picks = cycle_picks(self.seed, batch_index, count, self.size, "pool-order")
        passes = (first + np.arange(count)) // self.size
        images = np.empty((count, *self.images.shape[1:]), self.images.dtype)
        corners = np.empty((count, *self.corners.shape[1:]), self.corners.dtype)
        with self._lock:
            if passes[0] < self._pass - 1:
                raise ValueError(f"batch {batch_index} lies in pass {passes[0]}, but the pool has renewed itself to "
                                 f"pass {self._pass}; a renewing pool serves batches in order, give or take a pass")
            for p in np.unique(passes):  # a batch may straddle two passes: read each part after its renewal
                self._advance_to(int(p))
                here = passes == p
                images[here], corners[here] = self._held(picks[here], int(p))
            self.stats.served += count
        if self.augment:
            images, corners = augment_batch(images, corners, stream_rng(self.seed, batch_index, "pool-augment"),
                                            self.augment)
        return images, corners

    def _held(self, slots: np.ndarray, pass_index: int) -> tuple[np.ndarray, np.ndarray]:
        """What `slots` hold during `pass_index`: the newest pass, or the one before it."""
        images, corners = self.images[slots], self.corners[slots]
        if pass_index < self._pass:  # so the newest pass renewed some slots, and `_before` holds what they had
            old_images, old_corners = self._before
            hit = slots % self.freshness == self._first_renewed(self._pass)
            at = slots[hit] // self.freshness  # slot s is the (s // F)-th of `_slots_renewed_at`
            images[hit], corners[hit] = old_images[at], old_corners[at]
        return images, corners

    def _first_renewed(self, pass_index: int) -> int:
        """Slot s is renewed at `pass_index` when s = this mod F (`sample_index` moves on there)."""
        return -pass_index % self.freshness

    def _slots_renewed_at(self, pass_index: int) -> np.ndarray:
        return np.arange(self._first_renewed(pass_index), self.size, self.freshness)

    def _start_renewal(self, pass_index: int):
        """Starts rendering the samples that enter at `pass_index`; returns (slots, futures or None)."""
        slots = self._slots_renewed_at(pass_index)
        indices = [self.sample_index(int(s), pass_index) for s in slots]
        if self._processes is None or not indices:
            return slots, indices, None
        # The renewed slots are every F-th, and so are their new samples: ranges with step F.
        runs = [range(indices[lo], indices[min(lo + CHUNK, len(indices)) - 1] + 1, self.freshness)
                for lo in range(0, len(indices), CHUNK)]
        return slots, indices, [self._processes.submit(render_arrays, r) for r in runs]

    def _advance_to(self, pass_index: int) -> None:
        while self._pass < pass_index:
            slots, indices, futures = self._pending
            began = time.perf_counter()
            if futures is None:
                images, corners = render_arrays(self._renderer, indices, self.seed)
            else:
                done = [f.result() for f in futures]
                images, corners = np.concatenate([d[0] for d in done]), np.concatenate([d[1] for d in done])
            self.stats.waited_s += time.perf_counter() - began
            self._before = (self.images[slots], self.corners[slots])  # the pass before still reads them
            self.images[slots], self.corners[slots] = images, corners
            self.stats.rendered += len(slots)
            self._pass += 1
            self._pending = self._start_renewal(self._pass + 1)

