"""The callbacks both training stages share: extra evaluation sets, a wall-time limit, and the standard list."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import keras
import numpy as np

from synthcert.evaluation import summarize
from synthcert.keras.model import predict_corners
from synthcert.training.options import TrainOptions


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


def callbacks_for(o: TrainOptions, best: Path, monitor: str, log_csv: Path, timer: TimeLimit,
                  extra_sets: dict | None = None) -> list:
    """Returns a stage's callbacks: extra sets first, then checkpoint, early stop, LR plateau, CSV, time."""
    callbacks = [EvaluateSets(extra_sets)] if extra_sets else []
    callbacks += [
        keras.callbacks.ModelCheckpoint(best, monitor=monitor, mode="min", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode="min", patience=o.early_stopping_patience),
        keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode="min", factor=0.5, patience=o.reduce_lr_patience,
                                          min_lr=1e-5),
        keras.callbacks.CSVLogger(log_csv),
        timer,
    ]
    return callbacks


def say(o: TrainOptions, message: str) -> None:
    """Prints a progress line to stderr when the run is verbose."""
    if o.verbose:
        print(f"[train] {message}", file=sys.stderr, flush=True)
