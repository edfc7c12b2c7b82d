"""Everything a training run needs before the first step: options checked, real photos read, configuration,
validation sets and the training stream."""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path

from synthcert.config import RenderConfig, resolve_config
from synthcert.errors import ConfigError, SynthcertError
from synthcert.keras.callbacks import say
from synthcert.keras.streams import CertificateStream, MixedStream, synthetic_set
from synthcert.pipeline import Renderer
from synthcert.samples import TARGET
from synthcert.training.batches import RealSet, render_batch, split_real, to_arrays
from synthcert.training.options import TRAIN_DOCUMENT, TRAIN_SCENE, TrainOptions


@dataclass
class Prepared:
    """A run ready to fit.

    Attributes:
        options: the run's settings.
        out: the output directory (created).
        start: `time.monotonic()` at the start: the wall-time budget counts from here.
        config: the render configuration of the synthetic photos.
        val_seed: the synthetic validation seed.
        sets: name -> (x, y) model arrays: `val` (synthetic), and with real photos `train_synthetic`,
            `train_real`, `val_real`.
        real_samples: name -> the real photos behind `train_real` / `val_real`, at full resolution.
        stream: the training stream.
        unlabelled: the user's unlabelled photos (uint8 RGB), or None.
    """

    options: TrainOptions
    out: Path
    start: float
    config: RenderConfig
    val_seed: int
    sets: dict
    real_samples: dict
    stream: CertificateStream
    unlabelled: list | None


def training_config(o: TrainOptions) -> RenderConfig:
    """The configuration renders are drawn with: the user's, or the defaults widened by `TRAIN_SCENE` and
    `TRAIN_DOCUMENT`; its `labels.target` is `o.target`, so that the scene keeps the trained field in view,
    not the number.

    Raises:
        ConfigError: the configuration is invalid, or its `labels.target` names another field than `o.target`.
    """
    config = resolve_config(o.config, o.image_size, o.photometric)
    if config.labels.target not in (TARGET, o.target):
        raise ConfigError(f"= {config.labels.target!r} but train.py --target = {o.target!r}; give --target "
                          f"{config.labels.target} or leave labels.target out", o.config, "labels.target")
    config = resolve_config(config, target=o.target)
    return config.replace(scene=TRAIN_SCENE, document=TRAIN_DOCUMENT) if o.config is None else config


def prepare(o: TrainOptions) -> Prepared:
    """Checks and reads every input first, so that a wrong path fails before minutes of rendering."""
    start = time.monotonic()
    if o.tensorboard and importlib.util.find_spec("tensorboard") is None:
        raise SynthcertError("tensorboard = True needs the tensorboard package; pip install tensorboard, or leave "
                             "it off")
    config = training_config(o)
    Renderer(o.templates, config)  # a template without the target fails here, before anything is read
    unlabelled = None
    if o.unlabelled:
        from synthcert.keras.adapt import read_photos

        unlabelled = read_photos(o.unlabelled)
    real_samples: dict = {}
    if o.real:
        from synthcert.datasets import read_dataset

        train_real, val_real = split_real(read_dataset(o.real), o.real_val_fraction, o.seed)
        if not train_real:
            raise SynthcertError("holds no labelled photos; give a dataset with at least one", o.real)
        real_samples = {name: s for name, s in (("train_real", train_real), ("val_real", val_real)) if s}
    real_sets = {name: RealSet.from_samples(s, o.image_size, o.target) for name, s in real_samples.items()}
    out = Path(o.out)  # made only once every input has been read, so a bad input leaves nothing behind
    if out.exists() and not out.is_dir():
        raise SynthcertError("is a file, not a directory; give --out a directory", out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SynthcertError(f"cannot be made ({e.strerror}); give --out a directory you may write", out) from None
    val_seed = o.seed + o.validation_seed_offset
    renewed = f", each served {o.pool_freshness} times, then renewed" if o.pool_freshness else ""
    pool = (f" and a pool of {o.pool_size} training samples with {o.pool_workers} processes{renewed}" if o.pool_size
            else "")
    say(o, f"rendering {o.validation_count} validation samples (seed {val_seed}){pool}")
    sets = {"val": synthetic_set(o.validation_count, None, val_seed, config, o.templates)}
    stream_args = dict(batch_size=o.batch_size, seed=o.seed, config=config, templates=o.templates,
                       pool_size=o.pool_size, pool_workers=o.pool_workers, pool_freshness=o.pool_freshness,
                       pool_augment=o.pool_augment, workers=o.workers,
                       use_multiprocessing=o.use_multiprocessing)
    if real_sets:
        stream = MixedStream(real_sets["train_real"], o.real_fraction, o.augmentation, **stream_args)
        # Keras's own training loss mixes both sources; this fixed subset shows the synthetic part alone.
        sets["train_synthetic"] = to_arrays(*render_batch(stream.renderer, o.seed, range(o.validation_count)))
    else:
        stream = CertificateStream(**stream_args)
    sets.update({name: to_arrays(r.images, r.corners) for name, r in real_sets.items()})
    return Prepared(o, out, start, config, val_seed, sets, real_samples, stream, unlabelled)
