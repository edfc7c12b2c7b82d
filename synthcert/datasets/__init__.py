"""Datasets on disk: rendering them, writing and reading COCO keypoints, YOLO-OBB and the manifest, checking.

Layout and formats are documented in docs/datasets.md. No TensorFlow here.
"""

from synthcert.datasets.check import CheckReport, check_dataset
from synthcert.datasets.dataset import FORMATS, read_dataset, write_dataset
from synthcert.datasets.layout import IMAGE_FORMATS, DatasetInfo
from synthcert.datasets.merge import merge_datasets
from synthcert.datasets.records import DatasetSamples, LabelRecord
from synthcert.datasets.render import RenderSummary, render_dataset, shard_indices

__all__ = [
    "FORMATS", "IMAGE_FORMATS", "CheckReport", "DatasetInfo", "DatasetSamples", "LabelRecord", "RenderSummary",
    "check_dataset", "merge_datasets", "read_dataset", "render_dataset", "shard_indices",
    "write_dataset",
]
