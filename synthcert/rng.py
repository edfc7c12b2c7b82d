"""The only place where random generators are created.

A sample is a pure function of (configuration, seed, index): its generator is built from the entropy
`[index, seed]` (NumPy's guide: the varying id first, never `seed + index`), and spawns one child per
stage in a fixed order, so that adding a draw to one stage never shifts the draws of another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from numpy.random.bit_generator import ISpawnableSeedSequence

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
    `sample_rng(seed, index).spawn(3)` returns, built without the parent's own generator, which no stage uses.

    The children's seed pools are hashed here in Python integers, the way `np.random.SeedSequence` hashes them, the
    parent's entropy once for all three: 77 -> 45 us per sample (three SeedSequence objects were 36 us).
    """
    if seed < 0 or index < 0:
        raise ValueError(f"seed = {seed}, index = {index}; expected both >= 0")
    words = [*_words(index), *_words(seed)]
    pool, k = _mix_pool(words + [0] * (_POOL - len(words)))  # a spawn key pads the entropy to the pool's size
    return StageRngs(*(np.random.Generator(np.random.PCG64(_ChildSeed([index, seed], child,
                                                                      _mix_pool([child], pool, k)[0])))
                       for child in range(len(STAGES))))


# SeedSequence's hash (numpy/random/bit_generator.pyx: hashmix, mix, mix_entropy, generate_state) on 32-bit words,
# with the successive hash constants tabulated: the k-th hashmix xors with _HASH_A[k] and multiplies by _HASH_A[k + 1].
_POOL, _MASK = 4, 0xFFFFFFFF
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715


def _hash_constants(init: int, mult: int, n: int) -> list[int]:
    constants = [init]
    for _ in range(n - 1):
        constants.append(constants[-1] * mult & _MASK)
    return constants


_HASH_A = _hash_constants(_INIT_A, _MULT_A, 1024)  # entropy of up to 250 words; longer gets its own table
_HASH_B = _hash_constants(_INIT_B, _MULT_B, 2 * _POOL + 1)
_PAIRS = tuple((src, dst) for src in range(_POOL) for dst in range(_POOL) if src != dst)


def _words(n: int) -> list[int]:
    """The 32-bit words of `n`, least significant first, as SeedSequence reads an integer of its entropy."""
    words = [n & _MASK]
    while n > _MASK:
        n >>= 32
        words.append(n & _MASK)
    return words


def _mix_pool(words: list[int], pool: list[int] | None = None, k: int = 0) -> tuple[list[int], int]:
    """SeedSequence.mix_entropy: hashes `words` into a fresh pool (the first four words, then all mixed together)
    or, with `pool`, into that pool one word after another; returns the pool and the number of hashes done."""
    needed = k + _POOL * (len(words) + _POOL) + 1
    a = _HASH_A if needed <= len(_HASH_A) else _hash_constants(_INIT_A, _MULT_A, needed)
    if pool is None:
        pool = []
        for w in words[:_POOL]:
            value = (w ^ a[k]) * a[k + 1] & _MASK
            pool.append(value ^ value >> 16)
            k += 1
        for src, dst in _PAIRS:
            value = (pool[src] ^ a[k]) * a[k + 1] & _MASK
            result = (_MIX_L * pool[dst] - _MIX_R * (value ^ value >> 16)) & _MASK
            pool[dst] = result ^ result >> 16
            k += 1
        words = words[_POOL:]
    else:
        pool = list(pool)
    for w in words:
        for dst in range(_POOL):
            value = (w ^ a[k]) * a[k + 1] & _MASK
            result = (_MIX_L * pool[dst] - _MIX_R * (value ^ value >> 16)) & _MASK
            pool[dst] = result ^ result >> 16
            k += 1
    return pool, k


class _ChildSeed(ISpawnableSeedSequence):
    """`SeedSequence([index, seed], spawn_key=(child,))` with its pool already hashed: gives PCG64 its four words
    from it and hands any other request (other sizes, spawning) to a real SeedSequence."""

    def __init__(self, entropy: list[int], child: int, pool: list[int]):
        self.entropy, self.spawn_key, self.pool = entropy, (child,), pool
        self.n_children_spawned = 0

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words != 4 or dtype is not np.uint64:  # PCG64 asks for exactly this
            return self._real().generate_state(n_words, dtype)
        b, pool, words = _HASH_B, self.pool * 2, []
        for i in range(0, 2 * _POOL, 2):  # two 32-bit words, low first, per 64-bit word
            lo, hi = (pool[i] ^ b[i]) * b[i + 1] & _MASK, (pool[i + 1] ^ b[i + 1]) * b[i + 2] & _MASK
            words.append(lo ^ lo >> 16 | (hi ^ hi >> 16) << 32)
        return np.array(words, np.uint64)

    def spawn(self, n_children: int) -> list[np.random.SeedSequence]:
        children = self._real().spawn(n_children)
        self.n_children_spawned += n_children
        return children

    def _real(self) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key,
                                      n_children_spawned=self.n_children_spawned)
