"""Pictures of labels for people: `draw_labels(sample)` and the contact sheets of `synthcert preview`.

Preview stage: it reads samples and draws on copies; it never changes a label, and only `write_preview`
writes a file. Labels are drawn where they are, in COCO continuous coordinates: a corner at x lies on the
left edge of pixel x, so it is drawn at x - 0.5 in PIL's pixel-centre coordinates (`geometry.opencv_from_coco_xy`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from synthcert import geometry
from synthcert.datasets.layout import atomic_write
from synthcert.errors import ConfigError, DatasetError
from synthcert.samples import TARGET, Sample
from synthcert.text.fonts import resolve_font

TARGET_COLOUR = (255, 48, 48)
FIELD_COLOURS = ((0, 200, 255), (255, 210, 0), (110, 255, 90), (255, 120, 255), (255, 150, 40))
FIRST_CORNER_OUTLINE = (255, 255, 255)
SHEET_BACKGROUND = (32, 32, 32)
GAP_PX = 6
PREVIEW_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def draw_labels(sample: Sample, scale: float = 1.0) -> np.ndarray:
    """Returns a copy of the sample's image, resized by `scale`, with every label drawn on it.

    Each field gets its quadrilateral, a disc on its first corner (TL of the text as read, so the reading
    direction shows even upside down), the numbers 1-4 of its corners and its text; the registration
    number is red and drawn last, the other fields in other colours.

    Args:
        sample: the sample to draw.
        scale: output pixels per image pixel; 2 doubles the size (labels are drawn after resizing).

    Returns:
        (round(H * scale), round(W * scale), 3) uint8 RGB.

    Example:
        >>> from synthcert import Renderer
        >>> draw_labels(Renderer().render(0, seed=0), scale=2).shape
        (512, 768, 3)
    """
    w, h = sample.size_wh
    size_wh = (max(1, round(w * scale)), max(1, round(h * scale)))
    image = Image.fromarray(sample.image).resize(size_wh, Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    line = max(1, round(size_wh[0] / 300))
    font = _font(max(9, round(size_wh[0] / 40)))
    names = sorted(sample.fields, key=lambda n: (n == TARGET, n))
    for k, name in enumerate(names):
        label = sample.fields[name]
        colour = TARGET_COLOUR if name == TARGET else FIELD_COLOURS[k % len(FIELD_COLOURS)]
        scaled_xy = label.corners * (size_wh[0] / w, size_wh[1] / h)
        xy = [tuple(p) for p in geometry.opencv_from_coco_xy(scaled_xy).tolist()]
        draw.line([*xy, xy[0]], fill=colour, width=line)
        r = 2 * line + 1
        x0, y0 = xy[0]
        draw.ellipse([x0 - r, y0 - r, x0 + r, y0 + r], fill=colour, outline=FIRST_CORNER_OUTLINE)
        for number, (x, y) in enumerate(xy[1:], start=2):
            draw.text((x + r, y), str(number), fill=colour, font=font, anchor="lm")
        if label.text:
            box = draw.textbbox((x0, y0 - r), label.text, font=font, anchor="ld")
            draw.rectangle(box, fill=(0, 0, 0))
            draw.text((x0, y0 - r), label.text, fill=colour, font=font, anchor="ld")
    return np.asarray(image)


def contact_sheet(samples: Sequence[Sample], columns: int | None = None, tile_width: int = 384) -> np.ndarray:
    """Returns one image with every sample drawn by `draw_labels`, scaled to `tile_width`, in a grid.

    Each tile is captioned with its template and index (or its file, for a real photo).

    Args:
        samples: the samples, laid out row by row.
        columns: tiles per row; None for a near-square grid.
        tile_width: width of every tile in pixels.

    Returns:
        (H, W, 3) uint8 RGB.

    Raises:
        ConfigError: no samples, or a non-positive `columns` or `tile_width`.
    """
    if not samples:
        raise ConfigError("no samples to preview; render or read at least one", field="samples")
    columns = columns or math.ceil(math.sqrt(len(samples)))
    if columns < 1 or tile_width < 16:
        raise ConfigError(f"columns = {columns}, tile_width = {tile_width}; expected >= 1 and >= 16", field="columns")
    font = _font(max(10, tile_width // 28))
    caption_h = round(font.size * 1.5)
    tiles = [draw_labels(s, scale=tile_width / s.size_wh[0]) for s in samples]
    tile_h = max(t.shape[0] for t in tiles) + caption_h
    rows = math.ceil(len(tiles) / columns)
    sheet = Image.new("RGB", (columns * (tile_width + GAP_PX) + GAP_PX, rows * (tile_h + GAP_PX) + GAP_PX),
                      SHEET_BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for k, (sample, tile) in enumerate(zip(samples, tiles, strict=True)):
        x = GAP_PX + (k % columns) * (tile_width + GAP_PX)
        y = GAP_PX + (k // columns) * (tile_h + GAP_PX)
        sheet.paste(Image.fromarray(tile), (x, y))
        caption = Path(sample.source).name if sample.index is None else f"{sample.template} #{sample.index}"
        draw.text((x, y + tile.shape[0] + caption_h // 2), caption, fill=(230, 230, 230), font=font, anchor="lm")
    return np.asarray(sheet)


def write_preview(samples: Sequence[Sample], path: str | Path, columns: int | None = None,
                  tile_width: int = 384) -> Path:
    """Saves `contact_sheet(samples)` as a PNG or JPEG file (by its suffix), atomically.

    Raises:
        ConfigError: the suffix is not .png, .jpg or .jpeg, or no samples were given.
        DatasetError: the file cannot be written.
    """
    path = Path(path)
    kind = PREVIEW_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(f"has suffix {path.suffix!r}; expected one of {', '.join(PREVIEW_SUFFIXES)}", path)
    buffer = io.BytesIO()
    Image.fromarray(contact_sheet(samples, columns, tile_width)).save(buffer, kind)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatasetError(f"cannot create the folder ({e.strerror}); choose a writable path", path) from None
    atomic_write(path, buffer.getvalue())
    return path


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(resolve_font("dejavu-sans")), size)
