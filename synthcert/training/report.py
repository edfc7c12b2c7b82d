"""Training artefacts that need no model: learning curves from the CSV log, and the JSON summary.

Reporting stage; reads and writes files only (matplotlib with the Agg backend, no display, no TensorFlow).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

# (log key, legend) per curve: training and validation, synthetic and real photos separately.
CURVES = (
    ("", "training batches (as drawn)"),
    ("train_synthetic_", "training, synthetic (fixed subset)"),
    ("val_", "validation, synthetic"),
    ("train_real_", "training, real (not augmented)"),
    ("val_real_", "validation, real (held out)"),
)
PANELS = (("loss", "MAE per coordinate (input px)"), ("corner_px", "mean corner error (input px)"))


def read_log(csv_path: str | Path) -> dict[str, np.ndarray]:
    """Returns each column of a Keras CSVLogger file as a float array."""
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    return {key: np.array([float(r[key]) if r[key] not in ("", "nan") else np.nan for r in rows])
            for key in rows[0]}


def plot_learning_curves(csv_path: str | Path, png_path: str | Path) -> None:
    """Draws the loss and the corner error of every logged set against the epoch, on log scales."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log = read_log(csv_path)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(11, 4), constrained_layout=True)
    for ax, (metric, title) in zip(axes, PANELS, strict=True):
        for prefix, label in CURVES:
            if prefix + metric in log:
                ax.plot(log["epoch"] + 1, log[prefix + metric], marker=".", label=label)
        ax.set(title=title, xlabel="epoch", yscale="log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.savefig(png_path, dpi=110)
    plt.close(fig)


def write_json(path: str | Path, data: dict) -> None:
    """Writes `data` as indented JSON."""
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
