"""Re-print the photo's own values into a template and compare each field with the photo: the fidelity check.

Authoring stage (used by `template init` and `template show`): for every field whose printed `text` the
template records, print that text with the field's first font, middle size and colour, without jitter or
misalignment, into the erased background, then measure the replay and the rectified photo
(`reference.png`) in the same box with `erase_field` and compare: polarity, ink colour, cap height, stroke
width, and the overlap of the two ink masks (the share of each one's ink within a pixel of the other's,
where they are, not rescaled: a value shifted or mis-sized by more than a pixel, or in another font, scores
low). Deterministic, no randomness; it reads the two images only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from synthcert.template.document import FieldPrint, PreparedTemplate, render_flat_document
from synthcert.template.erase import FieldInk, erase_field
from synthcert.template.font_match import mask_similarity
from synthcert.template.spec import TemplateSpec, load_template
from synthcert.text.fonts import fonts_covering

REFERENCE = "reference.png"
"""The rectified photo that `template init` keeps beside the background when fields give their `text`."""
WORST_SIMILARITY = 0.7  # a field whose replay overlaps the photo's ink less than this is flagged


@dataclass(frozen=True)
class FieldReplay:
    """How the replay of one field compares with the photo; ratios are replay / photo (1 is perfect).

    Attributes:
        name: the field.
        polarity: the photo's ink polarity ("dark" / "light") and the replay's, e.g. ("light", "light").
        color_delta: largest per-channel difference of the two ink colours (0-255).
        size_ratio: cap height of the replay over the photo's.
        stroke_ratio: stroke width of the replay over the photo's.
        similarity: share of each ink mask within a pixel of the other, averaged (0-1).
    """

    name: str
    polarity: tuple[str, str]
    color_delta: float
    size_ratio: float
    stroke_ratio: float
    similarity: float

    @property
    def flagged(self) -> bool:
        return self.polarity[0] != self.polarity[1] or self.similarity < WORST_SIMILARITY


def replay(spec: TemplateSpec, reference: np.ndarray) -> tuple[np.ndarray, list[FieldReplay]]:
    """Re-prints every field with a `text` and compares it with `reference`.

    Args:
        spec: a loaded template.
        reference: (H, W, 3) uint8 RGB rectified photo in the template's frame (same size as the background).

    Returns:
        The replayed document (H, W, 3) uint8 RGB, and one FieldReplay per field with a `text`, worst first.
    """
    prints = {}
    for name, f in spec.fields.items():
        fonts = fonts_covering(f.fonts, f.text) if f.text else []
        if fonts:
            prints[name] = FieldPrint(text=f.text, font=fonts[0], size_px=sum(f.size_range) / 2, spacing_px=0.0,
                                      color=f.color, strength=f.strength_range[1], offset_xy=(0.0, 0.0),
                                      bold_px=f.bold_px)
    image = render_flat_document(PreparedTemplate(spec), prints).image
    rows = []
    for name in prints:
        box = spec.fields[name].box
        photo, printed = erase_field(reference, box)[1], erase_field(image, box)[1]
        rows.append(FieldReplay(
            name=name, polarity=(photo.polarity, printed.polarity), color_delta=_color_delta(photo, printed),
            size_ratio=_ratio(printed.text_height_px, photo.text_height_px),
            stroke_ratio=_ratio(printed.stroke_px, photo.stroke_px), similarity=_similarity(photo, printed)))
    return image, sorted(rows, key=lambda r: (not r.flagged, r.similarity))


def replay_template(template_dir: str | Path) -> tuple[np.ndarray, list[FieldReplay]] | None:
    """`replay` of a template directory against its `reference.png`; None when it has none or no field `text`."""
    spec = load_template(template_dir)
    path = Path(template_dir) / REFERENCE
    if not path.is_file() or not any(f.text for f in spec.fields.values()):
        return None
    reference = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    if reference.shape[1::-1] != spec.size_wh:
        reference = cv2.resize(reference, spec.size_wh, interpolation=cv2.INTER_AREA)
    return replay(spec, reference)


def format_report(rows: list[FieldReplay]) -> str:
    """One line per field: polarity, colour difference, size and stroke ratios, similarity; flagged ones marked."""
    lines = [f"{'field':<24} {'polarity':<13} {'colour':>6} {'size':>5} {'stroke':>6} {'similar':>7}"]
    for r in rows:
        polarity = r.polarity[0] if r.polarity[0] == r.polarity[1] else f"{r.polarity[0]}!={r.polarity[1]}"
        lines.append(f"{r.name:<24} {polarity:<13} {r.color_delta:6.0f} {r.size_ratio:5.2f} {r.stroke_ratio:6.2f} "
                     f"{r.similarity:7.2f}{'  <- worst' if r.flagged else ''}")
    return "\n".join(lines)


def _ratio(a: float | None, b: float | None) -> float:
    return float(a / b) if a and b else float("nan")


def _color_delta(a: FieldInk, b: FieldInk) -> float:
    if a.color_rgb is None or b.color_rgb is None:
        return float("nan")
    return float(np.abs(np.subtract(a.color_rgb, b.color_rgb)).max())


def _similarity(a: FieldInk, b: FieldInk) -> float:
    if a.letters is None or b.letters is None:
        return 0.0
    return mask_similarity(a.letters, b.letters, rescale=False)
