"""Photometric effects of the sheet itself and what covers it: worn, dirty print and a plastic sleeve.

Photometric stage: pixels in, pixels out, never labels; both effects act within the sheet's outline in
the image (`EffectFrame.sheet_xy`; the whole image when it is unknown), blended on the sheet's bounding
box only (their smooth fields are drawn and upsampled over the whole frame, then cropped, which keeps the
upsampling's bytes). Each effect is a frozen params
class, `sample_*(rng, strength, frame)` and a pure `apply_*(image, params)`, listed once in
`synthcert.photometric.stage.EFFECTS`. Smooth fields are drawn on a coarse grid and upsampled, as the
lighting is (`effects.CELL_PX`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from albucore import sz_lut

from synthcert import draws, geometry
from synthcert.photometric import effects
from synthcert.photometric.effects import EffectFrame

Blob = tuple[float, float, float, float]  # centre x, centre y (image pixels, COCO), radius (px), weight


@dataclass(frozen=True)
class WearParams:
    """Worn, dirty print: ink faded in patches, stains of `stain_rgb` and dark specks of dust.

    Attributes:
        sheet_xy: the sheet's corners TL, TR, BR, BL in the image (COCO), or None for the whole image.
        fades: patches where the print fades towards the paper: weight = how far, in [0, 1].
        stains: soft blotches multiplied by `stain_rgb`: weight = opacity, in [0, 1].
        stain_rgb: colour of the stains (coffee, grease, grime) as a gain per channel.
        specks: dark dots: radius in px, weight = darkness in [0, 1].
    """

    sheet_xy: tuple[tuple[float, float], ...] | None
    fades: tuple[Blob, ...] = ()
    stains: tuple[Blob, ...] = ()
    stain_rgb: tuple[float, float, float] = (0.85, 0.75, 0.6)
    specks: tuple[Blob, ...] = ()


def sample_wear(rng: np.random.Generator, strength: float, frame: EffectFrame) -> WearParams:
    """Draws a few faded patches, stains and specks inside the sheet."""
    size = float(min(frame.size_wh))

    def blobs(count_range, radius_range, weight_range):
        count = int(rng.integers(count_range[0], count_range[1] + 1))
        return tuple((*frame.point_on_sheet(rng).tolist(), draws.uniform(rng, *radius_range) * size,
                      min(draws.uniform(rng, *weight_range) * strength, 1.0)) for _ in range(count))

    return WearParams(
        sheet_xy=None if frame.sheet_xy is None else tuple(map(tuple, np.asarray(frame.sheet_xy).tolist())),
        fades=blobs((0, 3), (0.08, 0.3), (0.2, 0.6)),
        stains=blobs((0, 2), (0.04, 0.15), (0.1, 0.35)),
        stain_rgb=draws.uniforms(rng, (0.8, 0.7, 0.5), (0.95, 0.9, 0.8)),
        specks=blobs((0, 12), (0.002, 0.006), (0.3, 0.8)),
    )


def apply_wear(image: np.ndarray, params: WearParams) -> np.ndarray:
    """Fades, stains and specks the sheet of an (H, W, 3) uint8 image."""
    h, w = image.shape[:2]
    on_sheet = _on_sheet(params.sheet_xy, (w, h))
    if on_sheet is None:
        return image
    box, mask = on_sheet
    (y0, y1), (x0, x1) = ((b.start, b.stop) for b in box)
    result = image.copy()
    out = result[box]  # each step writes here
    if params.fades:
        # Fading pulls each pixel towards the brightest paper near it (a dilation stands for "the paper"),
        # dilated with the two pixels around the box that its 5 x 5 kernel reaches.
        gx0, gy0 = max(x0 - 2, 0), max(y0 - 2, 0)
        paper = cv2.dilate(image[gy0:y1 + 2, gx0:x1 + 2], np.ones((5, 5), np.uint8))
        paper = paper[y0 - gy0:y1 - gy0, x0 - gx0:x1 - gx0]
        out[...] = effects.blend(image[box], paper, _within(_blob_share(params.fades, (w, h))[box], mask))
    if params.stains:
        stain = _blob_share(params.stains, (w, h))[box]
        # Only where a stain reaches (about half of the box): elsewhere its gain is 1 and changes nothing.
        sx, sy, sw, sh = cv2.boundingRect(stain)
        if sw:
            part = np.s_[sy:sy + sh, sx:sx + sw]
            stain = _within(stain[part], None if mask is None else mask[part])
            # Per channel: gain = 1 - stain * (1 - stain_rgb), as share * 255: a table of the stain's value.
            gain = cv2.merge([sz_lut(stain, _stain_gain(c), inplace=False) for c in params.stain_rgb])
            out[part] = cv2.multiply(out[part], gain, scale=1 / 255.0)
    if params.specks:
        _darken_specks(out, params.specks, (x0, y0), (w, h), mask)
    return result


def _darken_specks(out: np.ndarray, specks: tuple[Blob, ...], origin_xy: tuple[int, int], size_wh: tuple[int, int],
                   mask: np.ndarray | None) -> None:
    """Blends the sheet's box `out` (at `origin_xy` in the image) towards black by the specks' antialiased
    discs, in place.

    The discs are drawn over the frame (their overlaps as one drawing makes them) and blended at the pixels
    they touch only, gathered into one row: elsewhere their share is zero and the blend would give the pixels
    back, and the blend's 8-bit steps give every pixel its own value wherever it lies.
    """
    dots = np.zeros(size_wh[::-1], np.uint8)
    # Antialiased discs, drawn in fixed point (1/16 px).
    centres = np.round(geometry.opencv_from_coco_xy([b[:2] for b in specks]) * 16).astype(int).tolist()
    for (_, _, r, weight), (cx, cy) in zip(specks, centres, strict=True):
        cv2.circle(dots, (cx, cy), max(int(round(r * 16)), 8), int(255 * weight), -1, cv2.LINE_AA, shift=4)
    bh, bw = out.shape[:2]
    x0, y0 = origin_xy
    dots = dots[y0:y0 + bh, x0:x0 + bw]
    touched = cv2.findNonZero(dots)  # x, y of each (a fraction of np.nonzero's cost); None when there are none
    if touched is None:
        return
    xs, ys = touched.reshape(-1, 2).T  # OpenCV 4 shapes them (N, 1, 2), OpenCV 5 (N, 2)
    share = _within(dots[ys, xs][None], None if mask is None else mask[ys, xs][None])
    out[ys, xs] = effects.blend(out[ys, xs][None], (0, 0, 0), share)[0]


def _stain_gain(colour: float) -> np.ndarray:
    """The table stain -> 255 - stain * (1 - colour) (rounded, saturated), by OpenCV's weighted add (which
    computes every pixel from its own values, wherever it lies)."""
    return cv2.addWeighted(effects.IDENTITY_TABLE, -(1.0 - colour), effects.IDENTITY_TABLE, 0.0, 255.0).reshape(256)


@dataclass(frozen=True)
class SleeveParams:
    """A plastic sleeve or laminate over the sheet: a veil of reflected light that lifts the blacks and
    lowers the contrast, strongest in a broad soft band.

    Attributes:
        sheet_xy: the sheet's corners TL, TR, BR, BL in the image (COCO), or None for the whole image.
        veil: the reflected light's share everywhere on the sheet, in [0, 1).
        band: (centre x, centre y, angle_deg, width_px) of the brighter band; its share adds `band_veil`.
        band_veil: the band's extra share at its centre.
        light_rgb: the reflected light's colour.
    """

    sheet_xy: tuple[tuple[float, float], ...] | None
    veil: float
    band: tuple[float, float, float, float]
    band_veil: float
    light_rgb: tuple[float, float, float] = (245.0, 245.0, 240.0)


def sample_sleeve(rng: np.random.Generator, strength: float, frame: EffectFrame) -> SleeveParams:
    """Draws a faint veil (3-12 %) with a band of up to 30 % more (at strength 1)."""
    x, y = frame.point_on_sheet(rng)
    return SleeveParams(
        sheet_xy=None if frame.sheet_xy is None else tuple(map(tuple, np.asarray(frame.sheet_xy).tolist())),
        veil=min(draws.uniform(rng, 0.03, 0.12) * strength, 0.5),
        band=(float(x), float(y), draws.uniform(rng, 0, 180), draws.uniform(rng, 0.1, 0.4) * min(frame.size_wh)),
        band_veil=min(draws.uniform(rng, 0.05, 0.3) * strength, 0.5),
        light_rgb=tuple(255.0 - v for v in draws.uniforms(rng, (0, 0, 0), (20, 20, 20))),
    )


def apply_sleeve(image: np.ndarray, params: SleeveParams) -> np.ndarray:
    """Mixes the reflected light into the sheet: out = in * (1 - share) + light * share, on the sheet's box."""
    h, w = image.shape[:2]
    on_sheet = _on_sheet(params.sheet_xy, (w, h))
    if on_sheet is None:
        return image
    box, mask = on_sheet
    bx, by, angle_deg, width = params.band
    xs, ys = effects.coarse_grid(w, h, effects.step_for(0.5 * width))
    a = np.deg2rad(angle_deg)
    across = -(xs - bx) * np.sin(a) + (ys - by) * np.cos(a)
    share = params.veil + params.band_veil * np.exp(-0.5 * (across / (0.5 * width)) ** 2)
    share = effects.upsample(effects.to_share(share), (w, h))[box]
    result = image.copy()
    result[box] = effects.blend(image[box], params.light_rgb, _within(share, mask))
    return result


def _on_sheet(sheet_xy, size_wh: tuple[int, int]) -> tuple[tuple[slice, slice], np.ndarray | None] | None:
    """Where an effect of the sheet acts: the box of the sheet's coverage as (rows, columns) slices and the
    coverage within it (`_sheet_mask`); the whole image and None when the sheet is unknown; None when it
    misses the image. Off the sheet every share is zero and every step gives the pixels back as they were."""
    w, h = size_wh
    inside = _sheet_mask(sheet_xy, size_wh)
    if inside is None:
        return np.s_[0:h, 0:w], None
    x0, y0, bw, bh = cv2.boundingRect(inside)
    if bw == 0:
        return None
    box = np.s_[y0:y0 + bh, x0:x0 + bw]
    return box, inside[box]


def _sheet_mask(sheet_xy, size_wh: tuple[int, int]) -> np.ndarray | None:
    """(H, W) uint8 coverage of the sheet (coverage * 255), antialiased; None when the sheet is unknown."""
    if sheet_xy is None:
        return None
    w, h = size_wh
    mask = np.zeros((h, w), np.uint8)
    quad = geometry.opencv_from_coco_xy(np.asarray(sheet_xy, np.float64))
    cv2.fillConvexPoly(mask, np.round(quad * 16).astype(np.int32), 255, cv2.LINE_AA, shift=4)
    return mask


def _within(share: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """A uint8 share limited to the sheet: share * mask / 255 (the share itself when the sheet is unknown)."""
    return share if mask is None else cv2.multiply(share, mask, scale=1 / 255.0)


def _blob_share(blobs: tuple[Blob, ...], size_wh: tuple[int, int]) -> np.ndarray:
    """(H, W) uint8 share (* 255) of the max of soft round blobs weight * exp(-d^2 / 2r^2), drawn on the
    coarse grid and upsampled."""
    w, h = size_wh
    xs, ys = effects.coarse_grid(w, h, effects.step_for(min(b[2] for b in blobs)))
    field = np.zeros((ys.shape[0], xs.shape[1]), np.float32)
    for x, y, r, weight in blobs:
        np.maximum(field, weight * np.exp(-0.5 * ((xs - x) ** 2 + (ys - y) ** 2) / r**2), out=field)
    return effects.upsample(effects.to_share(field), (w, h))
