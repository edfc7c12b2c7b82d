import json

import pytest
from dataset_samples import edge_samples

from synthcert.config import resolve_config
from synthcert.datasets import check_dataset, render_dataset, write_dataset
from synthcert.datasets.check import label_problems
from synthcert.errors import DatasetError
from synthcert.samples import FieldLabel

RECT = [[2, 2], [30, 2], [30, 10], [2, 10]]
LABELS = {
    "upright": (RECT, [True] * 4, None),
    "upside_down": ([[30, 10], [2, 10], [2, 2], [30, 2]], [True] * 4, None),
    "corner_on_far_edge": ([[2, 2], [40, 2], [40, 30], [2, 30]], [True] * 4, None),
    "corner_a_rounding_error_beyond_the_edge": ([[2, 2], [40 + 1e-9, 2], [40, 30], [2, 30]], [True] * 4, None),
    "corner_a_thousandth_beyond_the_edge": ([[2, 2], [40.001, 2], [40, 30], [2, 30]], [True] * 4,
                                            "top_right = (40.001, 2) is marked visible but lies outside"),
    "outside_but_flagged_outside": ([[-5, 2], [30, 2], [30, 10], [-5, 10]], [False, True, True, False], None),
    "outside_and_flagged_visible": ([[2, 2], [41, 2], [30, 10], [2, 10]], [True] * 4,
                                    "top_right = (41, 2) is marked visible but lies outside the 40x30 image"),
    "counter_clockwise": ([[2, 2], [2, 10], [30, 10], [30, 2]], [True] * 4, "corners run counter-clockwise"),
    "bow_tie": ([[2, 2], [30, 2], [2, 10], [30, 10]], [True] * 4, "self-intersecting"),
    "two_corners_coincide": ([[2, 2], [2, 2], [30, 10], [2, 10]], [True] * 4, "top_left and top_right coincide"),
    "three_on_a_line": ([[2, 2], [16, 2], [30, 2], [2, 10]], [True] * 4, "lie on a line"),
}


@pytest.mark.parametrize(("corners", "visible", "problem"), LABELS.values(), ids=LABELS.keys())
def test_label_problems_accept_good_quadrilaterals_and_name_each_fault(corners, visible, problem):
    found = label_problems(FieldLabel("X", corners, visible), (40, 30))
    assert found == [] if problem is None else len(found) == 1 and problem in found[0], found


@pytest.mark.parametrize("fmt", ["coco", "yolo-obb", "jsonl"])
def test_dataset_written_by_synthcert_passes_in_every_format(tmp_path, fmt):
    root = write_dataset(edge_samples(), tmp_path / "ds", formats=[fmt], image_format="png")
    report = check_dataset(root)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.format, report.images) == (fmt, 3)


def test_rendered_dataset_passes(tmp_path):
    root = render_dataset(tmp_path / "r", 3, config=resolve_config(image_size_wh=(96, 64)), workers=1).out_dir
    report = check_dataset(root, "coco")
    assert report.ok and report.labels > 3


def test_every_corrupt_image_is_reported_by_file(tmp_path):
    root = write_dataset(edge_samples(), tmp_path / "ds", formats=["jsonl"])
    (root / "images/000001.jpg").write_bytes(b"not an image")
    data = (root / "images/000012.jpg").read_bytes()
    (root / "images/000012.jpg").write_bytes(data[: len(data) // 2])
    problems = [str(p) for p in check_dataset(root).problems]
    assert len(problems) == 2
    assert "images/000001.jpg: cannot read the image" in problems[0]
    assert "images/000012.jpg: cannot read the image (image file is truncated" in problems[1]


def test_yolo_label_out_of_range_is_reported_with_image_and_field(tmp_path):
    root = write_dataset(edge_samples(), tmp_path / "ds", formats=["yolo-obb"], image_format="png")
    (root / "labels/000012.txt").write_text("1 0.1 0.1 1.25 0.1 0.9 0.9 0.1 0.9\n")
    problems = [str(p) for p in check_dataset(root).problems]
    assert len(problems) == 1
    assert "images/000012.png: registration_number: top_right = (50, 3) is marked visible but lies" in problems[0]


def test_coco_problems_in_several_images_are_all_reported(tmp_path):
    root = write_dataset(edge_samples(), tmp_path / "ds", formats=["coco"], image_format="png")
    data = json.loads((root / "coco.json").read_text(encoding="utf-8"))
    data["annotations"][0]["keypoints"][2] = 0
    data["annotations"][-1]["keypoints"] = data["annotations"][-1]["keypoints"][:9]
    data["images"][1]["width"] = 41
    (root / "coco.json").write_text(json.dumps(data))
    problems = [str(p) for p in check_dataset(root).problems]
    assert len(problems) == 3
    assert "annotations[0].keypoints: top_left has v = 0 (not labelled)" in problems[0]
    assert "images/000001.png: the labels say 41x30 but the image is 40x30" in problems[1]
    assert "annotations[3].keypoints: = " in problems[2]


def test_unreadable_dataset_is_one_error_not_a_report(tmp_path):
    (tmp_path / "images").mkdir()
    with pytest.raises(DatasetError, match="holds no dataset; expected manifest.jsonl, a COCO file"):
        check_dataset(tmp_path)
