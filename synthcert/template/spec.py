"""Parse and validate a template directory (`template.yaml` + background art) into a TemplateSpec.

This module only reads and checks files: no drawing, no randomness. The format is documented in
docs/templates.md; every error names the file, the key and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2

from synthcert.errors import TemplateError
from synthcert.resources import shipped_dir
from synthcert.samples import TARGET
from synthcert.template.layout import LayoutSpec, parse_layout
from synthcert.text.countries import check_country
from synthcert.text.fonts import resolve_font
from synthcert.text.generators import check_generator
from synthcert.yamlfile import read_yaml

SPEC_FILE = "template.yaml"
BUILTIN_DIR = shipped_dir("templates")
ALIGNS = ("left", "center", "right")
TOP_KEYS = {"name", "country", "size_mm", "background", "defaults", "fields", "layout"}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class FieldSpec:
    """One printed field of a template; boxes are in document pixels (the background's frame)."""

    name: str
    box: tuple[float, float, float, float]
    generator: str
    code: str | None = None
    print_code: bool = True
    fonts: tuple[Path, ...] = ()
    size_range: tuple[float, float] = (0.0, 0.0)
    spacing_range: tuple[float, float] = (0.0, 0.0)
    color: tuple[int, int, int] = (26, 26, 26)
    color_jitter: int = 12
    strength_range: tuple[float, float] = (0.8, 1.0)
    align: str = "left"
    offset_px: float = 2.0
    uppercase: bool = False
    style: str | None = None
    bold_px: float = 0.0
    text: str | None = None
    same_as: str | None = None


@dataclass(frozen=True)
class TemplateSpec:
    """A validated template: where its art is and what is printed where."""

    name: str
    directory: Path
    background: Path
    size_wh: tuple[int, int]
    country: str
    fields: dict[str, FieldSpec]
    size_mm: tuple[float, float] | None = None
    layout: LayoutSpec | None = None


def builtin_template_dirs() -> list[Path]:
    """Returns the directories of the templates shipped with synthcert, sorted by name."""
    return sorted(p.parent for p in BUILTIN_DIR.glob(f"*/{SPEC_FILE}"))


def load_template(directory: str | Path) -> TemplateSpec:
    """Reads and validates the template in `directory`.

    Raises:
        TemplateError: naming the file, the key and the fix.
    """
    directory = Path(directory)
    spec_path = directory / SPEC_FILE
    if not directory.is_dir():
        raise TemplateError(f"no such template directory; give a folder holding {SPEC_FILE}", directory)
    if not spec_path.is_file():
        raise TemplateError(f"missing; a template folder needs {SPEC_FILE} (see docs/templates.md)", spec_path)
    return parse_spec(read_yaml(spec_path, TemplateError), directory, spec_path)


def parse_spec(data, directory: Path, spec_path: Path) -> TemplateSpec:
    def fail(key, message):
        raise TemplateError(message, spec_path, key)

    if not isinstance(data, dict):
        fail(None, "expected a mapping with keys name, background, fields")
    unknown = set(data) - TOP_KEYS
    if unknown:
        fail(sorted(unknown)[0], f"unknown key; expected some of {sorted(TOP_KEYS)}")
    for key in ("name", "background", "fields"):
        if key not in data:
            fail(key, "missing; it is required (see docs/templates.md)")
    name = data["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[\w.-]+", name):
        fail("name", f"= {name!r}; expected letters, digits, '-', '_' or '.'")
    background = directory / str(data["background"])
    image = cv2.imread(str(background), cv2.IMREAD_UNCHANGED)
    if image is None:
        fail("background", f"= {data['background']!r}; {background} is missing or not an image OpenCV reads")
    size_wh = (int(image.shape[1]), int(image.shape[0]))
    size_mm = data.get("size_mm")
    if size_mm is not None:
        size_mm = _pair(size_mm, "size_mm", fail, positive=True, ordered=False)
        aspect_mm, aspect_px = size_mm[0] / size_mm[1], size_wh[0] / size_wh[1]
        if abs(aspect_mm / aspect_px - 1) > 0.03:
            fail("size_mm", f"= {list(size_mm)} has aspect {aspect_mm:.3f} but the background {size_wh} has "
                 f"{aspect_px:.3f}; fix size_mm or crop the background")
    country = data.get("country", "CZ")
    reason = check_country(country)
    if reason:
        fail("country", reason)
    country = country.upper()
    defaults = data.get("defaults") or {}
    fields_data = data["fields"]
    if not isinstance(defaults, dict):
        fail("defaults", "expected a mapping of field keys")
    if not isinstance(fields_data, dict) or not fields_data:
        fail("fields", "expected a mapping of field name -> field")
    merged = {str(fname): {**defaults, **(fdata or {})} for fname, fdata in fields_data.items()}
    for fname, d in merged.items():
        same_as = d.get("same_as")
        if same_as is None:
            continue
        # A value printed in several places: the copy prints the other field's text, with its own label.
        if same_as not in merged or same_as == fname or "same_as" in merged[same_as]:
            fail(f"fields.{fname}.same_as", f"= {same_as!r}; expected another field that is no copy itself, one "
                 f"of {sorted(n for n in merged if 'same_as' not in merged[n])}")
        d.setdefault("generator", merged[same_as].get("generator"))
    fields = {fname: _parse_field(fname, d, size_wh, directory, country, fail) for fname, d in merged.items()}
    return TemplateSpec(
        name=name, directory=directory, background=background, size_wh=size_wh, country=country,
        fields=fields, size_mm=size_mm, layout=None if "layout" not in data else parse_layout(data["layout"], fail),
    )


def _parse_field(name, d, size_wh, directory, country, fail) -> FieldSpec:
    where = f"fields.{name}"
    allowed = {f for f in FieldSpec.__dataclass_fields__} - {"name"}
    for key in d:
        if key not in allowed:
            fail(f"{where}.{key}", f"unknown key; expected some of {sorted(allowed)}")
    for key in ("box", "generator"):
        if key not in d:
            fail(f"{where}.{key}", "missing; every field needs box and generator")
    box = d["box"]
    w, h = size_wh
    if (not isinstance(box, list | tuple) or len(box) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box)):
        fail(f"{where}.box", f"= {box!r}; expected [x0, y0, x1, y1] in document pixels")
    x0, y0, x1, y1 = (float(v) for v in box)
    if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
        fail(f"{where}.box", f"= {list(box)}; expected 0 <= x0 < x1 <= {w} and 0 <= y0 < y1 <= {h} "
             f"(the background is {w}x{h}); move or resize the box")
    reason = check_generator(str(d["generator"]), country, target=name == TARGET)
    if reason:
        fail(f"{where}.generator", reason)
    fonts = d.get("fonts", ["dejavu-sans"])
    if isinstance(fonts, str):
        fonts = [fonts]
    resolved = []
    for font in fonts:
        path = resolve_font(str(font), directory)
        if path is None:
            fail(f"{where}.fonts", f"{font!r} is neither a built-in font nor a font file in {directory}; "
                 "see fonts/README.md for the names")
        resolved.append(path)
    box_h = y1 - y0
    size_range = _pair(d.get("size_range", [0.6 * box_h, 0.8 * box_h]), f"{where}.size_range", fail, positive=True)
    spacing_range = _pair(d.get("spacing_range", [0, 0]), f"{where}.spacing_range", fail)
    strength = _pair(d.get("strength_range", [0.8, 1.0]), f"{where}.strength_range", fail, positive=True)
    if strength[1] > 1:
        fail(f"{where}.strength_range", f"= {list(strength)}; expected values in (0, 1]")
    color = d.get("color", "#1a1a1a")
    if not isinstance(color, str) or not _HEX.match(color):
        fail(f"{where}.color", f"= {color!r}; expected a hex colour like \"#1a1a2e\" (quote it in YAML)")
    align = d.get("align", "left")
    if align not in ALIGNS:
        fail(f"{where}.align", f"= {align!r}; expected one of {', '.join(ALIGNS)}")
    jitter, offset = d.get("color_jitter", 12), d.get("offset_px", 2.0)
    if not isinstance(jitter, int) or not 0 <= jitter <= 255:
        fail(f"{where}.color_jitter", f"= {jitter!r}; expected an integer 0..255")
    if not isinstance(offset, int | float) or offset < 0:
        fail(f"{where}.offset_px", f"= {offset!r}; expected a number >= 0")
    code, style, bold, text = d.get("code"), d.get("style"), d.get("bold_px", 0.0), d.get("text")
    if style is not None and not isinstance(style, str | int):
        fail(f"{where}.style", f"= {style!r}; expected a name shared by the fields printed alike, e.g. body")
    if not isinstance(bold, int | float) or isinstance(bold, bool) or not 0 <= bold <= 0.3 * box_h:
        fail(f"{where}.bold_px", f"= {bold!r}; expected a number of pixels in 0..{0.3 * box_h:.0f} (0.3 x the box "
             "height) to thicken strokes by")
    if text is not None and not isinstance(text, str | int | float):
        fail(f"{where}.text", f"= {text!r}; expected the value printed on the photo, as a string")
    return FieldSpec(
        name=name, box=(x0, y0, x1, y1), generator=str(d["generator"]), same_as=d.get("same_as"),
        code=None if code is None else str(code), print_code=bool(d.get("print_code", True)),
        fonts=tuple(resolved), size_range=size_range, spacing_range=spacing_range,
        color=tuple(int(color[i:i + 2], 16) for i in (1, 3, 5)), color_jitter=jitter,
        strength_range=strength, align=align, offset_px=float(offset), uppercase=bool(d.get("uppercase", False)),
        style=None if style is None else str(style), bold_px=float(bold), text=None if text is None else str(text),
    )


def _pair(value, key, fail, positive=False, ordered=True) -> tuple[float, float]:
    if (not isinstance(value, list | tuple) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        fail(key, f"= {value!r}; expected two numbers [lo, hi]")
    lo, hi = float(value[0]), float(value[1])
    if ordered and lo > hi:
        fail(key, f"= {list(value)}; expected lo <= hi; swap them")
    if positive and lo <= 0:
        fail(key, f"= {list(value)}; expected numbers > 0")
    return lo, hi
