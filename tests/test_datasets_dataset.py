"""The format registry: every registered format is detected, read back and preferred by its rank."""

import pytest
from dataset_samples import assert_same_fields, edge_samples

from synthcert.datasets import read_dataset, write_dataset
from synthcert.datasets.dataset import BY_RANK, LABEL_FORMATS, detect_format
from synthcert.errors import DatasetError


@pytest.mark.parametrize("name", list(LABEL_FORMATS))
def test_every_registered_format_is_detected_and_reads_back_what_it_wrote(tmp_path, name):
    root = write_dataset(edge_samples(), tmp_path / "ds", formats=[name], image_format="png")
    assert detect_format(root) == name
    complete = LABEL_FORMATS[name].complete
    for got, want in zip(read_dataset(root), edge_samples(), strict=True):
        # An incomplete format drops fields with a corner outside the image and keeps no text or visibility.
        fields = want.fields if complete else {k: f for k, f in want.fields.items() if f.visible.all()}
        assert_same_fields(got.fields, fields, atol=0 if complete else 1e-9, texts=complete, visibility=complete)


def test_a_directory_with_every_format_reads_the_first_by_rank(tmp_path):
    root = write_dataset(edge_samples(), tmp_path / "ds", image_format="png")
    assert sorted(LABEL_FORMATS) == sorted(f.name for f in BY_RANK)
    assert read_dataset(root).format == BY_RANK[0].name == "jsonl"


def test_a_label_file_of_no_format_names_the_suffixes_it_accepts(tmp_path):
    (tmp_path / "labels.csv").write_text("x\n")
    with pytest.raises(DatasetError, match=r"labels\.csv: is neither a jsonl \(\.jsonl\) nor a coco \(\.json\) file"):
        read_dataset(tmp_path / "labels.csv")
