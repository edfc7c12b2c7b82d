import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from dataset_samples import H, W, assert_same_fields, edge_samples

from synthcert.datasets import read_dataset, write_dataset
from synthcert.datasets.coco import coco_part
from synthcert.datasets.quads import bbox_xywh
from synthcert.datasets.records import LabelRecord
from synthcert.errors import DatasetError
from synthcert.samples import CORNER_NAMES, FieldLabel, Sample


@pytest.fixture
def coco_dir(tmp_path):
    return write_dataset(edge_samples(), tmp_path / "ds", formats=["coco"], image_format="png")


def load(root):
    return json.loads((root / "coco.json").read_text(encoding="utf-8"))


def test_write_then_read_gives_the_same_samples_bit_for_bit(coco_dir):
    read = read_dataset(coco_dir, "coco")
    assert len(read) == 3
    for got, want in zip(read, edge_samples(), strict=True):
        assert_same_fields(got.fields, want.fields)
        assert (got.template, got.seed, got.index) == (want.template, want.seed, want.index)
        np.testing.assert_array_equal(got.image, want.image)
        assert got.source == str(coco_dir / f"images/{want.index:06d}.png")


def test_visible_corner_at_zero_is_written_with_v_2_and_outside_corner_with_v_1(coco_dir):
    anns = {(a["image_id"], a["category_id"]): a for a in load(coco_dir)["annotations"]}
    cats = {c["name"]: c["id"] for c in load(coco_dir)["categories"]}
    plate = anns[(1, cats["registration_number"])]
    assert plate["keypoints"] == [0.0, 0.0, 2, W, 0.0, 2, W, H, 2, 0.0, H, 2]
    vin = anns[(1, cats["vin"])]
    assert vin["keypoints"][2::3] == [1, 2, 2, 1]
    assert all(a["num_keypoints"] == 4 for a in anns.values())


def test_annotation_has_bbox_area_segmentation_and_text_of_the_quadrilateral(coco_dir):
    data = load(coco_dir)
    cats = {c["name"]: c["id"] for c in data["categories"]}
    plate = next(a for a in data["annotations"]
                 if a["image_id"] == 1 and a["category_id"] == cats["registration_number"])
    assert plate["bbox"] == [0.0, 0.0, W, H]
    assert plate["area"] == W * H
    assert plate["segmentation"] == [[0.0, 0.0, W, 0.0, W, H, 0.0, H]]
    assert plate["text"] == "ŠKODA 1A2 3456"
    upside_down = next(a for a in data["annotations"] if a["image_id"] == 3)
    expected_area = cv2.contourArea(np.array(upside_down["segmentation"][0], np.float32).reshape(4, 2))
    assert upside_down["area"] == pytest.approx(expected_area, rel=1e-6)


def test_each_annotation_line_is_the_compact_json_of_its_object(coco_dir):
    # The writer spells annotations by hand for speed; the json module is the independent judge of the bytes.
    lines = [line.rstrip(",") for line in (coco_dir / "coco.json").read_text(encoding="utf-8").splitlines()
             if line.startswith('{"id":') and '"image_id"' in line]
    assert len(lines) == 4
    for line in lines:
        assert line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
    assert '"text":"ŠKODA 1A2 3456"' in (coco_dir / "coco.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("left_xs", [(-0.0, 0.0), (0.0, -0.0)], ids=["minus_zero_first", "plus_zero_first"])
def test_box_left_and_top_are_spelled_as_the_first_minimal_corner(left_xs):
    # The box reuses a corner's spelling: of two equal minima (0.0 == -0.0) it must be the one min() returns.
    a, b = left_xs
    corners = np.array([[a, b], [5.0, b], [5.0, 3.0], [b, 3.0]])
    record = LabelRecord("images/0.png", (8, 8), {"vin": FieldLabel("X", corners, np.ones(4, bool))}, "t")
    (_, _, annotation), = coco_part([record], Path(), ["vin"])
    annotation = annotation.decode()
    assert f'"bbox":{json.dumps(bbox_xywh(corners), separators=(",", ":"))}' in annotation
    assert f'"bbox":[{a!r},{b!r},' in annotation


def test_percent_signs_of_texts_and_templates_come_through_the_id_numbering_as_they_are(tmp_path):
    # join_coco fills the ids into %-templates: a % of the labels' own must not be taken for a placeholder.
    label = FieldLabel("50%d %% off%", [[1, 1], [9, 1], [9, 5], [1, 5]], [True] * 4)
    samples = [Sample(np.zeros((H, W, 3), np.uint8), {"vin": label, "owner": label}, "t%s%%", index=i)
               for i in range(2)]
    data = load(write_dataset(samples, tmp_path / "ds", formats=["coco"], image_format="png"))
    assert [(im["id"], im["template"]) for im in data["images"]] == [(1, "t%s%%"), (2, "t%s%%")]
    assert [(a["id"], a["image_id"], a["text"]) for a in data["annotations"]] == [
        (1, 1, "50%d %% off%"), (2, 1, "50%d %% off%"), (3, 2, "50%d %% off%"), (4, 2, "50%d %% off%")]


def test_ids_are_1_based_and_categories_sorted_with_corner_keypoints_and_skeleton(coco_dir):
    data = load(coco_dir)
    assert [im["id"] for im in data["images"]] == [1, 2, 3]
    assert [a["id"] for a in data["annotations"]] == list(range(1, len(data["annotations"]) + 1))
    assert [(c["id"], c["name"]) for c in data["categories"]] == [(1, "owner"), (2, "registration_number"),
                                                                   (3, "vin")]
    assert all(c["keypoints"] == list(CORNER_NAMES) for c in data["categories"])
    assert data["categories"][0]["skeleton"] == [[1, 2], [2, 3], [3, 4], [4, 1]]
    assert data["images"][0]["file_name"] == "images/000000.png"


def write_cvat_export(root, keypoints, keypoint_names=CORNER_NAMES, category="plate", file_name="photo.png"):
    """A CVAT-style export: images/ with bare file names and annotations/person_keypoints_default.json."""
    (root / "images").mkdir(parents=True)
    cv2.imwrite(str(root / "images" / "photo.png"), np.zeros((H, W, 3), np.uint8))
    (root / "annotations").mkdir()
    data = {
        "images": [{"id": 7, "file_name": file_name, "width": W, "height": H}],
        "categories": [{"id": 3, "name": category, "keypoints": list(keypoint_names), "skeleton": []},
                       {"id": 4, "name": "document", "keypoints": []}],
        "annotations": [{"id": 1, "image_id": 7, "category_id": 3, "keypoints": keypoints, "num_keypoints": 4},
                        {"id": 2, "image_id": 7, "category_id": 4, "bbox": [0, 0, 5, 5]}],
    }
    (root / "annotations" / "person_keypoints_default.json").write_text(json.dumps(data))
    return root


def test_cvat_export_single_category_reads_as_registration_number_with_zero_corner_visible(tmp_path):
    root = write_cvat_export(tmp_path / "cvat", [0, 0, 2, 30, 1, 2, 30, 9, 2, 0, 8, 1])
    sample = read_dataset(root)[0]
    assert list(sample.fields) == ["registration_number"]
    np.testing.assert_array_equal(sample.target.corners, [[0, 0], [30, 1], [30, 9], [0, 8]])
    np.testing.assert_array_equal(sample.target.visible, [True, True, True, False])
    assert sample.template == "cvat" and sample.seed is None and sample.source.endswith("images/photo.png")


def test_keypoints_named_in_another_order_are_put_in_reading_order(tmp_path):
    names = ("bottom_left", "top_left", "top_right", "bottom_right")
    root = write_cvat_export(tmp_path / "cvat", [0, 8, 2, 0, 0, 2, 30, 1, 2, 30, 9, 2], keypoint_names=names)
    np.testing.assert_array_equal(read_dataset(root)[0].target.corners, [[0, 0], [30, 1], [30, 9], [0, 8]])


def test_category_option_maps_any_name(tmp_path):
    root = write_cvat_export(tmp_path / "cvat", [0, 0, 2, 30, 1, 2, 30, 9, 2, 0, 8, 2], category="Kennzeichen")
    assert list(read_dataset(root, categories={"Kennzeichen": "plate_number"})[0].fields) == ["plate_number"]
    with pytest.raises(DatasetError, match=r"categories \['nope'\] are not in the file"):
        read_dataset(root, categories={"nope": "x"})


@pytest.mark.parametrize(
    ("keypoints", "message"),
    [([0, 0, 0, 30, 1, 2, 30, 9, 2, 0, 8, 2], r"top_left has v = 0 \(not labelled\); expected 2"),
     ([0, 0, 2, 30, 1, 2], r"= .*expected 12 numbers"),
     ([0, 0, 2, 30, 1, 2, 30, 9, 2, 0, float("nan"), 2], r"corners: expected \(4, 2\) finite .*nan")],
    ids=["unlabelled_corner", "too_few_numbers", "not_finite"],
)
def test_bad_keypoints_raise_naming_the_file_and_the_annotation(tmp_path, keypoints, message):
    root = write_cvat_export(tmp_path / "cvat", keypoints)
    samples = read_dataset(root)
    with pytest.raises(DatasetError, match=r"person_keypoints_default\.json: annotations\[0\]\.keypoints: " + message):
        samples.record(0)


def test_file_without_a_four_keypoint_category_is_refused(tmp_path):
    path = tmp_path / "coco.json"
    path.write_text(json.dumps({"images": [], "annotations": [], "categories": [{"id": 1, "name": "car"}]}))
    with pytest.raises(DatasetError, match=r"coco\.json: categories: has no category with 4 keypoints"):
        read_dataset(path)


def test_malformed_json_names_the_file_and_the_line(tmp_path):
    (tmp_path / "coco.json").write_text('{"images": [\n,]}')
    with pytest.raises(DatasetError, match=r"coco\.json: is not valid JSON \(.* at line 2"):
        read_dataset(tmp_path)
