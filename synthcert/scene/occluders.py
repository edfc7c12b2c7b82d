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

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import draws, geometry

SKIN_LIGHT = np.array([236.0, 196.0, 170.0])
SKIN_DARK = np.array([92.0, 60.0, 44.0])
ATTEMPTS = 12  # finger draws per finger before giving it up
TAIL_BELOW = float(np.nextafter(np.float32(1e-3), np.float32(0)))  # the float32 just below 1e-3 (`_cut_tail`)


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
    # Scalar draws through `draws`, which returns NumPy's values from the same state at a fraction of the cost.
    t = draws.uniform(rng, 0, 1)
    skin = (1 - t) * SKIN_LIGHT + t * SKIN_DARK + draws.uniforms(rng, (-12,) * 3, (12,) * 3)
    base = OccluderParams(
        skin_rgb=tuple(float(v) for v in np.clip(skin, 0, 255)),
        shadow_offset_xy=tuple(v * size for v in draws.uniforms(rng, (-0.03,) * 2, (0.03,) * 2)),
        shadow_blur_px=draws.uniform(rng, 0.01, 0.03) * size,
        shadow_strength=draws.uniform(rng, 0.15, 0.45),
    )
    forbidden = _forbidden_mask(forbidden_quad_xy, image_size_wh, margin_px)
    bx, by, bw, bh = cv2.boundingRect(forbidden.view(np.uint8))
    r = _blur_radius(base.shadow_blur_px)
    # The forbidden pixels' box, and that box one blur radius wider: the shadow there decides.
    target_box = (bx, by, bx + bw, by + bh)
    near_box = (max(bx - r, 0), max(by - r, 0), min(bx + bw + r, w), min(by + bh + r, h))
    # The shadow of a pixel of finger reaches |offset| + 1 (bilinear shift) + twice the blur kernel's radius
    # (once more for its reflected border); the forbidden mask reaches the quad's circumcircle plus its growth.
    # In Python floats: this only decides whether a try's masks need checking, with room to spare.
    quad = np.asarray(forbidden_quad_xy, np.float64).reshape(-1, 2).tolist()
    centre_xy = (sum(x for x, _ in quad) / len(quad), sum(y for _, y in quad) / len(quad))
    reach = (math.hypot(*base.shadow_offset_xy) + 1 + 2 * r
             + max(math.hypot(x - centre_xy[0], y - centre_xy[1]) for x, y in quad) + _growth(margin_px) + 2)
    union = np.zeros(forbidden.shape, np.float32)
    (ax, ay), (ix, iy) = (v.tolist() for v in _anchor(rng, image_size_wh, document_quad_xy))
    width = draws.uniform(rng, 0.07, 0.13) * size
    fingers: list[Finger] = []
    count = int(rng.integers(finger_count_range[0], finger_count_range[1] + 1))
    for k in range(count):
        for _ in range(ATTEMPTS):
            # Fingers lie side by side along the edge, pointing inwards with a little spread. Python floats, with
            # NumPy's operations in NumPy's order (its cos and sin kept): the same values as its (2,) arrays.
            offset = (k - (count - 1) / 2) * width * draws.uniform(rng, 1.0, 1.25) + rng.normal(0, 0.2 * width)
            angle = rng.normal(0, 12) + (25 if k == 0 and count > 1 else 0) * draws.choice(rng, (-1, 1))
            c, s = np.cos(np.deg2rad(angle)).item(), np.sin(np.deg2rad(angle)).item()
            dx, dy = c * ix - s * iy, s * ix + c * iy
            reach_tip = draws.uniform(rng, 0.3, 2.5)
            tx, ty = ax + offset * -iy + dx * reach_tip * width, ay + offset * ix + dy * reach_tip * width
            length = draws.uniform(rng, 0.8, 1.6) * size
            finger = Finger((tx - dx * length, ty - dy * length), (tx, ty), width * draws.uniform(rng, 0.85, 1.1),
                            rng.random() < 0.7)
            # Far from the target the masks need not be checked: the answer is known to be "clear".
            if _segment_distance(centre_xy, finger) > finger.width_px / 2 + 1 + reach:
                _add_finger(union, finger)
                fingers.append(finger)
                break
            # The hand kept so far leaves every forbidden pixel clear, so a near try touches them itself or
            # through the shadow; the first check needs only its coverage over the target's box.
            if _covers(finger, forbidden, target_box):
                continue
            # A try may still be rejected for its shadow: keep its box (not the frame) to put back.
            x0, y0, x1, y1 = _box(finger, image_size_wh)
            before = union[y0:y1, x0:x1].copy()
            _add_finger(union, finger)
            if not _shades(union, base, forbidden, near_box):
                fingers.append(finger)
                break
            union[y0:y1, x0:x1] = before
    return OccluderParams(tuple(fingers), base.skin_rgb, base.shadow_offset_xy, base.shadow_blur_px,
                          base.shadow_strength)


def occluder_alpha(params: OccluderParams, size_wh: tuple[int, int]) -> np.ndarray:
    """Returns the (H, W) float32 share of each pixel that the hand or its shadow changes, in [0, 1]."""
    _, alpha, shadow, (x0, y0, x1, y1) = _masks(params, size_wh)
    np.maximum(alpha[y0:y1, x0:x1], shadow, out=alpha[y0:y1, x0:x1])
    return alpha


def _covers(f: Finger, forbidden: np.ndarray, target_box: tuple[int, int, int, int]) -> bool:
    """Whether finger `f` itself covers a pixel of `forbidden` (H, W), all of which lie in `target_box`."""
    fx0, fy0, fx1, fy1 = _box(f, (forbidden.shape[1], forbidden.shape[0]))
    x0, y0 = max(fx0, target_box[0]), max(fy0, target_box[1])
    x1, y1 = min(fx1, target_box[2]), min(fy1, target_box[3])
    if x1 <= x0 or y1 <= y0:
        return False
    return bool((_capsule(f, *_centres(x0, y0, x1, y1))[0][forbidden[y0:y1, x0:x1]] > 0).any())


def _shades(fingers: np.ndarray, base: OccluderParams, forbidden: np.ndarray, near_box: tuple[int, int, int, int],
            ) -> bool:
    """Whether the shadow of the hand whose finger coverage is `fingers` (H, W) puts a pixel on `forbidden`.

    The shadow is blurred only over `near_box`, the forbidden pixels' box one kernel radius wider: beyond it
    the image's values no longer matter (and the image's own border reflects the same in the crop). With no
    finger where the shift pulls that box from (its pixel of bilinear reach, and one more), there is no shadow.
    """
    x0, y0, x1, y1 = near_box
    dx, dy = base.shadow_offset_xy
    pulled = fingers[max(math.floor(y0 - dy) - 2, 0):max(math.ceil(y1 - dy) + 2, 0),
                     max(math.floor(x0 - dx) - 2, 0):max(math.ceil(x1 - dx) + 2, 0)]
    if not pulled.any():
        return False
    return bool((_shadow(fingers, base, near_box)[forbidden[y0:y1, x0:x1]] > 0).any())


def draw_occluders(image: np.ndarray, params: OccluderParams) -> np.ndarray:
    """Draws the hand of `params` over an (H, W, 3) uint8 RGB image; returns a new image.

    The shadow darkens what lies under it; each finger is shaded across its width (round), a little
    darker towards its base, with a lighter nail near the tip when `nail` is set.
    """
    if not params.fingers:
        return image
    h, w = image.shape[:2]
    hand, _, shadow, (bx0, by0, _, _) = _masks(params, (w, h))
    # Only the pixels under the shadow and the fingers change: elsewhere the float round trip gives every
    # pixel back as it was, so the box to work in needs to hold just those.
    sx, sy, sw, sh = cv2.boundingRect((shadow > 0).view(np.uint8))
    sx, sy = sx + bx0, sy + by0
    boxes = [box for box, *_ in hand if box[2] > box[0] and box[3] > box[1]]
    if sw and sh:
        boxes.append((sx, sy, sx + sw, sy + sh))
    if not boxes:
        return image.copy()
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    out = image[y0:y1, x0:x1].astype(np.float32)
    # Per-pixel factors are spread over the colour channels first: broadcast against the last axis of 3,
    # numpy would run its inner loop three elements at a time.
    if sw and sh:
        under = out[sy - y0:sy + sh - y0, sx - x0:sx + sw - x0]
        lit = 1.0 - shadow[sy - by0:sy + sh - by0, sx - bx0:sx + sw - bx0]
        np.multiply(under, cv2.cvtColor(lit, cv2.COLOR_GRAY2RGB), out=under)
    flat, values = out.reshape(-1, 3), out.reshape(-1)  # by pixel, and channel values pixel after pixel
    skin = np.array(params.skin_rgb, np.float32)[:, None]  # (3, 1): colours are computed channel by channel
    for f, (box, alpha, dist, t) in zip(params.fingers, hand, strict=True):
        # Only the pixels the finger covers: a slanted finger covers a fraction of its box, and where alpha is 0
        # the blend gives the pixel back unchanged.
        inside = np.flatnonzero(alpha)  # alpha is never negative
        if not inside.size:
            continue
        fx0, fy0 = box[:2]
        a = alpha.take(inside)
        shade = (1.08 - 0.35 * np.clip(dist.take(inside) / (f.width_px / 2), 0, 1) ** 2) * (0.9 + 0.1 * t.take(inside))
        colour = skin * shade  # (3, N)
        if f.nail:
            # The nail is 0 beyond its own box, where the blend below gives the colour back unchanged.
            nail = np.zeros(alpha.shape, np.float32)
            nx0, ny0, nx1, ny1 = _nail_box(f, box)
            if nx1 > nx0 and ny1 > ny0:
                nail[ny0 - fy0:ny1 - fy0, nx0 - fx0:nx1 - fx0] = _nail(f, *_centres(nx0, ny0, nx1, ny1))
            nail = nail.take(inside)
            colour = colour * (1 - nail) + np.minimum(skin * 1.15 + 20, 255) * nail
        # Pixel k of the finger's box, in row r of its width bw, is pixel k + r (X - bw) + offset of `out` (width X).
        covered = inside // alpha.shape[1]
        covered *= x1 - x0 - alpha.shape[1]
        covered += inside + ((fy0 - y0) * (x1 - x0) + fx0 - x0)
        blended = flat.take(covered, axis=0).T * (1 - a) + colour * a  # (3, N); `take` is cheaper than [ ]
        covered *= 3
        for channel in blended:  # a channel at a time into the values: cheaper than assigning (N, 3) rows
            values[covered] = channel
            covered += 1
    out += 0.5
    result = image.copy()
    result[y0:y1, x0:x1] = np.clip(out, 0, 255, out=out)  # the assignment truncates, as astype would
    return result


def _masks(params: OccluderParams, size_wh: tuple[int, int]
           ) -> tuple[list[tuple], np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """Each finger's `_coverage`, the fingers' union (H, W) float32 and their shadow (float32) over its box
    (x0, y0, x1, y1), outside which it is 0; the shadow is blurred over that box only."""
    w, h = size_wh
    union = np.zeros((h, w), np.float32)
    hand = [_coverage(f, size_wh) for f in params.fingers]
    if not hand:
        return hand, union, union[:0, :0], (0, 0, 0, 0)
    for f in params.fingers:
        _add_finger(union, f)
    # Blurred within a box one kernel radius (and a pixel of the bilinear shift) wider than the shifted
    # fingers, the shadow is the whole frame's: outside, zeros blur to zeros, and at the box's edges the
    # reflected border brings in zeros, as the frame's zeros around it would.
    dx, dy = params.shadow_offset_xy
    r = _blur_radius(params.shadow_blur_px) + 1
    box = (max(math.floor(min(b[0] for b, *_ in hand) + dx) - r, 0),
           max(math.floor(min(b[1] for b, *_ in hand) + dy) - r, 0),
           min(math.ceil(max(b[2] for b, *_ in hand) + dx) + r, w),
           min(math.ceil(max(b[3] for b, *_ in hand) + dy) + r, h))
    if box[2] <= box[0] or box[3] <= box[1]:
        return hand, union, union[:0, :0], (0, 0, 0, 0)
    return hand, union, _shadow(union, params, box), box


def _add_finger(union: np.ndarray, f: Finger) -> None:
    """Max-combines finger `f`'s coverage (over its box only) into `union` (H, W) in place."""
    (x0, y0, x1, y1), alpha, _, _ = _coverage(f, (union.shape[1], union.shape[0]))
    if x1 > x0 and y1 > y0:
        region = union[y0:y1, x0:x1]
        np.maximum(region, alpha, out=region)


@functools.lru_cache(maxsize=8)
def _coverage(f: Finger, size_wh: tuple[int, int]) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray,
                                                            np.ndarray]:
    """The finger's `_box` and its `_capsule` over it, read-only: sampling builds each accepted finger's, and
    drawing the same hand right after finds them here. Eight are kept (a hand's fingers and its last tries):
    the cache holds at most eight boxes' three float32 arrays."""
    box = _box(f, size_wh)
    capsule = _capsule(f, *_centres(*box))
    for array in capsule:
        array.flags.writeable = False
    return box, *capsule


def _shadow(union: np.ndarray, params: OccluderParams, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The hand's cast shadow (H, W) float32, or its crop `box` (x0, y0, x1, y1), blurred within the crop."""
    h, w = union.shape
    moved = _shifted(union, params.shadow_offset_xy, (0, 0, w, h) if box is None else box)
    sigma = max(params.shadow_blur_px, 0.5)
    soft = _cut_tail(cv2.GaussianBlur(moved, (0, 0), sigma))
    soft *= params.shadow_strength
    return soft


def _cut_tail(soft: np.ndarray) -> np.ndarray:
    """Zeroes the values of `soft` (float32) below 1e-3, in place: the Gaussian's far tail changes no 8-bit pixel,
    and cutting it keeps the shadow's mask exact. OpenCV's threshold keeps what lies above TAIL_BELOW, which is
    what `soft[soft < 1e-3] = 0` keeps, at a fraction of its cost."""
    return cv2.threshold(soft, TAIL_BELOW, 0, cv2.THRESH_TOZERO, dst=soft)[1]


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
    return (min(max(math.floor(min(xs) - reach), 0), w), min(max(math.floor(min(ys) - reach), 0), h),
            min(max(math.ceil(max(xs) + reach), 0), w), min(max(math.ceil(max(ys) + reach), 0), h))


def _centres(x0: int, y0: int, x1: int, y1: int) -> tuple[np.ndarray, np.ndarray]:
    """COCO coordinates of the pixel centres of a box: float32 x as a (1, W) row and y as an (H, 1) column,
    which broadcast to the box's grid (exact: n + 0.5); read-only views of one cached line, as a hand asks for
    some twenty boxes' worth."""
    line = _centre_line(max(x1, y1).bit_length())
    return line[None, x0:x1], line[y0:y1, None]


@functools.lru_cache(maxsize=16)
def _centre_line(bits: int) -> np.ndarray:
    """The centres 0.5, 1.5, ... of the first 2**bits pixels along an axis, float32, read-only (one per length
    class: the longest at most twice the image's longer side, all of them together at most four times)."""
    line = np.arange(1 << bits, dtype=np.float32) + np.float32(geometry.HALF_PIXEL)
    line.flags.writeable = False
    return line


def _segment_distance(point: tuple[float, float], f: Finger) -> float:
    """Distance from `point` to the finger's axis, the segment from base to tip."""
    (px, py), (ax, ay), (bx, by) = point, f.base_xy, f.tip_xy
    abx, aby = bx - ax, by - ay
    t = min(max(((px - ax) * abx + (py - ay) * aby) / max(abx * abx + aby * aby, 1e-12), 0.0), 1.0)
    return math.hypot(px - (ax + t * abx), py - (ay + t * aby))


def _blur_radius(shadow_blur_px: float) -> int:
    """Radius of OpenCV's Gaussian kernel for a float32 image at this sigma (ksize = round(8 sigma + 1) | 1)."""
    return (int(round(max(shadow_blur_px, 0.5) * 8 + 1)) | 1) // 2


def _growth(margin_px: float) -> int:
    return int(np.ceil(margin_px)) + 1  # +1: any pixel the quad's edge passes through counts


def _capsule(f: Finger, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Antialiased coverage of a finger, the distance from its axis and the position along it (0 base .. 1 tip),
    float32 over the grid of `xs`, `ys`."""
    a, b = np.array(f.base_xy, np.float32), np.array(f.tip_xy, np.float32)
    ab = b - a
    t = (xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]
    t /= max(float(ab @ ab), 1e-6)
    np.clip(t, 0, 1, out=t)
    dx, dy = t * ab[0], t * ab[1]
    dx += a[0]
    dy += a[1]
    np.subtract(xs, dx, out=dx)
    np.subtract(ys, dy, out=dy)
    dx *= dx
    dy *= dy
    dist = np.sqrt(np.add(dx, dy, out=dx), out=dx)
    alpha = np.subtract(f.width_px / 2, dist, out=dy)
    alpha += 0.5
    return np.clip(alpha, 0, 1, out=alpha), dist, t


def _nail(f: Finger, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    a, b = np.array(f.base_xy, np.float32), np.array(f.tip_xy, np.float32)
    u = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
    centre = b - u * 0.45 * f.width_px
    rel_x, rel_y = xs - centre[0], ys - centre[1]
    along, across = rel_x * u[0] + rel_y * u[1], -rel_x * u[1] + rel_y * u[0]
    r = (along / (0.38 * f.width_px)) ** 2 + (across / (0.3 * f.width_px)) ** 2
    return 0.55 * np.clip((1 - r) * 4, 0, 1)


def _nail_box(f: Finger, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The pixels of `box` (x0, y0, x1, y1) outside which `_nail` is 0: its ellipse lies within 0.38 widths of
    its centre (plus a pixel, so that rounding never matters)."""
    (bx, by), (tx, ty) = f.base_xy, f.tip_xy
    back = 0.45 * f.width_px / max(math.hypot(tx - bx, ty - by), 1e-6)
    cx, cy = tx - (tx - bx) * back, ty - (ty - by) * back
    reach = 0.38 * f.width_px + 1
    return (max(math.floor(cx - reach), box[0]), max(math.floor(cy - reach), box[1]),
            min(math.ceil(cx + reach), box[2]), min(math.ceil(cy + reach), box[3]))


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
        t = draws.choice(rng, (draws.uniform(rng, 0.0, 0.15), draws.uniform(rng, 0.15, 0.85),
                               draws.uniform(rng, 0.85, 1.0)))
        point = a + t * (b - a)
        inward = quad.mean(axis=0) - point
    else:
        side = int(rng.integers(4))
        t = draws.uniform(rng, 0.1, 0.9)
        point = np.array([[t * w, 0], [w, t * h], [t * w, h], [0, t * h]][side], np.float64)
        inward = np.array([w / 2, h / 2]) - point
    return point, inward / max(float(np.linalg.norm(inward)), 1e-9)
