"""Tests of synthcert.rng: where every random generator of a sample comes from."""

from __future__ import annotations

import pytest

from synthcert.rng import STAGES, sample_rng, stage_rngs


@pytest.mark.parametrize("seed, index", [(0, 0), (0, 1), (7, 123_456), (2**40, 3)])
def test_stage_generators_are_the_spawned_children_of_the_sample_generator(seed, index):
    # NumPy's own spawn is the reference: stage_rngs builds the same children without the parent generator.
    expected = sample_rng(seed, index).spawn(len(STAGES))
    stages = stage_rngs(seed, index)
    for name, child in zip(STAGES, expected, strict=True):
        assert getattr(stages, name).random(4).tolist() == child.random(4).tolist()


def test_stages_draw_different_numbers():
    stages = stage_rngs(0, 0)
    assert len({tuple(getattr(stages, name).random(3).tolist()) for name in STAGES}) == len(STAGES)


def test_negative_seed_or_index_is_refused():
    with pytest.raises(ValueError, match="expected both >= 0"):
        stage_rngs(-1, 0)
    with pytest.raises(ValueError, match="expected both >= 0"):
        stage_rngs(0, -1)
