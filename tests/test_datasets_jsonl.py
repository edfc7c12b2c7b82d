import json

import numpy as np
import pytest
from dataset_samples import assert_same_fields, edge_samples

from synthcert.datasets import read_dataset, write_dataset
from synthcert.errors import DatasetError


@pytest.fixture
def jsonl_dir(tmp_path):
    return write_dataset(edge_samples(), tmp_path / "ds", formats=["jsonl"], image_format="png")


def test_write_then_read_gives_the_same_samples_bit_for_bit_with_their_homography(jsonl_dir):
    read = read_dataset(jsonl_dir)
    assert read.format == "jsonl" and len(read) == 3
    for got, want in zip(read, edge_samples(), strict=True):
        assert_same_fields(got.fields, want.fields)
        assert (got.template, got.seed, got.index) == (want.template, want.seed, want.index)
        np.testing.assert_array_equal(got.image, want.image)
        if want.image_from_doc is None:
            assert got.image_from_doc is None
        else:
            np.testing.assert_array_equal(got.image_from_doc, want.image_from_doc)


def test_manifest_line_holds_file_address_template_and_every_field(jsonl_dir):
    line = json.loads((jsonl_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert (line["file"], line["width"], line["height"], line["seed"], line["index"]) == ("images/000000.png", 40,
                                                                                           30, 5, 0)
    assert line["template"] == "edge-test"
    assert line["fields"]["vin"]["visible"] == [False, True, True, False]
    assert line["fields"]["registration_number"] == {"text": "ŠKODA 1A2 3456", "corners": [[0, 0], [40, 0], [40, 30],
                                                                                          [0, 30]],
                                                     "visible": [True] * 4}


def test_a_slice_is_another_lazy_sequence(jsonl_dir):
    part = read_dataset(jsonl_dir)[1:]
    assert type(part).__name__ == "DatasetSamples" and len(part) == 2
    assert [s.index for s in part] == [1, 12]


def test_reading_is_lazy_and_a_bad_line_is_reported_with_its_number(jsonl_dir):
    path = jsonl_dir / "manifest.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], '{"file": "images/000001.png", "width": 40}', lines[2]]) + "\n")
    samples = read_dataset(jsonl_dir)
    assert samples.record(2).index == 12
    with pytest.raises(DatasetError, match=r"manifest\.jsonl: line 2: missing or malformed key"):
        samples.record(1)


def test_line_that_is_not_json_is_reported_with_its_number(jsonl_dir):
    path = jsonl_dir / "manifest.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + "{oops\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"manifest\.jsonl: line 4: is not valid JSON"):
        read_dataset(path).record(3)
