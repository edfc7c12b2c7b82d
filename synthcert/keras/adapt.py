"""Adapting a trained detector to the user's unlabelled photos: BatchNorm statistics re-estimated on them.

After training, `precise_batchnorm` recomputes the statistics on training renders under the final weights
(the moving averages lag the weights). A network trained on renders normalises each layer with the
renders' feature statistics; real photos
(another camera, paper, light) shift them. Re-estimating the moving means and variances on the user's
own photos (AdaBN) moves the network towards them without a single label. Layers are re-estimated in
order, each on the features its already adapted predecessors give. The refiner is adapted on canvases cut
around the (adapted) coarse stage's own answers on the same photos.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from synthcert.datasets.layout import READABLE_SUFFIXES, load_image
from synthcert.errors import SynthcertError
from synthcert.keras.detector import Detector
from synthcert.keras.model import input_size
from synthcert.rng import stream_rng
from synthcert.training.batches import to_inputs
from synthcert.training.letterbox import letterbox
from synthcert.training.refine import CoarseErrors, cut_neighbourhood, sample_coarse_quad

PRECISE_BN_COUNT = 256  # training images whose statistics replace the moving averages after training
CANVASES_PER_PHOTO = 8  # coarse answers are jittered a little, as they vary from photo to photo


def read_photos(directory: str | Path) -> list[np.ndarray]:
    """Reads every image in a directory (not recursive), as stored (no EXIF rotation), sorted by name.

    Raises:
        SynthcertError: the directory is missing or holds no image.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise SynthcertError("no such directory of unlabelled photos; check the path", directory)
    paths = sorted(p for p in directory.iterdir() if p.suffix.lower() in READABLE_SUFFIXES)
    if not paths:
        raise SynthcertError(f"holds no photos ({', '.join(READABLE_SUFFIXES)}); give a directory of images", directory)
    return [load_image(p) for p in paths]


def adapt_batchnorm(model: keras.Model, x: np.ndarray, weight: float = 0.5) -> int:
    """Moves every BatchNormalization layer's moving statistics towards those of inputs `x`.

    Args:
        model: a functional Keras model; changed in place.
        x: (N, H, W, 3) float32 model inputs (e.g. the user's photos).
        weight: 1 replaces the statistics; 0.5 (default) averages them with the renders' (a handful of
            photos of one kind are not the whole population).

    Returns:
        How many layers were adapted.
    """
    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for layer in layers:
        features = np.asarray(keras.Model(model.inputs[0], layer.input)(x, training=False), np.float64)
        axes = tuple(range(features.ndim - 1))
        for variable, value in ((layer.moving_mean, features.mean(axis=axes)), (layer.moving_variance,
                                                                                 features.var(axis=axes))):
            old = np.asarray(variable.numpy(), np.float64)
            variable.assign(((1 - weight) * old + weight * value).astype(np.float32))
    return len(layers)


def precise_batchnorm(model: keras.Model, stream, count: int = PRECISE_BN_COUNT) -> int:
    """Replaces the moving BatchNorm statistics by those of `count` training images under the final weights
    (moving averages mix in the statistics of earlier weights); returns how many layers.

    Args:
        model: changed in place.
        stream: a training stream (batches `(x, y)` by index), e.g. `CertificateStream`.
    """
    batches = [stream[b][0] for b in range(max(1, count // stream.batch_size))]
    return adapt_batchnorm(model, np.concatenate(batches), weight=1.0)


def adapt_detector(detector: Detector, photos: Sequence[np.ndarray], seed: int = 0, weight: float = 0.5) -> dict:
    """Adapts both stages of a detector to unlabelled photos, in place; returns what was done."""
    size = input_size(detector.coarse)
    x = to_inputs([letterbox(p, size)[0] for p in photos])
    done = {"photos": len(photos), "coarse_layers": adapt_batchnorm(detector.coarse, x, weight)}
    if detector.refiner is None:
        return done
    jitter = CoarseErrors(noise=0.05, miss_p=0.0)
    canvases = []
    for k, photo in enumerate(photos):
        location = detector.locate(photo, refine=False)
        if location.corners_xy is None:
            continue
        rng = stream_rng(seed, k, "adapt")
        canvases += [cut_neighbourhood(photo, sample_coarse_quad(location.corners_xy, jitter, rng),
                                       detector.canvas)[0] for _ in range(CANVASES_PER_PHOTO)]
    if canvases:
        xr = to_inputs(canvases)
        done["refine_layers"] = adapt_batchnorm(detector.refiner, xr, weight)
    done["refine_canvases"] = len(canvases)
    return done
