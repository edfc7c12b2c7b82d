"""What the dataset formats exchange: label records (a Sample without its pixels), lazy sample sequences and
the `LabelFormat` each format module provides.

Format modules turn files into `LabelRecord`s and back; this module turns records into `Sample`s. It
decodes images only on access and never renders, draws or validates geometry (that is `check.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from synthcert.datasets.layout import load_image
from synthcert.errors import DatasetError
from synthcert.samples import TARGET, FieldLabel, Sample

if TYPE_CHECKING:  # reading a dataset needs no renderer
    from synthcert.pipeline import RenderTrace


@dataclass(frozen=True)
class LabelFormat:
    """A label format: what one format module provides, registered once in `dataset.LABEL_FORMATS`.

    Attributes:
        name: as given to `formats=`, `read_dataset(format=)` and `--format`.
        files: what its files are, for messages, e.g. "manifest.jsonl".
        suffix: a label file with this suffix is in this format; None if the format is a folder only.
        detect: dataset directory -> whether it holds this format's files.
        read: (directory or label file, categories or None) -> DatasetSamples.
        part: (records, dataset directory, every field name sorted) -> a picklable part: the costly work of
            writing those records (render workers do it for their chunk, and may write per-image files).
        join: (parts in dataset order, dataset directory, every field name sorted) -> None; writes what is
            left, cheaply: every byte of the format's files is then on disk.
        rank: when a directory holds several formats, `read_dataset` reads the lowest rank (the one keeping
            the most of a record).
        complete: reading gives back every field of every record written, so `merge_datasets` can rewrite
            all formats from it.
    """

    name: str
    files: str
    suffix: str | None
    detect: Callable[[Path], bool]
    read: Callable[[Path, Mapping[str, str] | None], DatasetSamples]
    part: Callable[[Sequence[LabelRecord], Path, Sequence[str]], object]
    join: Callable[[Sequence[object], Path, Sequence[str]], None]
    rank: int
    complete: bool

    def write(self, records: Sequence[LabelRecord], root: Path, names: Sequence[str]) -> None:
        """Writes the format's files for `records` in one go."""
        self.join([self.part(records, root, names)], root, names)


@dataclass(frozen=True)
class LabelRecord:
    """The labels of one image as a dataset stores them.

    Attributes:
        file: the image, as a POSIX path relative to the dataset root (e.g. `images/000017.jpg`), or absolute.
        size_wh: the image size (W, H) in pixels.
        fields: field name -> FieldLabel (corners in COCO continuous pixel coordinates, TL, TR, BR, BL).
        template: the template it was rendered from, or the name of the dataset it was read from.
        seed, index: its address in a synthetic dataset (None for real photos).
        image_from_doc: (3, 3) float64 document-to-image homography, or None when unknown.
    """

    file: str
    size_wh: tuple[int, int]
    fields: dict[str, FieldLabel]
    template: str
    seed: int | None = None
    index: int | None = None
    image_from_doc: np.ndarray | None = None

    @classmethod
    def from_sample(cls, sample: Sample | RenderTrace, file: str) -> LabelRecord:
        """Returns the labels of `sample` (or of a render's trace, whose pixels it then never decodes), stored with
        its image at `file`."""
        return cls(file, sample.size_wh, dict(sample.fields), sample.template, sample.seed, sample.index,
                   sample.image_from_doc)

    @cached_property
    def corner_reprs(self) -> dict[str, list[str]]:
        """Field name -> its corners x0, y0, x1, ... y3 as Python's shortest repr (what `json_text` writes).

        Spelled once per record for every format that writes the corners as they are: a repr is most of
        the cost of writing a float.
        """
        return {name: list(map(repr, label.corners.ravel().tolist())) for name, label in self.fields.items()}


def make_label(text: str, corners, visible, where: str, field: str) -> FieldLabel:
    """Builds a FieldLabel from file values, turning a bad value into a DatasetError naming `where` and `field`."""
    try:
        return FieldLabel(text=text, corners=np.asarray(corners, dtype=np.float64), visible=visible)
    except (ValueError, TypeError) as e:
        raise DatasetError(f"{e}; fix the label", where, field) from None


def field_names(source_names: Sequence[str], categories: Mapping[str, str] | None, written_by_synthcert: bool,
                where: str) -> dict[str, str]:
    """Maps the label names found in a file (COCO categories, YOLO classes) to synthcert field names.

    A file synthcert did not write whose only label name is anything (e.g. `plate`) holds the registration
    number; otherwise names are kept. `categories` maps any name explicitly and wins over both rules.
    """
    categories = dict(categories or {})
    unknown = sorted(set(categories) - set(source_names))
    if unknown:
        raise DatasetError(f"categories {unknown} are not in the file, which has {sorted(source_names)}; "
                           "map names that exist", where)
    if len(source_names) == 1 and not written_by_synthcert and not categories:
        return {source_names[0]: TARGET}
    return {name: categories.get(name, name) for name in source_names}


def name_id(ids: Mapping[str, int], name: str) -> int:
    """Returns the class / category id of field `name`; a DatasetError when the dataset's names lack it."""
    if name not in ids:
        raise DatasetError(f"field {name!r} is not among the dataset's names {sorted(ids)}; "
                           "pass every field name in `names`", field="names")
    return ids[name]


class DatasetSamples(Sequence):
    """The samples of a dataset on disk, parsed and decoded one at a time when indexed.

    Holding it costs a few hundred bytes per image, so reading a 5000-image dataset is cheap; each
    `samples[i]` parses that image's labels and decodes its pixels (RGB uint8), and `samples[a:b]` is
    another lazy sequence.

    Args:
        root: the dataset directory that relative image paths start from.
        format: the format the labels were read from (coco, yolo-obb, jsonl).
        entries: one (image file, raw labels) pair per image, in dataset order.
        parse: a module-level function (root, entry) -> LabelRecord; raises DatasetError for bad labels.
    """

    def __init__(self, root: Path, format: str, entries: list[tuple[str, object]],
                 parse: Callable[[Path, tuple[str, object]], LabelRecord]):
        self.root = Path(root)
        self.format = format
        self._entries = entries
        self._parse = parse

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, i: int | slice) -> Sample | DatasetSamples:
        if isinstance(i, slice):  # still lazy: a view of some of the images
            return DatasetSamples(self.root, self.format, self._entries[i], self._parse)
        record = self.record(i)
        path = self.image_path(i)
        image = load_image(path)
        size_wh = (image.shape[1], image.shape[0])
        if size_wh != tuple(record.size_wh):
            raise DatasetError(f"the labels say {record.size_wh[0]}x{record.size_wh[1]} but the image is "
                               f"{size_wh[0]}x{size_wh[1]}; fix width/height in the labels (or an EXIF rotation)",
                               path)
        return Sample(image=image, fields=record.fields, template=record.template, seed=record.seed,
                      index=record.index, image_from_doc=record.image_from_doc, source=str(path))

    def image_path(self, i: int) -> Path:
        """Returns where the image of sample `i` is, without reading it."""
        return self.root / self._entries[self._position(i)][0]

    def record(self, i: int) -> LabelRecord:
        """Returns the labels of sample `i` without decoding its image."""
        return self._parse(self.root, self._entries[self._position(i)])

    def _position(self, i: int) -> int:
        if not -len(self) <= i < len(self):
            raise IndexError(f"sample {i} of a dataset with {len(self)} images")
        return i % len(self)
