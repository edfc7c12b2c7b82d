"""Whole datasets on disk: `write_dataset` (samples -> images and label files) and `read_dataset` (back).

Dataset-file stage: this module picks formats and file names and delegates every byte of label text to
coco.py, yolo_obb.py and jsonl.py. It never renders and never judges geometry (see check.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from synthcert.datasets.coco import find_coco_file, read_coco, write_coco
from synthcert.datasets.jsonl import read_jsonl, write_jsonl
from synthcert.datasets.layout import (
    FORMATS,
    IMAGE_FORMATS,
    INFO_FILE,
    LABEL_DIR,
    MANIFEST_FILE,
    DatasetInfo,
    atomic_write,
    encode_image,
    image_file,
    prepare_output_dir,
    synthcert_version,
)
from synthcert.datasets.records import DatasetSamples, LabelRecord
from synthcert.datasets.yolo_obb import read_yolo_obb, write_yolo_obb
from synthcert.errors import ConfigError, DatasetError
from synthcert.samples import Sample


def write_dataset(
    samples: Iterable[Sample],
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    image_format: str = "jpg",
    names: Iterable[str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Writes samples as a dataset directory: images/, then the label files, then dataset.yaml.

    Use it to save samples you rendered or read yourself, e.g. to convert a CVAT export to YOLO-OBB;
    `synthcert.datasets.render_dataset` renders many samples in parallel instead. Image i is named after
    `sample.index` (its position when the index is None), zero-padded to at least six digits.

    Args:
        samples: the samples, in dataset order.
        out_dir: the dataset directory; created if needed, refused if not empty unless `overwrite`.
        formats: any of coco, yolo-obb, jsonl.
        image_format: jpg (quality 95) or png (lossless).
        names: every field name the dataset may hold (fixes the class ids); None for those in `samples`.
        overwrite: replace the dataset in a non-empty `out_dir`.

    Returns:
        The dataset directory.

    Raises:
        ConfigError: an unknown format or image format.
        DatasetError: `out_dir` is not empty or not writable, or two samples share an index.

    Example:
        >>> from synthcert import Renderer
        >>> r = Renderer()
        >>> root = write_dataset([r.render(i, seed=0) for i in range(2)], "/tmp/two", overwrite=True)
        >>> len(read_dataset(root))
        2
    """
    formats = check_formats(formats, image_format)
    root = prepare_output_dir(out_dir, overwrite)
    records: list[LabelRecord] = []
    seen: set[str] = set()
    for position, sample in enumerate(samples):
        index = position if sample.index is None else sample.index
        file = image_file(index, index, image_format)
        if file in seen:
            raise DatasetError(f"two samples have index {index}; give every sample its own index", root, "samples")
        seen.add(file)
        atomic_write(root / file, encode_image(sample.image, image_format))
        records.append(LabelRecord.from_sample(sample, file))
    names = sorted({n for r in records for n in r.fields}.union(names or ()))
    info = DatasetInfo(tuple(names), formats, image_format, synthcert_version())
    write_annotations(records, root, info)
    return root


def write_annotations(records: Sequence[LabelRecord], root: Path, info: DatasetInfo) -> None:
    """Writes the label files of `info.formats` for `records`, then `dataset.yaml` (last: it marks completion)."""
    if "coco" in info.formats:
        write_coco(records, root, info.names)
    if "yolo-obb" in info.formats:
        write_yolo_obb(records, root, info.names)
    if "jsonl" in info.formats:
        write_jsonl(records, root)
    atomic_write(root / INFO_FILE, info.to_yaml())


def read_dataset(
    path: str | Path, format: str | None = None, categories: Mapping[str, str] | None = None
) -> DatasetSamples:
    """Reads a dataset (ours, or a real one exported from CVAT or Label Studio) as typed samples.

    The result is a lazy sequence: it holds the labels' locations, and `samples[i]` parses one image's
    labels and decodes its pixels, so reading 5000 images costs no memory until they are used.

    Args:
        path: a dataset directory, or its coco JSON / manifest.jsonl file.
        format: coco, yolo-obb or jsonl; None picks manifest.jsonl, else a COCO file (coco.json,
            annotations/*.json, *.json), else labels/ (YOLO-OBB).
        categories: COCO category / YOLO class name -> field name, e.g. {"plate": "registration_number"}.

    Returns:
        DatasetSamples of `Sample`s (RGB uint8 images; `source` is the image file).

    Raises:
        DatasetError: nothing readable at `path`, or malformed label files.
    """
    path = Path(path)
    if not path.exists():
        raise DatasetError("no such file or directory; give a dataset directory or its label file", path)
    format = format or detect_format(path)
    if format == "jsonl":
        return read_jsonl(path)
    if format == "coco":
        return read_coco(path, categories)
    if format == "yolo-obb":
        return read_yolo_obb(path, categories)
    raise DatasetError(f"format = {format!r}; expected one of {', '.join(FORMATS)}", path)


def detect_format(path: Path) -> str:
    """Returns the format a dataset directory or label file is in; see `read_dataset`."""
    if path.is_file():
        if path.suffix not in (".json", ".jsonl"):
            raise DatasetError("is neither a COCO .json nor a manifest .jsonl; give one or the dataset folder", path)
        return "coco" if path.suffix == ".json" else "jsonl"
    if (path / MANIFEST_FILE).is_file():
        return "jsonl"
    if find_coco_file(path) is not None:
        return "coco"
    if (path / LABEL_DIR).is_dir():
        return "yolo-obb"
    raise DatasetError(f"holds no dataset; expected {MANIFEST_FILE}, a COCO file (coco.json, annotations/*.json) "
                       f"or {LABEL_DIR}/ next to images/", path)


def check_formats(formats: Sequence[str], image_format: str) -> tuple[str, ...]:
    """Returns the formats in canonical order; a ConfigError for an unknown or missing one."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ConfigError(f"= {list(formats)}; expected some of {', '.join(FORMATS)}", field="formats")
    if image_format not in IMAGE_FORMATS:
        raise ConfigError(f"= {image_format!r}; expected one of {', '.join(IMAGE_FORMATS)}", field="image_format")
    return tuple(f for f in FORMATS if f in formats)
