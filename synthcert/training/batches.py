"""Training batches as numpy arrays: synthetic renders, real photos fitted to the input, and their mix.

Stream stage below Keras; no TensorFlow. Every batch is a pure function of its address: synthetic slot j
of batch b is sample `b * batch_size + j` of the stream's seed, and the real slots of batch b are drawn
from `stream_rng(seed, b, "real")`, so worker count, epoch boundaries and resume points never change a
batch. Labels are in pixels of the model input (COCO), flattened as x0, y0, ... x3, y3 for TL, TR, BR,
BL of the text as read; images are float32 in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synthcert.pipeline import Renderer
from synthcert.rng import stream_rng
from synthcert.samples import TARGET, Sample
from synthcert.training.augment import augment_real
from synthcert.training.letterbox import Letterbox, letterbox
from synthcert.training.pool import cycle_picks


def to_arrays(images: Sequence[np.ndarray], corners_xy: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stacks uint8 images and (4, 2) corners into the model's (x, y).

    Returns:
        x: (B, H, W, 3) float32 in [0, 1]; y: (B, 8) float32 pixels x0, y0, ... x3, y3.
    """
    y = np.stack([np.asarray(c, np.float64).reshape(8) for c in corners_xy]).astype(np.float32)
    return to_inputs(images), y


def to_inputs(images: Sequence[np.ndarray]) -> np.ndarray:
    """Stacks uint8 (H, W, 3) images into the model's (B, H, W, 3) float32 input in [0, 1]."""
    return np.stack(images).astype(np.float32) / np.float32(255)


def render_batch(renderer: Renderer, seed: int, indices: Sequence[int]) -> tuple[list, list]:
    """Renders samples `indices` of `seed`; returns their uint8 images and the (4, 2) corners of the
    renderer's target field (`labels.target`)."""
    samples = [renderer.render(index=int(i), seed=seed) for i in indices]
    return [s.image for s in samples], [target_corners(s, renderer.target) for s in samples]


def target_corners(sample: Sample, target: str = TARGET) -> np.ndarray:
    """Returns the (4, 2) corners of the field `target` of a sample.

    Raises:
        ValueError: if the sample has no such field, naming the fields it has.
    """
    if target not in sample.fields:
        raise ValueError(f"{sample.source}: has no {target!r} label (it has {', '.join(sorted(sample.fields))}); "
                         "label it, leave the photo out or choose another target")
    return sample.fields[target].corners


@dataclass(frozen=True)
class RealSet:
    """Real labelled photos fitted into the model input once, kept in memory for every epoch.

    Attributes:
        images: (N, H, W, 3) uint8 RGB at the model input size.
        corners: (N, 4, 2) float64 target corners in input pixels, TL, TR, BR, BL.
        letterboxes: how each original photo maps into the input.
        sources: where each photo was read from.
    """

    images: np.ndarray
    corners: np.ndarray
    letterboxes: tuple[Letterbox, ...]
    sources: tuple[str, ...]

    @classmethod
    def from_samples(cls, samples: Sequence[Sample], input_size_wh: tuple[int, int], target: str = TARGET) -> RealSet:
        """Letterboxes each sample's image into `input_size_wh` and scales the corners of `target` with it.

        Raises:
            ValueError: if there are no samples or one has no `target` label.
        """
        if not samples:
            raise ValueError("no real samples given; pass at least one labelled photo or none at all")
        return cls.from_photos([s.image for s in samples], [target_corners(s, target) for s in samples],
                               input_size_wh, [s.source for s in samples])

    @classmethod
    def from_photos(cls, images: Sequence[np.ndarray], corners_xy: Sequence[np.ndarray],
                    input_size_wh: tuple[int, int], sources: Sequence[str]) -> RealSet:
        """Letterboxes (H, W, 3) uint8 photos into `input_size_wh` and scales their (4, 2) corners with them
        (e.g. the user's photos with pseudo-labels, `synthcert.keras.adapt`)."""
        fitted = [letterbox(image, input_size_wh) for image in images]
        corners = [box.to_input(c) for (_, box), c in zip(fitted, corners_xy, strict=True)]
        return cls(np.stack([f[0] for f in fitted]), np.stack(corners), tuple(f[1] for f in fitted), tuple(sources))

    def __len__(self) -> int:
        return len(self.images)


def real_count(batch_size: int, real_fraction: float) -> int:
    """Returns how many slots of every batch hold real photos: `round(real_fraction * batch_size)`."""
    if not 0.0 <= real_fraction <= 1.0:
        raise ValueError(f"real_fraction = {real_fraction}; expected a fraction of the batch in [0, 1]")
    return int(round(real_fraction * batch_size))


def real_batch(real: RealSet, seed: int, batch_index: int, count: int, transform) -> tuple[list, list]:
    """Returns the `count` augmented real images and their corners of batch `batch_index`."""
    rng = stream_rng(seed, batch_index, "real")
    pairs = [augment_real(real.images[i], real.corners[i], transform, rng)
             for i in cycle_picks(seed, batch_index, count, len(real), "real-order")]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def split_real(samples: Sequence[Sample], val_fraction: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    """Shuffles real samples with `seed` and holds out `val_fraction` of them (at least one of two or more).

    Returns:
        (training samples, validation samples).
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction = {val_fraction}; expected a fraction in [0, 1)")
    n = len(samples)
    order = stream_rng(seed, 0, "real-split").permutation(n)
    n_val = min(n - 1, max(1, round(val_fraction * n))) if n >= 2 and val_fraction > 0 else 0
    return [samples[i] for i in order[n_val:]], [samples[i] for i in order[:n_val]]
