"""Hand-made samples for the dataset round-trip tests: corners at 0, on the far edges and outside the image."""

from __future__ import annotations

import numpy as np

from synthcert.samples import FieldLabel, Sample

W, H = 40, 30


def edge_samples() -> list[Sample]:
    """Three samples: labels touching (0, 0) and (W, H), one partly outside, one upside down, one without labels."""
    pixels = np.random.default_rng([3, 1]).integers(0, 256, (3, H, W, 3), dtype=np.uint8)
    full = FieldLabel("ŠKODA 1A2 3456", [[0, 0], [W, 0], [W, H], [0, H]], [True] * 4)
    thirds = FieldLabel("1/3", [[0.1, 0.2], [100 / 3, 0.30000000000000004], [33.0, 7.7], [1e-9, 8.0]], [True] * 4)
    outside = FieldLabel("TMBJJ7NE8J0123456", [[-3.5, 2.25], [20.125, 1.0], [20.0, 8.0], [-3.0, 9.0]],
                         [False, True, True, False])
    upside_down = FieldLabel("AB 123", [[35.5, 25.25], [5.0, 24.0], [5.5, 18.0], [36.0, 19.5]], [True] * 4)
    homography = np.array([[0.5, 0.01, 3.0], [0.02, 0.5, 1.0], [1e-4, 2e-4, 1.0]])
    return [
        Sample(pixels[0], {"registration_number": full, "owner": thirds, "vin": outside}, "edge-test", seed=5,
               index=0, image_from_doc=homography),
        Sample(pixels[1], {}, "edge-test", seed=5, index=1),
        Sample(pixels[2], {"registration_number": upside_down}, "edge-test", seed=5, index=12),
    ]


def assert_same_fields(read: dict[str, FieldLabel], written: dict[str, FieldLabel], atol: float = 0.0,
                       texts: bool = True, visibility: bool = True) -> None:
    """Asserts that labels read back equal the ones written: corners to within `atol` pixels (0: bit for bit)."""
    assert sorted(read) == sorted(written)
    for name, label in written.items():
        if atol == 0:
            np.testing.assert_array_equal(read[name].corners, label.corners, err_msg=name)
        else:
            np.testing.assert_allclose(read[name].corners, label.corners, rtol=0, atol=atol, err_msg=name)
        if visibility:
            np.testing.assert_array_equal(read[name].visible, label.visible, err_msg=name)
        if texts:
            assert read[name].text == label.text
