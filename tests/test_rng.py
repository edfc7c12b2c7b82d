"""Tests of synthcert.rng: where every random generator of a sample comes from."""

from __future__ import annotations

import pytest

from synthcert.rng import STAGES, sample_rng, stage_rngs


@pytest.mark.parametrize("seed, index", [(0, 0), (0, 1), (7, 123_456), (2**40, 3), (2**32 - 1, 2**32), (3, 2**64 + 5),
                                         (2**130 + 1, 2**100), (2**63 - 1, 2**63 - 1)])
def test_stage_generators_are_the_spawned_children_of_the_sample_generator(seed, index):
    # NumPy's own spawn is the reference: stage_rngs builds the same children without the parent generator (and
    # without SeedSequence objects), for entropy of one to five 32-bit words.
    expected = sample_rng(seed, index).spawn(len(STAGES))
    stages = stage_rngs(seed, index)
    for name, child in zip(STAGES, expected, strict=True):
        assert getattr(stages, name).bit_generator.state == child.bit_generator.state
        assert getattr(stages, name).random(4).tolist() == child.random(4).tolist()


def test_a_stage_generator_spawns_and_seeds_like_the_spawned_child():
    stage, child = stage_rngs(5, 9).scene, sample_rng(5, 9).spawn(len(STAGES))[1]
    for n in (2, 1):  # the second spawn continues after the first one's children, as SeedSequence's does
        assert [g.random() for g in stage.spawn(n)] == [g.random() for g in child.spawn(n)]
    ours, numpys = stage.bit_generator.seed_seq, child.bit_generator.seed_seq
    assert ours.generate_state(5).tolist() == numpys.generate_state(5).tolist()
    assert (ours.entropy, ours.spawn_key, ours.n_children_spawned) == (numpys.entropy, numpys.spawn_key, 3)
    assert stage_rngs(2**64 + 1, 2**40).template.bit_generator.seed_seq.entropy == [2**40, 2**64 + 1]


def test_stages_draw_different_numbers():
    stages = stage_rngs(0, 0)
    assert len({tuple(getattr(stages, name).random(3).tolist()) for name in STAGES}) == len(STAGES)


def test_negative_seed_or_index_is_refused():
    with pytest.raises(ValueError, match="expected both >= 0"):
        stage_rngs(-1, 0)
    with pytest.raises(ValueError, match="expected both >= 0"):
        stage_rngs(0, -1)
