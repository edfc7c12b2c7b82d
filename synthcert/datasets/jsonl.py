"""The manifest, `manifest.jsonl`: everything a Sample holds but its pixels, one JSON line per image.

Dataset-file stage: labels only, no pixels, no geometry checks. The richest format and the one
`read_dataset` prefers: it keeps text, visibility, template, seed, index and the document-to-image
homography, so a sample can be re-rendered from its line alone. A line looks like

    {"file":"images/000017.jpg","width":384,"height":256,"template":"eu-id1-card","seed":0,"index":17,
     "image_from_doc":[[...],[...],[...]],"fields":{"registration_number":{"text":"1AB 2345",
     "corners":[[x,y],[x,y],[x,y],[x,y]],"visible":[true,true,true,true]}, ...}}

with corners TL, TR, BR, BL in COCO continuous pixel coordinates and floats as Python's shortest repr
(bit-exact round trip).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from synthcert.datasets.layout import MANIFEST_FILE, atomic_write, json_string, json_text, parse_json
from synthcert.datasets.records import DatasetSamples, LabelFormat, LabelRecord, make_label
from synthcert.errors import DatasetError


def jsonl_part(records: Sequence[LabelRecord]) -> bytes:
    """Returns the manifest lines of `records` as UTF-8; a manifest is its parts joined in order (encoded here, in
    the render workers, so that the parent only concatenates)."""
    lines = []
    for r in records:
        homography = None if r.image_from_doc is None else np.asarray(r.image_from_doc, dtype=np.float64).tolist()
        head = json_text({"file": r.file, "width": r.size_wh[0], "height": r.size_wh[1], "template": r.template,
                          "seed": r.seed, "index": r.index, "image_from_doc": homography})
        fields = ",".join(_field(name, f, r.corner_reprs[name]) for name, f in sorted(r.fields.items()))
        lines.append(f'{head[:-1]},"fields":{{{fields}}}}}\n')
    return "".join(lines).encode()


def _field(name: str, label, spelled: list[str]) -> str:
    """One field as `json_text` spells it, from the corners' repr (`LabelRecord.corner_reprs`, shared with COCO)
    and without building its dicts."""
    x0, y0, x1, y1, x2, y2, x3, y3 = spelled
    visible = ",".join("true" if seen else "false" for seen in label.visible.tolist())
    return (f'{json_string(name)}:{{"text":{json_string(label.text)},'
            f'"corners":[[{x0},{y0}],[{x1},{y1}],[{x2},{y2}],[{x3},{y3}]],"visible":[{visible}]}}')


def _join(parts: Sequence[bytes], root: Path) -> Path:
    path = Path(root) / MANIFEST_FILE
    atomic_write(path, b"".join(parts))
    return path


def read_jsonl(path: str | Path) -> DatasetSamples:
    """Reads a manifest (the file, or a dataset directory holding `manifest.jsonl`) as lazily loaded samples.

    Raises:
        DatasetError: the file is missing; a malformed line is reported when its sample is accessed.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise DatasetError(f"cannot read ({e.strerror}); give a manifest.jsonl", path) from None
    entries = [(_file_of(line), (n, line, str(path))) for n, line in enumerate(lines, start=1) if line.strip()]
    return DatasetSamples(path.parent, "jsonl", entries, _parse)


def _file_of(line: str) -> str:
    """The image file of a line, found without failing: a bad line is reported when it is parsed."""
    try:
        return str(parse_json(line, Path()).get("file", ""))
    except (DatasetError, AttributeError):
        return ""


def _parse(root: Path, entry) -> LabelRecord:
    file, (n, line, where) = entry
    at = f"line {n}"
    d = parse_json(line, where, at)
    try:
        fields = {name: make_label(str(f["text"]), f["corners"], f["visible"], where, f"{at}.fields.{name}")
                  for name, f in d["fields"].items()}
        homography = d.get("image_from_doc")
        return LabelRecord(file, (int(d["width"]), int(d["height"])), fields, str(d["template"]), d.get("seed"),
                           d.get("index"), None if homography is None else np.asarray(homography, dtype=np.float64))
    except DatasetError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise DatasetError(f"missing or malformed key ({e!r}); expected file, width, height, template and fields "
                           "with text, corners, visible", where, at) from None


# A manifest keeps synthcert's field names as they are and needs no class ids: neither `categories`
# nor `names` applies.
FORMAT = LabelFormat("jsonl", MANIFEST_FILE, ".jsonl",
                     detect=lambda root: (root / MANIFEST_FILE).is_file(),
                     read=lambda path, categories: read_jsonl(path),
                     part=lambda records, root, names: jsonl_part(records),
                     join=lambda parts, root, names: _join(parts, root), rank=0, complete=True)
