"""Paper that is not flat: a bend, a curl or a fold line, as one smooth displacement field of the output image.

Scene stage, on the warped sheet before it is laid on the background (`photograph(..., bend=)`), so that
only the paper moves and what it pulls from beyond its edge is transparent, never a mirrored copy of it.
The field d(p) (COCO coordinates, pixels) says where output pixel p pulls its colour from:
`out(p) = in(p + d(p))`. The pixels go through `bend_maps` + `cv2.remap`; a label point q moves to the p
with p + d(p) = q, which `bend_points` solves by Newton's method on the very same d, so image and labels
cannot drift apart. The field is a sum of components whose gradients are bounded (together below
MAX_GRADIENT < 1), which makes p -> p + d(p) one-to-one and the inverse unique.

Pure functions: sampling takes the generator explicitly; `apply_bend` and `bend_points` have no randomness.
The Renderer bends with probability `scene.bend_p`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import draws

KINDS = ("bend", "curl", "fold")
MAX_GRADIENT = 0.6  # bound of |grad d| over the whole field; < 1 keeps the warp invertible
NEWTON_TOLERANCE_PX = 1e-9
NEWTON_ITERATIONS = 50
FIELD_STEPS = (8, 4, 2)  # output pixels between evaluations of the field, coarsest first; the rest is interpolated
FIELD_TOLERANCE_PX = 0.05  # the interpolated displacement's error bound, which picks the step per sample
GAIN_TOLERANCE = 0.004  # the interpolated shading gain's (about a grey level), unless even the finest step is over


@dataclass(frozen=True)
class BendComponent:
    """One smooth deformation about a line through `centre_xy` with tangent `angle_deg`.

    With s the signed distance from that line (along its normal n) and t the position along it (u):
      bend: d = amplitude_px * v * exp(-t^2 / (2 scale_px^2))   a sheet bowed along the line; the line's
            neighbourhood moves by up to `amplitude_px` at t = 0 (gradient bound 0.61 amplitude / scale);
      curl: d = slope * v * scale_px * (softplus(s / scale_px) - softplus((s - extent_px) / scale_px))
            an edge curling away past the line: a band `extent_px` wide beyond it is compressed by up to
            `slope` and what lies further out shifts by at most slope * extent_px (gradient bound `slope`);
      fold: d = slope * v * scale_px * log(cosh(s / scale_px))  a crease along the line: the two halves are
            turned against each other by `slope`, smoothed over `scale_px` (gradient bound `slope`).
    v is the unit vector at `direction_deg` (image angles, degrees, clockwise on screen).

    Attributes:
        extent_px: width of a curl's compressed band (curl only).
        shade: brightness change caused by the component (fold: one side darker by `shade`; curl: the
            curled band darker by `shade`; bend: unused); photometric only, labels never see it.
    """

    kind: str
    centre_xy: tuple[float, float]
    angle_deg: float
    direction_deg: float
    amplitude_px: float = 0.0
    slope: float = 0.0
    scale_px: float = 1.0
    extent_px: float = 0.0
    shade: float = 0.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r}; expected one of {', '.join(KINDS)}")
        if not self.scale_px > 0 or self.extent_px < 0:
            raise ValueError(f"scale_px = {self.scale_px}, extent_px = {self.extent_px}; expected > 0 and >= 0")

    @property
    def gradient_bound(self) -> float:
        """An upper bound of |grad d| (spectral norm) over the whole image."""
        if self.kind == "bend":
            return abs(self.amplitude_px) / self.scale_px * float(np.exp(-0.5))
        return abs(self.slope)


@dataclass(frozen=True)
class BendParams:
    """A sampled paper deformation: the sum of its components' displacements (empty: flat paper)."""

    components: tuple[BendComponent, ...] = ()

    def __post_init__(self):
        bound = sum(c.gradient_bound for c in self.components)
        if bound >= 1.0:
            raise ValueError(f"the components' gradients add up to {bound:.3f}; expected < 1 so that the warp "
                             "stays one-to-one; lower amplitude_px or slope")


def sample_bend(
    rng: np.random.Generator,
    image_size_wh: tuple[int, int],
    document_quad_xy: np.ndarray | None = None,
    kinds: tuple[str, ...] = KINDS,
    count_range: tuple[int, int] = (1, 2),
    strength: float = 1.0,
) -> BendParams:
    """Draws one paper deformation for an image of `image_size_wh`.

    Args:
        rng: the only source of randomness.
        image_size_wh: (W, H) of the output image.
        document_quad_xy: (4, 2) document corners in the image, or None; lines then run through the sheet.
        kinds: the kinds to choose from.
        count_range: how many components, inclusive.
        strength: scales every amplitude and slope (1: moderate, as on a phone photo of a handled sheet).

    Returns:
        BendParams whose total gradient stays below MAX_GRADIENT.
    """
    w, h = image_size_wh
    size = float(min(w, h))
    quad = None if document_quad_xy is None else np.asarray(document_quad_xy, np.float64).reshape(4, 2)
    count = int(rng.integers(count_range[0], count_range[1] + 1))
    # Scalar draws through `draws`, which returns NumPy's values from the same state at a fraction of the cost.
    components = []
    for _ in range(count):
        kind = kinds[int(rng.integers(len(kinds)))]
        centre, angle = _placement(rng, kind, quad, (w, h), size)
        if kind == "bend":
            scale = draws.uniform(rng, 0.25, 0.6) * size
            amplitude = draws.uniform(rng, 0.01, 0.035) * size * strength * draws.choice(rng, (-1, 1))
            comp = BendComponent(kind, centre, angle, angle + 90, amplitude_px=amplitude, scale_px=scale)
        elif kind == "curl":
            extent = draws.uniform(rng, 0.08, 0.25) * size
            if quad is not None:  # the band ends at the sheet's edge: start it `extent` inside
                a = np.deg2rad(angle)
                centre = tuple(np.asarray(centre) - extent * np.array([-np.sin(a), np.cos(a)]))
            comp = BendComponent(kind, centre, angle, angle + 90, slope=draws.uniform(rng, 0.08, 0.3) * strength,
                                 scale_px=draws.uniform(rng, 0.02, 0.06) * size, extent_px=extent,
                                 shade=draws.uniform(rng, 0.0, 0.2))
        else:
            comp = BendComponent(kind, centre, angle, angle + 90 + draws.uniform(rng, -60, 60),
                                 slope=draws.uniform(rng, 0.02, 0.08) * strength,
                                 scale_px=draws.uniform(rng, 0.004, 0.02) * size, shade=draws.uniform(rng, 0.03, 0.15))
        components.append(comp)
    total = sum(c.gradient_bound for c in components)
    if total > MAX_GRADIENT:  # scale every component down together
        k = MAX_GRADIENT / total
        components = [BendComponent(c.kind, c.centre_xy, c.angle_deg, c.direction_deg, c.amplitude_px * k,
                                    c.slope * k, c.scale_px, c.extent_px, c.shade) for c in components]
    return BendParams(tuple(components))


def displacement(params: BendParams, xy: np.ndarray) -> np.ndarray:
    """Returns d at (N, 2) points (COCO, output image pixels) as (N, 2) float64 pixels."""
    xy = np.asarray(xy, np.float64).reshape(-1, 2)
    return _displacement(params, xy, [_frame(c, xy) for c in params.components])


def displacement_jacobian(params: BendParams, xy: np.ndarray) -> np.ndarray:
    """Returns the (N, 2, 2) Jacobian of d at (N, 2) points: J[k, i, j] = dd_i / dx_j."""
    xy = np.asarray(xy, np.float64).reshape(-1, 2)
    return _jacobian(params, xy, [_frame(c, xy) for c in params.components])


def _displacement(params: BendParams, xy: np.ndarray, frames: list[tuple]) -> np.ndarray:
    """`displacement` from the components' `_frame`s of the points `xy`."""
    d = np.zeros_like(xy)
    for c, (_, v, r) in zip(params.components, frames, strict=True):
        f = _height(c, r)
        d[:, 0] += f * v[0]  # per column: np.outer's (N, 2) product is five times slower
        d[:, 1] += f * v[1]
    return d


def _jacobian(params: BendParams, xy: np.ndarray, frames: list[tuple]) -> np.ndarray:
    """`displacement_jacobian` from the components' `_frame`s of the points `xy`."""
    jac = np.zeros((len(xy), 2, 2))
    for c, (axis, v, r) in zip(params.components, frames, strict=True):
        grad = _slope(c, r)[:, None] * axis  # (N, 2): gradient of the scalar profile, which varies along `axis`
        jac += v[None, :, None] * grad[:, None, :]
    return jac


def bend_maps(params: BendParams, box: tuple[int, int, int, int]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Returns float32 (h, w) `map_x, map_y` for `cv2.remap` over the output pixels of `box` (x0, y0, x1, y1):
    output pixel p pulls from p + d(p), in OpenCV coordinates of the image (pixel (i, j) has its centre at
    (i, j)); and the (h, w) float32 brightness gain of folds and curls there, or None when nothing is shaded.
    Both come from one evaluation of the field on a grid as coarse as its smoothness allows, interpolated
    (see `_field`).
    """
    x0, y0, x1, y1 = box
    field = _field(params, box)
    # A displacement is the same in every frame: OpenCV's pixel (i, j), centred at (i, j), pulls from
    # (i, j) + d, with d evaluated at the centre's COCO coordinates (`_field` does that).
    xs, ys = np.arange(x0, x1, dtype=np.float32)[None, :], np.arange(y0, y1, dtype=np.float32)[:, None]
    gain = np.ascontiguousarray(field[..., 2]) if field.shape[2] > 2 else None
    return xs + field[..., 0], ys + field[..., 1], gain  # the row and column broadcast to the box's grid


def bend_points(params: BendParams, xy: np.ndarray) -> np.ndarray:
    """Moves label points with the paper: returns the p with p + d(p) = q for each (N, 2) point q (COCO).

    Newton's method on f(p) = p + d(p) - q, started at q - d(q); I + J is invertible because |J| < 1.
    Converges to NEWTON_TOLERANCE_PX in a few steps.

    Raises:
        RuntimeError: if it has not converged (it cannot for valid params; a bug guard).
    """
    q = np.asarray(xy, np.float64).reshape(-1, 2)
    if not params.components:
        return q.copy()
    p = q - displacement(params, q)
    eye = np.eye(2)
    for _ in range(NEWTON_ITERATIONS):
        frames = [_frame(c, p) for c in params.components]  # once for the residual and the step
        residual = p + _displacement(params, p, frames) - q
        if np.abs(residual).max(initial=0.0) < NEWTON_TOLERANCE_PX:
            return p
        p = p - np.linalg.solve(eye + _jacobian(params, p, frames), residual[..., None])[..., 0]
    raise RuntimeError(f"bend_points did not converge: residual {np.max(np.abs(residual)):.3g} px")


def _component_gain(c: BendComponent, z: np.ndarray) -> np.ndarray:
    """The brightness gain of a fold or curl at signed distances z * scale_px from its line."""
    if c.kind == "fold":
        return 1.0 - 0.5 * c.shade * (1.0 + np.tanh(z))
    return 1.0 - c.shade * (_sigmoid(z) - _sigmoid(z - c.extent_px / c.scale_px))


def max_displacement_px(params: BendParams, size_wh: tuple[int, int]) -> float:
    """An upper bound of |d| over the image grown by a quarter of its size on every side."""
    w, h = size_wh
    corners = np.array([[-w / 4, -h / 4], [1.25 * w, -h / 4], [1.25 * w, 1.25 * h], [-w / 4, 1.25 * h]])
    total = 0.0
    for c in params.components:
        if c.kind == "bend":
            total += abs(c.amplitude_px)
        elif c.kind == "curl":
            total += abs(c.slope) * c.extent_px
        else:  # |d| grows like slope * |s| away from the crease: largest at a corner of the region
            total += abs(c.slope) * float(np.max(np.abs(_frame(c, corners)[2])))
    return total


def apply_bend(layer: np.ndarray, params: BendParams, box: tuple[int, int, int, int] | None = None,
               origin_xy: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Deforms the paper: returns the (h, w, C) uint8 pixels of output `box` pulled from `layer` (pixels only;
    move labels with `bend_points`).

    Args:
        layer: (H', W', C) uint8 with C = 3 or 4, whose pixel (0, 0) is output pixel `origin_xy`, e.g. the
            warped sheet (RGBA, premultiplied) with a margin around `box` to pull from; what lies beyond it is
            transparent black, never a mirrored copy of the edge.
        params: the deformation.
        box: (x0, y0, x1, y1) output pixels to produce; None for the whole layer at origin (0, 0).
        origin_xy: output pixel of `layer`'s pixel (0, 0).

    Returns:
        (y1 - y0, x1 - x0, C) uint8; the first three channels darkened where folds and curls shade.
    """
    if box is None:
        box = (0, 0, layer.shape[1], layer.shape[0])
        if not params.components:
            return layer
    map_x, map_y, gain = bend_maps(params, box)
    map_x -= np.float32(origin_xy[0])
    map_y -= np.float32(origin_xy[1])
    out = cv2.remap(layer, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    if gain is not None:
        # Colour channels darken, alpha keeps its coverage: the gain three times, then 1.0 for a float alpha.
        factor = cv2.cvtColor(gain, cv2.COLOR_GRAY2RGBA if out.shape[2] == 4 else cv2.COLOR_GRAY2RGB)
        out = cv2.multiply(out, factor, dtype=cv2.CV_8U)
    return out


def _field(params: BendParams, box: tuple[int, int, int, int]) -> np.ndarray:
    """The displacement (and the shading gain, if any component shades) at every output pixel of `box`:
    (h, w, 2 or 3) float32, evaluated every `field_step(params)` pixels and interpolated bilinearly.

    The grid is separable, so the coordinate a component's profile depends on (along its line for a bend,
    across it otherwise) is an outer sum of a row and a column, not a product per point.
    """
    x0, y0, x1, y1 = box
    step = field_step(params)
    w, h = x1 - x0, y1 - y0
    gw, gh = -(-w // step), -(-h // step)
    # Coarse cell (i, j) covers output pixels x0 + step * i .. x0 + step * (i + 1) - 1: its centre is COCO
    # x0 + step * (i + 0.5), where cv2.resize puts it when it enlarges the grid `step` times. One cell more
    # on every side, so that the box's outer pixels are interpolated too, not clamped.
    gx = (x0 + step * (np.arange(-1, gw + 1) + 0.5))[None, :]
    gy = (y0 + step * (np.arange(-1, gh + 1) + 0.5))[:, None]
    dx, dy, gain = np.zeros((gh + 2, gw + 2)), np.zeros((gh + 2, gw + 2)), None
    for c in params.components:
        (ux, uy), (nx, ny), (vx, vy) = (axis.tolist() for axis in _axes(c))
        rx, ry = gx - c.centre_xy[0], gy - c.centre_xy[1]
        # A bend's profile varies along its line only (rel @ u), a curl's or a fold's across it (rel @ n).
        z = (rx * ux + ry * uy if c.kind == "bend" else rx * nx + ry * ny) / c.scale_px
        f = _profile(c, z)
        dx += f * vx
        dy += f * vy
        if c.shade and c.kind != "bend":
            g = _component_gain(c, z)
            gain = g if gain is None else gain * g
    coarse = np.empty((gh + 2, gw + 2, 2 if gain is None else 3), np.float32)
    for k, channel in enumerate((dx, dy) if gain is None else (dx, dy, gain)):
        coarse[..., k] = channel
    fine = cv2.resize(coarse, ((gw + 2) * step, (gh + 2) * step), interpolation=cv2.INTER_LINEAR)
    return fine.reshape((gh + 2) * step, (gw + 2) * step, -1)[step:step + h, step:step + w]


def field_step(params: BendParams) -> int:
    """The coarsest of FIELD_STEPS at which bilinear interpolation keeps the displacement within
    FIELD_TOLERANCE_PX and the shading within GAIN_TOLERANCE; the finest when none does (the sharpest folds).

    Interpolating f over cells of side h is off by at most h^2 / 8 * max |f''| along the cell's axes; a
    component's profile varies along one direction only, so that is its largest second derivative, and the
    components' bounds add up.
    """
    bounds = [_curvature(c) for c in params.components]
    curvature, shading = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
    for step in FIELD_STEPS:
        if step**2 / 8 * curvature <= FIELD_TOLERANCE_PX and step**2 / 8 * shading <= GAIN_TOLERANCE:
            return step
    return FIELD_STEPS[-1]


def _curvature(c: BendComponent) -> tuple[float, float]:
    """Upper bounds of |F''| (pixels per pixel^2) of the component's profile and of its shading gain's."""
    w = c.scale_px
    if c.kind == "bend":  # A exp(-t^2 / 2w^2): largest at t = 0
        return abs(c.amplitude_px) / w**2, 0.0
    if c.kind == "curl":  # slope / w (sigmoid'(z) - sigmoid'(z - e)), sigmoid' <= 1/4; |sigmoid''| <= 0.0962
        return abs(c.slope) / (4 * w), 2 * 0.0962 * c.shade / w**2
    return abs(c.slope) / w, 0.5 * 0.7698 * c.shade / w**2  # slope / w sech^2; |tanh''| <= 0.7698


def _placement(rng, kind, quad, size_wh, size) -> tuple[tuple[float, float], float]:
    """Where a component's line runs: along a side of the sheet when its corners are known, else anywhere.

    Curls lie on a side with the normal pointing out of the sheet; folds cross it at a third or a half
    (sheets are folded in halves and thirds); bends run parallel to a side through any inner point.
    """
    w, h = size_wh
    if quad is None:
        return draws.uniforms(rng, (0.15 * w, 0.15 * h), (0.85 * w, 0.85 * h)), draws.uniform(rng, 0, 180)
    k = int(rng.integers(4))
    a, b = quad[k], quad[(k + 1) % 4]
    angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
    centre = quad.mean(axis=0)
    if kind == "curl":
        point = a + draws.uniform(rng, 0.2, 0.8) * (b - a)
        rad = np.deg2rad(angle)
        if np.array([-np.sin(rad), np.cos(rad)]) @ (point - centre) < 0:
            angle += 180.0  # the normal (the compressed side) must point out of the sheet
        return tuple(point), angle
    if kind == "fold":
        across = quad[(k + 3) % 4] - a  # from this side to the opposite one
        point = a + 0.5 * (b - a) + draws.choice(rng, (1 / 3, 1 / 2, 2 / 3)) * across
        return tuple(point), angle
    return tuple(draws.point_in(rng, quad)), angle


def _frame(c: BendComponent, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The axis along which the component's profile varies (u for a bend, n for a curl or fold), the unit
    displacement v, and the points' coordinate r along that axis (t = rel . u, or s = rel . n)."""
    u, n, v = _axes(c)
    axis = u if c.kind == "bend" else n
    return axis, v, (xy - np.asarray(c.centre_xy, np.float64)) @ axis


@functools.lru_cache(maxsize=64)
def _axes(c: BendComponent) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors along the line (u), across it (n) and of the displacement (v): once per component, since
    Newton's method in `bend_points` asks for them at every step."""
    a, b = np.deg2rad(c.angle_deg), np.deg2rad(c.direction_deg)
    axes = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)]), np.array([np.cos(b), np.sin(b)])
    for axis in axes:
        axis.flags.writeable = False
    return axes


def _height(c: BendComponent, r: np.ndarray) -> np.ndarray:
    """The scalar profile F of a component, how far it moves the paper along its direction, at coordinates r
    along its `_frame` axis: F(t) for a bend, F(s) for a curl or fold."""
    return _profile(c, r / c.scale_px)


def _profile(c: BendComponent, z: np.ndarray) -> np.ndarray:
    """`_height` at z = r / scale_px."""
    w = c.scale_px
    if c.kind == "bend":
        return c.amplitude_px * np.exp(-0.5 * z**2)
    if c.kind == "curl":
        f = np.logaddexp(0.0, z) - np.logaddexp(0.0, z - c.extent_px / w)  # softplus difference, stable
        return c.slope * w * f
    a = np.abs(z)
    f = a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0)  # log(cosh(z)), stable
    return c.slope * w * f


def _slope(c: BendComponent, r: np.ndarray) -> np.ndarray:
    """dF/dr of `_height` (F does not vary across its axis): apart from `_height`, since the field over the frame
    needs no slopes."""
    w = c.scale_px
    if c.kind == "bend":
        return -c.amplitude_px * r / w**2 * np.exp(-0.5 * (r / w) ** 2)
    z = r / w
    if c.kind == "curl":
        return c.slope * (_sigmoid(z) - _sigmoid(z - c.extent_px / w))
    return c.slope * np.tanh(z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -50.0), 50.0)))  # clipped, as np.clip without its wrapper
