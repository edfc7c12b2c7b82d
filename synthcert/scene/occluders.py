"""Hands and fingers holding the document: skin-toned, shaded occluders that never cover the target.

Scene stage, after the camera warp. `sample_occluders` draws fingers entering the frame, with their tips on
the document's edge or corner (how people hold a card for a photo), and rejects every finger whose pixels
or shadow would touch the forbidden quadrilateral (the target field, `labels.target`, grown by a margin); it checks
the very alpha mask that `draw_occluders` composites, so "never the target" holds per pixel. Labels do not
move: occluders only hide pixels, and never the target's.

Pure functions: sampling takes the generator explicitly, drawing has no randomness. The Renderer
calls them with probability `scene.occluder_p`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import geometry

SKIN_LIGHT = np.array([236.0, 196.0, 170.0])
SKIN_DARK = np.array([92.0, 60.0, 44.0])
ATTEMPTS = 12  # finger draws per finger before giving it up


@dataclass(frozen=True)
class Finger:
    """One finger: a rounded capsule from `base_xy` (usually outside the image) to `tip_xy`; image pixels (COCO)."""

    base_xy: tuple[float, float]
    tip_xy: tuple[float, float]
    width_px: float
    nail: bool = True


@dataclass(frozen=True)
class OccluderParams:
    """A sampled hand: fingers, one skin tone and the shadow they cast (empty `fingers`: nothing drawn).

    Attributes:
        fingers: drawn in order, later ones on top.
        skin_rgb: base skin colour.
        shadow_offset_xy: shift of the cast shadow in pixels.
        shadow_blur_px: Gaussian sigma of the shadow's edge.
        shadow_strength: darkening under the shadow's core, in [0, 1).
    """

    fingers: tuple[Finger, ...] = ()
    skin_rgb: tuple[float, float, float] = (200.0, 150.0, 120.0)
    shadow_offset_xy: tuple[float, float] = (0.0, 0.0)
    shadow_blur_px: float = 1.0
    shadow_strength: float = 0.0


def sample_occluders(
    rng: np.random.Generator,
    image_size_wh: tuple[int, int],
    forbidden_quad_xy: np.ndarray,
    document_quad_xy: np.ndarray | None = None,
    finger_count_range: tuple[int, int] = (1, 4),
    margin_px: float = 2.0,
) -> OccluderParams:
    """Draws a hand holding the document, never within `margin_px` of the forbidden quadrilateral.

    Args:
        rng: the only source of randomness.
        image_size_wh: (W, H) of the image.
        forbidden_quad_xy: (4, 2) the target's corners in the image (COCO); no occluder or shadow pixel
            may touch it.
        document_quad_xy: (4, 2) the document's corners TL, TR, BR, BL in the image, or None; fingertips
            then rest on its edges and corners, else they enter anywhere along the image border.
        finger_count_range: how many fingers, inclusive.
        margin_px: extra clearance around the forbidden quadrilateral.

    Returns:
        OccluderParams; fingers that could not be placed clear of the target are left out (possibly all).
    """
    w, h = image_size_wh
    size = float(min(w, h))
    t = float(rng.uniform(0, 1))
    skin = (1 - t) * SKIN_LIGHT + t * SKIN_DARK + rng.uniform(-12, 12, 3)
    base = OccluderParams(
        skin_rgb=tuple(float(v) for v in np.clip(skin, 0, 255)),
        shadow_offset_xy=tuple(float(v) for v in rng.uniform(-0.03, 0.03, 2) * size),
        shadow_blur_px=float(rng.uniform(0.01, 0.03) * size),
        shadow_strength=float(rng.uniform(0.15, 0.45)),
    )
    forbidden = _forbidden_mask(forbidden_quad_xy, image_size_wh, margin_px)
    # The shadow of a pixel of finger reaches |offset| + 1 (bilinear shift) + twice the blur kernel's radius
    # (once more for its reflected border); the forbidden mask reaches the quad's circumcircle plus its growth.
    quad = np.asarray(forbidden_quad_xy, np.float64).reshape(-1, 2)
    centre = quad.mean(axis=0)
    reach = (float(np.hypot(*base.shadow_offset_xy)) + 1 + 2 * _blur_radius(base.shadow_blur_px)
             + float(np.max(np.linalg.norm(quad - centre, axis=1))) + _growth(margin_px) + 2)
    union = np.zeros(forbidden.shape, np.float32)
    anchor, inward = _anchor(rng, image_size_wh, document_quad_xy)
    width = float(rng.uniform(0.07, 0.13) * size)
    along = np.array([-inward[1], inward[0]])
    fingers: list[Finger] = []
    count = int(rng.integers(finger_count_range[0], finger_count_range[1] + 1))
    for k in range(count):
        for _ in range(ATTEMPTS):
            # Fingers lie side by side along the edge, pointing inwards with a little spread.
            offset = (k - (count - 1) / 2) * width * rng.uniform(1.0, 1.25) + rng.normal(0, 0.2 * width)
            angle = rng.normal(0, 12) + (25 if k == 0 and count > 1 else 0) * rng.choice([-1, 1])
            c, s = np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))
            direction = np.array([c * inward[0] - s * inward[1], s * inward[0] + c * inward[1]])
            tip = anchor + offset * along + direction * rng.uniform(0.3, 2.5) * width
            length = rng.uniform(0.8, 1.6) * size
            finger = Finger(tuple(tip - direction * length), tuple(tip), width * float(rng.uniform(0.85, 1.1)),
                            bool(rng.random() < 0.7))
            # Far from the target the masks need not be checked: the answer is known to be "clear".
            far = _segment_distance(centre, finger) > finger.width_px / 2 + 1 + reach
            # A near try may be rejected: keep its box (not the frame) to put back.
            x0, y0, x1, y1 = _box(finger, image_size_wh)
            before = None if far else union[y0:y1, x0:x1].copy()
            _add_finger(union, finger)
            if far or not _touches(union, base, forbidden):
                fingers.append(finger)
                break
            union[y0:y1, x0:x1] = before
    return OccluderParams(tuple(fingers), base.skin_rgb, base.shadow_offset_xy, base.shadow_blur_px,
                          base.shadow_strength)


def occluder_alpha(params: OccluderParams, size_wh: tuple[int, int]) -> np.ndarray:
    """Returns the (H, W) float32 share of each pixel that the hand or its shadow changes, in [0, 1]."""
    fingers, shadow = _masks(params, size_wh)
    return np.maximum(fingers, shadow)


def _touches(fingers: np.ndarray, base: OccluderParams, forbidden: np.ndarray) -> bool:
    """Whether the hand whose finger coverage is `fingers` (H, W) or its shadow puts a pixel on `forbidden`.

    The shadow is blurred only around the forbidden pixels: a kernel radius away from them the image's
    values no longer matter (and the image's own border reflects the same in the crop).
    """
    h, w = fingers.shape
    bx, by, bw, bh = cv2.boundingRect(forbidden.view(np.uint8))
    r = _blur_radius(base.shadow_blur_px)
    x0, y0, x1, y1 = max(bx - r, 0), max(by - r, 0), min(bx + bw + r, w), min(by + bh + r, h)
    shadow = _shadow(fingers, base, (x0, y0, x1, y1))
    near = forbidden[y0:y1, x0:x1]
    return bool((fingers[y0:y1, x0:x1][near] > 0).any() or (shadow[near] > 0).any())


def draw_occluders(image: np.ndarray, params: OccluderParams) -> np.ndarray:
    """Draws the hand of `params` over an (H, W, 3) uint8 RGB image; returns a new image.

    The shadow darkens what lies under it; each finger is shaded across its width (round), a little
    darker towards its base, with a lighter nail near the tip when `nail` is set.
    """
    if not params.fingers:
        return image
    h, w = image.shape[:2]
    boxes = [_box(f, (w, h)) for f in params.fingers]
    grids = [_centres(*box) for box in boxes]
    capsules = [_capsule(f, *grid) for f, grid in zip(params.fingers, grids, strict=True)]
    _, shadow = _masks(params, (w, h), [c[0] for c in capsules])
    # Only the box of the hand and its shadow changes; outside it every pixel would come back as it was.
    sx, sy, sw, sh = cv2.boundingRect((shadow > 0).view(np.uint8))
    x0, y0 = min([sx] + [b[0] for b in boxes]), min([sy] + [b[1] for b in boxes])
    x1, y1 = max([sx + sw] + [b[2] for b in boxes]), max([sy + sh] + [b[3] for b in boxes])
    out = image[y0:y1, x0:x1].astype(np.float32)
    out *= 1.0 - shadow[y0:y1, x0:x1, None]
    skin = np.array(params.skin_rgb, np.float32)
    for f, (fx0, fy0, fx1, fy1), grid, (alpha, across, along) in zip(params.fingers, boxes, grids, capsules,
                                                                     strict=True):
        if fx1 <= fx0 or fy1 <= fy0:
            continue
        # Only the pixels the finger covers: a slanted finger covers a fraction of its box, and where alpha is 0
        # the blend gives the pixel back unchanged.
        covered = alpha > 0
        a = alpha[covered][:, None]
        shade = (1.08 - 0.35 * across[covered] ** 2) * (0.9 + 0.1 * along[covered])
        colour = skin[None, :] * shade[:, None]
        if f.nail:
            nail = _nail(f, *grid)[covered][:, None]
            colour = colour * (1 - nail) + np.minimum(skin * 1.15 + 20, 255) * nail
        region = out[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
        region[covered] = region[covered] * (1 - a) + colour * a
    result = image.copy()
    result[y0:y1, x0:x1] = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    return result


def _masks(params: OccluderParams, size_wh: tuple[int, int], coverages: list[np.ndarray] | None = None,
           ) -> tuple[np.ndarray, np.ndarray]:
    """The fingers' coverage and their shadow, (H, W) float32 each; the shadow is blurred over its box only.
    `coverages`: each finger's coverage over its `_box` when the caller has them, else they are computed."""
    w, h = size_wh
    union = np.zeros((h, w), np.float32)
    if not params.fingers:
        return union, union
    for k, f in enumerate(params.fingers):
        _add_finger(union, f, None if coverages is None else coverages[k])
    # Blurred within a box one kernel radius (and a pixel of the bilinear shift) wider than the shifted
    # fingers, the shadow is the whole frame's: outside, zeros blur to zeros, and at the box's edges the
    # reflected border brings in zeros, as the frame's zeros around it would.
    boxes = np.array([_box(f, size_wh) for f in params.fingers])
    dx, dy = params.shadow_offset_xy
    r = _blur_radius(params.shadow_blur_px) + 1
    box = (max(int(np.floor(boxes[:, 0].min() + dx)) - r, 0), max(int(np.floor(boxes[:, 1].min() + dy)) - r, 0),
           min(int(np.ceil(boxes[:, 2].max() + dx)) + r, w), min(int(np.ceil(boxes[:, 3].max() + dy)) + r, h))
    shadow = np.zeros((h, w), np.float32)
    if box[2] > box[0] and box[3] > box[1]:
        shadow[box[1]:box[3], box[0]:box[2]] = _shadow(union, params, box)
    return union, shadow


def _add_finger(union: np.ndarray, f: Finger, coverage: np.ndarray | None = None) -> None:
    """Max-combines finger `f`'s coverage (over its box only; `coverage` if already computed) into `union`
    (H, W) in place."""
    h, w = union.shape
    x0, y0, x1, y1 = _box(f, (w, h))
    if x1 > x0 and y1 > y0:
        region = union[y0:y1, x0:x1]
        np.maximum(region, _capsule(f, *_centres(x0, y0, x1, y1))[0] if coverage is None else coverage, out=region)


def _shadow(union: np.ndarray, params: OccluderParams, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The hand's cast shadow (H, W) float32, or its crop `box` (x0, y0, x1, y1), blurred within the crop."""
    h, w = union.shape
    moved = _shifted(union, params.shadow_offset_xy, (0, 0, w, h) if box is None else box)
    sigma = max(params.shadow_blur_px, 0.5)
    soft = cv2.GaussianBlur(moved, (0, 0), sigma)
    soft[soft < 1e-3] = 0.0  # the Gaussian's far tail changes no 8-bit pixel; cut it so the mask is exact
    return params.shadow_strength * soft


def _shifted(union: np.ndarray, offset_xy: tuple[float, float], box: tuple[int, int, int, int]) -> np.ndarray:
    """`union` moved by `offset_xy` (bilinear, zeros coming in), over `box` (x0, y0, x1, y1) of the frame.

    Warped only up to the box's far corner: OpenCV computes each output pixel from its own coordinates, so
    this is the whole frame's warp, cropped. A warp with the box's origin moved to (0, 0) rounds the shift
    differently in a few pixels of every hundred boxes.
    """
    dx, dy = offset_xy
    x0, y0, x1, y1 = box
    return cv2.warpAffine(union, np.float32([[1, 0, dx], [0, 1, dy]]), (x1, y1), flags=cv2.INTER_LINEAR)[y0:, x0:]


def _box(f: Finger, size_wh: tuple[int, int]) -> tuple[int, int, int, int]:
    """The integer pixel box (x0, y0, x1, y1) outside which the finger covers nothing (clipped to the image)."""
    w, h = size_wh
    reach = f.width_px / 2 + 2  # the antialiased edge ends half a pixel past the radius
    xs, ys = (f.base_xy[0], f.tip_xy[0]), (f.base_xy[1], f.tip_xy[1])
    return (min(max(int(np.floor(min(xs) - reach)), 0), w), min(max(int(np.floor(min(ys) - reach)), 0), h),
            min(max(int(np.ceil(max(xs) + reach)), 0), w), min(max(int(np.ceil(max(ys) + reach)), 0), h))


def _centres(x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """COCO coordinates of the pixel centres of a box: float32 x as a (1, W) row and y as an (H, 1) column,
    which broadcast to the box's grid (exact: n + 0.5)."""
    half = np.float32(geometry.HALF_PIXEL)
    return np.arange(x0, x1, dtype=np.float32)[None, :] + half, np.arange(y0, y1, dtype=np.float32)[:, None] + half


def _segment_distance(point: np.ndarray, f: Finger) -> float:
    """Distance from `point` to the finger's axis, the segment from base to tip."""
    a, b = np.asarray(f.base_xy), np.asarray(f.tip_xy)
    ab = b - a
    t = float(np.clip((point - a) @ ab / max(float(ab @ ab), 1e-12), 0, 1))
    return float(np.linalg.norm(point - (a + t * ab)))


def _blur_radius(shadow_blur_px: float) -> int:
    """Radius of OpenCV's Gaussian kernel for a float32 image at this sigma (ksize = round(8 sigma + 1) | 1)."""
    return (int(round(max(shadow_blur_px, 0.5) * 8 + 1)) | 1) // 2


def _growth(margin_px: float) -> int:
    return int(np.ceil(margin_px)) + 1  # +1: any pixel the quad's edge passes through counts


def _capsule(f: Finger, xs: np.ndarray, ys: np.ndarray):
    """Antialiased coverage of a finger, and the position across (0 axis .. 1 edge) and along (0 base .. 1 tip)."""
    a, b = np.array(f.base_xy, np.float32), np.array(f.tip_xy, np.float32)
    ab = b - a
    t = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / max(float(ab @ ab), 1e-6), 0, 1)
    dx, dy = xs - (a[0] + t * ab[0]), ys - (a[1] + t * ab[1])
    dist = np.sqrt(dx * dx + dy * dy)
    radius = f.width_px / 2
    alpha = np.clip(radius - dist + 0.5, 0, 1)
    return alpha, np.clip(dist / radius, 0, 1), t


def _nail(f: Finger, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    a, b = np.array(f.base_xy, np.float32), np.array(f.tip_xy, np.float32)
    u = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
    centre = b - u * 0.45 * f.width_px
    rel_x, rel_y = xs - centre[0], ys - centre[1]
    along, across = rel_x * u[0] + rel_y * u[1], -rel_x * u[1] + rel_y * u[0]
    r = (along / (0.38 * f.width_px)) ** 2 + (across / (0.3 * f.width_px)) ** 2
    return 0.55 * np.clip((1 - r) * 4, 0, 1)


def _forbidden_mask(quad_xy, size_wh, margin_px: float) -> np.ndarray:
    w, h = size_wh
    mask = np.zeros((h, w), np.uint8)
    quad = geometry.opencv_from_coco_xy(np.asarray(quad_xy, np.float64).reshape(-1, 2))
    cv2.fillConvexPoly(mask, np.round(quad * 16).astype(np.int32), 255, cv2.LINE_8, shift=4)
    grow = _growth(margin_px)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return mask > 0


def _anchor(rng, size_wh, quad) -> tuple[np.ndarray, np.ndarray]:
    """A point where the hand grips, and the unit direction its fingers point (into the picture)."""
    w, h = size_wh
    if quad is not None:
        quad = np.asarray(quad, np.float64).reshape(4, 2)
        k = int(rng.integers(4))
        a, b = quad[k], quad[(k + 1) % 4]
        t = float(rng.choice([rng.uniform(0.0, 0.15), rng.uniform(0.15, 0.85), rng.uniform(0.85, 1.0)]))
        point = a + t * (b - a)
        inward = quad.mean(axis=0) - point
    else:
        side = int(rng.integers(4))
        t = float(rng.uniform(0.1, 0.9))
        point = np.array([[t * w, 0], [w, t * h], [t * w, h], [0, t * h]][side], np.float64)
        inward = np.array([w / 2, h / 2]) - point
    return point, inward / max(float(np.linalg.norm(inward)), 1e-9)
