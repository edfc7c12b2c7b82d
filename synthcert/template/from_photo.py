"""Make a template from one photo or scan of a real certificate (`synthcert template init`).

Authoring stage, run once per certificate type, before any rendering: find or take the document's four
corners, rectify it with one homography to a flat image, erase the printed values inside the given field
boxes by inpainting (the captions, guilloche and tint around them stay), measure each field's ink colour and
text height, and write `background.png` + `template.yaml` (docs/templates.md) that the user can edit.

No randomness here. Only the ink found inside the given boxes is removed: whatever personal data the photo
shows elsewhere stays in the background, so give a box for every value on the document.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np
import yaml

from synthcert.errors import TemplateError
from synthcert.template.erase import FieldInk, erase_field
from synthcert.template.fields_file import FieldBox, PhotoLayout, check_fields, load_layout
from synthcert.template.font_match import cap_metrics
from synthcert.template.lines import find_text_lines, skeleton_yaml
from synthcert.template.rectify import detect_document, draw_grid, read_photo, rectify_document, settle_corners
from synthcert.template.replay import REFERENCE
from synthcert.template.spec import SPEC_FILE, load_template
from synthcert.template.style import FieldStyle, choose_styles
from synthcert.text.countries import check_country
from synthcert.text.fonts import BUILTIN_FONTS, resolve_font
from synthcert.text.typeset import face, typeset

DEFAULT_FONTS = ("dejavu-sans", "liberation-sans", "dejavu-sans-mono", "liberation-mono", "ocrb")
"""Fonts of every field that names none: a mix of families, so that a detector does not learn one font."""
SIZE_SPREAD = 0.08  # size_range = measured size x (1 -/+ SIZE_SPREAD)
HEAVIEST_STROKE = 0.35  # stroke width / text height: the heaviest print is about 0.25; more is no text
__all__ = ["FieldBox", "PhotoLayout", "init_template", "load_layout", "rectify_photo"]  # the fields file's too


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
    overwrite: bool = False,
) -> Path:
    """Makes a template from one photo or scan of a real certificate.

    Use it once per certificate type; then render with `Renderer(templates=[out_dir])`.

    Args:
        photo: the photo or scan (any format OpenCV reads).
        out_dir: the template directory to write; a non-empty one only with `overwrite`, and then replaced
            as a whole once the new template is complete.
        corners_xy: (4, 2) document corners TL, TR, BR, BL in photo pixels (COCO), or None to find the
            document automatically (it must stand out from its background).
        fields: the fields to re-print, boxes in the rectified frame; must include `registration_number`.
        width_px: width of the flat document in pixels; the height follows from the corners (or `size_mm`).
        country: ISO 3166 alpha-2 code; picks the registration-number format and the names' locale.
        name: template name; the directory's name by default.
        size_mm: physical (width, height); when given, it sets the flat document's aspect ratio.
        country_source: the fields file that gave `country`, for error messages (None: `--country`).
        overwrite: replace a non-empty `out_dir`.

    Returns:
        `out_dir`, holding `background.png` and `template.yaml`.

    Raises:
        TemplateError: the photo is unreadable, no document is found, or a field is invalid.

    Example:
        >>> init_template("voc.jpg", "my-voc", fields=[FieldBox("registration_number", (330, 120, 560, 160),
        ...               "plate")], country="MY")  # doctest: +SKIP
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())) and not overwrite:
        raise TemplateError("is not empty; pass --overwrite to replace it, or choose another -o", out_dir)
    image = read_photo(photo)
    country = _check_country(country, country_source)
    flat, corners_xy = _rectified(image, photo, corners_xy, width_px, size_mm)
    fields = check_fields(fields, flat.shape[1::-1], country, photo)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and moved into place at the end: a failure leaves no half-written template.
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        _write_template(work, flat, fields, photo, country, name or _safe_name(out_dir.resolve().name), size_mm)
        try:
            load_template(work)  # fails, naming the key, only when an option the user gave is invalid
        except TemplateError as e:
            raise TemplateError(str(e).replace(str(work), str(out_dir))) from None
        if out_dir.exists():
            old = work.with_name(work.name + ".old")
            out_dir.rename(old)
            work.rename(out_dir)
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        else:
            work.rename(out_dir)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return out_dir


def _write_template(out_dir: Path, flat: np.ndarray, fields, photo, country: str, name: str, size_mm) -> None:
    if any("text" in f.options for f in fields):  # the replay report compares with the photo's own values
        cv2.imwrite(str(out_dir / REFERENCE), cv2.cvtColor(flat, cv2.COLOR_RGB2BGR))
    fields = tuple(_with_copied_fonts(f, out_dir) for f in fields)
    inks = {}
    for f in fields:
        flat, ink = erase_field(flat, f.box)
        if ink.stroke_px and ink.text_height_px and ink.stroke_px > HEAVIEST_STROKE * ink.text_height_px:
            # Strokes this heavy are no letters (a marker redaction, a smear): erased, printed like a blank box.
            ink = FieldInk(color_rgb=None, text_height_px=None, ground_rgb=ink.ground_rgb)
        inks[f.name] = ink
    styles = choose_styles(inks, {f.name: str(f.options["text"]) for f in fields if "text" in f.options})
    if styles:  # a blank box (e.g. redacted) is printed in the style most values share
        names = [s.style or n for n, s in styles.items()]
        common = next(s for n, s in styles.items() if (s.style or n) == max(set(names), key=names.count))
        styles = {f.name: styles.get(f.name, common) for f in fields}
    specs = {f.name: _field_spec(f, _like_neighbours(inks[f.name], inks), styles.get(f.name), flat.shape[0],
                                 out_dir) for f in fields}
    cv2.imwrite(str(out_dir / "background.png"), cv2.cvtColor(flat, cv2.COLOR_RGB2BGR))
    spec = {"name": name, "country": country}
    if size_mm is not None:
        spec["size_mm"] = [float(v) for v in size_mm]
    spec.update(background="background.png", defaults={"print_code": False}, fields=specs)
    header = (f"# Made by `synthcert template init` from {Path(photo).name} ({flat.shape[1]}x{flat.shape[0]} px).\n"
              "# Measured: polarity and colour, size, font, style and stroke of each field. Edit freely; see "
              "docs/templates.md.\n")
    (out_dir / SPEC_FILE).write_text(header + yaml.safe_dump(spec, sort_keys=False, default_flow_style=None))


def _with_copied_fonts(f: FieldBox, out_dir: Path) -> FieldBox:
    """Copies the font files a field names into the template; the spec then names them by file name."""
    fonts = f.options.get("fonts")
    if fonts is None or isinstance(fonts, str) and fonts in BUILTIN_FONTS:
        return f
    names = []
    for font in [fonts] if isinstance(fonts, str) else fonts:
        if str(font) in BUILTIN_FONTS or not Path(font).is_file():
            names.append(str(font))  # a name load_template will judge
            continue
        shutil.copyfile(font, out_dir / Path(font).name)
        names.append(Path(font).name)
    return dataclasses.replace(f, options={**f.options, "fonts": names})


def write_skeleton(
    photo: str | Path,
    out_path: str | Path,
    corners_xy=None,
    width_px: int = 1000,
    size_mm: tuple[float, float] | None = None,
    overwrite: bool = False,
) -> tuple[Path, int]:
    """Writes a fields-file skeleton: one box per printed line of the rectified photo (lines.find_text_lines).

    The user then deletes the captions' lines, names the values' lines and marks the registration number.

    Returns:
        The path written and the number of lines in it.

    Raises:
        TemplateError: the photo is unreadable, no document is found, or `out_path` exists (without overwrite).
    """
    out_path = Path(out_path)
    if out_path.exists() and not overwrite:
        raise TemplateError("exists; pass --overwrite to replace it, or choose another --skeleton", out_path)
    flat, corners_xy = _rectified(read_photo(photo), photo, corners_xy, width_px, size_mm)
    lines = find_text_lines(flat)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    corners = ", ".join(f"{v:.1f}" for v in np.ravel(corners_xy))
    out_path.write_text(f"corners: [{corners}]\nwidth: {int(width_px)}\n" + skeleton_yaml(lines, Path(photo).name))
    return out_path, len(lines)


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
    flat, corners_xy = _rectified(read_photo(photo), photo, corners_xy, width_px, size_mm)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out_path), cv2.cvtColor(draw_grid(flat) if grid else flat, cv2.COLOR_RGB2BGR))
    return out_path, corners_xy


# --- helpers --------------------------------------------------------------------------------------------


def _rectified(image: np.ndarray, photo, corners_xy, width_px: int, size_mm) -> tuple[np.ndarray, np.ndarray]:
    """The flat document of `image` (read from `photo`) and the (4, 2) corners used: the given ones refined to
    the document's edges, or the document found when none are given."""
    aspect = _aspect_from_mm(size_mm)
    if corners_xy is None:
        corners_xy = detect_document(image, photo, aspect=aspect)
    else:
        corners_xy = settle_corners(image, corners_xy)
    flat, _ = rectify_document(image, corners_xy, width_px, aspect)
    return flat, np.asarray(corners_xy, np.float64).reshape(4, 2)


def _aspect_from_mm(size_mm) -> float | None:
    return None if size_mm is None else float(size_mm[1]) / float(size_mm[0])


def _field_spec(f: FieldBox, ink: FieldInk, style: FieldStyle | None, doc_h: int, out_dir: Path) -> dict:
    fonts = f.options.get("fonts", style.fonts if style else DEFAULT_FONTS)
    fonts = [fonts] if isinstance(fonts, str) else [str(n) for n in fonts]
    box = list(f.box)
    spec = {"box": box, "generator": f.generator, "fonts": fonts}
    if not f.generator:  # a copy (same_as) takes its generator from the field it repeats
        del spec["generator"]
    if style is not None and style.style is not None:
        spec["style"] = style.style
    if ink.text_height_px:
        # Measure with the field's fonts (built-in, or files now in the template).
        paths = ([p for p in (resolve_font(n, out_dir) for n in fonts) if p]
                 or [resolve_font(n) for n in DEFAULT_FONTS])
        size = ink.text_height_px / np.mean([cap_metrics(p)[0] for p in paths])
        if style is not None and "fonts" not in f.options:
            size = style.size_px  # one size for the whole style, as the card prints it
        spec["size_range"] = [round(float(size) * (1 - SIZE_SPREAD), 1), round(float(size) * (1 + SIZE_SPREAD), 1)]
        # The renderer centres the font's ascent + descent in the box; move the box so that the capitals'
        # middle lands where the printed line's middle was.
        below = np.mean([cap_metrics(p)[1] for p in paths]) * size
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
        spec["bold_px"] = min(style.bold_px, round(0.29 * (box[3] - box[1]), 1))  # within the spec's limit
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


def _check_country(country, source) -> str:
    reason = check_country(country)
    if reason:
        where = "--country" if source is None else "country"
        raise TemplateError(f"{reason}; set it with {'--country' if source is None else 'country:'}", source, where)
    return country.upper()


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-") or "from-photo"
