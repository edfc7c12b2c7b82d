"""Augmenting real photos: corners follow the pixels (marker-blob oracle), keep their order and are never dropped."""

import albumentations as A
import numpy as np
import pytest

from synthcert.training.augment import augment_real, build_real_augmentation

SIZE_WH = (192, 128)
CORNERS = np.array([[60.3, 40.6], [132.2, 44.1], [130.5, 70.4], [58.7, 66.9]])


def white_blobs(centres_xy, sigma_px=1.6):
    w, h = SIZE_WH
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    image = sum((np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma_px**2)) for x, y in centres_xy), np.zeros((h, w)))
    return np.repeat(np.clip(np.round(255 * image), 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def centroid_near(image, xy, radius_px=6.0):
    """Centre (COCO) of the brightness above the image's median within `radius_px` of `xy`."""
    ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]] + 0.5
    grey = image.astype(np.float64).mean(axis=2)
    weight = np.clip(grey - np.median(grey), 0, None) * (np.hypot(xs - xy[0], ys - xy[1]) < radius_px)
    return np.array([(weight * xs).sum() / weight.sum(), (weight * ys).sum() / weight.sum()])


def geometric_only(strength):
    """The strength's geometric transforms alone: photometric noise would only blur the oracle."""
    full = build_real_augmentation(strength)
    geometric = [t for t in full.transforms if isinstance(t, A.DualTransform)]
    return A.Compose(geometric, keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))


@pytest.mark.parametrize("strength", ["default", "heavy"])
def test_augmented_corners_land_on_the_warped_marker_blobs(strength):
    image, transform = white_blobs(CORNERS), geometric_only(strength)
    rng = np.random.default_rng(0)
    for _ in range(12):
        out, corners = augment_real(image, CORNERS, transform, rng)
        for xy in corners:
            np.testing.assert_allclose(centroid_near(out, xy), xy, atol=0.08)


def test_full_pipeline_corners_still_land_on_the_blobs():
    image, rng = white_blobs(CORNERS, sigma_px=2.0), np.random.default_rng(1)
    for _ in range(12):
        out, corners = augment_real(image, CORNERS, build_real_augmentation("default"), rng)
        for xy in corners:
            np.testing.assert_allclose(centroid_near(out, xy), xy, atol=0.35)


def test_photometric_part_never_moves_a_corner():
    photometric = [t for t in build_real_augmentation("heavy").transforms if not isinstance(t, A.DualTransform)]
    # Image-only transforms (and groups of them) are the ones albumentations never applies to keypoints.
    assert photometric and all(isinstance(t, A.ImageOnlyTransform | A.OneOf) for t in photometric)
    transform = A.Compose(photometric, keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))
    rng = np.random.default_rng(2)
    for _ in range(5):
        _, corners = augment_real(white_blobs(CORNERS), CORNERS, transform, rng)
        np.testing.assert_allclose(corners, CORNERS, atol=1e-4)  # albumentations keeps float32


def test_reading_order_survives_every_draw_no_flips():
    def winding(c):  # the sign of the area: a mirror image flips it
        return np.sign(np.sum(c[:, 0] * np.roll(c[:, 1], -1) - np.roll(c[:, 0], -1) * c[:, 1]))

    rng, transform = np.random.default_rng(3), build_real_augmentation("heavy")
    for _ in range(40):
        _, corners = augment_real(white_blobs(CORNERS), CORNERS, transform, rng)
        assert winding(corners) == winding(CORNERS)
        assert corners[0, 0] < corners[1, 0] and corners[0, 1] < corners[3, 1]  # TL is still top left


def test_corners_on_the_image_edge_are_kept_and_zero_stays_zero_without_augmentation():
    corners = np.array([[0.0, 0.0], [192.0, 0.0], [192.0, 128.0], [0.0, 128.0]])
    out, same = augment_real(white_blobs([]), corners, None, np.random.default_rng(4))
    np.testing.assert_array_equal(same, corners)
    _, moved = augment_real(white_blobs([]), corners, build_real_augmentation("default"), np.random.default_rng(4))
    assert moved.shape == (4, 2) and np.all(np.isfinite(moved))


def test_inside_corners_stay_inside_the_image():
    rng, transform = np.random.default_rng(5), build_real_augmentation("heavy")
    near_edge = CORNERS + [-55.0, -35.0]
    for _ in range(30):
        _, corners = augment_real(white_blobs(near_edge), near_edge, transform, rng)
        assert np.all((corners >= 0) & (corners <= SIZE_WH))


def test_same_generator_state_gives_the_same_augmentation():
    image, transform = white_blobs(CORNERS), build_real_augmentation("default")
    a = augment_real(image, CORNERS, transform, np.random.default_rng(6))
    b = augment_real(image, CORNERS, transform, np.random.default_rng(6))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_unknown_strength_names_the_choices():
    with pytest.raises(ValueError, match="strength = 'wild'; expected one of none, light, default, heavy"):
        build_real_augmentation("wild")
