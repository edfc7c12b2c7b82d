"""YOLO-OBB as Ultralytics reads it: `labels/*.txt`. Dataset-file stage: labels only, no pixels, no geometry checks.

One text file per image, named like the image with `images` replaced by `labels` and the suffix by
`.txt` (images/000017.jpg -> labels/000017.txt); one line per field:

    class x1 y1 x2 y2 x3 y3 x4 y4

with the corners TL, TR, BR, BL of the text divided by the image width and height, so the image spans
[0, 1] and 0.0 is a valid coordinate. Class i is `names[i]` of dataset.yaml, names sorted.

Precision: each value is written as Python's repr of x / W, the shortest decimal that reads back to the
same float64. The normalised value therefore round-trips bit for bit, and the pixel coordinate read back
(value * W) is within one ulp of W of the one written (under 2e-12 px below 8192 px); 0 and W come back
exactly. `%.10g` would be shorter but off by up to ~4e-7 px at 8192 px: no longer a round trip.

YOLO-OBB stores no visibility, text, template or address. A field with a corner outside the image is
not written (Ultralytics refuses coordinates outside [0, 1] and would drop the whole image); it stays in
coco.json and manifest.jsonl. Read labels get text "", every corner marked visible (the format claims
they all lie in the image, so `check` reports one outside [0, 1]), the folder's name as template, and
seed and index None.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from synthcert.datasets.layout import (
    IMAGE_DIR,
    INFO_FILE,
    LABEL_DIR,
    READABLE_SUFFIXES,
    image_size,
    write_new,
)
from synthcert.datasets.records import DatasetSamples, LabelFormat, LabelRecord, field_names, make_label, name_id
from synthcert.errors import DatasetError
from synthcert.yamlfile import read_yaml

NAME_FILES = (INFO_FILE, "data.yaml")
CLASSES_FILE = "classes.txt"  # Label Studio's and darknet's list of names


def label_file(image_file: str) -> str:
    """Returns the label file of an image as Ultralytics finds it: the last `images` folder becomes `labels`.

    Example:
        >>> label_file("images/train/000017.jpg")
        'labels/train/000017.txt'
    """
    folder, _, name = image_file.rpartition("/")
    dot = name.rfind(".")
    if folder == IMAGE_DIR and 0 < dot < len(name) - 1 and "\\" not in name:
        # synthcert's own image names (images/000017.jpg) with string operations, parted as pathlib parts them
        # below: with the Path objects of writing, pathlib was about a tenth of the cost of a label file.
        return f"{LABEL_DIR}/{name[:dot]}.txt"
    parts = list(Path(image_file).with_suffix(".txt").parts)
    last = len(parts) - 1 - parts[::-1].index(IMAGE_DIR) if IMAGE_DIR in parts else None
    if last is None:
        raise DatasetError(f"is not inside an {IMAGE_DIR}/ folder; YOLO-OBB pairs images/ with labels/", image_file)
    parts[last] = LABEL_DIR
    return Path(*parts).as_posix()


def write_yolo_obb(records: Sequence[LabelRecord], root: Path, names: Sequence[str]) -> None:
    """Writes one new label file per record (`write_new`); fields with a corner outside the image are left out.

    Args:
        records: the images' labels; `file` relative to `root` inside images/.
        root: the dataset directory.
        names: every field name, sorted; class i is names[i].
    """
    class_ids = {name: i for i, name in enumerate(names)}
    made: set[str] = set()
    for record in records:
        w, h = record.size_wh
        lines = []
        for name in sorted(record.fields, key=lambda n: name_id(class_ids, n)):
            label = record.fields[name]
            # Python bools and floats: the same test and IEEE divisions as numpy's, without its per-call cost.
            if all(label.visible.tolist()):
                (x0, y0), (x1, y1), (x2, y2), (x3, y3) = label.corners.tolist()
                lines.append(f"{class_ids[name]} {x0 / w!r} {y0 / h!r} {x1 / w!r} {y1 / h!r} "
                             f"{x2 / w!r} {y2 / h!r} {x3 / w!r} {y3 / h!r}\n")
        path = os.path.join(root, label_file(record.file))  # a str, for the same reason as in label_file
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        write_new(path, "".join(lines))


def read_yolo_obb(root: str | Path, categories: Mapping[str, str] | None = None) -> DatasetSamples:
    """Reads a YOLO-OBB dataset (images/ and labels/, as Ultralytics or Label Studio write it) as lazy samples.

    Class names come from dataset.yaml or data.yaml (`names:` as a list or a mapping), else classes.txt,
    else they are the class numbers. An image without a label file has no fields.

    Args:
        root: the dataset directory.
        categories: class name -> field name, e.g. {"0": "registration_number"}; without it a foreign
            dataset's single class is the registration number and other names are kept.

    Returns:
        DatasetSamples; label files and image headers are read on access.

    Raises:
        DatasetError: there is no images/ folder, or the names file is malformed.
    """
    root = Path(root)
    if not (root / IMAGE_DIR).is_dir():
        raise DatasetError(f"has no {IMAGE_DIR}/ folder; expected {IMAGE_DIR}/ and {LABEL_DIR}/ (YOLO-OBB)", root)
    files = sorted(p.relative_to(root).as_posix() for p in (root / IMAGE_DIR).rglob("*")
                   if p.suffix.lower() in READABLE_SUFFIXES)
    labels = [label_file(f) for f in files]
    names, ours = _class_names(root)
    if names is None:
        found = {line.split()[0] for f in labels if (root / f).is_file()
                 for line in (root / f).read_text(encoding="utf-8").splitlines() if line.strip()}
        names = {int(k): k for k in found if k.isdigit()}
    renamed = field_names([names[k] for k in sorted(names)], categories, ours, str(root))
    classes = {k: renamed[v] for k, v in names.items()}
    return DatasetSamples(root, "yolo-obb", [(f, (lab, classes)) for f, lab in zip(files, labels, strict=True)],
                          _parse)


def _parse(root: Path, entry) -> LabelRecord:
    file, (label, classes) = entry
    size_wh = image_size(root / file)
    path = root / label
    fields = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            tokens = [float(t) for t in line.split()]
        except ValueError:
            tokens = []
        if len(tokens) != 9 or not tokens[0].is_integer():
            raise DatasetError(f"= {line!r}; expected 'class x1 y1 x2 y2 x3 y3 x4 y4' (an integer and 8 numbers)",
                               path, where)
        name = classes.get(int(tokens[0]))
        if name is None:
            raise DatasetError(f"class {int(tokens[0])} is not in the names {classes}; fix the class or the names",
                               path, where)
        if name in fields:
            raise DatasetError(f"is a second {name}; expected at most one per image", path, where)
        corners = np.asarray(tokens[1:]).reshape(4, 2) * np.asarray(size_wh, dtype=np.float64)
        fields[name] = make_label("", corners, np.ones(4, bool), str(path), where)
    return LabelRecord(file, size_wh, fields, root.name)


def _class_names(root: Path) -> tuple[dict[int, str] | None, bool]:
    """Returns (class id -> name, written by synthcert) from the dataset's YAML or classes.txt."""
    for name in NAME_FILES:
        if (root / name).is_file():
            data = read_yaml(root / name, DatasetError, expected="a YAML mapping")
            names = data.get("names")
            if isinstance(names, list):
                return dict(enumerate(str(n) for n in names)), "synthcert_version" in data
            if isinstance(names, dict) and all(isinstance(k, int) for k in names):
                return {k: str(v) for k, v in names.items()}, "synthcert_version" in data
            raise DatasetError(f"= {names!r}; expected a list of class names or a mapping id -> name",
                               root / name, "names")
    if (root / CLASSES_FILE).is_file():
        lines = (root / CLASSES_FILE).read_text(encoding="utf-8").splitlines()
        return dict(enumerate(line.strip() for line in lines if line.strip())), False
    return None, False


# Not complete: fields with a corner outside the image are not written.
FORMAT = LabelFormat("yolo-obb", f"{LABEL_DIR}/ next to {IMAGE_DIR}/", None,
                     detect=lambda root: (root / LABEL_DIR).is_dir(), read=read_yolo_obb, part=write_yolo_obb,
                     join=lambda parts, root, names: None,
                     rank=2, complete=False)
