"""Make a template from one photo or scan of a real certificate (`synthcert template init`).

Authoring stage, run once per certificate type, before any rendering: find or take the document's four
corners, rectify it with one homography to a flat image, erase the printed values inside the given field
boxes by inpainting (the captions, guilloche and tint around them stay), measure each field's ink colour and
text height, and write `background.png` + `template.yaml` (docs/templates.md) that the user can edit.

No randomness here. Only the ink found inside the given boxes is removed: whatever personal data the photo
shows elsewhere stays in the background, so give a box for every value on the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import yaml
from PIL import ImageFont

from synthcert.errors import TemplateError
from synthcert.samples import TARGET
from synthcert.template.erase import FieldInk, erase_field
from synthcert.template.rectify import detect_document, draw_grid, read_photo, rectify_document
from synthcert.template.replay import REFERENCE
from synthcert.template.spec import SPEC_FILE, load_template
from synthcert.template.style import FieldStyle, choose_styles
from synthcert.text.countries import check_country
from synthcert.text.fonts import resolve_font
from synthcert.text.generators import check_generator
from synthcert.text.typeset import face, typeset
from synthcert.yamlfile import read_yaml

DEFAULT_FONTS = ("dejavu-sans", "liberation-sans", "dejavu-sans-mono", "liberation-mono", "ocrb")
"""Fonts of every field that names none: a mix of families, so that a detector does not learn one font."""
SIZE_SPREAD = 0.08  # size_range = measured size x (1 -/+ SIZE_SPREAD)
FIELD_KEYS = {"box", "generator", "code", "print_code", "fonts", "size_range", "spacing_range", "color",
              "color_jitter", "strength_range", "align", "offset_px", "uppercase", "style", "bold_px", "text"}
LAYOUT_KEYS = {"fields", "corners", "width", "country", "size_mm", "name"}


@dataclass(frozen=True)
class FieldBox:
    """A field to re-print: where its value is in the rectified document, and how to generate new ones.

    Attributes:
        name: the field's name; `registration_number` is the detector's target.
        box: (x0, y0, x1, y1) in the rectified document's pixels (COCO: pixel (i, j) covers [i, i+1) x [j, j+1)).
        generator: text generator (docs/templates.md), e.g. `plate`, `vin`, `date:%d/%m/%Y`.
        options: other template field keys given by the user (fonts, align, uppercase ...); they win over
            what is measured.
        source: where the field was given (a fields file, `--field`), for error messages.
    """

    name: str
    box: tuple[float, float, float, float]
    generator: str
    options: dict = field(default_factory=dict, hash=False, compare=True)
    source: str | None = field(default=None, compare=False)

    def __post_init__(self):
        box = tuple(float(v) for v in self.box)
        if len(box) != 4:
            raise TemplateError(f"= {list(self.box)}; expected [x0, y0, x1, y1]", field=f"fields.{self.name}.box")
        object.__setattr__(self, "box", box)


@dataclass(frozen=True, eq=False)
class PhotoLayout:
    """What a fields file says about one photo; None where the file leaves it to the defaults."""

    fields: tuple[FieldBox, ...]
    corners_xy: np.ndarray | None = None  # (4, 2) float64, TL, TR, BR, BL in photo pixels
    width_px: int | None = None
    country: str | None = None
    size_mm: tuple[float, float] | None = None
    name: str | None = None


def init_template(
    photo: str | Path,
    out_dir: str | Path,
    corners_xy=None,
    fields: list[FieldBox] | tuple[FieldBox, ...] = (),
    width_px: int = 1000,
    country: str | None = None,
    name: str | None = None,
    size_mm: tuple[float, float] | None = None,
    country_source: str | Path | None = None,
) -> Path:
    """Makes a template from one photo or scan of a real certificate.

    Use it once per certificate type; then render with `Renderer(templates=[out_dir])`.

    Args:
        photo: the photo or scan (any format OpenCV reads).
        out_dir: the template directory to write (created; existing files are overwritten).
        corners_xy: (4, 2) document corners TL, TR, BR, BL in photo pixels (COCO), or None to find the
            document automatically (it must stand out from its background).
        fields: the fields to re-print, boxes in the rectified frame; must include `registration_number`.
        width_px: width of the flat document in pixels; the height follows from the corners (or `size_mm`).
        country: ISO 3166 alpha-2 code; picks the registration-number format and the names' locale.
        name: template name; the directory's name by default.
        size_mm: physical (width, height); when given, it sets the flat document's aspect ratio.
        country_source: the fields file that gave `country`, for error messages (None: `--country`).

    Returns:
        `out_dir`, holding `background.png` and `template.yaml`.

    Raises:
        TemplateError: the photo is unreadable, no document is found, or a field is invalid.

    Example:
        >>> init_template("voc.jpg", "my-voc", fields=[FieldBox("registration_number", (330, 120, 560, 160),
        ...               "plate")], country="MY")  # doctest: +SKIP
    """
    out_dir = Path(out_dir)
    image = read_photo(photo)
    country = _check_country(country, country_source)
    if corners_xy is None:
        corners_xy = detect_document(image, photo)
    flat, _ = rectify_document(image, corners_xy, width_px, _aspect_from_mm(size_mm))
    fields = _check_fields(fields, flat.shape[1::-1], country, photo)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any("text" in f.options for f in fields):  # the replay report compares with the photo's own values
        cv2.imwrite(str(out_dir / REFERENCE), cv2.cvtColor(flat, cv2.COLOR_RGB2BGR))
    inks = {}
    for f in fields:
        flat, inks[f.name] = erase_field(flat, f.box)
    styles = choose_styles(inks, {f.name: str(f.options["text"]) for f in fields if "text" in f.options})
    if styles:  # a blank box (e.g. redacted) is printed in the style most values share
        names = [s.style or n for n, s in styles.items()]
        common = next(s for n, s in styles.items() if (s.style or n) == max(set(names), key=names.count))
        styles = {f.name: styles.get(f.name, common) for f in fields}
    specs = {f.name: _field_spec(f, _like_neighbours(inks[f.name], inks), styles.get(f.name), flat.shape[0])
             for f in fields}
    cv2.imwrite(str(out_dir / "background.png"), cv2.cvtColor(flat, cv2.COLOR_RGB2BGR))
    spec = {"name": name or _safe_name(out_dir.resolve().name), "country": country}
    if size_mm is not None:
        spec["size_mm"] = [float(v) for v in size_mm]
    spec.update(background="background.png", defaults={"print_code": False}, fields=specs)
    header = (f"# Made by `synthcert template init` from {Path(photo).name} ({flat.shape[1]}x{flat.shape[0]} px).\n"
              "# Measured: color and size_range of each field. Edit freely; see docs/templates.md.\n")
    (out_dir / SPEC_FILE).write_text(header + yaml.safe_dump(spec, sort_keys=False, default_flow_style=None))
    load_template(out_dir)  # fails, naming the key, only when an option the user gave is invalid
    return out_dir


def rectify_photo(
    photo: str | Path,
    out_path: str | Path,
    corners_xy=None,
    width_px: int = 1000,
    size_mm: tuple[float, float] | None = None,
    grid: bool = True,
) -> tuple[Path, np.ndarray]:
    """Writes the rectified document with a coordinate grid: the image to measure field boxes on.

    This is the first step of making a template: the boxes of `init_template` are in this image's frame.
    The image still shows the photo's personal data; keep it private.

    Args:
        photo, corners_xy, width_px, size_mm: as for `init_template`.
        out_path: the PNG to write.
        grid: draw a labelled 50 px grid.

    Returns:
        The path written and the (4, 2) corners used (found automatically when not given).
    """
    image = read_photo(photo)
    if corners_xy is None:
        corners_xy = detect_document(image, photo)
    flat, _ = rectify_document(image, corners_xy, width_px, _aspect_from_mm(size_mm))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out_path), cv2.cvtColor(draw_grid(flat) if grid else flat, cv2.COLOR_RGB2BGR))
    return out_path, np.asarray(corners_xy, np.float64).reshape(4, 2)


def load_layout(path: str | Path) -> PhotoLayout:
    """Reads a fields file: the user's one manual step when making a template from a photo.

    The file maps `fields` to name -> `[x0, y0, x1, y1]` or to a mapping with `box`, `generator` and any
    other template field keys (fonts, align, uppercase ...); boxes are in the rectified document's pixels.
    Optional top-level keys `corners` (8 numbers, TL, TR, BR, BL in the photo), `width`, `country`, `size_mm`
    and `name` stand in for the command-line options of the same names.

    Raises:
        TemplateError: naming the file, the key and the fix.
    """
    path = Path(path)
    data = read_yaml(path, TemplateError)
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise TemplateError("expected a mapping with `fields: {name: [x0, y0, x1, y1], ...}`", path, "fields")
    unknown = set(data) - LAYOUT_KEYS
    if unknown:
        raise TemplateError(f"unknown key; expected some of {sorted(LAYOUT_KEYS)}", path, sorted(unknown)[0])
    fields = tuple(_field_from_yaml(str(k), v, path) for k, v in data["fields"].items())
    corners = data.get("corners")
    if corners is not None:
        corners = parse_corners(",".join(str(v) for v in np.ravel(corners)), path)
    size_mm, width = data.get("size_mm"), data.get("width")
    if width is not None and (not isinstance(width, int) or not 64 <= width <= 8192):
        raise TemplateError(f"= {width!r}; expected a whole number of pixels in 64..8192, e.g. 1000", path, "width")
    if size_mm is not None and (not isinstance(size_mm, list) or len(size_mm) != 2
                                or not all(isinstance(v, int | float) and v > 0 for v in size_mm)):
        raise TemplateError(f"= {size_mm!r}; expected [width, height] in millimetres, e.g. [85.6, 54]", path, "size_mm")
    return PhotoLayout(fields=fields, corners_xy=corners, width_px=width, country=data.get("country"),
                       size_mm=None if size_mm is None else tuple(float(v) for v in size_mm), name=data.get("name"))


def parse_field_option(text: str) -> FieldBox:
    """Parses `name=x0,y0,x1,y1[:generator]` (the repeatable --field option)."""
    match = re.fullmatch(r"\s*([\w.-]+)\s*=\s*([-\d.,\s]+?)\s*(?::\s*(.+))?", text)
    if not match:
        raise TemplateError(f"= {text!r}; expected name=x0,y0,x1,y1[:generator], e.g. "
                            "registration_number=330,120,560,160:plate", field="--field")
    name, numbers, generator = match.groups()
    box = _numbers(numbers, 4, f"--field {name}")
    return FieldBox(name, tuple(box), generator or _default_generator(name, f"--field {name}", None), source="--field")


def parse_corners(text: str, source: str | Path | None = None, where: str = "corners") -> np.ndarray:
    """Parses `x1,y1,x2,y2,x3,y3,x4,y4` (TL, TR, BR, BL in photo pixels) into a (4, 2) array."""
    return np.array(_numbers(text, 8, where, source), np.float64).reshape(4, 2)


# --- helpers --------------------------------------------------------------------------------------------


def _aspect_from_mm(size_mm) -> float | None:
    return None if size_mm is None else float(size_mm[1]) / float(size_mm[0])


def _field_spec(f: FieldBox, ink: FieldInk, style: FieldStyle | None, doc_h: int) -> dict:
    fonts = f.options.get("fonts", style.fonts if style else DEFAULT_FONTS)
    fonts = [fonts] if isinstance(fonts, str) else [str(n) for n in fonts]
    box = list(f.box)
    spec = {"box": box, "generator": f.generator, "fonts": fonts}
    if style is not None and style.style is not None:
        spec["style"] = style.style
    if ink.text_height_px:
        # Measure with the field's built-in fonts; a font file of the user's is measured like the defaults.
        paths = [p for p in map(resolve_font, fonts) if p] or [resolve_font(n) for n in DEFAULT_FONTS]
        faces = [ImageFont.truetype(str(p), 200) for p in paths]
        size = ink.text_height_px / np.mean([_cap_metrics(fc)[0] for fc in faces])
        if style is not None and "fonts" not in f.options:
            size = style.size_px  # one size for the whole style, as the card prints it
        spec["size_range"] = [round(float(size) * (1 - SIZE_SPREAD), 1), round(float(size) * (1 + SIZE_SPREAD), 1)]
        # The renderer centres the font's ascent + descent in the box; move the box so that the capitals'
        # middle lands where the printed line's middle was.
        below = np.mean([_cap_metrics(fc)[1] for fc in faces]) * size
        if ink.text_centre_y is not None:
            shift = ink.text_centre_y - below - (box[1] + box[3]) / 2
            shift = float(np.clip(shift, -box[1], doc_h - box[3]))
            box[1], box[3] = box[1] + shift, box[3] + shift
        if ink.ink_box is not None and f.options.get("align", "left") == "left":
            # Values start where the printed one did (the pen sits a side bearing left of the ink), not at the
            # box's edge, which is often drawn just after the caption's colon.
            first = str(f.options.get("text", "H"))[:1] or "H"
            bearing = np.mean([_bearing(first, p, size) for p in paths])
            box[0] = float(np.clip(ink.ink_box[0] - bearing, 0, box[2] - 1))
    spec["box"] = [round(float(v), 1) for v in box]
    color = style.color_rgb if style is not None else ink.color_rgb
    if color is not None:
        spec["color"] = "#{:02x}{:02x}{:02x}".format(*color)
    if style is not None and style.bold_px > 0 and "fonts" not in f.options:
        spec["bold_px"] = style.bold_px
    spec.update(f.options)  # the user's own values win over the measured ones
    return spec


def _bearing(char: str, path: Path, size_px: float) -> float:
    """Columns between the pen and the first ink of `char` as the renderer typesets it."""
    columns = np.flatnonzero(typeset(char, face(path, max(int(round(size_px)), 4)), 0.0).any(axis=0))
    return float(columns[0]) if len(columns) else 0.0


def _like_neighbours(ink: FieldInk, inks: dict[str, FieldInk]) -> FieldInk:
    """A blank box (no ink to measure) is printed like the fields on the most similar ground: a blank box on a
    dark panel gets the light ink of the other values on that panel, their median colour and text height."""
    if ink.text_height_px is not None:
        return ink
    others = [i for i in inks.values() if i.text_height_px is not None and i.color_rgb is not None]
    if not others:
        return ink
    if ink.ground_rgb is not None and all(i.ground_rgb is not None for i in others):
        gap = [float(np.abs(np.subtract(i.ground_rgb, ink.ground_rgb)).max()) for i in others]
        others = [i for i, g in zip(others, gap, strict=True) if g <= min(gap) + 24]
    color = tuple(int(v) for v in np.median([i.color_rgb for i in others], axis=0))
    return FieldInk(color_rgb=color, text_height_px=float(np.median([i.text_height_px for i in others])),
                    polarity=others[0].polarity, ground_rgb=ink.ground_rgb)


def _cap_metrics(font: ImageFont.FreeTypeFont) -> tuple[float, float]:
    """(cap height, how far the middle of the capitals lies below the middle of ascent + descent), per em."""
    em = font.size
    _, top, _, bottom = font.getbbox("HE08", anchor="ls")
    ascent, descent = font.getmetrics()
    cap_middle = ascent + (top + bottom) / 2  # from the line's top, as the renderer places it
    return (bottom - top) / em, (cap_middle - (ascent + descent) / 2) / em


def _check_country(country, source) -> str:
    reason = check_country(country)
    if reason:
        where = "--country" if source is None else "country"
        raise TemplateError(f"{reason}; set it with {'--country' if source is None else 'country:'}", source, where)
    return country.upper()


def _check_fields(fields, size_wh, country, source) -> tuple[FieldBox, ...]:
    fields = tuple(fields)
    names = [f.name for f in fields]
    if TARGET not in names:
        raise TemplateError(f"no {TARGET!r} among the fields {names}; give its box with --field "
                            f"{TARGET}=x0,y0,x1,y1 or in the fields file", source, "fields")
    w, h = size_wh
    for f in fields:
        where = f.source or source
        if names.count(f.name) > 1:
            raise TemplateError("is given twice; give each field once", where, f"fields.{f.name}")
        x0, y0, x1, y1 = f.box
        if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
            raise TemplateError(f"= {list(f.box)}; expected 0 <= x0 < x1 <= {w} and 0 <= y0 < y1 <= {h} in the "
                                f"rectified {w}x{h} document; measure it on `synthcert template rectify`'s image",
                                where, f"fields.{f.name}.box")
        reason = check_generator(f.generator, country, target=f.name == TARGET)
        if reason:
            raise TemplateError(reason, where, f"fields.{f.name}.generator")
        unknown = set(f.options) - FIELD_KEYS
        if unknown:
            raise TemplateError(f"unknown key; expected some of {sorted(FIELD_KEYS)}", where,
                                f"fields.{f.name}.{sorted(unknown)[0]}")
    return fields


def _field_from_yaml(name: str, value, path: Path) -> FieldBox:
    if isinstance(value, list | tuple):
        value = {"box": value}
    if not isinstance(value, dict) or "box" not in value:
        raise TemplateError(f"= {value!r}; expected [x0, y0, x1, y1] or a mapping with box and generator",
                            path, f"fields.{name}")
    box = _numbers(",".join(str(v) for v in np.ravel(value["box"])), 4, f"fields.{name}.box", path)
    options = {k: v for k, v in value.items() if k not in ("box", "generator")}
    generator = value.get("generator") or _default_generator(name, f"fields.{name}.generator", path)
    return FieldBox(name, tuple(box), str(generator), options, source=str(path))


def _default_generator(name: str, where: str, source) -> str:
    if name == TARGET:
        return "plate"
    if check_generator(name) is None:
        return name  # a field named after a generator (vin, name, address, date, ...)
    raise TemplateError(f"has no generator; add one, e.g. {name}=x0,y0,x1,y1:date or `generator: name` "
                        "(see docs/templates.md)", source, where)


def _numbers(text: str, count: int, where: str, source=None) -> list[float]:
    try:
        values = [float(v) for v in str(text).replace(" ", "").split(",") if v != ""]
    except ValueError:
        values = []
    if len(values) != count:
        raise TemplateError(f"= {text!r}; expected {count} comma-separated numbers", source, where)
    return values


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-") or "from-photo"
