"""Batch assembly without Keras: real photos fitted once, mixing counts, cycling order, the real-data split."""


import numpy as np
import pytest

from synthcert.samples import FieldLabel, Sample
from synthcert.training.batches import RealSet, real_count, split_real, to_arrays
from synthcert.training.pool import cycle_picks
from tests.fresh_imports import heavy_imports


def photo(size_wh=(128, 96), corners=((32, 24), (96, 24), (96, 48), (32, 48)), name="a.jpg"):
    w, h = size_wh
    label = FieldLabel("AB 123", np.array(corners, float), np.ones(4, bool))
    return Sample(np.zeros((h, w, 3), np.uint8), {"registration_number": label}, "real", source=name)


@pytest.mark.parametrize(("fraction", "batch_size", "expected"),
                         [(0.0, 32, 0), (0.25, 32, 8), (0.3, 10, 3), (0.5, 5, 2), (1.0, 7, 7)],
                         ids=["none", "quarter", "thirty-percent", "half-of-odd-rounds-half-to-even", "all"])
def test_real_slots_per_batch_are_the_rounded_fraction(fraction, batch_size, expected):
    assert real_count(batch_size, fraction) == expected


def test_fraction_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match=r"real_fraction = 1.5; expected a fraction of the batch in \[0, 1\]"):
        real_count(8, 1.5)


def test_every_item_comes_once_per_pass_in_a_new_order_each_pass():
    picks = np.concatenate([cycle_picks(seed=0, batch_index=b, count=3, n=6, stream="t") for b in range(4)])
    first, second = picks[:6], picks[6:12]
    assert sorted(first) == list(range(6)) and sorted(second) == list(range(6))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(cycle_picks(0, 2, 3, 6, "t"), picks[6:9])  # any batch alone, same picks


def test_real_set_scales_corners_with_the_letterbox():
    real = RealSet.from_samples([photo(size_wh=(128, 96))], input_size_wh=(64, 48))
    assert real.images.shape == (1, 48, 64, 3)
    np.testing.assert_allclose(real.corners[0], [[16, 12], [48, 12], [48, 24], [16, 24]])


def test_a_photo_without_the_target_label_is_refused_by_name():
    bare = Sample(np.zeros((10, 10, 3), np.uint8), {}, "real", source="x.jpg")
    with pytest.raises(ValueError, match="x.jpg: has no 'registration_number' label"):
        RealSet.from_samples([bare], (64, 48))


def test_split_holds_out_the_fraction_deterministically_and_never_everything():
    samples = [photo(name=f"{i}.jpg") for i in range(10)]
    train, val = split_real(samples, 0.2, seed=0)
    assert len(train) == 8 and len(val) == 2
    assert {s.source for s in train} | {s.source for s in val} == {f"{i}.jpg" for i in range(10)}
    assert [s.source for s in split_real(samples, 0.2, seed=0)[1]] == [s.source for s in val]
    assert [len(part) for part in split_real(samples[:2], 0.9, seed=0)] == [1, 1]
    assert [len(part) for part in split_real(samples[:1], 0.5, seed=0)] == [1, 0]


def test_arrays_are_unit_range_images_and_flat_xy_pairs():
    x, y = to_arrays([np.full((2, 3, 3), 255, np.uint8)], [np.array([[0, 1], [2, 3], [4, 5], [6, 7]])])
    assert x.dtype == np.float32 and x.max() == 1.0
    np.testing.assert_array_equal(y, [[0, 1, 2, 3, 4, 5, 6, 7]])


def test_training_helpers_evaluation_and_cli_never_import_tensorflow():
    modules = ["augment", "batches", "drawing", "letterbox", "options", "pool", "report"]
    code = "import synthcert.evaluation, synthcert.cli, " + ", ".join(f"synthcert.training.{m}" for m in modules)
    assert heavy_imports(code, ("tensorflow", "keras")) == []
