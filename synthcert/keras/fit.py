"""One training run: streams, validation sets, Keras callbacks, and every artefact `train.py` writes."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
from pathlib import Path

import cv2
import keras
import numpy as np
import tensorflow as tf

from synthcert.config import resolve_config
from synthcert.errors import SynthcertError
from synthcert.evaluation import summarize
from synthcert.keras.model import build_regressor, compile_regressor, cpu_inference_ms, load_model, predict_corners
from synthcert.keras.streams import CertificateStream, MixedStream, synthetic_set
from synthcert.training.batches import RealSet, render_batch, split_real, to_arrays
from synthcert.training.drawing import prediction_grid
from synthcert.training.options import TrainOptions
from synthcert.training.report import plot_learning_curves, write_json


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
    config = resolve_config(o.config, o.image_size, o.photometric)
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

    model = compile_regressor(build_regressor(o.image_size, o.channels, head=o.head), o.learning_rate)
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
                  "head": o.head, "channels": list(o.channels), "input_size_wh": list(o.image_size)},
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
