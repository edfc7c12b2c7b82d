"""The two-stage detector: a coarse regressor on the whole photo, a refiner on the field's neighbourhood.

Stage 1 sees the photo letterboxed to its small input and answers a coarse quad (and the same for zoomed
crops of it, `Search.zooms`, and for the photo turned by quarter turns, `Search.turns`), and each view's other
readings, quads of its corners' other heatmap peaks (`Search.alternatives`). Stage 2 sees the neighbourhood of
each such quad cut from the *full-resolution* photo and rectified by it
(`synthcert.training.refine.cut_neighbourhood`) and answers the corners there, which the inverse of the same
homography takes back to the photo; it also starts from the neighbouring lines (`Search`), refines each start
`Search.passes` times, makes each answer the nearest parallelogram, keeps the sharpest of the answers most starts
agree on (`Search.consensus`) and moves that answer's ends onto the ink (`synthcert.training.snap`). Both
answers are checked: a crossed, folded or degenerate quad is never returned as the answer (a model that splits
its corners between two places says so in `Location.problem`), and the refiner's heatmap spread becomes a
calibrated confidence.

One directory holds the detector: `best.keras` (stage 1), `refine.keras` (stage 2) and `detector.json`
(the field, the canvas, the calibration, the search). A single `.keras` file is a coarse-only detector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from synthcert import geometry
from synthcert.datasets.quads import quad_problem, view_problem
from synthcert.errors import SynthcertError
from synthcert.evaluation import summarize, text_height_px, text_width_px
from synthcert.keras.model import heatmap_probe, heatmap_spread, input_size, load_model, locate_views
from synthcert.samples import TARGET
from synthcert.training.batches import target_corners, to_inputs
from synthcert.training.calibration import Calibration, spread_feature
from synthcert.training.refine import (
    PEAKS,
    Canvas,
    Search,
    consensus,
    cut_neighbourhood,
    peak_quads,
    search_starts,
    view_boxes,
)
from synthcert.training.snap import snap_ends

DETECTOR_FILE = "detector.json"
COARSE_FILE = "best.keras"
REFINE_FILE = "refine.keras"



@dataclass(frozen=True)
class Location:
    """Where the detector found the field in one photo.

    Attributes:
        corners_xy: (4, 2) float64 in the photo's pixels (COCO), TL, TR, BR, BL of the text as read; None
            when the answer is no quad (the coarse corners crossed: see `problem`).
        coarse_xy: (4, 2) float64, stage 1's corners (possibly crossed).
        spread_px: (4,) float64 heatmap spread of each corner of the last stage that answered, in photo
            pixels; None for a Dense-head model.
        confidence: calibrated probability that every corner is within a quarter of the text height
            (`synthcert.evaluation`); None for an uncalibrated model; 0 when there is no answer.
        refined: whether stage 2 gave `corners_xy`.
        problem: why the answer is missing or is stage 1's, or None.
    """

    corners_xy: np.ndarray | None
    coarse_xy: np.ndarray
    spread_px: np.ndarray | None = None
    confidence: float | None = None
    refined: bool = False
    problem: str | None = None


@dataclass
class Detector:
    """Both stages and what joins them; `locate` answers one photo.

    Args:
        coarse: the stage 1 regressor (whole photo, letterboxed).
        refiner: the stage 2 regressor on `canvas`, or None for a coarse-only detector.
        canvas: the refiner's input geometry.
        calibration: confidence from the answering stage's spread, or None.
        target: the field it finds.
        search: where stage 2 starts besides the coarse quad, and how often it refines.
    """

    coarse: keras.Model
    refiner: keras.Model | None = None
    canvas: Canvas = field(default_factory=Canvas)
    calibration: Calibration | None = None
    target: str = TARGET
    search: Search = field(default_factory=Search)

    def locate(self, image: np.ndarray, refine: bool = True) -> Location:
        """Finds the field in an (H, W, 3) uint8 RGB photo of any size; `refine=False` stops after stage 1."""
        refining = self.refiner is not None and refine
        boxes = view_boxes(image.shape[1::-1], self.search.zooms if refining else ())  # the whole photo first
        peaks = PEAKS if refining and self.search.alternatives else 0
        views, view_spreads, view_peaks = locate_views(self.coarse, image, boxes, peaks)
        coarse, coarse_spread = views[0], None if view_spreads is None else view_spreads[0]
        problem = view_problem(coarse)
        if not refining:
            if problem is not None:
                return Location(None, coarse, coarse_spread, 0.0, False,
                                f"the coarse quad {problem}: the model split its corners between places")
            return Location(coarse, coarse, coarse_spread, self._confidence(_in_text_heights(coarse_spread, coarse)))
        alternatives = self._alternatives(view_peaks)
        for t in self.search.turns:
            turned, turned_alternatives = self._turned_view(image, t, peaks)
            views = np.concatenate([views, turned])
            alternatives += turned_alternatives
        # A folded coarse quad (convex and clockwise, its corners on two lines) still says where the number is and
        # which way it reads: the search's rectangles start from that; crossed or counter-clockwise corners do not.
        starts_from = _distinct([q for q in views if quad_problem(q) is None] + alternatives)
        if not starts_from:
            return Location(None, coarse, coarse_spread, 0.0, False,
                            f"the coarse quad {problem}: the model split its corners between places"
                            + (" (in every zoomed and turned view too)" if len(views) > 1 else "")
                            + (", and none of its other readings is a plausible view" if peaks else ""))
        found, last_problem = self._search(image, starts_from)
        if found is None:
            why = "no refined quad is a plausible view" + (f" (the last {last_problem})" if last_problem else "")
            if problem is not None:
                return Location(None, coarse, coarse_spread, 0.0, False, f"the coarse quad {problem} and {why}")
            return Location(coarse, coarse, coarse_spread, self._confidence(_in_text_heights(coarse_spread, coarse)),
                            False, f"{why}; the coarse one is given")
        refined, heights = found
        if self.search.snap:
            snapped = snap_ends(image, refined)
            refined = snapped if view_problem(snapped) is None else refined
        spread_px = None if heights is None else heights * float(text_height_px(refined)[0])
        return Location(refined, coarse, spread_px, self._confidence(heights), True)

    def _turned_view(self, image: np.ndarray, turns: int, peaks: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """Stage 1's (1, 4, 2) corners on the photo turned by `turns` quarter turns, and its other readings, in
        the photo's pixels."""
        turned = np.ascontiguousarray(np.rot90(image, turns))
        corners, _, turned_peaks = locate_views(self.coarse, turned, view_boxes(turned.shape[1::-1], ()), peaks)
        image_from_turned = np.linalg.inv(geometry.quarter_turn(image.shape[1::-1], turns))
        return (geometry.transform_points(image_from_turned, corners[0])[None],
                [geometry.transform_points(image_from_turned, q) for q in self._alternatives(turned_peaks)])

    def _alternatives(self, view_peaks) -> list[np.ndarray]:
        """Every view's other readings (`peak_quads`), from `locate_views`' peaks (None: there are none)."""
        if view_peaks is None:
            return []
        count = self.search.alternatives
        return [q for xy, log_p in zip(*view_peaks, strict=True) for q in peak_quads(xy, log_p, count)]

    def _search(self, image: np.ndarray, coarse_quads: list[np.ndarray]):
        """Refines every start of `self.search` around each coarse quad `passes` times; returns ((4, 2) answer,
        its (4,) spreads in text heights or None) for the answer `Search.consensus` keeps, or None, and the last
        implausible quad's problem."""
        quads = np.concatenate([search_starts(q, self.search) for q in coarse_quads])
        heights, last_problem = None, None
        if not len(quads):  # folded coarse quads and a search without rectangles
            return None, None
        for _ in range(self.search.passes):
            cuts = [cut_neighbourhood(image, q, self.canvas) for q in quads]
            corners, spread = refine_canvases(self.refiner, np.stack([c for c, _ in cuts]))
            refined = [geometry.transform_points(np.linalg.inv(m), k) for (_, m), k in zip(cuts, corners, strict=True)]
            problems = [view_problem(q) for q in refined]  # of the refiner's own corners, before any fit
            if self.search.parallelogram:
                refined = [geometry.nearest_parallelogram(q) for q in refined]
                problems = [p or view_problem(q) for p, q in zip(problems, refined, strict=True)]
            keep = [i for i, p in enumerate(problems) if p is None]
            last_problem = next((p for p in reversed(problems) if p is not None), last_problem)
            if not keep:
                return None, last_problem
            quads = np.stack([refined[i] for i in keep])
            heights = None if spread is None else spread[keep] / self.canvas.text_height
        sharpness = None if heights is None else spread_feature(heights)
        if self.search.consensus:
            best = consensus(quads, sharpness)
        else:
            best = 0 if sharpness is None else int(np.argmin(sharpness))
        return (quads[best], None if heights is None else heights[best]), last_problem

    def _confidence(self, spread_text_heights) -> float | None:
        if self.calibration is None or spread_text_heights is None:
            return None
        return float(self.calibration.confidence(spread_text_heights[None])[0])

    def save(self, directory: str | Path) -> Path:
        """Writes both stages and `detector.json` into `directory`; returns its path."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.coarse.save(directory / COARSE_FILE)
        if self.refiner is not None:
            self.refiner.save(directory / REFINE_FILE)
        info = {"target": self.target, "coarse": COARSE_FILE, "refine": REFINE_FILE if self.refiner else None,
                "canvas": self.canvas.to_dict(),
                "calibration": None if self.calibration is None else self.calibration.to_dict(),
                "search": self.search.to_dict()}
        (directory / DETECTOR_FILE).write_text(json.dumps(info, indent=2) + "\n")
        return directory


def load_detector(path: str | Path) -> Detector:
    """Loads a detector directory written by train.py, or one `.keras` file as a coarse-only detector.

    Raises:
        SynthcertError: the path is neither, or `detector.json` is unreadable.
    """
    path = Path(path)
    if not path.is_dir():  # a .keras file, or a missing path that load_model reports
        return Detector(load_model(path))
    info_path = path / DETECTOR_FILE
    if not info_path.is_file():
        if (path / COARSE_FILE).is_file():
            return Detector(load_model(path / COARSE_FILE))
        raise SynthcertError(f"is no detector: expected a .keras file or a directory with {DETECTOR_FILE} written "
                             "by train.py", path)
    try:
        info = json.loads(info_path.read_text())
        canvas = Canvas.from_dict(info["canvas"])
        calibration = None if info.get("calibration") is None else Calibration(**info["calibration"])
        search = Search.from_dict(info["search"]) if "search" in info else Search()  # older files: the default
    except (ValueError, KeyError, TypeError) as e:
        raise SynthcertError(f"cannot read it ({e}); re-run train.py or restore the file", info_path) from None
    refiner = None if info.get("refine") is None else load_model(path / info["refine"])
    return Detector(load_model(path / info.get("coarse", COARSE_FILE)), refiner, canvas, calibration,
                    info.get("target", TARGET), search)


def refine_canvases(refiner: keras.Model, canvases: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Runs the refiner on (N, h, w, 3) uint8 canvases; returns (N, 4, 2) corners in canvas pixels and the
    (N, 4) heatmap spreads in canvas pixels (None for a Dense head)."""
    x = to_inputs(canvases)
    probe = heatmap_probe(refiner)
    if probe is None:
        return np.asarray(refiner(x, training=False), np.float64).reshape(-1, 4, 2), None
    corners, logits, _ = probe(x, training=False)
    spread = heatmap_spread(np.asarray(logits), input_size(refiner))
    return np.asarray(corners, np.float64).reshape(-1, 4, 2), spread


def _distinct(quads: list[np.ndarray]) -> list[np.ndarray]:
    """The quads in order, without those that repeat an earlier one: centre within a quarter of its text height
    and mean width within 25 % (views that agree would only repeat the same search)."""
    kept = []
    for q in quads:
        centre, width, height = q.mean(axis=0), float(text_width_px(q)[0]), float(text_height_px(q)[0])
        if not any(np.linalg.norm(centre - k.mean(axis=0)) < 0.25 * height
                   and abs(width / float(text_width_px(k)[0]) - 1) < 0.25 for k in kept):
            kept.append(q)
    return kept


def _in_text_heights(spread_px: np.ndarray | None, quad_xy: np.ndarray) -> np.ndarray | None:
    return None if spread_px is None else spread_px / float(text_height_px(quad_xy)[0])


def evaluate_detector(detector: Detector, samples, refine: bool = True) -> tuple[dict, list[Location]]:
    """Locates the field in labelled photos of any size and measures the errors in each photo's own pixels.

    A photo without an answer (crossed coarse corners) is scored on its coarse corners.

    Returns:
        The `synthcert.evaluation.summarize` metrics (plus `answered`, the photos with an answer) and
        each photo's Location.
    """
    locations, true, widths = [], [], []
    for s in samples:  # one pass: a dataset decodes a photo each time a sample is taken from it
        image = s.image
        locations.append(detector.locate(image, refine))
        true.append(target_corners(s, detector.target))
        widths.append(image.shape[1])
    pred = np.stack([c.coarse_xy if c.corners_xy is None else c.corners_xy for c in locations])
    metrics = summarize(pred, np.stack(true), image_width_px=widths)
    metrics["answered"] = sum(c.corners_xy is not None for c in locations)
    return metrics, locations
