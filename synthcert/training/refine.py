"""The second stage's view of a photo: the field's neighbourhood cut from the full-resolution photo, rectified
by a coarse quad, and the coarse quads it is trained with.

Training/inference input stage; numpy and OpenCV only, no TensorFlow. The refiner never sees the whole
photo: `cut_neighbourhood` maps the coarse quad (TL, TR, BR, BL) onto the fixed rectangle `quad_box` of a
small canvas, so the text is upright and of one size there whatever the photo's resolution, roll or
perspective, and the canvas's margins hold where the coarse quad may have missed. Labels enter the canvas
through the same `canvas_from_image` matrix as the pixels, and predictions leave it through its inverse.

Training quads (`sample_coarse_quad`) are the label moved by the first stage's own errors, measured on
renders in the label's frame (along and across the text, in text heights) and resampled, then widened by
a random factor and an occasional line-sized miss: real photos miss by more than renders.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from synthcert import geometry
from synthcert.datasets.quads import quad_problem, view_problem
from synthcert.evaluation import HIT_TEXT_HEIGHTS, text_height_px, text_width_px


@dataclass(frozen=True)
class Canvas:
    """Where the coarse quad lands in the refiner's input.

    Attributes:
        size_wh: (W, H) of the canvas, the refiner's input.
        quad_box: (x0, y0, x1, y1) the rectangle the coarse quad is mapped onto; the rest is margin.
    """

    size_wh: tuple[int, int] = (128, 64)
    quad_box: tuple[float, float, float, float] = (32.0, 24.0, 96.0, 40.0)

    def __post_init__(self):
        w, h = self.size_wh
        x0, y0, x1, y1 = self.quad_box
        if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
            raise ValueError(f"quad_box = {self.quad_box}; expected x0 < x1 and y0 < y1 within the {w}x{h} canvas")

    @property
    def text_height(self) -> float:
        """Height of the coarse quad in canvas pixels."""
        return float(self.quad_box[3] - self.quad_box[1])

    def to_dict(self) -> dict:
        return {"size_wh": list(self.size_wh), "quad_box": list(self.quad_box)}

    @classmethod
    def from_dict(cls, d: dict) -> Canvas:
        return cls(tuple(int(v) for v in d["size_wh"]), tuple(float(v) for v in d["quad_box"]))


def canvas_from_image(quad_xy: np.ndarray, canvas: Canvas) -> np.ndarray:
    """Returns the (3, 3) homography that maps the (4, 2) quad (image pixels, TL, TR, BR, BL) onto
    `canvas.quad_box` (COCO coordinates both).

    Raises:
        ValueError: if the quad is crossed, folded or degenerate (no such homography keeps the text upright).
    """
    quad_xy = np.asarray(quad_xy, np.float64)
    problem = quad_problem(quad_xy)
    if problem is not None:
        raise ValueError(f"the coarse quad {np.round(quad_xy, 1).tolist()} {problem}")
    target = geometry.rect_corners_xy(canvas.quad_box)
    return cv2.getPerspectiveTransform(quad_xy.astype(np.float32), target.astype(np.float32)).astype(np.float64)


def cut_neighbourhood(image: np.ndarray, quad_xy: np.ndarray, canvas: Canvas) -> tuple[np.ndarray, np.ndarray]:
    """Cuts the canvas out of a photo of any size: the quad's neighbourhood, rectified onto `quad_box`.

    Where the photo is much finer than the canvas, the region is first shrunk with area averaging (a
    perspective warp alone would alias the text); pixels outside the photo repeat its border.

    Args:
        image: (H, W, 3) uint8 RGB, the photo at full resolution.
        quad_xy: (4, 2) float64 coarse corners in the photo's pixels (COCO), TL, TR, BR, BL.
        canvas: the canvas geometry.

    Returns:
        The (canvas H, canvas W, 3) uint8 canvas and the (3, 3) `canvas_from_image` homography (COCO), which
        maps labels into the canvas and, inverted, predictions back into the photo.

    Example:
        >>> photo = np.zeros((300, 400, 3), np.uint8)
        >>> crop, m = cut_neighbourhood(photo, np.array([[100, 100], [300, 100], [300, 150], [100, 150.]]), Canvas())
        >>> crop.shape, np.round(geometry.transform_points(m, [[100, 100]]), 6).tolist()
        ((64, 128, 3), [[32.0, 24.0]])
    """
    m = canvas_from_image(quad_xy, canvas)
    w, h = canvas.size_wh
    x0, y0, x1, y1 = _photo_region(m, (0, 0, w, h), image.shape)
    source, source_from_image = image, np.eye(3)
    if x1 - x0 >= 2 and y1 - y0 >= 2:
        source, source_from_image = image[y0:y1, x0:x1], geometry.translation(-x0, -y0)
        shrink = 1.0 / geometry.max_scale(m, np.asarray(quad_xy, np.float64))  # photo pixels per canvas pixel
        if shrink > 1.5:
            size = (max(1, round((x1 - x0) / shrink)), max(1, round((y1 - y0) / shrink)))
            scale = geometry.scaling(size[0] / (x1 - x0), size[1] / (y1 - y0))
            source = cv2.resize(source, size, interpolation=cv2.INTER_AREA)
            source_from_image = scale @ source_from_image
    warp = m @ np.linalg.inv(source_from_image)
    out = cv2.warpPerspective(np.ascontiguousarray(source), geometry.opencv_from_coco(warp), (w, h),
                              flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, m


def _photo_region(canvas_from_image_m: np.ndarray, box_xyxy, shape_hw) -> tuple[int, int, int, int]:
    """The whole-pixel (x0, y0, x1, y1) of the photo that a canvas rectangle covers, clipped to the photo."""
    region = geometry.transform_points(np.linalg.inv(canvas_from_image_m), geometry.rect_corners_xy(box_xyxy))
    x0, y0 = np.maximum(np.floor(region.min(axis=0)), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(region.max(axis=0)), (shape_hw[1], shape_hw[0])).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


def local_errors(pred_xy, true_xy) -> np.ndarray:
    """Returns (N, 4, 2) float64: each corner's error along and across the label's text, in text heights.

    The frame is the label's own: x along TL -> TR, y along TL -> BL (so y grows down the text as read),
    both in units of the label's text height. A coarse error measured on one photo can thus be replayed
    on another at any size and roll (`sample_coarse_quad`).
    """
    pred, true = (np.asarray(a, np.float64).reshape(-1, 4, 2) for a in (pred_xy, true_xy))
    along, across = _axes(true)
    d = pred - true
    h = text_height_px(true)[:, None]
    return np.stack([np.einsum("nkd,nd->nk", d, along), np.einsum("nkd,nd->nk", d, across)], axis=-1) / h[..., None]


def _axes(true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    along = (true[:, 1] - true[:, 0]) + (true[:, 2] - true[:, 3])
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    return along, np.stack([-along[:, 1], along[:, 0]], axis=1)  # 90 degrees clockwise on screen (y down)


@dataclass(frozen=True)
class CoarseErrors:
    """How the first stage misses, as `sample_coarse_quad` replays it.

    Attributes:
        residuals: (M, 4, 2) float64 first-stage errors in the label's frame (`local_errors`), measured on
            renders; empty for none.
        scale_range: each replayed residual is multiplied by a factor drawn from this range.
        noise: per-corner Gaussian noise in text heights, added to every draw.
        miss_p: probability of an extra shift of the whole quad, as when the first stage lands near the
            wrong text: up to `miss_range` text heights across and along the text.
        miss_range: (along, across) largest shift of such a miss, in text heights.
        reach: (along, across) largest displacement of any corner, in text heights: what the canvas's
            margins hold (0.5 of the quad's width is 2 text heights for a 4:1 number; 1.5 above and below).
    """

    residuals: np.ndarray = field(default_factory=lambda: np.zeros((0, 4, 2)))
    scale_range: tuple[float, float] = (0.5, 3.0)
    noise: float = 0.08
    miss_p: float = 0.3
    miss_range: tuple[float, float] = (1.0, 1.0)
    reach: tuple[float, float] = (1.5, 1.2)

    @classmethod
    def from_stage_one(cls, pred_xy, true_xy, **kwargs) -> CoarseErrors:
        """The distribution replaying stage 1's errors on renders, without the errors no canvas can hold (a
        quad turned round or on another field): those are stage 1's misses, for the confidence to flag.

        Args:
            pred_xy, true_xy: (N, 4, 2) stage 1's predictions and the labels, in one frame.
        """
        residuals = local_errors(pred_xy, true_xy)
        reach = np.asarray(kwargs.get("reach", cls.reach))
        return cls(residuals=residuals[np.all(np.abs(residuals) <= reach, axis=(1, 2))], **kwargs)


def sample_coarse_quad(true_xy: np.ndarray, errors: CoarseErrors, rng: np.random.Generator,
                       attempts: int = 20) -> np.ndarray:
    """Draws a plausible first-stage answer for a label: the label moved by a replayed first-stage error.

    Args:
        true_xy: (4, 2) float64 label corners in image pixels, TL, TR, BR, BL.
        errors: the error distribution.
        rng: the only source of randomness.
        attempts: draws before giving up on a plausible quad and returning the label itself.

    Returns:
        (4, 2) float64 quad in the same frame and order that `view_problem` accepts: a crossed or folded
        draw is drawn again, as the detector never answers such a quad.
    """
    true = np.asarray(true_xy, np.float64).reshape(1, 4, 2)
    along, across = (a[0] for a in _axes(true))
    h = float(text_height_px(true)[0])
    for _ in range(attempts):
        local = rng.normal(0.0, errors.noise, (4, 2))
        if len(errors.residuals):
            local += errors.residuals[rng.integers(len(errors.residuals))] * rng.uniform(*errors.scale_range)
        if rng.random() < errors.miss_p:
            local += [rng.uniform(-1, 1) * errors.miss_range[0], rng.uniform(-1, 1) * errors.miss_range[1]]
        local = np.clip(local, -np.asarray(errors.reach), errors.reach)
        quad = true[0] + h * (local[:, :1] * along + local[:, 1:] * across)
        if view_problem(quad) is None:
            return quad
    return true[0]


@dataclass(frozen=True)
class Search:
    """Where the refiner looks besides the coarse quad: the neighbouring lines, at two heights.

    A coarse quad that sits on the number but also on the line above or below it (a marker stroke, a box, the
    next value) is too tall, or off by a line, and its canvas can fall outside what the refiner was trained
    on. So the refiner also starts from rectangles along the coarse quad's reading direction, of its mean
    width, `heights` times its mean height, shifted across the text by each of `shifts` times that height;
    each start is refined `passes` times (each pass from the last one's answer), and of the answers that most
    other starts also reached (`consensus`), the one whose widest heatmap spread is smallest wins: the calibrated
    confidence is a decreasing function of that spread.

    Attributes:
        heights: heights of the extra starts, as multiples of the coarse quad's mean height.
        shifts: their offsets across the text, in their own heights (positive: down the text as read).
        passes: refinements per start; 1 with `heights` and `shifts` empty is one plain refinement.
        parallelogram: give the parallelogram nearest to the answer (`geometry.nearest_parallelogram`): a
            printed line seen from a phone is one to within a few % of its height, and a corner that the
            refiner put off on its own (on an empty corner of the ink's box, e.g. above a "J"'s hook) is
            pulled back by the other three.
        zooms: stage 1 also looks at zoomed views of the photo (`view_boxes`), and the search starts from
            each view's coarse quad too: at zoom 1.5 the number has 1.5 times the input pixels, and a view
            that leaves out a distracting line (a hand-written date, a bold serial) may not split its corners.
        turns: ... and at the whole photo turned by these quarter turns (`np.rot90`): stage 1 learnt every
            roll, so each turn is another look at the same photo (test-time augmentation), and one whose
            coarse quad is not split or stray gives the search a start on the number.
        snap: move the answer's left and right sides onto the ends of the ink on its line
            (`synthcert.training.snap`): a label's corner on blank paper (above a "J"'s hook) is where the
            line's ink ends, not where the ink nearest to it is.
        alternatives: ... and from each view's this many most probable other readings (`peak_quads`: plausible
            quads of each corner's strongest heatmap peaks): a model torn between the number and its label
            puts a corner's second peak where its first should be, so a view whose corners split still
            offers a start on the number.
        consensus: keep the sharpest of the answers that most starts agree on (`consensus`), not the sharpest
            of all: a sharp answer that one start alone reached is more often another line than the number.
    """

    heights: tuple[float, ...] = (1.0, 0.5)
    shifts: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0)
    passes: int = 3
    parallelogram: bool = True
    zooms: tuple[float, ...] = (1.5,)
    turns: tuple[int, ...] = (1, 2, 3)
    snap: bool = True
    alternatives: int = 3
    consensus: bool = True

    def __post_init__(self):
        if (self.passes < 1 or self.alternatives < 0 or any(h <= 0 for h in self.heights)
                or any(z <= 1 for z in self.zooms) or any(t not in (1, 2, 3) for t in self.turns)):
            raise ValueError(f"passes = {self.passes}, heights = {self.heights}, zooms = {self.zooms}, turns = "
                             f"{self.turns}, alternatives = {self.alternatives}; expected passes >= 1, heights > 0, "
                             "zooms > 1, turns in 1, 2, 3 and alternatives >= 0")

    def to_dict(self) -> dict:
        return {"heights": list(self.heights), "shifts": list(self.shifts), "passes": self.passes,
                "parallelogram": self.parallelogram, "zooms": list(self.zooms), "turns": list(self.turns),
                "snap": self.snap, "alternatives": self.alternatives, "consensus": self.consensus}

    @classmethod
    def from_dict(cls, d: dict) -> Search:
        # Keys added after the first files were written take the default, as a file without "search" does.
        return cls(tuple(float(v) for v in d["heights"]), tuple(float(v) for v in d["shifts"]), int(d["passes"]),
                   bool(d.get("parallelogram", cls.parallelogram)),
                   tuple(float(v) for v in d.get("zooms", cls.zooms)),
                   tuple(int(v) for v in d.get("turns", cls.turns)), bool(d.get("snap", cls.snap)),
                   int(d.get("alternatives", cls.alternatives)), bool(d.get("consensus", cls.consensus)))


def view_boxes(size_wh: tuple[int, int], zooms) -> list[tuple[int, int, int, int]]:
    """The whole photo, then for each zoom z an n x n grid (n = 2 ceil(z) - 1) of crops 1/z of its sides,
    evenly spaced from edge to edge so that they overlap and cover it; (x0, y0, x1, y1) integer pixels.

    Example:
        >>> view_boxes((120, 90), (1.5,))[:4]
        [(0, 0, 120, 90), (0, 0, 80, 60), (20, 0, 100, 60), (40, 0, 120, 60)]
    """
    w, h = size_wh
    boxes = [(0, 0, w, h)]
    for z in zooms:
        cw, ch, n = round(w / z), round(h / z), 2 * math.ceil(z) - 1
        for y0 in np.linspace(0, h - ch, n).round().astype(int).tolist():
            boxes.extend((x0, y0, x0 + cw, y0 + ch) for x0 in np.linspace(0, w - cw, n).round().astype(int).tolist())
    return boxes


def search_starts(coarse_xy: np.ndarray, search: Search) -> np.ndarray:
    """Returns the (K, 4, 2) float64 quads the refiner starts from: the coarse quad itself when it is a
    plausible view (`view_problem`), then `search`'s rectangles around it (TL, TR, BR, BL, image pixels).

    Example:
        >>> q = np.array([[0, 0], [40, 0], [40, 10], [0, 10.]])
        >>> starts = search_starts(q, Search(heights=(0.5,), shifts=(-0.5,)))  # the quad, then its upper half
        >>> starts.shape, starts[1].tolist()
        ((2, 4, 2), [[0.0, 0.0], [40.0, 0.0], [40.0, 5.0], [0.0, 5.0]])
    """
    q = np.asarray(coarse_xy, np.float64)
    along, across = (a[0] for a in _axes(q[None]))
    width, height = float(text_width_px(q[None])[0]), float(text_height_px(q[None])[0])
    centre = q.mean(axis=0)
    unit = geometry.rect_corners_xy((-0.5, -0.5, 0.5, 0.5))  # TL, TR, BR, BL as (along, across), in sizes
    starts = [q] if view_problem(q) is None else []
    for factor in search.heights:
        h = factor * height
        for shift in search.shifts:
            c = centre + shift * h * across
            starts.append(c + unit[:, :1] * width * along + unit[:, 1:] * h * across)
    return np.stack(starts) if starts else np.zeros((0, 4, 2))


PEAKS = 3  # per corner: 3 ** 4 = 81 readings per view, a few plausible
MAX_DROP = 3.0  # nats: readings up to e ** 3 = 20 times less probable than the model's own


def peak_quads(peaks_xy: np.ndarray, log_p: np.ndarray, count: int, max_drop: float = MAX_DROP) -> list[np.ndarray]:
    """A view's other readings: the `count` most probable plausible views (`view_problem`) that take one of
    each corner's heatmap peaks, other than the all-strongest reading (the view's own answer), and at most
    `max_drop` less probable than it (the corners' heatmaps taken as independent: log-probabilities add).

    Args:
        peaks_xy: (4, P, 2) each corner's peaks, strongest first (`synthcert.keras.model.heatmap_peaks`).
        log_p: (4, P) their log-probabilities.

    Example:
        >>> peaks = np.array([[[0, 0], [0, 0]], [[40, 10], [40, 0]], [[40, 0], [40, 10]], [[0, 10], [0, 10]]], float)
        >>> log_p = np.log([[1, 1], [0.6, 0.4], [0.6, 0.4], [1, 1]])  # TR and BR torn; TL and BL one peak each
        >>> log_p[[0, 3], 1] = -np.inf
        >>> [q.tolist() for q in peak_quads(peaks, log_p, 3)]  # the own reading crosses; one other is a box
        [[[0.0, 0.0], [40.0, 0.0], [40.0, 10.0], [0.0, 10.0]]]
    """
    own = float(log_p[:, 0].sum())
    readings = sorted(itertools.product(range(log_p.shape[1]), repeat=4),
                      key=lambda picks: -sum(log_p[c, j] for c, j in enumerate(picks)))
    quads = []
    for picks in readings[1:]:  # the first is the strongest peaks' own reading
        if len(quads) == count or sum(log_p[c, j] for c, j in enumerate(picks)) < own - max_drop:
            break
        quad = peaks_xy[np.arange(4), list(picks)]
        if view_problem(quad) is None:
            quads.append(quad)
    return quads


def consensus(quads: np.ndarray, sharpness: np.ndarray | None) -> int:
    """Which of a search's answers to keep: of the answers that agree with the most others (every corner
    within `HIT_TEXT_HEIGHTS` of its text height, the hit rule: the same reading of the same line), the sharpest.

    Args:
        quads: (K, 4, 2) the refined answers.
        sharpness: (K,) smaller is sharper (`spread_feature`), or None (the first of them).

    Example:
        >>> box = np.array([[0, 0], [40, 0], [40, 10], [0, 10.]])
        >>> quads = np.stack([box + [0, 30], box, box + [0.5, 0], box + [0, 1]])  # three starts agree on `box`
        >>> consensus(quads, np.array([-3.0, -1.0, -2.0, -1.5]))  # the lone answer is sharper; the third wins
        2
    """
    heights = text_height_px(quads)
    distances = np.linalg.norm(quads[:, None] - quads[None], axis=-1).max(axis=-1)
    agree = distances <= HIT_TEXT_HEIGHTS * heights[:, None]  # row i: the answers within i's own tolerance
    support = agree.sum(axis=1)
    if sharpness is None:
        return int(np.argmax(support))
    top = int(np.lexsort((sharpness, -support))[0])  # the most support, then the sharpest
    members = np.flatnonzero(agree[top])
    return int(members[np.argmin(sharpness[members])])


@dataclass(frozen=True)
class Neighbourhoods:
    """Rendered photos' field neighbourhoods, kept at the render's full resolution for the refiner's batches.

    Each crop is the axis-aligned region around the label that any canvas of `sample_coarse_quad`'s
    quads can reach, so batches cut canvases from it as they would from the whole photo.

    Attributes:
        images: N (h, w, 3) uint8 RGB crops of different sizes.
        corners: (N, 4, 2) float64 label corners in each crop's pixels (COCO), TL, TR, BR, BL.
    """

    images: tuple[np.ndarray, ...]
    corners: np.ndarray

    @classmethod
    def from_photos(cls, images, corners_xy, canvas: Canvas, reach: float = 2.0) -> Neighbourhoods:
        """Crops each (H, W, 3) photo around its (4, 2) label to `reach` times the canvas's size around it."""
        crops, moved = [], []
        w, h = canvas.size_wh
        grown = (-(reach - 1) * w / 2, -(reach - 1) * h / 2, (reach + 1) * w / 2, (reach + 1) * h / 2)
        for image, corners in zip(images, corners_xy, strict=True):
            x0, y0, x1, y1 = _photo_region(canvas_from_image(corners, canvas), grown, image.shape)
            crops.append(np.ascontiguousarray(image[y0:y1, x0:x1]))
            moved.append(np.asarray(corners, np.float64) - [x0, y0])
        return cls(tuple(crops), np.stack(moved))

    def __len__(self) -> int:
        return len(self.images)


def refine_batch(neighbourhoods: Neighbourhoods, picks, errors: CoarseErrors, canvas: Canvas,
                 rng: np.random.Generator) -> tuple[list, list]:
    """Returns the canvases of a batch and their (4, 2) labels in canvas pixels: for each picked
    neighbourhood one coarse quad drawn from `errors`, the canvas cut with it, the label mapped by the
    same `canvas_from_image` as the pixels."""
    images, corners = [], []
    for i in picks:
        true = neighbourhoods.corners[i]
        crop, m = cut_neighbourhood(neighbourhoods.images[i], sample_coarse_quad(true, errors, rng), canvas)
        images.append(crop)
        corners.append(geometry.transform_points(m, true))
    return images, corners


def render_neighbourhoods(renderer, seed: int, count: int, canvas: Canvas, chunk: int = 32,
                          progress=None) -> Neighbourhoods:
    """Renders samples 0 ... count - 1 of `seed` and keeps only the neighbourhood of the renderer's target
    field (the whole photos would not fit in memory at phone resolution); `progress(done)` after each chunk."""
    from synthcert.training.batches import render_batch

    images, corners = [], []
    for lo in range(0, count, chunk):
        part = Neighbourhoods.from_photos(*render_batch(renderer, seed, range(lo, min(count, lo + chunk))),
                                          canvas)
        images += part.images
        corners.append(part.corners)
        if progress is not None:
            progress(min(count, lo + chunk))
    return Neighbourhoods(tuple(images), np.concatenate(corners))
