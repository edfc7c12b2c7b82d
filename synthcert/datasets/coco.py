"""COCO keypoints: read and write `coco.json`. Dataset-file stage: labels only, no pixels, no geometry checks.

Written files: image and annotation ids are 1-based in dataset order; one category per field name, ids
1-based in sorted name order (the same order as the YOLO-OBB classes); keypoints top_left, top_right,
bottom_right, bottom_left with a closed skeleton. Each corner is written as [x, y, v] with v = 2 when it
lies in the image and v = 1 when it is labelled but outside the image; a labelled corner never gets
v = 0, so a visible corner at (0, 0) is [0.0, 0.0, 2]. Floats are written as Python's shortest repr,
which reads back bit for bit. Images also carry synthcert's `template`, `seed` and `index`.

Read files may come from CVAT or Label Studio: every category with 4 keypoints is a field (keypoints
named top_left ... bottom_left in any order are put in reading order; otherwise their order is taken
as TL, TR, BR, BL); other categories are ignored. v > 0 means labelled, even at (0, 0); v = 2 is read as
visible. `file_name` may be relative to the file's folder or to an `images/` folder next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from synthcert.datasets.layout import (
    COCO_FILE,
    IMAGE_DIR,
    atomic_write,
    json_string,
    json_text,
    parse_json,
    synthcert_version,
)
from synthcert.datasets.quads import flat_bbox_xywh, flat_signed_area
from synthcert.datasets.records import DatasetSamples, LabelFormat, LabelRecord, field_names, make_label, name_id
from synthcert.errors import DatasetError
from synthcert.samples import CORNER_NAMES

SKELETON = [[1, 2], [2, 3], [3, 4], [4, 1]]
DESCRIPTION = "synthcert: synthetic photos of vehicle registration certificates"


def coco_part(records: Sequence[LabelRecord], root: Path, names: Sequence[str]) -> list[tuple[bytes, int, bytes]]:
    """Returns per record its image object, its number of annotations and its annotation objects, as UTF-8 JSON
    text with `%d` where `join_coco` puts the ids: the costly part of writing, done by render workers for their
    chunk, so that the parent (serial with several workers) only formats bytes, one call per image."""
    category_ids = {name: i + 1 for i, name in enumerate(names)}
    part = []
    for record in records:
        w, h = record.size_wh
        image = {"file_name": record.file, "width": w, "height": h,
                 "template": record.template, "seed": record.seed, "index": record.index}
        annotations = [_annotation(category_ids[name], record.fields[name], record.corner_reprs[name])
                       for name in sorted(record.fields, key=lambda n: name_id(category_ids, n))]
        part.append((f'{{"id":%d,{_literal(json_text(image)[1:-1])}}}'.encode(), len(annotations),
                     ",\n".join(annotations).encode()))
    return part


def _annotation(category_id: int, label, spelled: list[str]) -> str:
    """One annotation as JSON text with `%d` for its id and image id (`coco_part`), the numbers spelled as
    `json_text` spells them (repr) but without building a dict per field: a dozen fields per image made this
    most of writing the labels.

    `spelled` is the corners' repr x0, y0, x1, ... (`LabelRecord.corner_reprs`). The box's left and top are
    the first corner coordinates equal to the minimum, which `min` returns, so they reuse those spellings.
    """
    x0, y0, x1, y1, x2, y2, x3, y3 = spelled
    v0, v1, v2, v3 = ("2" if seen else "1" for seen in label.visible.tolist())
    xy = label.corners.ravel().tolist()
    left, top, width, height = flat_bbox_xywh(xy)
    box = f"{spelled[2 * xy[0::2].index(left)]},{spelled[2 * xy[1::2].index(top) + 1]},{width!r},{height!r}"
    return (f'{{"id":%d,"image_id":%d,"category_id":{category_id},'
            f'"keypoints":[{x0},{y0},{v0},{x1},{y1},{v1},{x2},{y2},{v2},{x3},{y3},{v3}],'
            f'"num_keypoints":4,"bbox":[{box}],'
            f'"area":{abs(flat_signed_area(xy))!r},"segmentation":[[{",".join(spelled)}]],"iscrowd":0,'
            f'"text":{_literal(json_string(label.text))}}}')


def join_coco(parts: Sequence[list[tuple[bytes, int, bytes]]], root: Path, names: Sequence[str]) -> Path:
    """Numbers the images and annotations of `parts` (in dataset order) and writes `root/coco.json` atomically."""
    images, annotations = [], []
    next_id = 1
    for image, count, image_annotations in (entry for part in parts for entry in part):
        image_id = len(images) + 1
        images.append(image % image_id)
        if count:
            ids = [image_id] * (2 * count)  # annotation id, image id, annotation id, ...
            ids[0::2] = range(next_id, next_id + count)
            annotations.append(image_annotations % tuple(ids))
            next_id += count
    categories = [{"id": i + 1, "name": name, "supercategory": "field", "keypoints": list(CORNER_NAMES),
                   "skeleton": SKELETON} for i, name in enumerate(names)]
    sections = {"info": json_text({"description": DESCRIPTION, "synthcert_version": synthcert_version()}).encode(),
                "licenses": _lines([]), "categories": _lines([json_text(c).encode() for c in categories]),
                "images": _lines(images), "annotations": _lines(annotations)}
    path = Path(root) / COCO_FILE
    atomic_write(path, b"{" + b",\n".join(json_text(k).encode() + b":" + v for k, v in sections.items()) + b"}\n")
    return path


def find_coco_file(root: Path) -> Path | None:
    """Returns the COCO file of a dataset directory: coco.json, else annotations/*.json (CVAT), else *.json."""
    root = Path(root)
    candidates = [root / COCO_FILE, *sorted((root / "annotations").glob("*.json")), *sorted(root.glob("*.json"))]
    return next((p for p in candidates if p.is_file()), None)


def read_coco(path: str | Path, categories: Mapping[str, str] | None = None) -> DatasetSamples:
    """Reads a COCO keypoints file (ours, or a CVAT / Label Studio export) as lazily loaded samples.

    Args:
        path: the JSON file, or a dataset directory holding one (see `find_coco_file`).
        categories: category name -> field name, e.g. {"plate": "registration_number"}; without it a
            foreign file's single 4-keypoint category is the registration number and other names are kept.

    Returns:
        DatasetSamples; parsing an image's annotations and decoding its pixels happen on access.

    Raises:
        DatasetError: the file is missing, is not JSON, or lacks images/annotations/4-keypoint categories.
    """
    path = Path(path)
    if path.is_dir():
        found = find_coco_file(path)
        if found is None:
            raise DatasetError(f"has no {COCO_FILE} or annotations/*.json; give the COCO file itself", path)
        path = found
    try:
        data = parse_json(path.read_text(encoding="utf-8"), path)
    except OSError as e:
        raise DatasetError(f"cannot read ({e.strerror}); give an existing COCO JSON file", path) from None
    for key in ("images", "annotations", "categories"):
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            raise DatasetError(f"has no list '{key}'; expected a COCO keypoints file", path, key)
    cats = {c.get("id"): c for c in data["categories"] if len(c.get("keypoints") or ()) == 4}
    if not cats:
        raise DatasetError(f"has no category with 4 keypoints; expected keypoints {list(CORNER_NAMES)}", path,
                           "categories")
    ours = "synthcert_version" in (data.get("info") or {})
    cat_names = {cid: str(c.get("name", cid)) for cid, c in cats.items()}
    renamed = field_names(list(cat_names.values()), categories, ours, str(path))
    fields = {cid: (renamed[cat_names[cid]], _reading_order(c["keypoints"])) for cid, c in cats.items()}
    root = path.parent.parent if path.parent.name == "annotations" else path.parent
    known = {c.get("id") for c in data["categories"]}
    by_image: dict[object, list] = {im.get("id"): [] for im in data["images"]}
    for k, ann in enumerate(data["annotations"]):
        if ann.get("category_id") not in known:
            raise DatasetError(f"= {ann.get('category_id')!r} is not the id of any category; fix the export", path,
                               f"annotations[{k}].category_id")
        if ann.get("category_id") not in fields:
            continue  # a category without 4 keypoints (e.g. a box) is not a corner label
        if ann.get("image_id") not in by_image:
            raise DatasetError(f"= {ann.get('image_id')!r} is not the id of any image; fix the export", path,
                               f"annotations[{k}].image_id")
        by_image[ann["image_id"]].append((k, ann))
    entries = [(_image_file(root, path.parent, im.get("file_name", "")), (i, im, by_image[im.get("id")], fields,
                                                                          str(path)))
               for i, im in enumerate(data["images"])]
    return DatasetSamples(root, "coco", entries, _parse)


def _parse(root: Path, entry) -> LabelRecord:
    file, (i, image, annotations, fields, where) = entry
    try:
        size_wh = (int(image["width"]), int(image["height"]))
    except (KeyError, TypeError, ValueError):
        raise DatasetError("has no integer width and height; fix the export", where, f"images[{i}]") from None
    labels = {}
    for k, ann in annotations:
        name, order = fields[ann["category_id"]]
        at = f"annotations[{k}].keypoints"
        kp = ann.get("keypoints")
        if not isinstance(kp, list) or len(kp) != 12 or not all(isinstance(c, int | float) for c in kp):
            raise DatasetError(f"= {kp!r}; expected 12 numbers: x, y, v for each of {', '.join(CORNER_NAMES)}",
                               where, at)
        xyv = np.asarray(kp, dtype=np.float64).reshape(4, 3)[order]
        for corner, v in zip(CORNER_NAMES, xyv[:, 2], strict=True):
            if v not in (1, 2):
                meaning = " (not labelled)" if v == 0 else ""
                raise DatasetError(f"{corner} has v = {v:g}{meaning}; expected 2 (visible) or 1 (labelled, outside "
                                   "the image); label all four corners", where, at)
        if name in labels:
            raise DatasetError(f"is a second {name} in image {image.get('id')}; expected at most one per image",
                               where, f"annotations[{k}]")
        labels[name] = make_label(str(ann.get("text", "")), xyv[:, :2], xyv[:, 2] == 2, where, at)
    return LabelRecord(file, size_wh, labels, str(image.get("template") or root.name), image.get("seed"),
                       image.get("index"))


def _reading_order(keypoint_names) -> list[int]:
    """Indices that put keypoints named top_left ... bottom_left in reading order; as given otherwise."""
    names = [str(n) for n in keypoint_names]
    return [names.index(c) for c in CORNER_NAMES] if set(names) == set(CORNER_NAMES) else [0, 1, 2, 3]


def _image_file(root: Path, json_dir: Path, file_name: str) -> str:
    """Finds `file_name` next to the JSON file or in an images/ folder; returns it relative to `root` if inside."""
    candidates = [d / file_name for d in (json_dir, json_dir / IMAGE_DIR, root, root / IMAGE_DIR)]
    path = next((p for p in candidates if p.is_file()), candidates[0])
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _lines(items: list[bytes]) -> bytes:
    """A JSON list of `items` (JSON text each) one per line, as coco.json lays out its lists."""
    return b"[\n" + b",\n".join(items) + b"\n]" if items else b"[]"


def _literal(text: str) -> str:
    """`text` inside a `%` template: a literal percent sign doubled."""
    return text.replace("%", "%%")


FORMAT = LabelFormat("coco", "a COCO file (coco.json, annotations/*.json)", ".json",
                     detect=lambda root: find_coco_file(root) is not None, read=read_coco,
                     part=coco_part, join=join_coco, rank=1, complete=True)
