"""Hand-written notes: dates, numbers, initials and copies of the number, written on the card in ballpoint pen.

Real certificates carry what their owners and clerks wrote on them: a date in a corner, a phone number, a
signature's initials, the registration number copied out by hand. Such writing is dark, sharp and the size of
the print, and a detector that never saw any answers on it (on a Malaysian photo, stage 1 put two corners on
a hand-written date). `sample_notes` draws a sample's notes in document pixels; `draw_notes` writes them with
OpenCV's Hershey fonts (vector fonts built into OpenCV, two of them script-like), rotated, over everything
printed, but never within a quarter of the target's text height of its ink (the hit tolerance): a note that
would come nearer is left out. Notes carry no label. Deterministic once sampled; no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthcert import geometry
from synthcert.labels import padded_box
from synthcert.template.ink import blend_ink
from synthcert.template.redaction import TARGET_MARGIN, boxes_overlap

FACES = (cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
         cv2.FONT_HERSHEY_SIMPLEX | cv2.FONT_ITALIC, cv2.FONT_HERSHEY_PLAIN | cv2.FONT_ITALIC)
INKS = ((28, 40, 140), (24, 24, 32), (150, 30, 40))  # ballpoint blue, black and red, RGB
KINDS = ("date", "number", "initials", "copy")  # "copy": the target's own kind of text, written out by hand
MAX_NOTES = 3


@dataclass(frozen=True)
class Note:
    """One hand-written note, in document pixels.

    Attributes:
        text: what was written.
        face: an OpenCV Hershey font (with cv2.FONT_ITALIC or not).
        centre_xy: the centre of the written text.
        height_px: the height of its capitals and digits.
        pen: the stroke's width over `height_px`.
        angle_deg: its slant from the document's horizontal (counter-clockwise in the image).
        color: the ink, RGB.
        underlined: a stroke under the text.
    """

    text: str
    face: int
    centre_xy: tuple[float, float]
    height_px: float
    pen: float
    angle_deg: float
    color: tuple[int, int, int]
    underlined: bool


def sample_notes(size_wh: tuple[int, int], line_px: float, copy_text: str, p: float, rng: np.random.Generator
                 ) -> tuple[Note, ...]:
    """With probability `p`, one to MAX_NOTES notes anywhere on a document of `size_wh`, about the height
    `line_px` of the target's print; `copy_text` is a fresh value of the target's generator, for notes that copy
    it out. No draws at all when `p` is 0, so renders without notes keep their bytes."""
    if p <= 0.0 or rng.random() >= p:
        return ()
    w, h = size_wh
    notes = []
    for _ in range(1 + int(rng.integers(MAX_NOTES))):
        u = rng.random(9)
        kind = KINDS[int(u[0] * len(KINDS))]
        digits = rng.integers(0, 10, 8)
        if kind == "date":
            sep = "/.-"[int(u[1] * 3)]
            text = f"{1 + int(u[1] * 28)}{sep}{1 + int(u[2] * 12)}{sep}{digits[0]}{digits[1]}"
        elif kind == "initials":
            text = "".join(chr(65 + int(c)) for c in rng.integers(0, 26, 2 + int(u[1] * 2)))
        elif kind == "copy" and copy_text.isascii():  # the Hershey fonts have ASCII only
            text = copy_text
        else:
            text = "".join(str(d) for d in digits[:4 + int(u[1] * 5)])
        notes.append(Note(
            text=text, face=FACES[int(u[3] * len(FACES))],
            centre_xy=(float(u[4] * w), float(u[5] * h)), height_px=float(line_px * (0.6 + 0.8 * u[6])),
            pen=float(0.05 + 0.06 * u[7]), angle_deg=float(rng.normal(0.0, 12.0)),
            color=INKS[int(u[8] * len(INKS))], underlined=bool(u[2] < 0.2)))
    return tuple(notes)


def draw_notes(image: np.ndarray, notes: tuple[Note, ...], scale: float, target_box) -> None:
    """Writes `notes` onto `image` (a pyramid level, `scale` level pixels per document pixel) in place, leaving
    out any that would come within TARGET_MARGIN of the target's text height of `target_box` (its ink box in
    this image's pixels, or None)."""
    keep_out = None if target_box is None else padded_box(target_box, TARGET_MARGIN)
    for note in notes:
        alpha, level_from_canvas = _written(note, scale)
        h, w = alpha.shape
        corners = geometry.transform_points(level_from_canvas, geometry.rect_corners_xy((0, 0, w, h)))
        (x0, y0), (x1, y1) = np.floor(corners.min(axis=0)), np.ceil(corners.max(axis=0))
        if keep_out is not None and boxes_overlap((x0, y0, x1, y1), keep_out):
            continue
        x0, y0 = int(max(x0, 0)), int(max(y0, 0))
        x1, y1 = int(min(x1, image.shape[1])), int(min(y1, image.shape[0]))
        if x1 <= x0 or y1 <= y0:
            continue
        patch_from_canvas = geometry.translation(-x0, -y0) @ level_from_canvas
        patch = cv2.warpAffine(alpha, patch_from_canvas[:2], (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
        blend_ink(image[y0:y1, x0:x1], patch, note.color)


def _written(note: Note, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The note's ink as an upright (h, w) uint8 canvas, and the (3, 3) `level_from_canvas`: turned about the
    canvas centre by the note's angle (counter-clockwise on screen), that centre put on the note's."""
    height = max(note.height_px * scale, 3.0)
    (_, unit_h), _ = cv2.getTextSize(note.text, note.face, 1.0, 1)
    font_scale = height / max(unit_h, 1)
    thickness = max(int(round(note.pen * height)), 1)
    (tw, th), base = cv2.getTextSize(note.text, note.face, font_scale, thickness)
    pad = thickness + 2
    canvas = np.zeros((th + base + 2 * pad + thickness, tw + 2 * pad), np.uint8)
    cv2.putText(canvas, note.text, (pad, pad + th), note.face, font_scale, 255, thickness, cv2.LINE_AA)
    if note.underlined:
        y = pad + th + base // 2
        cv2.line(canvas, (pad, y), (pad + tw, y), 255, thickness, cv2.LINE_AA)
    cx, cy = canvas.shape[1] / 2, canvas.shape[0] / 2
    return canvas, (geometry.translation(note.centre_xy[0] * scale, note.centre_xy[1] * scale)
                    @ geometry.rotation(-note.angle_deg) @ geometry.translation(-cx, -cy))
