"""Endless Keras streams of labelled certificate photos: synthetic, or mixed with real ones.

Batches are `(images, corners)`: (B, H, W, 3) float32 in [0, 1] and (B, 8) float32 in input pixels. The
streams only assemble batches; rendering, pooling, letterboxing and augmentation live in numpy-only
modules (`synthcert.pipeline`, `synthcert.training`).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from synthcert.config import resolve_config
from synthcert.errors import SynthcertError
from synthcert.pipeline import Renderer
from synthcert.rng import stream_rng
from synthcert.samples import Sample
from synthcert.training.augment import build_real_augmentation, check_real_workers
from synthcert.training.batches import RealSet, real_batch, real_count, render_batch, to_arrays
from synthcert.training.pool import cycle_picks, make_pool
from synthcert.training.refine import Canvas, CoarseErrors, Neighbourhoods, refine_batch
from synthcert.training.renewing import KERAS_QUEUE, RenewalStats, RenewingPool, check_thread_workers


class CertificateStream(keras.utils.PyDataset):
    """An endless stream of synthetic batches `(images, corners)` for `model.fit`.

    `images` is (B, H, W, 3) float32 in [0, 1] and `corners` (B, 8) float32 in input pixels, TL, TR, BR, BL
    as (x, y) pairs. Batch b holds samples `b * batch_size ... b * batch_size + batch_size - 1` of `seed`
    (or, with a pool, pool draws addressed by (seed, b)), so it is a pure function of (configuration,
    seed, pool size, b) in any worker. The stream is endless (`num_batches` is None): give `fit` a
    `steps_per_epoch`. The renderer, with its fonts and templates, is built lazily in whichever process
    renders first and is never pickled.

    Args:
        batch_size: samples per batch.
        image_size: (W, H) of the model input; the renderer draws at this size directly. None keeps the
            configuration's `scene.image_size_wh`.
        seed: the stream's dataset seed.
        config: a RenderConfig, a YAML path or None for the defaults.
        templates: template directories, or None for the built-in ones.
        target: the field whose corners are the labels, and which the scene keeps in view; None keeps the
            configuration's `labels.target` (registration_number by default).
        pool_size: None renders every sample fresh. A number renders samples 0 ... pool_size - 1 once, at
            construction, and draws batches from them in shuffled passes (`synthcert.training.pool`):
            several times faster where rendering costs more than training.
        pool_workers: processes that render the pool (and, with `pool_freshness`, renew it in the background).
        pool_freshness: None keeps the pool fixed; F renews it (`synthcert.training.renewing`): every sample
            is served F times, then replaced by a fresh render; batches must then be asked for in order, from one
            process (any number of threads: with a GPU, thread `workers` overlap the augmentation with the step).
        pool_augment: strength of the cheap per-batch augmentation of a renewing pool's samples
            (`synthcert.training.augment_batch`); 0 for none.
        pool: a pool another stream rendered, drawn from instead of rendering one (`pool_size` then unused).
        workers, use_multiprocessing, max_queue_size: Keras's parallelism settings: threads (renders and pools
            give the same bytes from any thread) or processes (not with a renewing pool, which lives in this one).

    Example:
        >>> stream = CertificateStream(batch_size=2, image_size=(96, 64), seed=0)
        >>> images, corners = stream[0]
        >>> images.shape, images.dtype, corners.shape, stream.num_batches
        ((2, 64, 96, 3), dtype('float32'), (2, 8), None)
    """

    def __init__(self, batch_size: int = 32, image_size=None, seed: int = 0, config=None, templates=None,
                 target: str | None = None, pool_size: int | None = None, pool_workers: int = 1, workers: int = 1,
                 use_multiprocessing: bool = False, max_queue_size: int = KERAS_QUEUE,
                 pool_freshness: int | None = None, pool_augment: float = 0.0, pool=None):
        super().__init__(workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        if batch_size < 1 or seed < 0:
            raise ValueError(f"batch_size = {batch_size}, seed = {seed}; expected batch_size >= 1 and seed >= 0")
        if pool_freshness is not None and pool is None and pool_size is not None:
            check_thread_workers(pool_size, batch_size, workers, max_queue_size, use_multiprocessing)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.config = resolve_config(config, image_size, target=target)
        self.templates = None if templates is None else [str(t) for t in templates]
        self.target = self.config.labels.target
        self._renderer: Renderer | None = None
        if pool is None and pool_size is not None:
            pool = make_pool(pool_size, self.seed, self.config, self.templates, pool_workers, pool_freshness,
                             pool_augment)
        self.pool = pool
        self.renewal: RenewalStats | None = None  # a renewing pool's record, kept by `end_renewal`

    def end_renewal(self) -> None:
        """Stops a renewing pool: its processes end, its record stays in `renewal`, and from now on batches
        (from any index) draw from the samples it holds, as from a fixed pool. Nothing for other streams."""
        if isinstance(self.pool, RenewingPool):
            self.renewal = self.pool.stats
            self.pool = self.pool.settled()

    @property
    def image_size(self) -> tuple[int, int]:
        """(W, H) of every image in the stream."""
        return tuple(self.config.scene.image_size_wh)

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = Renderer(self.templates, self.config)
        return self._renderer

    @property
    def num_batches(self):
        return None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_renderer"] = None
        return state

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if index < 0:
            raise IndexError(f"batch index = {index}; expected >= 0 (the stream is endless, not reversible)")
        try:
            return to_arrays(*self._parts(int(index), self.batch_size))
        except SynthcertError as e:
            raise type(e)(f"batch {index} of the stream with seed {self.seed}: {e}") from e

    def _parts(self, index: int, synthetic: int) -> tuple[list, list]:
        if self.pool is not None:
            return self.pool.batch(index, synthetic)
        start = index * self.batch_size
        return render_batch(self.renderer, self.seed, range(start, start + synthetic))


class MixedStream(CertificateStream):
    """An endless stream mixing real labelled photos, augmented on the fly, into synthetic batches.

    Every batch holds exactly `round(real_fraction * batch_size)` real photos (after the synthetic ones),
    letterboxed to the input once and then augmented with keypoint-aware albumentations transforms
    (`synthcert.training.augment`); each photo appears once per pass through a shuffled order. The
    real part of batch b is drawn from (seed, b) only, like the synthetic part.

    Args:
        real: real samples (any size; e.g. from `synthcert.datasets.read_dataset`) or a prepared RealSet.
        real_fraction: share of every batch taken by real photos, in [0, 1].
        augmentation: strength of the real photos' augmentation: none, light, default or heavy.
        **kwargs: the CertificateStream arguments.
    """

    def __init__(self, real: Sequence[Sample] | RealSet, real_fraction: float = 0.25,
                 augmentation: str = "default", **kwargs):
        check_real_workers(kwargs.get("workers", 1), kwargs.get("use_multiprocessing", False),
                           "pass use_multiprocessing=True, or workers=1")
        super().__init__(**kwargs)
        self.real = real if isinstance(real, RealSet) else RealSet.from_samples(real, self.image_size, self.target)
        if self.real.images.shape[1:3] != self.image_size[::-1]:
            raise ValueError(f"real images are {self.real.images.shape[2]}x{self.real.images.shape[1]}; "
                             f"expected the stream's {self.image_size[0]}x{self.image_size[1]}")
        self.real_per_batch = real_count(self.batch_size, real_fraction)
        build_real_augmentation(augmentation)
        self.augmentation = augmentation

    def _parts(self, index: int, synthetic: int) -> tuple[list, list]:
        k = self.real_per_batch
        images, corners = super()._parts(index, synthetic - k)
        real_images, real_corners = real_batch(self.real, self.seed, index, k,
                                               build_real_augmentation(self.augmentation))
        return images + real_images, corners + real_corners


def synthetic_set(count: int, image_size=None, seed: int = 1_000_000, config=None, templates=None,
                  target: str | None = None):
    """Renders a fixed set of `count` synthetic samples as model arrays (x, y), e.g. for validation; `target`
    as for CertificateStream."""
    renderer = Renderer(templates, resolve_config(config, image_size, target=target))
    return to_arrays(*render_batch(renderer, seed, range(count)))


class RefineStream(keras.utils.PyDataset):
    """An endless stream of the refiner's batches: field neighbourhoods cut with drawn coarse quads.

    Batch b takes each neighbourhood once per pass in a shuffled order (`cycle_picks`) and draws its
    coarse quads from `stream_rng(seed, b, "refine")`, so it is a pure function of (neighbourhoods, errors,
    seed, b). `images` is (B, H, W, 3) float32 in [0, 1] at the canvas size, `corners` (B, 8) in canvas pixels.

    Args:
        neighbourhoods: `synthcert.training.refine.Neighbourhoods` rendered at phone resolution.
        errors: the coarse stage's error distribution (`CoarseErrors`).
        canvas: the refiner's input geometry.
        batch_size, seed: as for CertificateStream.
    """

    def __init__(self, neighbourhoods: Neighbourhoods, errors: CoarseErrors, canvas: Canvas, batch_size: int = 32,
                 seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.neighbourhoods, self.errors, self.canvas = neighbourhoods, errors, canvas
        self.batch_size, self.seed = int(batch_size), int(seed)

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        picks = cycle_picks(self.seed, int(index), self.batch_size, len(self.neighbourhoods), "refine-order")
        rng = stream_rng(self.seed, int(index), "refine")
        return to_arrays(*refine_batch(self.neighbourhoods, picks, self.errors, self.canvas, rng))
