"""Flat document: the template's art with every field printed, and each field's ink-tight box.

`sample_field_prints` draws everything random about the print (text, font, size, spacing, ink, layout,
misalignment) once; `render_flat_document` then draws it deterministically at one level of the art's
pyramid. A field's box is measured from the very ink (glyph coverage times print strength, in 8 bits)
that was composited, so the label is the ink that was printed, not a prediction of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
from PIL import Image, ImageDraw

from synthcert import geometry
from synthcert.config import DocumentConfig
from synthcert.errors import TemplateError
from synthcert.samples import TARGET
from synthcert.template.ink import blend_inks
from synthcert.template.layout import Element, LayoutSpec, draw_elements, sample_elements
from synthcert.template.notes import Note, draw_notes, sample_notes
from synthcert.template.redaction import Redaction, draw_redactions, sample_redactions
from synthcert.template.spec import FieldSpec, TemplateSpec
from synthcert.text.fonts import BUILTIN_FONTS, FONT_DIR, fonts_covering, missing_font_hint
from synthcert.text.generators import few_values, generate_text
from synthcert.text.typeset import face, line_width, typeset

CODE_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"
CODE_COLOR = (40, 44, 60)
MIN_FONT_PX = 4
SHIPPED_FONTS = tuple(FONT_DIR / name for name in BUILTIN_FONTS.values())


@dataclass(frozen=True)
class FieldPrint:
    """How one field is printed in one sample; sizes in document pixels."""

    text: str
    font: Path
    size_px: float
    spacing_px: float
    color: tuple[int, int, int]
    strength: float
    offset_xy: tuple[float, float]
    bold_px: float = 0.0  # strokes thickened by this much (the field's `bold_px`, or the target's in a look-alike)


class DocumentPrint(Mapping):
    """Everything printed in one sample: field name -> FieldPrint (it reads as that mapping), plus the
    layout's printed elements (chip, hologram, photo, stamp), drawn under the fields, and the owner's
    redaction marks and hand-written notes, drawn over them but kept clear of the field `target`."""

    def __init__(self, fields: dict[str, FieldPrint], elements: tuple[Element, ...] = (),
                 redactions: tuple[Redaction, ...] = (), target: str = TARGET, notes: tuple[Note, ...] = ()):
        self._fields, self.elements, self.redactions = dict(fields), tuple(elements), tuple(redactions)
        self.target, self.notes = target, tuple(notes)

    def __getitem__(self, name: str) -> FieldPrint:
        return self._fields[name]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def items(self):  # the dict's own view: Mapping's would look every field up again, in Python
        return self._fields.items()


@dataclass(frozen=True)
class InkPatch:
    """Where a field's ink went: its opacity, cropped to where it is nonzero, placed at `origin_xy` in level pixels."""

    mask: np.ndarray  # (h, w) uint8 opacity: glyph coverage times the print's strength
    origin_xy: tuple[int, int]

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) in level pixels; pixel c covers [c, c + 1), so x1 is the last column's right edge."""
        x0, y0 = self.origin_xy
        return x0, y0, x0 + self.mask.shape[1], y0 + self.mask.shape[0]


@dataclass(frozen=True)
class FlatDocument:
    """The printed document at one pyramid level.

    Attributes:
        image: (h, w, 3) uint8 RGB at the level's resolution.
        doc_from_pixels: (3, 3) from this image's coordinates to the document frame.
        boxes: field name -> ink-tight (x0, y0, x1, y1) in the document frame.
        texts: field name -> printed text.
        ink: field name -> the ink that was printed (its opacity), in this image's pixels.
    """

    image: np.ndarray
    doc_from_pixels: np.ndarray
    boxes: dict[str, tuple[float, float, float, float]]
    texts: dict[str, str]
    ink: dict[str, InkPatch]


class _Placement(NamedTuple):
    """A field's box in one level's pixels, its alignment, and whether its lines are worth caching."""

    x0: float
    y0: float
    x1: float
    y1: float
    align: str
    cache_lines: bool


class PreparedTemplate:
    """A template's art with the field codes printed, as a pyramid of resolutions, each made once when first used.

    Levels step down by a factor of sqrt(2) rather than 2, so the level a camera needs is never more than
    1.4 times finer than the photo: fewer pixels to print on, and less aliasing in the one warp.
    """

    def __init__(self, spec: TemplateSpec, min_width: int = 96):
        self.spec = spec
        bgr = cv2.imread(str(spec.background), cv2.IMREAD_COLOR)
        self.levels = _Pyramid(_print_codes(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), spec), min_width)
        self._placements: dict[int, dict[str, _Placement]] = {}
        self._doc_from: dict[int, np.ndarray] = {}

    def doc_from_level(self, level: int) -> np.ndarray:
        """The (3, 3) scaling from the pixels of `level` to the document frame; read-only, made once per level (every
        sample's flat document holds it)."""
        found = self._doc_from.get(level)
        if found is None:
            w, h = self.levels.sizes_wh[level]
            doc_w, doc_h = self.spec.size_wh
            found = self._doc_from[level] = geometry.scaling(doc_w / w, doc_h / h)
            found.flags.writeable = False
        return found

    def placements(self, level: int) -> dict[str, _Placement]:
        """Each field's box in the pixels of `level`, its alignment and whether its lines are worth caching, worked
        out once per level rather than per field and sample."""
        found = self._placements.get(level)
        if found is None:
            scale = 1.0 / float(self.doc_from_level(level)[0, 0])
            # Only lines of short-list fields recur often enough to be worth keeping.
            found = self._placements[level] = {
                name: _Placement(*(v * scale for v in f.box), f.align, few_values(f.generator))
                for name, f in self.spec.fields.items()}
        return found

    def level_for(self, scale: float) -> int:
        """Returns the coarsest level with at least `scale` level pixels per document pixel."""
        doc_w = self.spec.size_wh[0]
        fine_enough = [k for k, (w, _) in enumerate(self.levels.sizes_wh) if w / doc_w >= scale]
        return fine_enough[-1] if fine_enough else 0


class _Pyramid(Sequence):
    """The art at each level, a level resized from the full-resolution art when first asked for: each costs as much
    as a pass over the art, and a render process asks for few of them (the default scene's cameras three of seven or
    eight). The sizes are known at once."""

    def __init__(self, art: np.ndarray, min_width: int):
        h, w = art.shape[:2]
        self.sizes_wh = [(w, h)]
        for k in range(1, 64):
            size = (round(w * 0.5 ** (k / 2)), round(h * 0.5 ** (k / 2)))
            if size[0] < min_width:
                break
            self.sizes_wh.append(size)
        self._made: list[np.ndarray | None] = [art] + [None] * (len(self.sizes_wh) - 1)

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, level):
        if isinstance(level, slice):
            return [self[k] for k in range(len(self))[level]]
        found = self._made[level]
        if found is None:  # two threads may both make it: the same pixels either way
            found = self._made[level] = cv2.resize(self._made[0], self.sizes_wh[level], interpolation=cv2.INTER_AREA)
        return found


def _print_codes(art: np.ndarray, spec: TemplateSpec) -> np.ndarray:
    coded = [f for f in spec.fields.values() if f.code and f.print_code]
    if not coded:
        return art
    image = Image.fromarray(art)
    draw = ImageDraw.Draw(image)
    for f in coded:
        x0, y0, _, y1 = f.box
        size = max(int(0.45 * (y1 - y0)), MIN_FONT_PX)
        font = face(CODE_FONT, size).font
        draw.text((x0 - 0.25 * (y1 - y0), (y0 + y1) / 2), f.code, font=font, fill=CODE_COLOR, anchor="rm")
    return np.asarray(image).copy()


def sample_field_prints(spec: TemplateSpec, rng: np.random.Generator, target: str = TARGET,
                        document: DocumentConfig | None = None) -> DocumentPrint:
    """Draws the text and print style of every field of `spec`, its layout variant (`layout:`) if any, and
    the variations of `document` (fonts from the whole shipped set, redaction marks, look-alikes of the
    target, hand-written notes), each variation's draws after all the others', so that turning one on
    leaves the rest of a sample as it was.

    The layout variant never moves, resizes or drops the field `target`, and its printed elements never
    touch the target's box: the detector's field is always printed where the template puts it. Redaction
    marks and notes never cover it either.

    Raises:
        TemplateError: when no font of a field has every character of its text.
    """
    document = document or DocumentConfig()
    styles: dict[str, list[float]] = {}
    mix = document.font_mix_p
    prints = {name: _sample_print(spec, f, rng, styles, mix) for name, f in spec.fields.items() if f.same_as is None}
    for name, f in spec.fields.items():  # copies of another field's value, drawn after every original
        if f.same_as is not None:
            prints[name] = _sample_print(spec, f, rng, styles, mix, prints[f.same_as].text)
    prints = {name: prints[name] for name in spec.fields}
    elements = ()
    if spec.layout is not None:
        prints = {n: _vary(p, spec.layout, rng) if n != target else p for n, p in prints.items()}
        elements = sample_elements(spec.layout, spec.size_wh, spec.fields[target].box, rng)
    redactions = sample_redactions([n for n in prints if n != target], document.redaction_p, rng)
    prints = _lookalikes(prints, spec, target, document.lookalike_p, rng)
    notes = ()
    if document.notes_p > 0:
        copy = _sample_text(spec, spec.fields[target], rng)  # a value like the number's, for notes that copy it
        notes = sample_notes(spec.size_wh, prints[target].size_px, copy, document.notes_p, rng)
    return DocumentPrint(prints, elements, redactions, target, notes)


def _lookalikes(prints: dict[str, FieldPrint], spec: TemplateSpec, target: str, p: float, rng: np.random.Generator
                ) -> dict[str, FieldPrint]:
    """With probability `p`, one or two other fields (with text, in a font the target's font covers) take the
    target's font, spacing, ink, strength and weight, and its size up to 1.3 times their own (the box still
    shrinks a text that would not fit); their text and place stay theirs, and so do their labels."""
    if p <= 0.0 or rng.random() >= p:
        return prints
    t = prints[target]
    others = [n for n, q in prints.items() if n != target and q.text and fonts_covering(_alone(t.font), q.text)]
    if not others:
        return prints
    chosen = rng.permutation(len(others))[:1 + int(rng.random() < 0.4)]
    out = dict(prints)
    for k in chosen.tolist():
        q = out[others[k]]
        out[others[k]] = dataclasses.replace(q, font=t.font, size_px=min(max(t.size_px, q.size_px), 1.3 * q.size_px),
                                             spacing_px=t.spacing_px, color=t.color, strength=t.strength,
                                             bold_px=t.bold_px)
    return out


@lru_cache(maxsize=256)
def _alone(font: Path) -> tuple[Path]:
    """`(font,)`, the same tuple every time: `fonts_covering` knows its tuples by identity, and misses fresh ones."""
    return (font,)


def _vary(p: FieldPrint, layout: LayoutSpec, rng: np.random.Generator) -> FieldPrint:
    """One layout variant of a non-target field: shifted, resized, or left out (an empty text prints nothing)."""
    u_drop, u_x, u_y, u_scale = rng.random(4).tolist()
    dx, dy = (layout.shift_px * (2 * u - 1) for u in (u_x, u_y))
    return dataclasses.replace(p, text="" if u_drop < layout.drop_p else p.text,
                               size_px=p.size_px * _lerp(layout.scale_range, u_scale),
                               offset_xy=(p.offset_xy[0] + dx, p.offset_xy[1] + dy))


def _sample_print(spec: TemplateSpec, f: FieldSpec, rng: np.random.Generator, styles: dict, font_mix_p: float,
                  text: str | None = None) -> FieldPrint:
    text = _sample_text(spec, f, rng) if text is None else text
    fonts = fonts_covering(f.fonts, text)
    if not fonts:
        raise TemplateError(
            f"no font of {[p.name for p in f.fonts]} has every character of {text!r}: "
            f"{missing_font_hint(f.fonts, text)}", spec.directory / "template.yaml", f"fields.{f.name}.fonts")
    # One draw for the whole style: a dozen fields per sample make separate generator calls add up. The
    # font-mix draw is only taken when mixing is on, so that renders without it keep their bytes.
    u = rng.random(10 if font_mix_p > 0 else 9).tolist()
    if f.style is not None:
        # Fields of one style share the draws of colour, font and size (and the font mix): a card prints
        # them alike.
        shared = (0, 1, 2, 3, 4, 9) if font_mix_p > 0 else (0, 1, 2, 3, 4)
        drawn = styles.setdefault(f.style, [u[k] for k in shared])
        for k, v in zip(shared, drawn, strict=True):
            u[k] = v
    u_red, u_green, u_blue, u_font, u_size, u_spacing, u_strength, u_x, u_y = u[:9]
    if font_mix_p > 0 and u[9] < font_mix_p:
        # A style's fields take the same shipped font where it has their characters, another one elsewhere.
        pick = SHIPPED_FONTS[int(u_font * len(SHIPPED_FONTS))]
        fonts = [pick] if fonts_covering(_alone(pick), text) else fonts_covering(SHIPPED_FONTS, text) or fonts
    jitter, (red, green, blue) = f.color_jitter, f.color
    span = 2 * jitter + 1
    color = (min(max(red + int(u_red * span) - jitter, 0), 255), min(max(green + int(u_green * span) - jitter, 0), 255),
             min(max(blue + int(u_blue * span) - jitter, 0), 255))
    (size_lo, size_hi), (spacing_lo, spacing_hi), (strength_lo, strength_hi) = (f.size_range, f.spacing_range,
                                                                                f.strength_range)
    offset = f.offset_px  # the ranges' interpolations written out (_lerp's arithmetic): a dozen fields per sample
    return FieldPrint(  # in the order of its fields, by position: a dozen per sample
        text,
        fonts[int(u_font * len(fonts))],
        size_lo + (size_hi - size_lo) * u_size,
        spacing_lo + (spacing_hi - spacing_lo) * u_spacing,
        color,
        strength_lo + (strength_hi - strength_lo) * u_strength,
        (-offset + 2 * offset * u_x, -offset + 2 * offset * u_y),  # 2 * offset: exactly offset - -offset
        f.bold_px,
    )


def _sample_text(spec: TemplateSpec, f: FieldSpec, rng: np.random.Generator) -> str:
    text = generate_text(f.generator, rng, spec.country)
    return text.upper() if f.uppercase else text


def _lerp(range_: tuple[float, float], u: float) -> float:
    return float(range_[0] + (range_[1] - range_[0]) * u)


def render_flat_document(template: PreparedTemplate, prints: Mapping[str, FieldPrint], level: int = 0
                         ) -> FlatDocument:
    """Prints every field onto the art at pyramid `level`; deterministic, no randomness."""
    image = template.levels[level].copy()
    doc_from_pixels = template.doc_from_level(level)
    # Python floats, not numpy scalars: the per-glyph and per-field arithmetic below is a few times faster.
    doc_per_px_x, doc_per_px_y = float(doc_from_pixels[0, 0]), float(doc_from_pixels[1, 1])
    scale = 1.0 / doc_per_px_x
    draw_elements(image, getattr(prints, "elements", ()), scale)
    placements, shape_hw, inked = template.placements(level), image.shape[:2], []
    for name, p in prints.items():
        found = _coverage(shape_hw, placements[name], p, scale)
        if found is not None:
            inked.append((name, *found))
    ink, boxes_px = {}, {}  # boxes_px: each patch's box, kept rather than asked of it again
    if inked:
        # Every field's coverage times its strength in one multiply of them all laid end to end (the same bytes as
        # one cv2.multiply(coverage, strength) per field: both round the float64 product half to even).
        coverages = [c for _, c, _, _ in inked]
        sizes = [c.size for c in coverages]
        strengths = np.array([s for _, _, _, s in inked], np.float64)
        alpha = cv2.multiply(np.concatenate(coverages, axis=None).reshape(1, -1),
                             strengths.repeat(sizes).reshape(1, -1), dtype=cv2.CV_8U)[0]
        start = 0
        for (name, coverage, box, _), size in zip(inked, sizes, strict=True):
            ink[name] = InkPatch(mask=alpha[start:start + size].reshape(coverage.shape), origin_xy=box[:2])
            boxes_px[name] = box
            start += size
        _print_patches(image, list(boxes_px.values()), sizes, [prints[name].color for name in ink], alpha)
    marks, covered = getattr(prints, "redactions", ()), set()
    if marks:
        covered = draw_redactions(image, marks, boxes_px, {n: p.size_px * scale for n, p in prints.items()},
                                  boxes_px.get(prints.target))
        ink = {name: patch for name, patch in ink.items() if name not in covered}
    notes = getattr(prints, "notes", ())
    if notes:
        draw_notes(image, notes, scale, boxes_px[prints.target] if prints.target in ink else None)
    boxes = {}
    for name in ink:  # doc_from_pixels is a scaling: each corner times its axis' factor
        x0, y0, x1, y1 = boxes_px[name]
        boxes[name] = (x0 * doc_per_px_x, y0 * doc_per_px_y, x1 * doc_per_px_x, y1 * doc_per_px_y)
    return FlatDocument(
        image=image, doc_from_pixels=doc_from_pixels, boxes=boxes,
        texts={name: p.text for name, p in prints.items() if name not in covered}, ink=ink,
    )


def _coverage(shape_hw: tuple[int, int], place: _Placement, p: FieldPrint, scale: float
              ) -> tuple[np.ndarray, tuple[int, int, int, int], float] | None:
    """The coverage of one field's ink on a level of `shape_hw`, placed and clipped to it, cropped to where its ink
    (coverage times strength, in 8 bits) is nonzero: (coverage, its (x0, y0, x1, y1) in level pixels, the strength
    still to apply); None where none of it lands."""
    x0, y0, x1, y1, align, cache_lines = place
    size = max(round(p.size_px * scale), MIN_FONT_PX)
    spacing, text = p.spacing_px * scale, p.text
    fc = face(p.font, size)
    width = line_width(text, fc, spacing)
    while width > x1 - x0 and size > MIN_FONT_PX:  # shrink to fit, as printers do with long names
        size = max(min(size - 1, int(size * (x1 - x0) / width)), MIN_FONT_PX)
        fc = face(p.font, size)
        width = line_width(text, fc, spacing)
    mask, pad = embolden(typeset(text, fc, spacing, cache=cache_lines), p.bold_px * scale)
    left = x0 if align == "left" else (x0 + x1 - width) / 2 if align == "center" else x1 - width
    top = (y0 + y1 - fc.ascent - fc.descent) / 2
    ox, oy = round(left + p.offset_xy[0] * scale) - pad, round(top + p.offset_xy[1] * scale) - pad
    (h, w), (mask_h, mask_w) = shape_hw, mask.shape
    cx0, cy0 = ox, oy
    if ox < 0 or oy < 0 or ox + mask_w > w or oy + mask_h > h:
        # Clip to the document: whatever falls off it was not printed and must not be labelled.
        cx0, cy0 = max(ox, 0), max(oy, 0)
        cx1, cy1 = min(ox + mask_w, w), min(oy + mask_h, h)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        mask = mask[cy0 - oy:cy1 - oy, cx0 - ox:cx1 - ox]
    # The label is where the ink is nonzero. Above half strength that is wherever the coverage is (1 x strength
    # rounds to 1 at least), so the strength can wait for the one multiply of every field; at most half, a faint
    # coverage prints nothing, and the ink is worked out here.
    strength = p.strength
    if strength <= 0.5:
        mask, strength = cv2.multiply(mask, strength), 1.0  # times 1.0 again: the same bytes
    bx, by, bw, bh = cv2.boundingRect(mask)
    if bw == 0:
        return None
    return mask[by:by + bh, bx:bx + bw], (cx0 + bx, cy0 + by, cx0 + bx + bw, cy0 + by + bh), strength


def _print_patches(image: np.ndarray, boxes: list[tuple[int, int, int, int]], sizes: list[int],
                   colors: list[tuple[int, int, int]], alpha: np.ndarray) -> None:
    """Blends the ink patches of `boxes` (`sizes` pixels each, their masks laid end to end in `alpha`) onto `image`
    in their order, those in a row that overlap none before them in one `blend_inks` call: the same bytes as one by
    one, as each pixel is inked by its own patches in the same order."""
    starts = [0]
    if _any_overlap(boxes):  # usually none do
        for k in range(1, len(boxes)):
            if any(_overlap(boxes[k], boxes[j]) for j in range(starts[-1], k)):  # a new run starts with it
                starts.append(k)
    offset = 0
    for start, stop in zip(starts, [*starts[1:], len(boxes)], strict=True):
        size = sum(sizes[start:stop])
        blend_inks([image[y0:y1, x0:x1] for x0, y0, x1, y1 in boxes[start:stop]], alpha[offset:offset + size],
                   colors[start:stop])
        offset += size


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _any_overlap(boxes: list[tuple[int, int, int, int]]) -> bool:
    """Whether some two of `boxes` overlap: each against those below it whose rows start above its bottom, in Python
    (a dozen fields, mostly a line each, make a few comparisons: several times faster than an (n, n) NumPy test)."""
    rows = sorted(boxes, key=lambda box: box[1])
    for k, a in enumerate(rows):
        for b in rows[k + 1:]:
            if b[1] >= a[3]:
                break  # it and every box after it start below `a`
            if b[0] < a[2] and a[0] < b[2]:  # the rows overlap already: the columns too?
                return True
    return False


def embolden(mask: np.ndarray, extra_px: float) -> tuple[np.ndarray, int]:
    """Thickens the strokes of a coverage mask by `extra_px` (half on each side); returns it and the padding added.

    Whole pixels of growth are grey-level dilations; the fraction left blends the mask with one more dilation.
    """
    if extra_px <= 0.05:
        return mask, 0
    radius = extra_px / 2
    pad = int(np.ceil(radius))
    grown = np.pad(mask, pad)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    whole, fraction = int(radius), radius - int(radius)
    if whole:
        grown = cv2.dilate(grown, kernel, iterations=whole)
    if fraction > 0.05:
        grown = cv2.addWeighted(grown, 1 - fraction, cv2.dilate(grown, kernel), fraction, 0)
    return grown, pad
