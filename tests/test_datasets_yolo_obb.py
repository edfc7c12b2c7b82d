from pathlib import PurePath

import cv2
import numpy as np
import pytest
import yaml
from dataset_samples import H, W, assert_same_fields, edge_samples

from synthcert.datasets import read_dataset, write_dataset
from synthcert.datasets.yolo_obb import label_file
from synthcert.errors import DatasetError

# Values are written as repr(x / W): the normalised float is exact, x read back is within one ulp of W.
ONE_ULP_OF_W = float(np.spacing(np.float64(W)))


@pytest.fixture
def yolo_dir(tmp_path):
    return write_dataset(edge_samples(), tmp_path / "ds", formats=["yolo-obb"], image_format="png")


def inside_fields(sample):
    return {n: f for n, f in sample.fields.items() if f.visible.all()}


def test_write_then_read_gives_the_corners_back_to_one_ulp_and_edges_exactly(yolo_dir):
    read = read_dataset(yolo_dir, "yolo-obb")
    for got, want in zip(read, edge_samples(), strict=True):
        assert_same_fields(got.fields, inside_fields(want), atol=ONE_ULP_OF_W, texts=False)
        np.testing.assert_array_equal(got.image, want.image)
    np.testing.assert_array_equal(read[0].target.corners, [[0, 0], [W, 0], [W, H], [0, H]])


def test_normalised_values_are_written_so_they_parse_to_the_exact_quotient(yolo_dir):
    lines = (yolo_dir / "labels/000000.txt").read_text().splitlines()
    owner = edge_samples()[0].fields["owner"].corners
    values = [float(v) for v in lines[0].split()[1:]]
    assert values == (owner / (W, H)).ravel().tolist()
    assert lines[1] == "1 0.0 0.0 1.0 0.0 1.0 1.0 0.0 1.0"


def test_classes_follow_sorted_names_listed_in_dataset_yaml(yolo_dir):
    info = yaml.safe_load((yolo_dir / "dataset.yaml").read_text())
    assert info["names"] == {0: "owner", 1: "registration_number", 2: "vin"}
    assert (info["train"], info["val"]) == ("images", "images")
    assert [line.split()[0] for line in (yolo_dir / "labels/000000.txt").read_text().splitlines()] == ["0", "1"]


def test_field_with_a_corner_outside_the_image_is_left_out_and_an_empty_image_gets_an_empty_file(yolo_dir):
    assert "vin" not in read_dataset(yolo_dir, "yolo-obb")[0].fields
    assert (yolo_dir / "labels/000001.txt").read_text() == ""


def test_read_labels_claim_every_corner_visible_and_carry_no_text(yolo_dir):
    sample = read_dataset(yolo_dir, "yolo-obb")[2]
    assert sample.target.visible.all() and sample.target.text == ""
    assert (sample.template, sample.seed, sample.index) == ("ds", None, None)


def write_foreign(root, lines, names_file=None):
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    cv2.imwrite(str(root / "images/train/car.jpg"), np.zeros((H, W, 3), np.uint8))
    (root / "labels/train/car.txt").write_text("\n".join(lines) + "\n")
    if names_file:
        (root / names_file[0]).write_text(names_file[1])
    return root


def test_foreign_single_class_without_names_is_the_registration_number(tmp_path):
    root = write_foreign(tmp_path / "ul", ["0 0 0 0.5 0 0.5 0.5 0 0.5"])
    sample = read_dataset(root, "yolo-obb")[0]
    np.testing.assert_array_equal(sample.target.corners, [[0, 0], [W / 2, 0], [W / 2, H / 2], [0, H / 2]])


@pytest.mark.parametrize(
    "names_file",
    [("data.yaml", "names: [plate, vin]\n"), ("data.yaml", "names: {0: plate, 1: vin}\n"),
     ("classes.txt", "plate\nvin\n")],
    ids=["yaml_list", "yaml_mapping", "classes_txt"],
)
def test_foreign_names_are_read_from_yaml_or_classes_txt(tmp_path, names_file):
    lines = ["1 0 0 0.5 0 0.5 0.5 0 0.5", "0 0.1 0.1 0.9 0.1 0.9 0.9 0.1 0.9"]
    root = write_foreign(tmp_path / "ul", lines, names_file)
    assert sorted(read_dataset(root, "yolo-obb", categories={"plate": "registration_number"})[0].fields) == [
        "registration_number", "vin"]


def test_label_file_pairs_the_last_images_folder_with_labels():
    assert label_file("images/train/images/x.png") == "images/train/labels/x.txt"
    with pytest.raises(DatasetError, match="is not inside an images/ folder"):
        label_file("photos/x.png")


@pytest.mark.parametrize("name", ["000017.jpg", "a.b.png", "x.tar.gz", "ä ß.jpg", ".hidden", ".hidden.png", "a.",
                                  "a..", "noext", ".", "..", "a\\b.jpg", ""])
def test_label_file_of_a_name_in_images_is_what_pathlib_makes_of_it(name):
    # label_file spells images/NAME with string operations; pathlib's parts and with_suffix are the judge.
    try:
        parts = list(PurePath(f"images/{name}").with_suffix(".txt").parts)
        parts[len(parts) - 1 - parts[::-1].index("images")] = "labels"
        expected = PurePath(*parts).as_posix()
    except ValueError:  # no name to give a suffix, or no images/ folder left
        with pytest.raises((ValueError, DatasetError)):
            label_file(f"images/{name}")
        return
    assert label_file(f"images/{name}") == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [("0 0.1 0.2 0.3", r"line 1: = '0 0.1 0.2 0.3'; expected 'class x1 y1"),
     ("7 0 0 0.5 0 0.5 0.5 0 0.5", r"line 1: class 7 is not in the names"),
     ("0 0 0 0.5 0 0.5 nan 0 0.5", r"line 1: corners: expected \(4, 2\) finite")],
    ids=["too_few_values", "unknown_class", "not_finite"],
)
def test_bad_line_raises_naming_the_label_file_and_line(tmp_path, line, message):
    root = write_foreign(tmp_path / "ul", [line], ("data.yaml", "names: [plate]\n"))
    with pytest.raises(DatasetError, match=r"labels/train/car\.txt: " + message):
        read_dataset(root, "yolo-obb").record(0)
