"""Layout variants within a template: fields moved, resized or left out, and printed elements added.

One certificate type comes in variants (a chip card and a plain one, old and new print runs). A template's
optional `layout:` block (docs/templates.md) draws, per sample, a shift and a size factor for every field but
the target (`labels.target`), leaves some out, and adds printed elements (a chip, a hologram, a photo, a
stamp) that never touch the target's box. Sampling takes the template's generator; drawing is deterministic
and happens on the art before the fields are printed, so the labels stay the ink that was printed. No file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ELEMENTS = ("chip", "hologram", "photo", "stamp")
LAYOUT_KEYS = {"shift_px", "scale_range", "drop_p", "elements_p", "elements"}


@dataclass(frozen=True)
class LayoutSpec:
    """The `layout:` block of a template.

    Attributes:
        shift_px: largest shift of a non-target field, each axis, in document pixels.
        scale_range: (lo, hi) factor on a non-target field's text size.
        drop_p: probability that a non-target field is not printed (no ink, no label).
        elements_p: probability, per kind, that a printed element is added.
        elements: the kinds that may be added, among ELEMENTS.
    """

    shift_px: float = 0.0
    scale_range: tuple[float, float] = (1.0, 1.0)
    drop_p: float = 0.0
    elements_p: float = 0.0
    elements: tuple[str, ...] = ELEMENTS


@dataclass(frozen=True)
class Element:
    """One printed element, in document pixels: its kind, centre, size (w, h), angle and colour (RGB)."""

    kind: str
    centre_xy: tuple[float, float]
    size_wh: tuple[float, float]
    angle_deg: float
    color: tuple[int, int, int]


def parse_layout(data, fail) -> LayoutSpec:
    """Checks a template's `layout:` mapping; `fail(key, message)` raises the template's error."""
    if not isinstance(data, dict):
        fail("layout", f"= {data!r}; expected a mapping with some of {sorted(LAYOUT_KEYS)}")
    for key in data:
        if key not in LAYOUT_KEYS:
            fail(f"layout.{key}", f"unknown key; expected some of {sorted(LAYOUT_KEYS)}")
    number = (int, float)
    shift, scale = data.get("shift_px", 0.0), data.get("scale_range", [1.0, 1.0])
    if not isinstance(shift, number) or isinstance(shift, bool) or shift < 0:
        fail("layout.shift_px", f"= {shift!r}; expected a number of document pixels >= 0")
    if (not isinstance(scale, list | tuple) or len(scale) != 2 or not all(isinstance(v, number) for v in scale)
            or not 0 < scale[0] <= scale[1]):
        fail("layout.scale_range", f"= {scale!r}; expected [lo, hi] with 0 < lo <= hi, e.g. [0.9, 1.1]")
    for key in ("drop_p", "elements_p"):
        p = data.get(key, 0.0)
        if not isinstance(p, number) or isinstance(p, bool) or not 0 <= p <= 1:
            fail(f"layout.{key}", f"= {p!r}; expected a probability in [0, 1]")
    kinds = data.get("elements", list(ELEMENTS))
    if not isinstance(kinds, list | tuple) or not set(kinds) <= set(ELEMENTS):
        fail("layout.elements", f"= {kinds!r}; expected a list of some of {', '.join(ELEMENTS)}")
    return LayoutSpec(shift_px=float(shift), scale_range=(float(scale[0]), float(scale[1])),
                      drop_p=float(data.get("drop_p", 0.0)), elements_p=float(data.get("elements_p", 0.0)),
                      elements=tuple(kinds))


def sample_elements(layout: LayoutSpec, size_wh: tuple[int, int], target_box, rng: np.random.Generator
                    ) -> tuple[Element, ...]:
    """Draws the printed elements of one sample; none overlaps the target's box (grown by a tenth)."""
    w, h = size_wh
    x0, y0, x1, y1 = target_box
    pad = 0.1 * max(x1 - x0, y1 - y0)
    out = []
    for kind in layout.elements:
        u = rng.random(8)
        if u[0] >= layout.elements_p:
            continue
        ew, eh = {"chip": (0.12, 0.09), "hologram": (0.16, 0.12), "photo": (0.22, 0.28), "stamp": (0.16, 0.16)}[kind]
        ew, eh = ew * w * (0.85 + 0.3 * u[1]), eh * w * (0.85 + 0.3 * u[1])
        cx, cy = ew / 2 + u[2] * (w - ew), eh / 2 + u[3] * (h - eh)
        if cx + ew / 2 > x0 - pad and cx - ew / 2 < x1 + pad and cy + eh / 2 > y0 - pad and cy - eh / 2 < y1 + pad:
            continue  # it would touch the target: this sample has no element of this kind
        color = {"chip": (196, 160, 76), "hologram": (170, 190, 210), "photo": (120, 126, 134),
                 "stamp": ((40, 60, 150), (150, 40, 50), (90, 40, 130))[int(u[4] * 3)]}[kind]
        angle = float((u[5] - 0.5) * 50) if kind == "stamp" else 0.0
        out.append(Element(kind, (float(cx), float(cy)), (float(ew), float(eh)), angle, color))
    return tuple(out)


def draw_elements(image: np.ndarray, elements: tuple[Element, ...], scale: float) -> None:
    """Draws the elements onto `image` (a pyramid level, `scale` level pixels per document pixel), in place."""
    for e in elements:
        cx, cy = e.centre_xy[0] * scale, e.centre_xy[1] * scale
        ew, eh = e.size_wh[0] * scale, e.size_wh[1] * scale
        layer = image.copy()
        box = (int(cx - ew / 2), int(cy - eh / 2), int(cx + ew / 2), int(cy + eh / 2))
        line = max(1, int(round(0.012 * ew)))
        if e.kind == "chip":
            cv2.rectangle(layer, box[:2], box[2:], e.color, -1, cv2.LINE_AA)
            for k in (1, 2):  # the contact pads' gaps
                x = int(box[0] + k * ew / 3)
                cv2.line(layer, (x, box[1]), (x, box[3]), (120, 96, 40), line, cv2.LINE_AA)
            cv2.line(layer, (box[0], int(cy)), (box[2], int(cy)), (120, 96, 40), line, cv2.LINE_AA)
            alpha = 0.95
        elif e.kind == "hologram":
            for k, tone in enumerate(((200, 170, 220), (170, 210, 220), (210, 220, 170), (230, 190, 170))):
                axes = (max(int(ew / 2 * (1 - 0.2 * k)), 1), max(int(eh / 2 * (1 - 0.2 * k)), 1))
                cv2.ellipse(layer, (int(cx), int(cy)), axes, 0, 0, 360, tone, -1, cv2.LINE_AA)
            alpha = 0.45
        elif e.kind == "photo":
            cv2.rectangle(layer, box[:2], box[2:], (200, 204, 210), -1)
            cv2.ellipse(layer, (int(cx), int(cy - 0.12 * eh)), (max(int(0.2 * ew), 1), max(int(0.2 * eh), 1)),
                        0, 0, 360, e.color, -1, cv2.LINE_AA)
            cv2.ellipse(layer, (int(cx), box[3]), (max(int(0.42 * ew), 1), max(int(0.28 * eh), 1)), 0, 180, 360,
                        e.color, -1, cv2.LINE_AA)
            alpha = 0.9
        else:  # stamp: two rings and a bar, at an angle
            r = max(int(ew / 2), 2)
            cv2.circle(layer, (int(cx), int(cy)), r, e.color, line * 2, cv2.LINE_AA)
            cv2.circle(layer, (int(cx), int(cy)), max(int(0.72 * r), 1), e.color, line, cv2.LINE_AA)
            d = np.array([np.cos(np.radians(e.angle_deg)), np.sin(np.radians(e.angle_deg))]) * 0.6 * r
            a, b = (int(cx - d[0]), int(cy - d[1])), (int(cx + d[0]), int(cy + d[1]))
            cv2.line(layer, a, b, e.color, line * 3, cv2.LINE_AA)
            alpha = 0.7
        cv2.addWeighted(layer, alpha, image, 1 - alpha, 0, dst=image)
