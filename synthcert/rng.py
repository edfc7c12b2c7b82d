"""The only place where random generators are created.

A sample is a pure function of (configuration, seed, index): its generator is built from the entropy
`[index, seed]` (NumPy's guide: the varying id first, never `seed + index`), and spawns one child per
stage in a fixed order, so that adding a draw to one stage never shifts the draws of another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

STAGES = ("template", "scene", "photometric")


@dataclass(frozen=True)
class StageRngs:
    """One independent generator per rendering stage of one sample."""

    template: np.random.Generator
    scene: np.random.Generator
    photometric: np.random.Generator


def sample_rng(seed: int, index: int) -> np.random.Generator:
    """Returns the generator of sample `index` of the dataset or stream with `seed`."""
    if seed < 0 or index < 0:
        raise ValueError(f"seed = {seed}, index = {index}; expected both >= 0")
    return np.random.default_rng([index, seed])


def stream_rng(seed: int, index: int, stream: str) -> np.random.Generator:
    """Returns the generator of item `index` of a named side stream (e.g. "real" batches, "split").

    Independent of every sample's generator: the entropy `[index, seed, crc32(stream)]` has a third word.
    """
    if seed < 0 or index < 0:
        raise ValueError(f"seed = {seed}, index = {index}; expected both >= 0")
    return np.random.default_rng([index, seed, zlib.crc32(stream.encode()) | 1])


def stage_rngs(seed: int, index: int) -> StageRngs:
    """Returns the per-stage generators of sample `index`, independent of each other: the children that
    `sample_rng(seed, index).spawn(3)` returns, built without the parent's own generator, which no stage uses."""
    if seed < 0 or index < 0:
        raise ValueError(f"seed = {seed}, index = {index}; expected both >= 0")
    return StageRngs(*(np.random.Generator(np.random.PCG64(np.random.SeedSequence([index, seed], spawn_key=(k,))))
                       for k in range(len(STAGES))))
