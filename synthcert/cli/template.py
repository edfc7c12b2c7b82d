"""`synthcert template ...`: make a template from a photo of a real certificate, and look at a template.

A thin shell: each command parses its options and calls one library function (synthcert.template.from_photo,
synthcert.template_show); `synthcert.cli.main` turns a SynthcertError into one line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from synthcert.errors import SynthcertError


@click.group()
def template():
    """Make a template from a photo of a real certificate, and check it (docs/real-photos.md)."""


_corners_option = click.option(
    "--corners", metavar="X1,Y1,...,X4,Y4",
    help="Document corners TL,TR,BR,BL in photo pixels; found automatically when left out.")
_width_option = click.option("--width", type=click.IntRange(64, 8192), default=None,
                             help="Width of the rectified document in pixels (default 1000).")
_size_option = click.option("--size-mm", metavar="W,H", help="Physical size; sets the document's aspect ratio.")
_fields_option = click.option(
    "--fields", "fields_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML fields file: fields (name -> box or mapping) and optional corners, width, country, size_mm, name.")


@template.command()
@click.argument("photo", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path), default="rectified.png", show_default=True,
              help="PNG to write.")
@_corners_option
@_width_option
@_size_option
@_fields_option
@click.option("--grid/--no-grid", default=True, show_default=True, help="Draw a labelled 50 px grid.")
def rectify(photo, out_path, corners, width, size_mm, fields_file, grid):
    """Rectify PHOTO to the flat frame that field boxes are measured in (keep the image private)."""
    from synthcert.template.from_photo import rectify_photo

    layout = _layout(fields_file)
    corners_xy = _corners(corners, layout)
    width = width or (layout and layout.width_px) or 1000
    path, used = rectify_photo(photo, out_path, corners_xy, width, _size(size_mm, layout), grid)
    click.echo(f"wrote {path}; corners {','.join(f'{v:.1f}' for v in used.ravel())}")


@template.command()
@click.argument("photo", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Template directory to write (required unless --skeleton).")
@click.option("--skeleton", "skeleton", type=click.Path(dir_okay=False, path_type=Path),
              help="Instead of a template, write a fields file with one box per printed line found, to edit.")
@_corners_option
@_fields_option
@click.option("--field", "field_options", multiple=True, metavar="NAME=X0,Y0,X1,Y1[:GENERATOR]",
              help="A field to erase and re-print, box in the rectified frame; repeat it. "
                   "registration_number is required.")
@_width_option
@click.option("--country", help="ISO 3166 alpha-2 code of the document (e.g. MY, DE, CZ).")
@click.option("--name", help="Template name (default: the directory's name).")
@_size_option
@click.option("--overwrite", is_flag=True, help="Replace OUT if it is not empty (only once the new template is done).")
def init(photo, out_dir, skeleton, corners, fields_file, field_options, width, country, name, size_mm, overwrite):
    """Make a template (background.png + template.yaml) from one PHOTO or scan of a real certificate."""
    from synthcert.template.fields_file import parse_field_option
    from synthcert.template.from_photo import init_template, write_skeleton
    from synthcert.template.spec import load_template
    from synthcert.text.countries import locale_note

    layout = _layout(fields_file)
    if skeleton is not None:
        path, count = write_skeleton(photo, skeleton, _corners(corners, layout),
                                     width or (layout and layout.width_px) or 1000, _size(size_mm, layout), overwrite)
        click.echo(f"wrote {path}: {count} printed lines; keep the values' lines, name them, mark the number's "
                   f"line registration_number, then: synthcert template init {photo} --fields {path} -o DIR")
        return
    if out_dir is None:
        raise click.UsageError("give -o DIR (the template to write), or --skeleton FILE")
    fields = {f.name: f for f in (layout.fields if layout else ())}
    fields.update({f.name: f for f in map(parse_field_option, field_options)})  # --field wins over the file
    out = init_template(
        photo, out_dir, _corners(corners, layout), list(fields.values()),
        width_px=width or (layout and layout.width_px) or 1000,
        country=country or (layout and layout.country), name=name or (layout and layout.name),
        size_mm=_size(size_mm, layout), country_source=None if country or not layout else fields_file,
        overwrite=overwrite,
    )
    spec = load_template(out)
    click.echo(locale_note(spec.country))
    _echo_replay(out)
    click.echo(f"wrote {out}; check it with: synthcert template show {out}")


@template.command()
@click.argument("template_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="PNG to write (default: TEMPLATE_DIR-show.png beside the directory).")
@click.option("-n", "--count", type=click.IntRange(0, 64), default=4, show_default=True, help="Random fillings.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True)
@click.option("--width", type=click.IntRange(64, 4096), default=640, show_default=True, help="Panel width.")
def show(template_dir, out_path, count, seed, width):
    """Draw TEMPLATE_DIR's field boxes and a few random fillings as one PNG contact sheet."""
    from synthcert.template_show import show_template

    out_path = out_path or template_dir.resolve().with_name(template_dir.resolve().name + "-show.png")
    path = show_template(template_dir, out_path, count, seed, width)
    _echo_replay(template_dir)
    click.echo(f"wrote {path}")


def _echo_replay(template_dir):
    from synthcert.template.replay import format_report, replay_template

    found = replay_template(template_dir)
    if found is None:
        click.echo("no field gives its printed `text`: add `text:` to a few fields for the replay report")
    else:
        click.echo("replay of the photo's own values (replay / photo; worst first):")
        click.echo(format_report(found[1]))


def _layout(fields_file):
    from synthcert.template.fields_file import load_layout

    return load_layout(fields_file) if fields_file else None


def _corners(text, layout):
    from synthcert.template.fields_file import parse_corners

    if text:
        return parse_corners(text, where="--corners")
    return None if layout is None else layout.corners_xy


def _size(text, layout):
    if text:
        try:
            w, h = (float(v) for v in text.split(","))
        except ValueError:
            raise SynthcertError(f"= {text!r}; expected W,H in millimetres, e.g. 85.6,54", field="--size-mm") from None
        return w, h
    return None if layout is None else layout.size_mm
