"""The settings of one training run, as `train.py` exposes them; no TensorFlow, no behaviour.

Defaults are the measured default run (see docs/training.md): a 0.12 M-parameter heatmap regressor on 144 x 96
inputs, trained for at most 26 minutes on two CPU cores. `quick()` is a smoke test of under a minute.
Labels, losses and errors are in pixels of the model input.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from synthcert.samples import TARGET
from synthcert.training.augment import check_real_workers
from synthcert.training.renewing import KERAS_QUEUE, check_thread_workers

HEADS = ("heatmap", "dense")

# Train-time scene ranges, applied when no render configuration is given. The render defaults draw whole,
# readable documents (previews, datasets); a detector must also have seen what phones photograph: the card
# filling 40 to 150 % of the frame (close-ups cut by it), strong perspective, any roll including upside down.
TRAIN_SCENE = {
    "fill_range": (0.4, 1.5),
    "offset_range": (-0.25, 0.25),
    "roll_range_deg": (-180.0, 180.0),
    "tilt_x_range_deg": (-40.0, 40.0),
    "tilt_y_range_deg": (-40.0, 40.0),
    "focal_mm_range": (18.0, 70.0),
}

# Train-time document variations (config.DocumentConfig), applied with TRAIN_SCENE: a third of the styles in
# any shipped font, so the detector keys on where the field is rather than on the template's font (a
# template made from one photo guesses the font); a third of the samples with personal data blacked
# out, as shared photos are, so that a marker's dark edge next to the number is no line of text; and, in a
# third each, other fields printed like the number and hand-written notes, so that the number is told by
# its place on the card and not only by looking like one (a bold serial or a written date is no number).
TRAIN_DOCUMENT = {"font_mix_p": 0.3, "redaction_p": 0.3, "lookalike_p": 0.3, "notes_p": 0.3}
INPUT_MODES = ("luminance", "rgb")  # what both stages see of the photo: TrainOptions.input_mode
LR_SCHEDULES = ("anneal", "plateau")  # how each stage's learning rate falls: TrainOptions.lr_schedule


def check_architecture(image_size: tuple[int, int], channels, head: str) -> None:
    """Raises ValueError, saying what to change, unless the regressor can be built on this input.

    Each block halves the input twice (stride 2, then 2 x 2 pooling); the heatmap head's pyramid doubles
    back up, so it needs sides that halve evenly all the way down.
    """
    w, h = (int(v) for v in image_size)
    blocks = len(channels)
    if head not in HEADS:
        raise ValueError(f"head = {head!r}; expected one of {', '.join(HEADS)}")
    if blocks == 0 or min(w, h) < 2 ** (blocks + 1):
        raise ValueError(f"{blocks} blocks on a {w}x{h} input; expected at least one block and a side of "
                         f"at least 2 ** (blocks + 1) = {2 ** (blocks + 1)} px; use fewer channels")
    if head == "heatmap" and (w % 2 ** (blocks + 1) or h % 2 ** (blocks + 1)):
        raise ValueError(f"the heatmap head on {blocks} blocks needs an input whose sides are multiples of "
                         f"{2 ** (blocks + 1)}; got {w}x{h}")


@dataclass(frozen=True)
class TrainOptions:
    """What `synthcert.keras.train` does.

    Attributes:
        out: directory that receives the checkpoint, logs, figures and summary.
        real: a labelled dataset directory (COCO keypoints, YOLO-OBB or manifest.jsonl) to mix in, or None.
        real_fraction: share of every training batch taken by real photos (when `real` is given).
        real_val_fraction: share of the real photos held out for validation.
        augmentation: strength of the real photos' augmentation: none, light, default or heavy.
        epochs, steps_per_epoch, batch_size: the length of training; the stream itself is endless.
        image_size: (W, H) of the model input; synthetic samples are rendered at this size.
        pool_size: render this many synthetic samples once and draw them again in shuffled passes
            (`synthcert.training.pool`); None renders every training sample fresh.
        pool_workers: processes that render the pool (and, with `pool_freshness`, keep renewing it).
        pool_freshness: None keeps the pool fixed; F renews it while training (`synthcert.training.renewing`):
            each sample is served F times, then replaced by a fresh render from the `pool_workers` processes,
            so a fast trainer (a GPU) sees new samples instead of the same ones hundreds of times. The summary
            reports the serves per sample and the time the training waited for renders.
        pool_augment: strength of the cheap, label-exact per-batch augmentation of a renewing pool's samples
            (`synthcert.training.augment_batch`: a small homography, light and noise); 0 for none.
        channels: filters per Conv-BN-ReLU-MaxPool block.
        head: "heatmap" (per-corner heatmaps and soft-argmax) or "dense" (the seed's Flatten + Dense(8)).
        input_mode: what both stages see of the photo: "luminance" (its luminance, standardised per image:
            blind to hue, saturation, brightness and contrast, which a template photo fixes and the user's
            other photos do not share) or "rgb" (the colours in [0, 1], as detectors before it).
        learning_rate: Adam's initial learning rate.
        lr_schedule: how it falls in each stage: "anneal" (held for 70 % of the stage's budget, its epochs or
            its share of `max_minutes`, whichever runs out first, then a half cosine down to a hundredth of it:
            a run cut by the time limit still ends on small steps; `AnnealToBudget`) or "plateau" (halved after
            `reduce_lr_patience` epochs without improvement, as runs before it).
        seed: seed of the training stream; the synthetic validation set uses `seed + validation_seed_offset`.
        validation_count: number of synthetic validation samples.
        early_stopping_patience, reduce_lr_patience: epochs without improvement before stopping/halving
            (halving with `lr_schedule="plateau"` only).
        max_minutes: stop after the epoch that would end past this wall time since the start, pool
            rendering included (None: no limit).
        workers, use_multiprocessing: Keras's PyDataset parallelism.
        config: a render configuration YAML for the synthetic samples, or None for the defaults.
        photometric: the photometric preset to render with (none, light, default, heavy), replacing the
            configuration's; None keeps it. The presets are tuned for 384 x 256 photos, so on the default
            144 x 96 input `light` degrades about as much as `default` does at full size.
        templates: template directories, or None for the built-in ones.
        target: the field the detector finds (any field the templates print, e.g. `vin`).
        unlabelled: a directory of the user's unlabelled photos; after training, both stages' BatchNorm
            statistics are re-estimated on them, then stage 1 is fine-tuned on its confident answers
            (`synthcert.keras.adapt.self_train`). None: no adaptation.
        pseudo_label_confidence: an unlabelled photo becomes a pseudo-labelled one when both stages answer
            it without a problem and with at least this calibrated confidence: the probability, on renders,
            that every corner is within a quarter of the text height. 0.8 keeps labels of which at most about
            one in five is expected to miss; real photos lie outside the renders the calibration saw, so the
            bar is high. Above 1 keeps none (BatchNorm adaptation only).
        pseudo_label_steps: fine-tuning steps per round on renders mixed with the pseudo-labelled photos (at a
            tenth of `learning_rate`); 0: BatchNorm adaptation only. Not counted in `max_minutes`: a step at
            192 x 144, batch 32, takes about a second on two busy CPU cores.
        pseudo_label_rounds: rounds of labelling and fine-tuning; a round after one that kept no photo is not run.
        refine: train the second stage (the refiner on the field's neighbourhood at full resolution).
        refine_share: share of `max_minutes` left to the refiner.
        refine_photo_size: (W, H) of the renders the refiner's neighbourhoods are cut from (phone-like).
        refine_count: how many such renders (each is cut again with new coarse quads in every pass).
        refine_channels: filters per block of the refiner.
        tensorboard: also write a TensorBoard log to `out/tensorboard`.
        verbose: Keras's fit verbosity (0, 1 or 2).
    """

    out: str = "runs/default"
    real: str | None = None
    real_fraction: float = 0.25
    real_val_fraction: float = 0.2
    augmentation: str = "default"
    epochs: int = 100
    steps_per_epoch: int = 500
    batch_size: int = 32
    image_size: tuple[int, int] = (144, 96)
    channels: tuple[int, ...] = (24, 48, 64)
    head: str = "heatmap"
    input_mode: str = "luminance"
    learning_rate: float = 1e-3
    lr_schedule: str = "anneal"
    pool_size: int | None = 30_000
    pool_workers: int = 2
    pool_freshness: int | None = None
    pool_augment: float = 1.0
    seed: int = 0
    validation_seed_offset: int = 1_000_000
    validation_count: int = 512
    early_stopping_patience: int = 8
    reduce_lr_patience: int = 3
    max_minutes: float | None = 26.0
    workers: int = 1
    use_multiprocessing: bool = False
    config: str | None = None
    photometric: str | None = "light"
    templates: tuple[str, ...] | None = None
    target: str = TARGET
    unlabelled: str | None = None
    pseudo_label_confidence: float = 0.8
    pseudo_label_steps: int = 100
    pseudo_label_rounds: int = 2
    refine: bool = True
    refine_share: float = 0.35
    refine_photo_size: tuple[int, int] = (1024, 768)
    refine_count: int = 1500
    refine_channels: tuple[int, ...] = (16, 32, 48)
    tensorboard: bool = False
    verbose: int = 2

    def __post_init__(self):
        if self.epochs < 1 or self.steps_per_epoch < 1 or self.batch_size < 1 or self.validation_count < 1:
            raise ValueError(f"epochs = {self.epochs}, steps_per_epoch = {self.steps_per_epoch}, batch_size = "
                             f"{self.batch_size}, validation_count = {self.validation_count}; expected each >= 1")
        if not 0.0 <= self.real_fraction <= 1.0 or not 0.0 <= self.real_val_fraction < 1.0:
            raise ValueError(f"real_fraction = {self.real_fraction}, real_val_fraction = {self.real_val_fraction}; "
                             "expected fractions in [0, 1] and [0, 1)")
        check_architecture(self.image_size, self.channels, self.head)
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule = {self.lr_schedule!r}; expected one of {', '.join(LR_SCHEDULES)}")
        if self.pseudo_label_confidence < 0 or self.pseudo_label_steps < 0 or self.pseudo_label_rounds < 1:
            raise ValueError(f"pseudo_label_confidence = {self.pseudo_label_confidence}, pseudo_label_steps = "
                             f"{self.pseudo_label_steps}, pseudo_label_rounds = {self.pseudo_label_rounds}; expected "
                             "a confidence >= 0, steps >= 0 and at least one round")
        if self.pool_freshness is not None:
            if self.pool_freshness < 1 or self.pool_size is None:
                raise ValueError(f"pool_freshness = {self.pool_freshness} with pool_size = {self.pool_size}; a "
                                 "renewing pool needs freshness >= 1 and a pool size (its render processes are "
                                 "pool_workers)")
            check_thread_workers(self.pool_size, self.batch_size, self.workers, KERAS_QUEUE,
                                 self.use_multiprocessing)
        if self.real is not None:
            check_real_workers(self.workers, self.use_multiprocessing, "pass --use-multiprocessing, or --workers 1")
        if self.pool_augment < 0:
            raise ValueError(f"pool_augment = {self.pool_augment}; expected a strength >= 0")
        if not 0.0 < self.refine_share < 1.0 or self.refine_count < 1:
            raise ValueError(f"refine_share = {self.refine_share}, refine_count = {self.refine_count}; expected a "
                             "share in (0, 1) and at least one render")

    def replace(self, **changes) -> TrainOptions:
        """Returns a copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    def quick(self) -> TrainOptions:
        """Returns a smoke-test version of these options: small inputs and few steps, minutes on a CPU."""
        return self.replace(epochs=4, steps_per_epoch=50, batch_size=16, image_size=(96, 64), channels=(8, 16, 24),
                            pool_size=400, validation_count=64, max_minutes=3.0, refine_photo_size=(320, 240),
                            refine_count=64, refine_channels=(8, 16, 24), pseudo_label_steps=20)
