"""Find a document in a photo and rectify it to a flat, upright image with one homography.

Authoring stage (used by `synthcert template init` and `template rectify`): pure image geometry, no
randomness, no file writing. Corners are in COCO coordinates (pixel (i, j) covers [i, i+1) x [j, j+1)) and
in reading order TL, TR, BR, BL; OpenCV's warp gets its matrix through `geometry.opencv_from_coco` only.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from synthcert import geometry
from synthcert.errors import TemplateError
from synthcert.template.edges import refine_corners

MIN_SUPPORT = 0.75  # share of a side's samples on its fitted edge, on the weakest side, to trust an outline
ASPECT_TOLERANCE = 0.12  # an outline's side-length aspect may differ this much from size_mm's (perspective)


def read_photo(photo: str | Path) -> np.ndarray:
    """Returns the photo as (H, W, 3) uint8 RGB; raises TemplateError naming the file when unreadable."""
    # Labels refer to the stored pixels (as the dataset readers load them), so EXIF rotation is not applied.
    bgr = cv2.imread(str(photo), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if bgr is None:
        raise TemplateError("is missing or not an image OpenCV reads; give a JPEG or PNG photo", photo)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def detect_document(image: np.ndarray, source: str | Path | None = None, min_area: float = 0.15,
                    aspect: float | None = None) -> np.ndarray:
    """Finds the document's corners: the largest four-sided region whose outline the photo's edges support.

    Candidates are the outer contours of an Otsu threshold (a bright sheet on a darker surface, or the
    reverse) and of closed Canny edges at two sensitivities (the fainter one for a light card on a light
    table). A candidate's four sides come from approxPolyDP on its hull, or from its minimum-area rectangle;
    then each side is fitted to the edges along its middle (`edges.refine_corners`, so rounded card corners
    land where the straight edges meet). The best-scoring candidate whose four sides the edges support, and
    whose aspect ratio is within ASPECT_TOLERANCE of `aspect` when that is given, wins; when none does,
    it refuses rather than return a wrong quadrilateral.

    Args:
        image: (H, W, 3) uint8 RGB photo.
        source: the photo's path, for the error message.
        min_area: smallest share of the photo the document may cover.
        aspect: the document's height / width (from size_mm), or None.

    Returns:
        (4, 2) float64 corners TL, TR, BR, BL in photo pixels (COCO).

    Raises:
        TemplateError: no candidate is supported well enough; the message says why and to pass --corners.
    """
    h, w = image.shape[:2]
    scale = min(1.0, 800.0 / max(h, w))
    small = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    _, bright = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    maps = [bright, 255 - bright]
    for low, high in ((40, 120), (12, 36)):
        edges = cv2.dilate(cv2.Canny(grey, low, high), np.ones((3, 3), np.uint8))
        maps.append(cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)))
    kernel = np.ones((5, 5), np.uint8)
    sh, sw = grey.shape
    candidates = []
    for binary in maps:
        binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
        contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _quad_of(contour)
            area = abs(cv2.contourArea(quad.astype(np.float32))) / (sw * sh)
            if not min_area <= area <= 0.97:  # a quad as large as the frame is the frame
                continue
            fit = cv2.contourArea(contour) / max(area * sw * sh, 1.0)  # how four-sided the region really is
            candidates.append((area * min(fit, 1.0 / max(fit, 1e-6)), quad))
    why = f"found no region covering at least {min_area:.0%} of the photo that stands out from its background"
    for score, quad in sorted(candidates, key=lambda c: -c[0]):
        if score < 0.8 * min_area:
            break
        fit = refine_corners(image, order_corners(geometry.coco_from_opencv_xy(quad) / scale), search=0.03)
        found = _aspect_of(fit.corners_xy)
        if fit.support < MIN_SUPPORT:
            why = f"the best outline's edges are weak (support {fit.support:.0%} on its weakest side)"
        elif aspect is not None and abs(found / aspect - 1) > ASPECT_TOLERANCE:
            why = f"the best outline has aspect {found:.2f}, the document (size_mm) {aspect:.2f}"
        else:
            return fit.corners_xy
    raise TemplateError(f"{why}; not guessing: pass the document's corners with --corners x1,y1,x2,y2,x3,y3,x4,y4 "
                        "(TL, TR, BR, BL; rough ones are refined to the edges)", source)


def settle_corners(image: np.ndarray, corners_xy) -> np.ndarray:
    """Refines corners the user gave roughly (within a few % of the size) to the document's edges.

    Corners already on the edges (each side within 3 px of one) are kept as given: they were measured. Else
    they are refined when the edges support all four sides, and kept as given when not.
    """
    given = np.asarray(corners_xy, np.float64).reshape(4, 2)
    if refine_corners(image, given, search=0.0).support >= MIN_SUPPORT:
        return given
    fit = refine_corners(image, given)
    return fit.corners_xy if fit.support >= MIN_SUPPORT else given


def _aspect_of(corners_xy: np.ndarray) -> float:
    side = np.linalg.norm(corners_xy - np.roll(corners_xy, -1, axis=0), axis=1)  # top, right, bottom, left
    return float((side[1] + side[3]) / max(side[0] + side[2], 1e-9))


def order_corners(quad_xy: np.ndarray) -> np.ndarray:
    """Orders four points clockwise on screen, starting at the top-left (smallest x + y)."""
    quad_xy = np.asarray(quad_xy, np.float64).reshape(4, 2)
    centre = quad_xy.mean(axis=0)
    angles = np.arctan2(quad_xy[:, 1] - centre[1], quad_xy[:, 0] - centre[0])
    quad_xy = quad_xy[np.argsort(angles)]
    return np.roll(quad_xy, -int(np.argmin(quad_xy.sum(axis=1))), axis=0)


def rectify_document(
    image: np.ndarray, corners_xy, width_px: int, aspect: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Warps the document inside `corners_xy` to a flat, upright image with one homography.

    Args:
        image: (H, W, 3) uint8 photo.
        corners_xy: (4, 2) corners TL, TR, BR, BL in photo pixels (COCO); they may lie outside the photo,
            whose border pixels are then repeated.
        width_px: width of the flat document.
        aspect: height / width of the document; None to estimate it from the corners' side lengths.

    Returns:
        The (h, width_px, 3) uint8 flat document and the (3, 3) `flat_from_photo` homography (COCO).
    """
    corners_xy = np.asarray(corners_xy, np.float64).reshape(4, 2)
    if aspect is None:
        aspect = _aspect_of(corners_xy)
    size_wh = (int(width_px), max(int(round(width_px * aspect)), 1))
    target = geometry.rect_corners_xy((0, 0, *size_wh))
    flat_from_photo = cv2.getPerspectiveTransform(corners_xy.astype(np.float32), target.astype(np.float32))
    flat_from_photo = flat_from_photo.astype(np.float64)
    # Shrink the photo first so that the warp never skips source pixels (a warp filters like INTER_LINEAR).
    shrink = min(1.0, 1.25 / geometry.max_scale(np.linalg.inv(flat_from_photo), target))
    source = image
    if shrink < 1.0:
        h, w = image.shape[:2]
        source = cv2.resize(image, (max(round(w * shrink), 1), max(round(h * shrink), 1)), interpolation=cv2.INTER_AREA)
    source_from_photo = geometry.scaling(source.shape[1] / image.shape[1], source.shape[0] / image.shape[0])
    m = geometry.opencv_from_coco(flat_from_photo @ np.linalg.inv(source_from_photo))
    flat = cv2.warpPerspective(source, m, size_wh, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return flat, flat_from_photo


def draw_grid(flat: np.ndarray, step: int = 50) -> np.ndarray:
    """Returns a copy of a flat document with a labelled coordinate grid, to measure field boxes on.

    Lines are drawn at multiples of `step` in COCO coordinates (the line at x = 100 runs along the left
    edge of pixel column 100); every second one is labelled.
    """
    out = flat.copy()
    h, w = out.shape[:2]
    scale = max(0.3, w / 2500)
    for x in range(0, w, step):
        strong = x % (2 * step) == 0
        cv2.line(out, (x, 0), (x, h - 1), (220, 0, 0) if strong else (120, 160, 255), 1)
        if strong:
            cv2.putText(out, str(x), (x + 2, int(12 * scale / 0.3)), cv2.FONT_HERSHEY_SIMPLEX, scale, (220, 0, 0), 1)
    for y in range(0, h, step):
        strong = y % (2 * step) == 0
        cv2.line(out, (0, y), (w - 1, y), (220, 0, 0) if strong else (120, 160, 255), 1)
        if strong and y:
            cv2.putText(out, str(y), (2, y + int(12 * scale / 0.3)), cv2.FONT_HERSHEY_SIMPLEX, scale, (220, 0, 0), 1)
    return out


# --- helpers --------------------------------------------------------------------------------------------


def _quad_of(contour: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            break
    else:
        approx = cv2.boxPoints(cv2.minAreaRect(hull))
    return approx.reshape(4, 2).astype(np.float64)  # its sides are fitted to the edges afterwards
