"""Tests of synthcert.template.from_photo (+ rectify, erase): a template from a photo of a certificate.

The "photo" is made here: a tinted card with guilloche, captions and printed values (PIL, known font,
size and colour), warped by a known homography onto a darker table. Every check compares with what was
drawn, never with the code under test.
"""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest
import yaml
from PIL import Image, ImageDraw, ImageFont

from synthcert import geometry
from synthcert.errors import TemplateError
from synthcert.template.erase import find_ink
from synthcert.template.fields_file import FieldBox, load_layout, parse_corners, parse_field_option
from synthcert.template.from_photo import init_template
from synthcert.template.rectify import detect_document, order_corners, rectify_document
from synthcert.template.spec import load_template
from synthcert.text.fonts import resolve_font

CARD_WH = (600, 380)
PHOTO_WH = (900, 700)
CARD_IN_PHOTO = np.array([[150.0, 118.0], [772.0, 160.0], [735.0, 566.0], [118.0, 512.0]])
INK_RGB = (28, 40, 120)
VALUE_SIZE = 30  # DejaVu Sans, pixels per em, in the card's frame
BOXES = {"registration_number": (200.0, 60.0, 430.0, 110.0), "owner": (200.0, 150.0, 560.0, 195.0)}
VALUES = {"registration_number": "AB 1234", "owner": "JAN NOVAK"}


def _card(with_values: bool) -> np.ndarray:
    w, h = CARD_WH
    ys, xs = np.mgrid[0:h, 0:w]
    card = np.empty((h, w, 3), np.float32)
    card[:] = (238, 232, 220)
    guilloche = 0.5 + 0.5 * np.sin(xs / 7.0 + 6 * np.sin(ys / 23.0))  # thin pink waves under everything
    card -= (guilloche[..., None] > 0.92) * np.array([0, 28, 22], np.float32)
    image = Image.fromarray(card.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    caption = ImageFont.truetype(str(resolve_font("dejavu-sans")), 16)
    draw.text((30, 75), "Reg. number", font=caption, fill=(60, 60, 60))
    draw.text((30, 165), "Owner", font=caption, fill=(60, 60, 60))
    draw.text((30, 20), "CERTIFICATE OF REGISTRATION", font=caption, fill=(20, 60, 140))
    if with_values:
        font = ImageFont.truetype(str(resolve_font("dejavu-sans")), VALUE_SIZE)
        for name, text in VALUES.items():
            x0, y0, _, y1 = BOXES[name]
            draw.text((x0 + 6, (y0 + y1) / 2), text, font=font, fill=INK_RGB, anchor="lm")
    return np.asarray(image).copy()


def _photo(card: np.ndarray) -> np.ndarray:
    w, h = PHOTO_WH
    table = np.empty((h, w, 3), np.uint8)
    table[:] = (96, 64, 44)
    table += (np.indices((h, w)).sum(axis=0) % 13).astype(np.uint8)[..., None]  # a wood-ish grain
    photo_from_card = cv2.getPerspectiveTransform(
        geometry.rect_corners_xy((0, 0, *CARD_WH)).astype(np.float32), CARD_IN_PHOTO.astype(np.float32))
    m = geometry.opencv_from_coco(photo_from_card.astype(np.float64))
    warped = cv2.warpPerspective(card, m, (w, h), flags=cv2.INTER_LINEAR)
    cover = cv2.warpPerspective(np.full(card.shape[:2], 255, np.uint8), m, (w, h), flags=cv2.INTER_LINEAR)
    a = cover[..., None].astype(np.float32) / 255
    return (warped * a + table * (1 - a) + 0.5).astype(np.uint8)


def _save(tmp_path, image, name) -> str:
    path = tmp_path / name
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return str(path)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("photos")
    return _save(tmp, _photo(_card(True)), "card.png"), _save(tmp, _photo(_card(False)), "blank.png")


def _fields():
    return [FieldBox("registration_number", BOXES["registration_number"], "plate", {"fonts": ["dejavu-sans"]}),
            FieldBox("owner", BOXES["owner"], "name", {"fonts": ["dejavu-sans"], "uppercase": True})]


def _rgb(path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def test_detected_card_corners_land_within_two_px_of_the_drawn_ones(photos):
    found = detect_document(_rgb(photos[0]))
    assert np.abs(found - CARD_IN_PHOTO).max() < 2.0


def test_rectified_card_corners_land_on_the_flat_frame_corners(photos):
    flat, flat_from_photo = rectify_document(_rgb(photos[0]), detect_document(_rgb(photos[0])), CARD_WH[0])
    assert abs(flat.shape[1] - CARD_WH[0]) == 0 and abs(flat.shape[0] - CARD_WH[1]) <= 8
    landed = geometry.transform_points(flat_from_photo, CARD_IN_PHOTO)
    assert np.abs(landed - geometry.rect_corners_xy((0, 0, flat.shape[1], flat.shape[0]))).max() < 2.0


@pytest.mark.parametrize("given_corners", [True, False], ids=["corners-given", "corners-found"])
def test_init_template_erases_the_printed_values_and_writes_a_loadable_spec(photos, tmp_path, given_corners):
    corners = CARD_IN_PHOTO if given_corners else None
    out = init_template(photos[0], tmp_path / "tpl", corners, _fields(), width_px=CARD_WH[0], country="CZ",
                        size_mm=(85.6, 85.6 * CARD_WH[1] / CARD_WH[0]))
    spec = load_template(out)
    assert spec.size_wh == CARD_WH and spec.country == "CZ" and set(spec.fields) == set(BOXES)
    assert all(not f.print_code for f in spec.fields.values())
    erased = _rgb(out / "background.png").astype(np.float32)
    blank, _ = rectify_document(_rgb(photos[1]), CARD_IN_PHOTO, CARD_WH[0], CARD_WH[1] / CARD_WH[0])
    for name, box in BOXES.items():
        x0, y0, x1, y1 = (int(v) for v in box)
        region, reference = erased[y0:y1, x0:x1], blank[y0:y1, x0:x1].astype(np.float32)
        # No stroke survives: nothing in the box is much darker than the blank card there ...
        assert (reference.mean(axis=2) - region.mean(axis=2)).max() < 45, name
        assert not find_ink(region.astype(np.uint8), threshold=60)[0].any(), name
        # ... and the box looks like the paper around it, not like a smudge.
        assert np.abs(region - reference).mean() < 6, name


def test_init_template_measures_ink_colour_and_text_size(photos, tmp_path):
    out = init_template(photos[0], tmp_path / "tpl", CARD_IN_PHOTO, _fields(), width_px=CARD_WH[0], country="CZ")
    spec = yaml.safe_load((out / "template.yaml").read_text())
    for name in BOXES:
        field = spec["fields"][name]
        colour = [int(field["color"][i:i + 2], 16) for i in (1, 3, 5)]
        assert np.abs(np.array(colour) - INK_RGB).max() <= 30, (name, field["color"])
        lo, hi = field["size_range"]
        assert abs((lo + hi) / 2 / VALUE_SIZE - 1) < 0.12, (name, field["size_range"])


def test_init_template_keeps_the_text_where_it_was_printed(photos, tmp_path):
    from synthcert.pipeline import Renderer
    from synthcert.template_show import flat_config

    out = init_template(photos[0], tmp_path / "tpl", CARD_IN_PHOTO, _fields(), width_px=CARD_WH[0], country="CZ")
    trace = Renderer([out], flat_config(CARD_WH)).trace(0, 0)
    x0, y0, x1, y1 = trace.document.boxes["registration_number"]
    drawn = np.nonzero(find_ink(_card(True)[60:110, 200:430])[0].any(axis=1))[0] + 60
    assert abs((y0 + y1) / 2 - (drawn[0] + drawn[-1] + 1) / 2) < 4  # vertical centre of the ink


def test_a_blank_box_is_printed_like_the_other_fields(photos, tmp_path):
    fields = [*_fields(), FieldBox("notes", (200.0, 240.0, 560.0, 285.0), "name", {"fonts": ["dejavu-sans"]})]
    out = init_template(photos[0], tmp_path / "tpl", CARD_IN_PHOTO, fields, width_px=CARD_WH[0], country="CZ")
    spec = load_template(out)
    assert spec.fields["notes"].size_range == spec.fields["owner"].size_range


@pytest.mark.parametrize(
    ("fields", "kwargs", "match"),
    [
        ([], {}, r"fields: has no fields.*--field"),
        ([FieldBox("registration_number", (10, 10, 900, 30), "plate")], {},
         r"fields\.registration_number\.box.*600x\d+ document.*rectify"),
        ([FieldBox("registration_number", (10, 10, 50, 30), "plaet")], {}, r"fields\.registration_number\.generator"),
        ([FieldBox("registration_number", (10, 10, 50, 30), "plate", {"colour": "#000000"})], {},
         r"fields\.registration_number\.colour: unknown key"),
        ([FieldBox("registration_number", (10, 10, 50, 30), "plate")], {"country": "XX"}, r"country.*--country"),
    ],
    ids=["no-fields", "box-outside", "bad-generator", "unknown-key", "bad-country"],
)
def test_init_template_errors_name_the_field_and_the_fix(photos, tmp_path, fields, kwargs, match):
    args = {"country": "CZ", "width_px": CARD_WH[0], **kwargs}
    with pytest.raises(TemplateError, match=match):
        init_template(photos[0], tmp_path / "tpl", CARD_IN_PHOTO, fields, **args)


def test_unreadable_photo_and_undetectable_document_raise_with_the_fix(tmp_path):
    (tmp_path / "x.jpg").write_text("not an image")
    with pytest.raises(TemplateError, match=r"x\.jpg: is missing or not an image"):
        init_template(tmp_path / "x.jpg", tmp_path / "tpl", None, _fields(), country="CZ")
    flat_grey = np.full((200, 300, 3), 128, np.uint8)
    with pytest.raises(TemplateError, match=r"--corners"):
        detect_document(flat_grey)


def test_fields_file_and_field_options_parse_to_the_same_boxes(tmp_path):
    path = tmp_path / "fields.yaml"
    path.write_text(yaml.safe_dump({
        "corners": [1, 2, 3, 4, 5, 6, 7, 8], "width": 800, "country": "MY",
        "fields": {"registration_number": [10, 20, 110, 50], "owner": {"box": [10, 60, 300, 90], "generator": "name",
                                                                        "uppercase": True}},
    }, sort_keys=False))
    layout = load_layout(path)
    assert layout.width_px == 800 and layout.country == "MY"
    assert layout.corners_xy.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]
    assert layout.fields[0] == parse_field_option("registration_number=10,20,110,50")
    assert layout.fields[1] == FieldBox("owner", (10, 60, 300, 90), "name", {"uppercase": True})
    assert parse_field_option("vin=1,2,3,4").generator == "vin"
    assert parse_field_option("issued = 1, 2, 3, 4 : date:%d/%m/%Y").generator == "date:%d/%m/%Y"


@pytest.mark.parametrize(
    ("text", "match"),
    [("registration_number=1,2,3", r"--field registration_number: .*expected 4"),
     ("remarks=1,2,3,4", r"--field remarks: has no generator"),
     ("=1,2,3,4", r"--field: .*name=x0,y0,x1,y1")],
    ids=["three-numbers", "no-generator", "no-name"],
)
def test_bad_field_options_are_refused_with_the_fix(text, match):
    with pytest.raises(TemplateError, match=match):
        parse_field_option(text)


def test_bad_corners_and_fields_files_are_refused(tmp_path):
    with pytest.raises(TemplateError, match=r"--corners: .*expected 8"):
        parse_corners("1,2,3", where="--corners")
    path = tmp_path / "fields.yaml"
    path.write_text("fields: {registration_number: [1, 2, 3, 4]}\ncorner: [1, 2]\n")
    with pytest.raises(TemplateError, match=r"fields\.yaml: corner: unknown key"):
        load_layout(path)


def test_order_corners_starts_top_left_and_runs_clockwise():
    quad = np.array([[10.0, 90.0], [100.0, 5.0], [0.0, 0.0], [110.0, 95.0]])
    assert order_corners(quad).tolist() == [[0, 0], [100, 5], [110, 95], [10, 90]]


def test_a_bad_box_in_a_fields_file_names_that_file(photos, tmp_path):
    path = tmp_path / "fields.yaml"
    path.write_text("fields:\n  registration_number: [200, 60, 430, 110]\n  vin: [200, 150, 960, 195]\n")
    with pytest.raises(TemplateError, match=r"fields\.yaml: fields\.vin\.box: = \[200\.0, 150\.0, 960\.0"):
        init_template(photos[0], tmp_path / "tpl", CARD_IN_PHOTO, load_layout(path).fields, width_px=CARD_WH[0],
                      country="CZ")


def test_fields_file_defaults_apply_to_every_field_and_a_field_wins(tmp_path):
    path = tmp_path / "fields.yaml"
    path.write_text(yaml.safe_dump({"defaults": {"uppercase": True, "align": "left"}, "fields": {
        "registration_number": [10, 20, 110, 50], "name": {"box": [10, 60, 300, 90], "uppercase": False}}}))
    fields = {f.name: f for f in load_layout(path).fields}
    assert fields["registration_number"].options == {"uppercase": True, "align": "left"}
    assert fields["name"].options["uppercase"] is False and fields["name"].generator == "name"


def test_a_font_file_beside_the_fields_file_is_copied_into_the_template(photos, tmp_path):
    shutil.copyfile(resolve_font("liberation-sans"), tmp_path / "Mine.ttf")
    path = tmp_path / "fields.yaml"
    path.write_text(yaml.safe_dump({"fields": {"registration_number": {"box": list(BOXES["registration_number"]),
                                                                       "fonts": ["Mine.ttf"]}}}))
    out = init_template(photos[0], tmp_path / "out" / "tpl", CARD_IN_PHOTO, load_layout(path).fields,
                        width_px=CARD_WH[0], country="CZ")
    assert (out / "Mine.ttf").read_bytes() == (tmp_path / "Mine.ttf").read_bytes()
    assert load_template(out).fields["registration_number"].fonts == ((out / "Mine.ttf").resolve(),)
    path.write_text("fields:\n  registration_number: {box: [1, 2, 3, 4], fonts: [Gone.ttf]}\n")
    with pytest.raises(TemplateError, match=r"fields\.yaml: fields\.registration_number\.fonts: 'Gone\.ttf' is "
                                            r"neither a built-in font nor a font file beside fields\.yaml"):
        load_layout(path)


def test_init_refuses_a_non_empty_folder_and_never_leaves_a_half_written_template(photos, tmp_path):
    out = tmp_path / "tpl"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(TemplateError, match=r"tpl: is not empty; pass --overwrite"):
        init_template(photos[0], out, CARD_IN_PHOTO, _fields(), width_px=CARD_WH[0], country="CZ")
    bad = [*_fields(), FieldBox("vin", (200.0, 240.0, 560.0, 285.0), "vin", {"size_range": [30, 20]})]
    with pytest.raises(TemplateError, match=r"fields\.vin\.size_range.*swap"):
        init_template(photos[0], out, CARD_IN_PHOTO, bad, width_px=CARD_WH[0], country="CZ", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpl"] and (out / "mine.txt").read_text() == "keep me"
    init_template(photos[0], out, CARD_IN_PHOTO, _fields(), width_px=CARD_WH[0], country="CZ", overwrite=True)
    assert not (out / "mine.txt").exists() and load_template(out).name == "tpl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpl"]


def test_a_value_printed_twice_is_one_text_with_a_label_per_copy(tmp_path):
    from synthcert.pipeline import Renderer
    from synthcert.template_show import flat_config
    from tests.conftest import write_template

    spec = {"name": "t", "background": "background.png", "fields": {
        "registration_number": {"box": [40, 60, 300, 110], "generator": "plate", "fonts": ["ocrb"]},
        "number_again": {"box": [40, 170, 300, 220], "same_as": "registration_number", "fonts": ["dejavu-sans"]}}}
    directory = write_template(tmp_path / "t", spec)
    assert load_template(directory).fields["number_again"].generator == "plate"
    sample = Renderer([directory], flat_config((400, 250))).render(3, 0)
    first, again = sample.fields["registration_number"], sample.fields["number_again"]
    assert first.text == again.text and again.corners[:, 1].min() > first.corners[:, 1].max()
    spec["fields"]["number_again"]["same_as"] = "vin"
    with pytest.raises(TemplateError, match=r"fields\.number_again\.same_as: = 'vin'; expected another field"):
        load_template(write_template(tmp_path / "bad", spec))


def test_a_bad_country_from_the_fields_file_names_that_file_not_the_option(photos, tmp_path):
    path = tmp_path / "fields.yaml"
    with pytest.raises(TemplateError, match=r"fields\.yaml: country: = 'XX'; expected .* set it with country:"):
        init_template(photos[0], tmp_path / "tpl", CARD_IN_PHOTO, _fields(), country="XX", country_source=path)
    out = init_template(photos[0], tmp_path / "in", CARD_IN_PHOTO, _fields(), width_px=CARD_WH[0], country="IN")
    assert load_template(out).country == "IN"
