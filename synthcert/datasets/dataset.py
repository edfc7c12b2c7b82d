"""Whole datasets on disk: `write_dataset` (samples -> images and label files) and `read_dataset` (back).

Dataset-file stage: this module picks formats and file names and delegates every byte of label text to
the format modules, listed once in `LABEL_FORMATS` (a new format is a module with a `FORMAT` and one
entry there). It never renders and never judges geometry (see check.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from synthcert.datasets import coco, jsonl, yolo_obb
from synthcert.datasets.layout import (
    IMAGE_FORMATS,
    INFO_FILE,
    DatasetInfo,
    atomic_write,
    encode_image,
    image_file,
    prepare_output_dir,
    synthcert_version,
    write_new,
)
from synthcert.datasets.records import DatasetSamples, LabelFormat, LabelRecord
from synthcert.errors import ConfigError, DatasetError
from synthcert.samples import Sample

# Every label format, in the order they are written and listed in dataset.yaml.
LABEL_FORMATS: dict[str, LabelFormat] = {f.name: f for f in (coco.FORMAT, yolo_obb.FORMAT, jsonl.FORMAT)}
FORMATS = tuple(LABEL_FORMATS)
BY_RANK = sorted(LABEL_FORMATS.values(), key=lambda f: f.rank)  # the order a reader prefers them in


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
        >>> import tempfile
        >>> from synthcert import Renderer
        >>> r = Renderer()
        >>> root = write_dataset([r.render(i, seed=0) for i in range(2)], tempfile.mkdtemp())
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
        write_new(root / file, encode_image(sample.image, image_format))
        records.append(LabelRecord.from_sample(sample, file))
    names = sorted({n for r in records for n in r.fields}.union(names or ()))
    info = DatasetInfo(tuple(names), formats, image_format, synthcert_version())
    write_annotations(records, root, info)
    return root


def write_annotations(records: Sequence[LabelRecord], root: Path, info: DatasetInfo) -> None:
    """Writes the label files of `info.formats` for `records`, then `dataset.yaml` (last: it marks completion)."""
    join_annotations([annotation_parts(records, root, info)], root, info)


def annotation_parts(records: Sequence[LabelRecord], root: Path, info: DatasetInfo) -> dict[str, object]:
    """Returns each format's part for some records (the costly work; render workers do it for their chunk)."""
    return {name: LABEL_FORMATS[name].part(records, root, info.names) for name in info.formats}


def join_annotations(parts: Sequence[dict[str, object]], root: Path, info: DatasetInfo) -> None:
    """Joins the parts of consecutive records into the label files, then writes `dataset.yaml` (last: it marks
    completion)."""
    for name in info.formats:
        LABEL_FORMATS[name].join([p[name] for p in parts], root, info.names)
    atomic_write(root / INFO_FILE, info.to_yaml())


def read_dataset(
    path: str | Path, format: str | None = None, categories: Mapping[str, str] | None = None
) -> DatasetSamples:
    """Reads a dataset (ours, or a real one exported from CVAT or Label Studio) as typed samples.

    The result is a lazy sequence: it holds the labels' locations, and `samples[i]` parses one image's
    labels and decodes its pixels, so reading 5000 images costs no memory until they are used.

    Args:
        path: a dataset directory, or its coco JSON / manifest.jsonl file.
        format: coco, yolo-obb or jsonl; None picks what `detect_format` finds.
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
    if format not in LABEL_FORMATS:
        raise DatasetError(f"format = {format!r}; expected one of {', '.join(FORMATS)}", path)
    return LABEL_FORMATS[format].read(path, categories)


def detect_format(path: Path) -> str:
    """Returns the format of a label file (by its suffix) or of a dataset directory (the first of `BY_RANK`
    it holds: manifest.jsonl, else a COCO file (coco.json, annotations/*.json, *.json), else labels/)."""
    if path.is_file():
        found = [f for f in BY_RANK if f.suffix == path.suffix]
        if not found:
            files = " nor ".join(f"a {f.name} ({f.suffix})" for f in BY_RANK if f.suffix)
            raise DatasetError(f"is neither {files} file; give one or the dataset folder", path)
        return found[0].name
    found = [f for f in BY_RANK if f.detect(path)]
    if not found:
        *most, last = (f.files for f in BY_RANK)
        raise DatasetError(f"holds no dataset; expected {', '.join(most)} or {last}", path)
    return found[0].name


def check_formats(formats: Sequence[str], image_format: str) -> tuple[str, ...]:
    """Returns the formats in canonical order; a ConfigError for an unknown or missing one."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ConfigError(f"= {list(formats)}; expected some of {', '.join(FORMATS)}", field="formats")
    if image_format not in IMAGE_FORMATS:
        raise ConfigError(f"= {image_format!r}; expected one of {', '.join(IMAGE_FORMATS)}", field="image_format")
    return tuple(f for f in FORMATS if f in formats)
