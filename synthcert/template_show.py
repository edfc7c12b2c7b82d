"""Draw a template so that its author sees at once whether the spec is right (`synthcert template show`).

It sits above the pipeline (it renders with the Renderer), beside `synthcert.preview`.

A contact sheet: the background with every field box, name, code and font size, then (when the template
keeps the photo's own values, see synthcert.template.replay) the photo beside those values re-printed, then
a few random fillings
rendered by the Renderer with a flat, square-on camera and no photometric effects, each with the target's
corner labels. Preview only: it never changes the template and is not used for training data.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from synthcert import geometry
from synthcert.config import RenderConfig
from synthcert.pipeline import Renderer
from synthcert.samples import TARGET
from synthcert.template.replay import REFERENCE, replay_template
from synthcert.template.spec import load_template

BOX_COLOR = (0, 110, 255)
TARGET_COLOR = (230, 30, 30)
LABEL_COLOR = (0, 170, 60)


def flat_config(size_wh: tuple[int, int]) -> RenderConfig:
    """Returns a RenderConfig whose camera looks square-on at the document filling a `size_wh` image exactly."""
    return RenderConfig().replace(
        scene={"image_size_wh": size_wh, "tilt_x_range_deg": (0.0, 0.0), "tilt_y_range_deg": (0.0, 0.0),
               "roll_range_deg": (0.0, 0.0), "fill_range": (1.0, 1.0), "offset_range": (0.0, 0.0),
               "backgrounds": ("plain",), "bend_p": 0.0, "occluder_p": 0.0},
        photometric={"preset": "none"},
    )


def template_sheet(template_dir: str | Path, count: int = 4, seed: int = 0, panel_width: int = 640) -> np.ndarray:
    """Returns a contact sheet of the template: its boxes, then `count` random fillings.

    Args:
        template_dir: a template directory (docs/templates.md).
        count: how many random fillings to draw.
        seed: the seed of the fillings (index k of the sheet is sample k of that seed).
        panel_width: width in pixels of each panel.

    Returns:
        (H, W, 3) uint8 RGB, panels in two columns.

    Raises:
        TemplateError: the template does not load.

    Example:
        >>> sheet = template_sheet(builtin_template_dirs()[0], count=1, panel_width=96)  # doctest: +SKIP
    """
    spec = load_template(template_dir)
    doc_w, doc_h = spec.size_wh
    size_wh = (int(panel_width), max(int(round(panel_width * doc_h / doc_w)), 16))
    renderer = Renderer(templates=[template_dir], config=flat_config(size_wh))
    panels = [_boxes_panel(spec, size_wh)]
    found = replay_template(template_dir)
    if found is not None:  # the photo beside its own values re-printed: the template's fidelity at a glance
        reference = cv2.cvtColor(cv2.imread(str(Path(template_dir) / REFERENCE)), cv2.COLOR_BGR2RGB)
        for image, caption in ((reference, "photo"), (found[0], "replay of its values")):
            panel = cv2.resize(image, size_wh, interpolation=cv2.INTER_AREA)
            _put(panel, caption, (4, size_wh[1] - 6), max(0.3, size_wh[0] / 1600) * 1.3, (0, 0, 0))
            panels.append(panel)
    for k in range(count):
        sample = renderer.render(index=k, seed=seed)
        panels.append(_filling_panel(sample, f"seed {seed} index {k}"))
    return _grid(panels, columns=2 if count else 1)


def show_template(template_dir: str | Path, out_path: str | Path, count: int = 4, seed: int = 0,
                  panel_width: int = 640) -> Path:
    """Writes `template_sheet(...)` as a PNG to `out_path` and returns the path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sheet = template_sheet(template_dir, count, seed, panel_width)
    cv2.imwrite(str(out_path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    return out_path


def _boxes_panel(spec, size_wh: tuple[int, int]) -> np.ndarray:
    art = cv2.cvtColor(cv2.imread(str(spec.background), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    panel = cv2.resize(art, size_wh, interpolation=cv2.INTER_AREA)
    s = size_wh[0] / spec.size_wh[0]
    font_scale = max(0.28, size_wh[0] / 2000)
    for f in spec.fields.values():
        color = TARGET_COLOR if f.name == TARGET else BOX_COLOR
        x0, y0, x1, y1 = (v * s for v in f.box)
        # COCO box edges -> OpenCV pixel centres: the first and last covered pixels.
        last = (max(int(np.ceil(x1)) - 1, int(x0)), max(int(np.ceil(y1)) - 1, int(y0)))
        cv2.rectangle(panel, (int(x0), int(y0)), last, color, 1, cv2.LINE_8)
        code = f" [{f.code}]" if f.code else ""
        generator = f.generator if len(f.generator) <= 24 else f.generator[:22] + ".."
        text = f"{f.name}{code} {generator} {f.size_range[0]:.0f}-{f.size_range[1]:.0f}px"
        _put(panel, text, (int(x0) + 1, max(int(y0) - 3, 8)), font_scale, color)
    _put(panel, f"{spec.name} ({spec.country}) {spec.size_wh[0]}x{spec.size_wh[1]} px", (4, size_wh[1] - 6),
         font_scale * 1.3, (0, 0, 0))
    return panel


def _filling_panel(sample, caption: str) -> np.ndarray:
    panel = sample.image.copy()
    quad = geometry.opencv_from_coco_xy(sample.target.corners)
    cv2.polylines(panel, [np.round(quad * 16).astype(np.int32)], True, LABEL_COLOR, 1, cv2.LINE_AA, shift=4)
    font_scale = max(0.3, panel.shape[1] / 1600)
    _put(panel, f"{caption}: {sample.target.text}", (4, panel.shape[0] - 6), font_scale * 1.3, (0, 0, 0))
    return panel


def _put(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, color) -> None:
    """Writes `text` in `color` inside a white halo a pixel wide, the halo grown from the very strokes of the text:
    OpenCV spaces a thicker line's letters wider, so a thicker white copy would run off the text's end."""
    ink = np.zeros(image.shape[:2], np.uint8)
    cv2.putText(ink, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 1, cv2.LINE_AA)
    halo = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    for coverage, paint in ((halo, (255, 255, 255)), (ink, color)):
        a = coverage[..., None] / 255.0
        image[:] = np.round(image * (1 - a) + np.array(paint, np.float64) * a).astype(np.uint8)


def _grid(panels: list[np.ndarray], columns: int, gap: int = 6) -> np.ndarray:
    h, w = panels[0].shape[:2]
    rows = -(-len(panels) // columns)
    sheet = np.full((rows * h + (rows + 1) * gap, columns * w + (columns + 1) * gap, 3), 255, np.uint8)
    for k, panel in enumerate(panels):
        r, c = divmod(k, columns)
        y, x = gap + r * (h + gap), gap + c * (w + gap)
        sheet[y:y + h, x:x + w] = panel[:h, :w]
    return sheet
