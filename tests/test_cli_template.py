"""Tests of `synthcert template init / show / rectify` through the command line (click's CliRunner)."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from synthcert.cli import main
from synthcert.template.spec import load_template
from tests.test_template_from_photo import CARD_IN_PHOTO, CARD_WH, _card, _photo, _save


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    return _save(tmp_path_factory.mktemp("cli"), _photo(_card(True)), "card.png")


def _corners() -> str:
    return ",".join(f"{v:g}" for v in CARD_IN_PHOTO.ravel())


def test_init_then_show_make_a_template_and_its_contact_sheet(photo, tmp_path):
    runner = CliRunner()
    fields = tmp_path / "fields.yaml"
    fields.write_text(yaml.safe_dump({"country": "CZ", "width": CARD_WH[0],
                                      "fields": {"owner": {"box": [200, 150, 560, 195], "generator": "name",
                                                           "text": "JAN NOVAK"}}}))
    result = runner.invoke(main, ["template", "init", photo, "-o", str(tmp_path / "tpl"), "--corners", _corners(),
                                  "--fields", str(fields), "--field", "registration_number=200,60,430,110"])
    assert result.exit_code == 0, result.output
    spec = load_template(tmp_path / "tpl")
    assert spec.country == "CZ" and set(spec.fields) == {"owner", "registration_number"}
    assert spec.fields["registration_number"].generator == "plate"
    assert "names and addresses from Faker's cs_CZ" in result.output
    # One report line per field with the printed text: the replay of "JAN NOVAK" matches the photo.
    line = next(t for t in result.output.splitlines() if t.startswith("owner "))
    assert float(line.split()[-1]) > 0.7 and "worst" not in line, result.output
    result = runner.invoke(main, ["template", "show", str(tmp_path / "tpl"), "-n", "1", "--width", "120",
                                  "-o", str(tmp_path / "show.png")])
    assert result.exit_code == 0, result.output
    assert re.search(r"^owner +dark", result.output, re.M), result.output
    assert (tmp_path / "show.png").stat().st_size > 0


def test_rectify_writes_the_flat_image_to_measure_boxes_on(photo, tmp_path):
    result = CliRunner().invoke(main, ["template", "rectify", photo, "-o", str(tmp_path / "flat.png"),
                                       "--width", "300"])
    assert result.exit_code == 0, result.output
    corners = np.array([float(v) for v in result.output.split("corners ")[1].split(",")]).reshape(4, 2)
    assert np.abs(corners - CARD_IN_PHOTO).max() < 2.0  # found automatically


@pytest.mark.parametrize(
    ("args", "match"),
    [(["--field", "registration_number=1,2,3,4", "--country", "XX"], "set it with --country"),
     (["--field", "registration_number=1,2,3,4", "--corners", "1,2,3"], "--corners: .*expected 8"),
     (["--field", "registration_number=1,2,3,4", "--size-mm", "85"], "--size-mm: .*W,H")],
    ids=["bad-country", "bad-corners", "bad-size"],
)
def test_user_errors_exit_2_with_one_line_naming_the_fix(photo, tmp_path, args, match):
    result = CliRunner().invoke(main, ["template", "init", photo, "-o", str(tmp_path / "tpl"), "--country", "CZ",
                                       *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert re.search(match, result.output), result.output


def test_preview_target_only_draws_only_the_number_label(tmp_path):
    from tests.conftest import write_template

    template = write_template(tmp_path / "t")
    runner = CliRunner()
    sheets = {}
    for flag in ([], ["--target-only"]):
        out = tmp_path / f"p{len(flag)}.png"
        result = runner.invoke(main, ["preview", "-n", "1", "--template", str(template), "--image-size", "200x140",
                                      "--augment", "none", "-o", str(out), *flag])
        assert result.exit_code == 0, result.output
        sheets[len(flag)] = cv2.imread(str(out))
    # Same sample: the full sheet has the owner's label drawn too, the target-only one only the number's.
    assert sheets[0].shape == sheets[1].shape and (sheets[0] != sheets[1]).any()


def test_init_skeleton_writes_a_fields_file_with_a_box_per_line_and_keeps_an_existing_one(photo, tmp_path):
    runner = CliRunner()
    path = tmp_path / "fields.yaml"
    args = ["template", "init", photo, "--skeleton", str(path), "--corners", _corners(), "--width", str(CARD_WH[0])]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    boxes = [f["box"] for f in yaml.safe_load(path.read_text())["fields"].values()]
    # The card's two printed values ("AB 1234" at x 206, y ~85 and "JAN NOVAK" at y ~172) each have a line.
    assert any(b[0] <= 207 and b[1] <= 75 and b[3] >= 95 for b in boxes), boxes
    assert any(b[0] <= 207 and b[1] <= 162 and b[3] >= 182 for b in boxes), boxes
    before = path.read_text()
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "exists; pass --overwrite" in result.output and path.read_text() == before
