"""Adapting a trained detector to the user's unlabelled photos: BatchNorm statistics, then pseudo-labels.

After training, `precise_batchnorm` recomputes the statistics on training renders under the final weights
(the moving averages lag the weights). A network trained on renders normalises each layer with the
renders' feature statistics; real photos
(another camera, paper, light) shift them. Re-estimating the moving means and variances on the user's
own photos (AdaBN) moves the network towards them without a single label. The renders' statistics count as
`PRIOR_PHOTOS` photos (Schneider et al. 2020, "Improving robustness against common corruptions by covariate
shift adaptation"): a few photos move them a little, many photos almost all the way. Layers are re-estimated
in order, each on the features its already adapted predecessors give. The refiner is adapted on canvases cut
around the (adapted) coarse stage's own answers on the same photos.

Then `self_train` takes the detector's own answers as labels where it is sure of them: a photo whose
answer (both stages) has no problem and a calibrated confidence of at least a threshold becomes a
pseudo-labelled real photo, and stage 1 is fine-tuned briefly, at a tenth of the learning rate, on
renders mixed with those photos, augmented like labelled real photos. Stage 1 learns from the refined
corners, which are finer than its own. The refiner is not fine-tuned: its labels would be its own answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from synthcert.datasets.layout import READABLE_SUFFIXES, load_image
from synthcert.errors import SynthcertError
from synthcert.keras.detector import Detector
from synthcert.keras.model import compile_regressor, input_size
from synthcert.keras.streams import CertificateStream, MixedStream
from synthcert.rng import stream_rng
from synthcert.training.batches import RealSet, to_inputs
from synthcert.training.letterbox import letterbox
from synthcert.training.refine import CoarseErrors, cut_neighbourhood, sample_coarse_quad

PRECISE_BN_COUNT = 256  # training images whose statistics replace the moving averages after training
CANVASES_PER_PHOTO = 8  # coarse answers are jittered a little, as they vary from photo to photo
FINE_TUNE_LR_SHARE = 0.1  # fine-tuning on pseudo-labels nudges the trained weights: a tenth of the training rate
# Statistics of one photo are one sample of the user's photos, not their population: replaced by a single
# photo's (weight 1/2), they sent both dev directions' answers from 14 and 6.5 % of the text height to 16
# and 1 315 % (docs/training.md).
PRIOR_PHOTOS = 16


def photo_weight(count: int) -> float:
    """The share of the statistics that `count` unlabelled photos take: count / (count + PRIOR_PHOTOS)."""
    return count / (count + PRIOR_PHOTOS)


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


def adapt_batchnorm(model: keras.Model, x: np.ndarray, weight: float) -> int:
    """Moves every BatchNormalization layer's moving statistics towards those of inputs `x`.

    Args:
        model: a functional Keras model; changed in place.
        x: (N, H, W, 3) float32 model inputs (e.g. the user's photos).
        weight: the share of `x`'s statistics: 1 replaces them, 0.5 averages the two.

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


def adapt_detector(detector: Detector, photos: Sequence[np.ndarray], seed: int = 0,
                   weight: float | None = None) -> dict:
    """Adapts both stages of a detector to unlabelled photos, in place; returns what was done.

    Args:
        weight: the photos' share of the new statistics; None: `photo_weight(len(photos))`.
    """
    weight = photo_weight(len(photos)) if weight is None else float(weight)
    size = input_size(detector.coarse)
    x = to_inputs([letterbox(p, size)[0] for p in photos])
    done = {"photos": len(photos), "weight": weight, "coarse_layers": adapt_batchnorm(detector.coarse, x, weight)}
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


@dataclass(frozen=True)
class PseudoLabels:
    """The detector's answers on unlabelled photos and which of them are sure enough to train on.

    Attributes:
        threshold: the confidence a kept answer reaches at least.
        confidences: every photo's calibrated confidence (None: the detector is uncalibrated).
        problems: every photo's `Location.problem` (None: a plain answer of both stages).
        kept: indices of the kept photos.
        corners: (K, 4, 2) float64, the kept photos' answers in their own pixels: their labels.
    """

    threshold: float
    confidences: tuple[float | None, ...]
    problems: tuple[str | None, ...]
    kept: tuple[int, ...]
    corners: np.ndarray

    def to_dict(self) -> dict:
        return {"kept": len(self.kept), "kept_photos": list(self.kept),
                "confidences": [None if c is None else round(c, 4) for c in self.confidences],
                "problems": sum(p is not None for p in self.problems)}


def pseudo_label(detector: Detector, photos: Sequence[np.ndarray], threshold: float) -> PseudoLabels:
    """Locates the field in each photo (both stages) and keeps the answers with no problem and a calibrated
    confidence of at least `threshold`; an uncalibrated detector keeps none."""
    locations = [detector.locate(photo) for photo in photos]
    kept = tuple(k for k, c in enumerate(locations)
                 if c.problem is None and c.corners_xy is not None and c.confidence is not None
                 and c.confidence >= threshold)
    corners = np.array([locations[k].corners_xy for k in kept], np.float64).reshape(-1, 4, 2)
    return PseudoLabels(float(threshold), tuple(c.confidence for c in locations),
                        tuple(c.problem for c in locations), kept, corners)


def self_train(detector: Detector, photos: Sequence[np.ndarray], stream: CertificateStream, *, threshold: float,
               steps: int, rounds: int, learning_rate: float, real_fraction: float, augmentation: str,
               seed: int = 0, verbose: int = 0, say: Callable[[str], None] = lambda message: None) -> dict:
    """Adapts a trained detector to unlabelled photos, in place: BatchNorm statistics (`adapt_detector`),
    then up to `rounds` rounds of pseudo-labelling and fine-tuning stage 1; returns what was done.

    Each round labels every photo with the current detector (`pseudo_label`); when none is kept, it stops
    and nothing more is fine-tuned. Otherwise stage 1 trains `steps` steps at `FINE_TUNE_LR_SHARE *
    learning_rate` on `stream`'s renders (its pool, not a second one) with the kept photos, and the
    training stream's labelled real photos if any, taking `real_fraction` of every batch (one slot at least) with
    `augmentation`; then stage 1's statistics are recomputed on that mix (`precise_batchnorm`) and both
    stages are adapted to the photos again, from the refiner's statistics before the first adaptation.

    Args:
        stream: the run's training stream.
        steps: fine-tuning steps per round; 0 adapts the statistics only.
        say: prints a progress line.
    """
    refiner_before = None if detector.refiner is None else detector.refiner.get_weights()
    done = adapt_detector(detector, photos, seed)
    rate = FINE_TUNE_LR_SHARE * learning_rate
    record = {"threshold": float(threshold), "steps_per_round": int(steps), "learning_rate": rate, "rounds": [],
              "steps": 0}
    done["pseudo_labels"] = record
    if steps < 1:
        record["note"] = "pseudo-labels off (0 steps)"
        return done
    if detector.calibration is None:
        record["note"] = "no confidence: the detector is uncalibrated (train the refiner); nothing fine-tuned"
        return done
    for r in range(rounds):
        labels = pseudo_label(detector, photos, threshold)
        record["rounds"].append(labels.to_dict() | {"steps": 0})
        say(f"round {r + 1}: {len(labels.kept)} of {len(photos)} photos above confidence {threshold:g}")
        if not labels.kept:
            break
        mixed = _pseudo_label_stream(stream, [photos[k] for k in labels.kept], labels, real_fraction,
                                     augmentation, seed + r)
        model = keras.models.clone_model(detector.coarse)  # trained apart, so the saved detector holds no optimizer
        model.set_weights(detector.coarse.get_weights())
        compile_regressor(model, rate).fit(mixed, steps_per_epoch=steps, epochs=1, shuffle=False, verbose=verbose)
        precise_batchnorm(model, mixed)
        detector.coarse.set_weights(model.get_weights())
        if refiner_before is not None:
            detector.refiner.set_weights(refiner_before)
        done.update(adapt_detector(detector, photos, seed))
        record["rounds"][-1]["steps"] = steps
        record["steps"] += steps
    kept = [r["kept"] for r in record["rounds"]]
    if not any(kept):
        record["note"] = f"0 of {len(photos)} photos above confidence {threshold:g}: nothing fine-tuned"
    else:
        record["note"] = (f"{' then '.join(map(str, kept))} of {len(photos)} photos above confidence "
                          f"{threshold:g}: stage 1 fine-tuned {record['steps']} steps")
    return done


def _pseudo_label_stream(stream: CertificateStream, images: list[np.ndarray], labels: PseudoLabels,
                         real_fraction: float, augmentation: str, seed: int) -> MixedStream:
    """The training stream's renders mixed with the pseudo-labelled photos (and its labelled real photos)."""
    real = RealSet.from_photos(images, list(labels.corners), stream.image_size,
                               [f"unlabelled photo {k}" for k in labels.kept])
    if isinstance(stream, MixedStream):
        labelled = stream.real
        real = RealSet(np.concatenate([labelled.images, real.images]), np.concatenate([labelled.corners, real.corners]),
                       labelled.letterboxes + real.letterboxes, labelled.sources + real.sources)
    fraction = max(real_fraction, 1 / stream.batch_size)  # at least one slot, even with --real-fraction 0
    # The run's rendered pool (None: render fresh), not a second one.
    return MixedStream(real, fraction, augmentation, batch_size=stream.batch_size, seed=seed, config=stream.config,
                       templates=stream.templates, pool=stream.pool)
