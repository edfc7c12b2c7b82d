"""Find the printed text lines of a rectified document: the skeleton of a fields file.

Authoring stage (used by `template init --skeleton`): strokes that stand out from their ground (dark or
light, a black-hat of the grey image and of its inverse) are grouped into lines: marks in one row closer
than 1.5 letter heights (a word space; the gap after a caption is usually wider). Each line becomes a box
snapped to its ink, with a generator guessed from the line's shape where that is safe (one word of 17
like-sized characters is a VIN, 8 or 6 with two dots a date). No randomness and no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert.template.erase import MIN_CONTRAST, MIN_TEXT_PX

MAX_TEXT_SHARE = 0.12  # a mark higher than this share of the document is a panel or a picture, not text
PAD_PX = 2  # the skeleton's boxes reach this far beyond the ink


@dataclass(frozen=True)
class TextLine:
    """One printed line: its ink box in document pixels (COCO), its letters and a guessed generator.

    Attributes:
        box: (x0, y0, x1, y1) of the line's ink, grown by PAD_PX.
        height_px: the height of its tallest letters.
        letters: how many separate marks (about the characters) it holds.
        generator: the guess (`vin`, `date:%d.%m.%Y`) or None when the shape does not tell.
    """

    box: tuple[float, float, float, float]
    height_px: float
    letters: int
    generator: str | None


def find_text_lines(flat: np.ndarray) -> list[TextLine]:
    """Finds the lines of text in a flat (rectified) document, top to bottom, then left to right.

    Args:
        flat: (H, W, 3) uint8 RGB rectified document.

    Returns:
        The lines found; empty for a document without text.

    Example:
        >>> find_text_lines(np.full((80, 200, 3), 255, np.uint8))
        []
    """
    h, w = flat.shape[:2]
    grey = cv2.cvtColor(flat, cv2.COLOR_RGB2GRAY)
    k = max(15, int(0.06 * h) | 1)  # larger than any letter's stroke, smaller than the tint's variations
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    marks = []
    for sign, image in ((1, grey), (-1, cv2.bitwise_not(grey))):  # dark print, then light print on dark panels
        contrast = cv2.morphologyEx(image, cv2.MORPH_BLACKHAT, kernel)
        otsu, _ = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            (contrast > max(otsu, 2 * MIN_CONTRAST)).astype(np.uint8), connectivity=8)
        for j in range(1, count):
            x, y, bw, bh = (int(v) for v in stats[j, :4])
            if not (2 <= bh <= MAX_TEXT_SHARE * h and bw < 0.5 * w):  # accents count too, never alone
                continue
            # A mark stands out from the ground around it in its own direction: the paper between dark
            # letters is lighter than its surroundings only in the inverse image's black-hat, not here.
            ring = grey[max(y - bh, 0):y + 2 * bh, max(x - bh, 0):x + bw + bh]
            inside = grey[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == j]
            if sign * (float(np.median(ring)) - float(np.median(inside))) >= MIN_CONTRAST:
                marks.append((x, y, bw, bh))
    lines = []
    for group in _group_into_lines(marks):
        xs0, ys0, xs1, ys1 = zip(*[(x, y, x + bw, y + bh) for x, y, bw, bh in group], strict=True)
        x0, y0, x1, y1 = min(xs0), min(ys0), max(xs1), max(ys1)
        if sum(bh >= MIN_TEXT_PX for _, _, _, bh in group) < 2 or y1 - y0 < 6 or x1 - x0 < 1.5 * (y1 - y0):
            continue  # a lone letter, dots or dirt are no line of text
        box = (float(max(x0 - PAD_PX, 0)), float(max(y0 - PAD_PX, 0)), float(min(x1 + PAD_PX, w)),
               float(min(y1 + PAD_PX, h)))
        parts = np.array([(x - x0, y - y0, bw, bh, bw * bh) for x, y, bw, bh in group])
        lines.append(TextLine(box=box, height_px=float(y1 - y0), letters=len(group),
                              generator=_guess(parts, y1 - y0)))
    return sorted(lines, key=lambda t: (t.box[1], t.box[0]))


def _group_into_lines(marks: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Joins marks (x, y, w, h) that share a row and are closer than 1.5 letter heights: one group per line."""
    order = sorted(range(len(marks)), key=lambda j: marks[j][0])
    parent = list(range(len(marks)))

    def root(j):
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    for a_pos, a in enumerate(order):
        ax, ay, aw, ah = marks[a]
        for b in order[a_pos + 1:]:
            bx, by, bw, bh = marks[b]
            if bx > ax + aw + 4.5 * ah:
                break  # sorted by x: every later mark is further than any that could join
            if bx > ax + aw + 1.5 * max(ah, bh):  # a word space (a monospaced one too) is narrower than this
                continue
            overlap = min(ay + ah, by + bh) - max(ay, by)
            small = min(ah, bh) < 0.4 * max(ah, bh)
            # Same row: letters overlap by half the smaller one's height; dots and commas touch it; accents
            # sit just above (or below) a letter they overlap sideways.
            if (overlap >= 0.5 * min(ah, bh) and max(ah, bh) <= 3 * min(ah, bh) or overlap > 0 and small
                    or small and bx < ax + aw and overlap > -0.35 * max(ah, bh)):
                parent[root(b)] = root(a)
    groups: dict[int, list] = {}
    for j in range(len(marks)):
        groups.setdefault(root(j), []).append(marks[j])
    return list(groups.values())


def skeleton_yaml(lines: list[TextLine], photo_name: str) -> str:
    """A fields file listing every line (docs/real-photos.md), for the user to name, trim and mark the number."""
    out = [f"# Fields-file skeleton made by `synthcert template init --skeleton` from {photo_name}:",
           "# one box per printed line found, captions included. Delete the captions' lines, rename the",
           "# values' lines, rename the registration number's line to registration_number, check each",
           "# generator (guessed only where the line's shape tells), and add `text:` to a few of them.",
           "fields:"]
    for k, line in enumerate(lines, 1):
        box = ", ".join(f"{v:g}" for v in line.box)
        guess = line.generator or "name"
        note = "" if line.generator else "  # generator not guessed: set it"
        out.append(f"  line_{k:02d}: {{box: [{box}], generator: \"{guess}\"}}{note}")
    return "\n".join(out) + "\n"


def _guess(parts: np.ndarray, line_h: int) -> str | None:
    """A generator from the marks of a line: (N, 5) stats (x, y, w, h, area) in the line's frame.

    Only shapes that leave little doubt, in one word of the line (gaps under 0.45 x the line's height): 17
    tall marks of like width (a VIN), or 8 or 6 with two dots on the baseline (a date).
    """
    parts = parts[np.argsort(parts[:, 0])]
    gaps = parts[1:, 0] - (parts[:-1, 0] + parts[:-1, 2])
    for word in np.split(parts, np.flatnonzero(gaps > 0.45 * line_h) + 1):
        tall = word[word[:, 3] >= 0.6 * line_h]
        low = np.flatnonzero((word[:, 3] < 0.35 * line_h) & (word[:, 1] > 0.55 * line_h))  # baseline dots
        if not len(tall) or np.std(tall[:, 2]) > 0.35 * np.mean(tall[:, 2]):
            continue
        if len(tall) == 17 == len(word):
            return "vin"
        if len(tall) in (6, 8) and low.tolist() == [2, 5] and len(word) == len(tall) + 2:  # dd.dd.dd(dd)
            return "date:%d.%m.%Y" if len(tall) == 8 else "date:%d.%m.%y"
    return None
