"""`synthcert.keras`: endless Keras streams of labelled certificate photos and the corner regressor.

The only module of synthcert that imports TensorFlow or Keras; rendering, augmentation, metrics and
drawing live in numpy-only modules (`synthcert.training`, `synthcert.evaluation`) and are called from
here. It never computes a label itself.

Labels and predictions are in pixels of the model input (COCO coordinates: the input spans [0, W] x
[0, H]), flattened as x0, y0, x1, y1, x2, y2, x3, y3 for TL, TR, BR, BL of the number as read. The model
ends in a fixed `Rescaling` from normalised coordinates to pixels, so its output, its MAE loss and
every reported error are in the same pixels.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

try:
    import keras
    import tensorflow as tf
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError('synthcert.keras needs TensorFlow and Keras: pip install "synthcert[keras]"') from e

from synthcert.config import RenderConfig
from synthcert.errors import SynthcertError
from synthcert.evaluation import summarize
from synthcert.pipeline import Renderer
from synthcert.samples import Sample
from synthcert.training.augment import build_real_augmentation
from synthcert.training.batches import RealSet, real_batch, real_count, render_batch, split_real, to_arrays
from synthcert.training.drawing import prediction_grid
from synthcert.training.letterbox import letterbox
from synthcert.training.options import TrainOptions
from synthcert.training.pool import SyntheticPool
from synthcert.training.report import plot_learning_curves, write_json


def _render_config(config: RenderConfig | str | Path | None, image_size) -> RenderConfig:
    if config is None:
        config = RenderConfig()
    elif not isinstance(config, RenderConfig):
        config = RenderConfig.load(config)
    if image_size is not None:
        config = config.replace(scene={"image_size_wh": tuple(int(v) for v in image_size)})
    return config


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
        pool_size: None renders every sample fresh. A number renders samples 0 ... pool_size - 1 once, at
            construction, and draws batches from them in shuffled passes (`synthcert.training.pool`):
            several times faster where rendering costs more than training.
        pool_workers: processes that render the pool.
        workers, use_multiprocessing, max_queue_size: Keras's parallelism settings. Several workers need
            `use_multiprocessing=True`: threads would share the albumentations pipelines and their seeds.

    Example:
        >>> stream = CertificateStream(batch_size=2, image_size=(96, 64), seed=0)
        >>> images, corners = stream[0]
        >>> images.shape, images.dtype, corners.shape, stream.num_batches
        ((2, 64, 96, 3), dtype('float32'), (2, 8), None)
    """

    def __init__(self, batch_size: int = 32, image_size=None, seed: int = 0, config=None, templates=None,
                 pool_size: int | None = None, pool_workers: int = 1, workers: int = 1,
                 use_multiprocessing: bool = False, max_queue_size: int = 10):
        super().__init__(workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        if batch_size < 1 or seed < 0:
            raise ValueError(f"batch_size = {batch_size}, seed = {seed}; expected batch_size >= 1 and seed >= 0")
        if workers > 1 and not use_multiprocessing:
            raise ValueError(f"workers = {workers} with threads would draw albumentations seeds in a race; "
                             "pass use_multiprocessing=True, or workers=1")
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.config = _render_config(config, image_size)
        self.templates = None if templates is None else [str(t) for t in templates]
        self._renderer: Renderer | None = None
        self.pool = None if pool_size is None else SyntheticPool.render(pool_size, self.seed, self.config,
                                                                         self.templates, pool_workers)

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
        super().__init__(**kwargs)
        self.real = real if isinstance(real, RealSet) else RealSet.from_samples(real, self.image_size)
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


def synthetic_set(count: int, image_size=None, seed: int = 1_000_000, config=None, templates=None):
    """Renders a fixed set of `count` synthetic samples as model arrays (x, y), e.g. for validation."""
    renderer = Renderer(templates, _render_config(config, image_size))
    return to_arrays(*render_batch(renderer, seed, range(count)))


def build_regressor(image_size=TrainOptions.image_size, channels: Sequence[int] = TrainOptions.channels,
                    kernel_size: int = 5) -> keras.Model:
    """Returns the seed talk's YOLO-inspired corner regressor, uncompiled.

    Blocks of Conv2D (`kernel_size`, stride 2 in the first block), BatchNormalization, ReLU and 2 x 2
    MaxPooling; then Flatten and Dense(8). The dense layer predicts corners as fractions of the input
    size (starting at the centre) and a fixed Rescaling turns them into input pixels.

    Args:
        image_size: (W, H) of the input images.
        channels: filters per block; their count is the depth.
        kernel_size: side of every convolution kernel.

    Example:
        >>> build_regressor((64, 48), channels=(8, 16)).output_shape
        (None, 8)
    """
    w, h = (int(v) for v in image_size)
    if len(channels) == 0 or min(w, h) < 2 ** (len(channels) + 1):
        raise ValueError(f"{len(channels)} blocks on a {w}x{h} input; expected at least one block and a side of "
                         f"at least 2 ** (blocks + 1) = {2 ** (len(channels) + 1)} px; use fewer channels")
    inputs = keras.Input((h, w, 3), name="image")
    x = inputs
    for i, filters in enumerate(channels):
        x = keras.layers.Conv2D(int(filters), kernel_size, strides=2 if i == 0 else 1, padding="same",
                                use_bias=False, name=f"conv{i}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
        x = keras.layers.ReLU(name=f"relu{i}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    # The head stays float32 under a mixed-precision policy: pixel coordinates need its precision.
    x = keras.layers.Dense(8, bias_initializer=keras.initializers.Constant(0.5), dtype="float32",
                           name="corners_relative")(x)
    outputs = keras.layers.Rescaling(np.array([w, h] * 4, np.float32), dtype="float32", name="corners_px")(x)
    return keras.Model(inputs, outputs, name="corner_regressor")


@keras.saving.register_keras_serializable(package="synthcert")
def corner_px(y_true, y_pred):
    """Keras metric: mean Euclidean distance between predicted and labelled corners, in input pixels."""
    d = keras.ops.reshape(y_pred - y_true, (-1, 4, 2))
    return keras.ops.mean(keras.ops.sqrt(keras.ops.sum(d * d, axis=-1) + 1e-12), axis=-1)


def compile_regressor(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compiles with the seed's MAE loss (in pixels) and Adam; adds the `corner_px` metric."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mae", metrics=[corner_px])
    return model


def load_model(path: str | Path) -> keras.Model:
    """Loads a saved regressor (.keras) for inference."""
    path = Path(path)
    if not path.is_file():
        raise SynthcertError("no such model file; give a .keras file written by train.py", path)
    return keras.saving.load_model(path, compile=False)


def input_size(model: keras.Model) -> tuple[int, int]:
    """Returns the (W, H) the model expects."""
    _, h, w, _ = model.input_shape
    return int(w), int(h)


def predict_corners(model: keras.Model, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Returns (N, 4, 2) float64 corners in input pixels for (N, H, W, 3) float32 images in [0, 1]."""
    y = model.predict(x, batch_size=batch_size, verbose=0)
    return np.asarray(y, np.float64).reshape(-1, 4, 2)


def evaluate_samples(model: keras.Model, samples: Sequence[Sample]) -> tuple[dict, RealSet, np.ndarray]:
    """Predicts the corners of labelled photos of any size and measures the errors, as `train.py` reports them.

    Returns:
        The `synthcert.evaluation.summarize` metrics in input pixels, the letterboxed photos, and the
        (N, 4, 2) predictions in input pixels.
    """
    real = RealSet.from_samples(samples, input_size(model))
    pred = predict_corners(model, to_arrays(real.images, real.corners)[0])
    return summarize(pred, real.corners, image_width_px=real.images.shape[2]), real, pred


def predict_photo(model: keras.Model, image: np.ndarray) -> np.ndarray:
    """Returns the (4, 2) float64 corners TL, TR, BR, BL of the number in an (H, W, 3) uint8 RGB photo of
    any size, in that photo's pixels (COCO)."""
    fitted, box = letterbox(image, input_size(model))
    pred = predict_corners(model, to_arrays([fitted], [np.zeros((4, 2))])[0])
    return box.to_image(pred[0])


def cpu_inference_ms(model: keras.Model, repeats: int = 50) -> float:
    """Returns the median time of one forward pass at batch size 1 on the CPU, in milliseconds."""
    w, h = input_size(model)
    x = tf.zeros((1, h, w, 3), tf.float32)
    with tf.device("/CPU:0"):

        @tf.function(autograph=False)
        def forward(t):
            return model(t, training=False)

        forward(x)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            forward(x).numpy()
            times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))


class EvaluateSets(keras.callbacks.Callback):
    """Adds `<name>_loss` and `<name>_corner_px` to the epoch logs for fixed extra sets (e.g. real photos).

    Keras validates on one set; this puts the others in the same logs, so that the checkpoint, early
    stopping, the CSV log and TensorBoard see them. Put it first in the callback list.

    Args:
        sets: name -> (x, y) model arrays.
    """

    def __init__(self, sets: dict[str, tuple[np.ndarray, np.ndarray]]):
        super().__init__()
        self.sets = sets

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for name, (x, y) in self.sets.items():
            pred = predict_corners(self.model, x)
            metrics = summarize(pred, y, image_width_px=x.shape[2])
            logs[f"{name}_loss"] = metrics["coordinate_mae_px"]
            logs[f"{name}_corner_px"] = metrics["mean_px"]


class TimeLimit(keras.callbacks.Callback):
    """Stops training after the epoch whose successor would end past `max_minutes` since `start`.

    Args:
        max_minutes: the wall-time budget.
        start: `time.monotonic()` when the budget began (e.g. before rendering the pool).
    """

    def __init__(self, max_minutes: float, start: float):
        super().__init__()
        self.max_s = 60.0 * max_minutes
        self.start = start
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs=None):
        self.fit_start = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if now + (now - self.fit_start) / (epoch + 1) - self.start > self.max_s:
            self.model.stop_training = True
            self.stopped_epoch = epoch


DRAWN = {"val": 12, "val_real": 8}  # validation samples drawn in predictions.png, per set


def _say(o: TrainOptions, message: str) -> None:
    if o.verbose:
        print(f"[train] {message}", file=sys.stderr, flush=True)


def train(options: TrainOptions | None = None) -> dict:
    """Trains the corner regressor on an endless synthetic (or mixed) stream and writes every artefact.

    Writes to `options.out`: `best.keras` (the checkpoint with the lowest validation corner error, saved
    without optimizer state),
    `log.csv`, `curves.png`, `predictions.png` (validation predictions in red over labels in green),
    `summary.json` and, if asked, `tensorboard/`. The monitored error is the real photos' validation
    error when real photos are given, else the synthetic one.

    Args:
        options: the run's settings; None for the defaults.

    Returns:
        The summary written to `summary.json`.
    """
    o = options or TrainOptions()
    start = time.monotonic()
    if o.tensorboard and importlib.util.find_spec("tensorboard") is None:
        raise SynthcertError("tensorboard = True needs the tensorboard package; pip install tensorboard, or leave "
                             "it off")
    real_sets: dict[str, RealSet] = {}
    if o.real:  # first, so that a wrong path fails before minutes of rendering
        from synthcert.datasets import read_dataset

        train_real, val_real = split_real(read_dataset(o.real), o.real_val_fraction, o.seed)
        if not train_real:
            raise SynthcertError("holds no labelled photos; give a dataset with at least one", o.real)
        real_sets = {name: RealSet.from_samples(s, o.image_size)
                     for name, s in (("train_real", train_real), ("val_real", val_real)) if s}
    out = Path(o.out)
    out.mkdir(parents=True, exist_ok=True)
    val_seed = o.seed + o.validation_seed_offset
    config = _render_config(o.config, o.image_size)
    if o.photometric is not None:
        config = config.replace(photometric={"preset": o.photometric})
    pool = f" and a pool of {o.pool_size} training samples with {o.pool_workers} processes" if o.pool_size else ""
    _say(o, f"rendering {o.validation_count} validation samples (seed {val_seed}){pool}")
    sets = {"val": synthetic_set(o.validation_count, None, val_seed, config, o.templates)}
    stream_args = dict(batch_size=o.batch_size, seed=o.seed, config=config,
                       templates=o.templates, pool_size=o.pool_size, pool_workers=o.pool_workers,
                       workers=o.workers, use_multiprocessing=o.use_multiprocessing)
    if real_sets:
        stream = MixedStream(real_sets["train_real"], o.real_fraction, o.augmentation, **stream_args)
        # Keras's own training loss mixes both sources; this fixed subset shows the synthetic part alone.
        sets["train_synthetic"] = to_arrays(*render_batch(stream.renderer, o.seed, range(o.validation_count)))
    else:
        stream = CertificateStream(**stream_args)
    sets.update({name: to_arrays(r.images, r.corners) for name, r in real_sets.items()})
    monitor = "val_real_corner_px" if "val_real" in sets else "val_corner_px"
    _say(o, f"ready after {time.monotonic() - start:.0f} s; training, monitoring {monitor}")

    model = compile_regressor(build_regressor(o.image_size, o.channels), o.learning_rate)
    best = out / "best.keras"
    timer = TimeLimit(o.max_minutes if o.max_minutes is not None else float("inf"), start)
    callbacks = [
        EvaluateSets({k: v for k, v in sets.items() if k != "val"}),
        keras.callbacks.ModelCheckpoint(best, monitor=monitor, mode="min", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode="min", patience=o.early_stopping_patience),
        keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode="min", factor=0.5, patience=o.reduce_lr_patience,
                                          min_lr=1e-5),
        keras.callbacks.CSVLogger(out / "log.csv"),
        timer,
    ]
    if o.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(out / "tensorboard"))
    history = model.fit(stream, steps_per_epoch=o.steps_per_epoch, epochs=o.epochs, validation_data=sets["val"],
                        callbacks=callbacks, shuffle=False, verbose=o.verbose)
    train_s = time.monotonic() - start

    model = load_model(best)
    model.save(best)  # uncompiled: the checkpoint keeps the weights and drops the optimizer's state
    # The checkpoint was chosen on `val`; a second unseen seed, looked at once, measures it without that bias.
    test_seed = o.seed + 2 * o.validation_seed_offset
    sets["test"] = synthetic_set(o.validation_count, None, test_seed, config, o.templates)
    results, drawn = {}, []
    for name, key in (("val", "synthetic"), ("test", "synthetic_test"), ("val_real", "real")):
        if name in sets:
            x, y = sets[name]
            pred = predict_corners(model, x)
            results[key] = summarize(pred, y, image_width_px=o.image_size[0])
            if name in DRAWN:
                k = min(len(x), DRAWN[name])
                drawn.append((np.round(x[:k] * 255).astype(np.uint8), pred[:k], y[:k].reshape(-1, 4, 2)))
    images, pred, true = (np.concatenate(parts) for parts in zip(*drawn, strict=True))
    cv2.imwrite(str(out / "predictions.png"), cv2.cvtColor(prediction_grid(images, pred, true), cv2.COLOR_RGB2BGR))
    plot_learning_curves(out / "log.csv", out / "curves.png")
    epochs_run = len(history.history.get("loss", []))
    best_epoch = int(np.nanargmin(history.history[monitor])) + 1 if monitor in history.history else None
    summary = {
        "units": f"pixels of the {o.image_size[0]}x{o.image_size[1]} model input; pct_width: % of its width",
        "model": {"parameters": int(model.count_params()), "size_bytes": best.stat().st_size,
                  "weights_bytes": int(sum(w.size * w.dtype.itemsize for w in model.get_weights())),
                  "channels": list(o.channels), "input_size_wh": list(o.image_size)},
        "validation": results,
        "inference": {"cpu_ms_per_image_batch_1": cpu_inference_ms(model),
                      "devices": [d.device_type for d in tf.config.list_logical_devices()]},
        "training": {"wall_time_s": train_s, "epochs": epochs_run, "steps": epochs_run * o.steps_per_epoch,
                     "images_seen": epochs_run * o.steps_per_epoch * o.batch_size, "monitor": monitor,
                     "best_epoch": best_epoch,
                     "stopped_by_time_limit": timer.stopped_epoch is not None,
                     "synthetic_validation_seed": val_seed, "synthetic_test_seed": test_seed,
                     "real_photos": {name: len(r) for name, r in real_sets.items()}},
        "options": dataclasses.asdict(o),
        "render_config": config.to_dict(),
    }
    write_json(out / "summary.json", summary)
    return summary
