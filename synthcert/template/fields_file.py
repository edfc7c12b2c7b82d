"""The fields file of `synthcert template init`: which values to erase and re-print, and where.

Entry stage of the authoring workflow: parses the YAML file (or `--field` options) into FieldBox records and
checks them where they enter, naming the file, the key and the fix. No image work, no randomness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthcert.errors import TemplateError
from synthcert.samples import TARGET
from synthcert.template.spec import FieldSpec
from synthcert.text.fonts import BUILTIN_FONTS, resolve_font
from synthcert.text.generators import check_generator
from synthcert.yamlfile import read_yaml

FIELD_KEYS = set(FieldSpec.__dataclass_fields__) - {"name"}  # what template.yaml accepts per field
LAYOUT_KEYS = {"fields", "defaults", "corners", "width", "country", "size_mm", "name"}


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
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise TemplateError(f"= {defaults!r}; expected a mapping of field keys given to every field, e.g. "
                            "{fonts: [ocrb], uppercase: true}", path, "defaults")
    fields = tuple(_field_from_yaml(str(k), v, defaults, path) for k, v in data["fields"].items())
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


def check_fields(fields, size_wh, country, source) -> tuple[FieldBox, ...]:
    """Checks the fields against the rectified document's size and the country; returns them as a tuple."""
    fields = tuple(fields)
    names = [f.name for f in fields]
    if not names:
        raise TemplateError(f"has no fields; give the boxes of the printed values (e.g. --field {TARGET}=x0,y0,x1,y1, "
                            "or a fields file)", source, "fields")
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
        same_as = f.options.get("same_as")
        if same_as is not None and (same_as not in names or same_as == f.name):
            raise TemplateError(f"= {same_as!r}; expected the name of another field whose value this one repeats, "
                                f"one of {names}", where, f"fields.{f.name}.same_as")
        reason = None if same_as is not None else check_generator(f.generator, country, target=f.name == TARGET)
        if reason:
            raise TemplateError(reason, where, f"fields.{f.name}.generator")
        unknown = set(f.options) - FIELD_KEYS
        if unknown:
            raise TemplateError(f"unknown key; expected some of {sorted(FIELD_KEYS)}", where,
                                f"fields.{f.name}.{sorted(unknown)[0]}")
    return fields


# --- helpers --------------------------------------------------------------------------------------------


def _field_from_yaml(name: str, value, defaults: dict, path: Path) -> FieldBox:
    if isinstance(value, list | tuple):
        value = {"box": value}
    if not isinstance(value, dict) or "box" not in value:
        raise TemplateError(f"= {value!r}; expected [x0, y0, x1, y1] or a mapping with box and generator",
                            path, f"fields.{name}")
    value = {**defaults, **value}
    box = _numbers(",".join(str(v) for v in np.ravel(value["box"])), 4, f"fields.{name}.box", path)
    options = {k: v for k, v in value.items() if k not in ("box", "generator")}
    if "fonts" in options:
        options["fonts"] = _fonts_near(options["fonts"], path, f"fields.{name}.fonts")
    # A copy of another field's value has that field's generator (template.yaml resolves it).
    generator = value.get("generator") or ("" if "same_as" in value else
                                           _default_generator(name, f"fields.{name}.generator", path))
    return FieldBox(name, tuple(box), str(generator), options, source=str(path))


def _fonts_near(fonts, path: Path, where: str) -> list[str]:
    """Built-in names stay; font files are looked up beside the fields file and given as absolute paths."""
    fonts = [fonts] if isinstance(fonts, str) else list(fonts) if isinstance(fonts, list | tuple) else None
    if fonts is None:
        raise TemplateError("expected a list of built-in font names or font files", path, where)
    out = []
    for font in map(str, fonts):
        if font in BUILTIN_FONTS:
            out.append(font)
            continue
        found = resolve_font(font, path.parent)
        if found is None:
            raise TemplateError(f"{font!r} is neither a built-in font nor a font file beside {path.name}; see "
                                "fonts/README.md for the names, or put the file next to the fields file", path, where)
        out.append(str(found))
    return out


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
