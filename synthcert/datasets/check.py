"""`synthcert check`: validates a dataset on disk, ours or a real one, and reports every problem by file.

Validation stage: it reads through `read_dataset` and judges; it never writes or repairs anything.
An image passes when it decodes, has the size its labels state, and each of its labels has 4 finite
corners, its corners marked visible inside the image ([0, W] x [0, H], edges included) and a
non-degenerate convex quadrilateral in the order TL, TR, BR, BL (clockwise on screen).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from synthcert.datasets.dataset import read_dataset
from synthcert.datasets.layout import load_image
from synthcert.datasets.quads import quad_problem
from synthcert.errors import DatasetError
from synthcert.labels import corners_visible
from synthcert.samples import CORNER_NAMES, FieldLabel


@dataclass(frozen=True)
class CheckReport:
    """What `check_dataset` found.

    Attributes:
        root: the dataset directory.
        format: the label format that was checked.
        images: how many images the labels list.
        labels: how many field labels were read.
        problems: one DatasetError per problem; `str()` gives `<file>: <field>: <what>; expected ...`.
    """

    root: Path
    format: str
    images: int
    labels: int
    problems: tuple[DatasetError, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def label_problems(label: FieldLabel, size_wh: tuple[int, int]) -> list[str]:
    """Returns what is wrong with one label in an image of `size_wh` (W, H); empty when it is usable.

    Example:
        >>> label = FieldLabel("AB 123", [[1, 1], [50, 1], [38, 9], [1, 9]], [True] * 4)
        >>> [problem.split(";")[0] for problem in label_problems(label, (40, 20))]
        ['top_right = (50, 1) is marked visible but lies outside the 40x20 image']
    """
    w, h = size_wh
    problems = []
    outside = label.visible & ~corners_visible(label.corners, size_wh)
    for i in np.flatnonzero(outside):
        x, y = label.corners[i]
        problems.append(f"{CORNER_NAMES[i]} = ({x:g}, {y:g}) is marked visible but lies outside the {w}x{h} image; "
                        f"expected 0 <= x <= {w} and 0 <= y <= {h}; fix the label, or mark the corner as outside "
                        "(COCO v = 1)")
    shape = quad_problem(label.corners)
    if shape:
        problems.append(f"{shape}; fix the corners")
    return problems


def check_dataset(
    path: str | Path,
    format: str | None = None,
    categories: Mapping[str, str] | None = None,
    progress: bool = False,
) -> CheckReport:
    """Validates every image and label of a dataset; see the module docstring for the rules.

    Args:
        path: a dataset directory or its label file (as `read_dataset` takes).
        format: coco, yolo-obb or jsonl; None to detect it.
        categories: label name -> field name, as for `read_dataset`.
        progress: show a progress bar on stderr.

    Returns:
        A CheckReport; `report.ok` when no problem was found.

    Raises:
        DatasetError: the dataset cannot be read at all (no labels found, a label file is not JSON).
    """
    samples = read_dataset(path, format, categories)
    problems: list[DatasetError] = []
    labels = 0
    for i in tqdm(range(len(samples)), unit="img", disable=not progress):
        image_path = samples.image_path(i)
        found: list[DatasetError] = []
        try:
            record = samples.record(i)
        except DatasetError as e:
            found.append(e)
            record = None
        try:
            if record is None:
                load_image(image_path)
            else:
                samples[i]  # decodes the image and compares its size with the labels
        except DatasetError as e:
            found.append(e)
        if record is not None:
            labels += len(record.fields)
            for name, label in record.fields.items():
                found += [DatasetError(p, image_path, name) for p in label_problems(label, record.size_wh)]
        unique = {str(e): e for e in found}  # a YOLO-OBB image that cannot be opened fails twice
        problems += unique.values()
    return CheckReport(samples.root, samples.format, len(samples), labels, tuple(problems))
