"""The callbacks both training stages share: extra evaluation sets, a wall-time limit, a learning rate annealed
to the end of that budget, and the standard list."""

from __future__ import annotations

import math
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
        self.stopped_at: float | None = None  # time.monotonic() when it stopped the training

    def on_train_begin(self, logs=None):
        self.fit_start = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if now + (now - self.fit_start) / (epoch + 1) - self.start > self.max_s:
            self.model.stop_training = True
            self.stopped_epoch, self.stopped_at = epoch, now


class AnnealToBudget(keras.callbacks.Callback):
    """Holds the optimizer's initial learning rate for the first `hold` share of the stage's budget, then lowers
    it along a half cosine to `floor` times it by the budget's end: `total_steps`, or the wall time `timer`
    allows, whichever runs out first.

    A run that the time limit cuts on a CPU stops while its error still falls, so a plateau rule never fires
    and the last checkpoint is taken at full step size; annealed to the budget, the last epochs take small
    steps whatever the machine's speed. Annealing from the start instead ends worse (stage 1 of a 34-minute
    192 x 144 run: 2.56 px against 1.73 px at the constant rate): an under-trained model needs the large steps
    for most of its budget. The rate is set before every batch and logged per epoch.

    Args:
        total_steps: the stage's epochs times its steps per epoch.
        timer: the stage's `TimeLimit` (its start and budget), or None for no time limit.
        floor: the last rate as a share of the first.
        hold: the share of the budget at the initial rate.
    """

    def __init__(self, total_steps: int, timer: TimeLimit | None = None, floor: float = 0.01, hold: float = 0.7):
        super().__init__()
        self.total_steps, self.timer, self.floor, self.hold = total_steps, timer, floor, hold

    def on_train_begin(self, logs=None):
        self.base = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        self.fit_start, self.step = time.monotonic(), 0

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate.assign(self.rate(self.progress()))
        self.step += 1

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def progress(self) -> float:
        """The share of the budget used, in [0, 1]: of the steps or of the time left when training began."""
        done = self.step / self.total_steps
        if self.timer is not None and math.isfinite(self.timer.max_s):
            left_at_start = self.timer.start + self.timer.max_s - self.fit_start
            done = max(done, 1.0 if left_at_start <= 0 else (time.monotonic() - self.fit_start) / left_at_start)
        return min(done, 1.0)

    def rate(self, progress: float) -> float:
        decay = max(progress - self.hold, 0.0) / (1 - self.hold)
        return self.base * (self.floor + (1 - self.floor) * 0.5 * (1 + math.cos(math.pi * decay)))


def callbacks_for(o: TrainOptions, best: Path, monitor: str, log_csv: Path, timer: TimeLimit,
                  extra_sets: dict | None = None) -> list:
    """Returns a stage's callbacks: extra sets first, then checkpoint, early stop, the learning rate's schedule
    (`o.lr_schedule`), CSV, time."""
    callbacks = [EvaluateSets(extra_sets)] if extra_sets else []
    schedule = (AnnealToBudget(o.epochs * o.steps_per_epoch, timer) if o.lr_schedule == "anneal" else
                keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode="min", factor=0.5,
                                                  patience=o.reduce_lr_patience, min_lr=1e-5))
    callbacks += [
        keras.callbacks.ModelCheckpoint(best, monitor=monitor, mode="min", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode="min", patience=o.early_stopping_patience),
        schedule,
        keras.callbacks.CSVLogger(log_csv),
        timer,
    ]
    return callbacks


def say(o: TrainOptions, message: str) -> None:
    """Prints a progress line to stderr when the run is verbose."""
    if o.verbose:
        print(f"[train] {message}", file=sys.stderr, flush=True)
