"""Bad templates are refused with the file, the key and the fix."""

import pytest
import yaml

from synthcert import Renderer, TemplateError
from synthcert.template.spec import builtin_template_dirs, load_template
from tests.conftest import write_template


def _spec(**target_overrides):
    target = {"box": [40, 60, 300, 110], "generator": "plate", "fonts": ["ocrb"], **target_overrides}
    return {"name": "t", "background": "background.png", "fields": {"registration_number": target}}


BAD_FIELDS = {
    "box_outside": ({"box": [40, 60, 500, 110]}, r"fields\.registration_number\.box.*400x250.*resize"),
    "box_inverted": ({"box": [300, 60, 40, 110]}, r"fields\.registration_number\.box.*x0 < x1"),
    "box_not_four_numbers": ({"box": [1, 2, 3]}, r"fields\.registration_number\.box.*\[x0, y0, x1, y1\]"),
    "unknown_generator": ({"generator": "plat"}, r"fields\.registration_number\.generator.*did you mean"),
    "unknown_font": ({"fonts": ["comic"]}, r"fields\.registration_number\.fonts.*'comic'.*fonts/README"),
    "bad_colour": ({"color": "red"}, r"fields\.registration_number\.color.*hex"),
    "bad_align": ({"align": "middle"}, r"fields\.registration_number\.align.*left, center, right"),
    "inverted_size_range": ({"size_range": [40, 30]}, r"size_range.*swap"),
    "unknown_key": ({"colour": "#000000"}, r"fields\.registration_number\.colour.*unknown key"),
}


@pytest.mark.parametrize("overrides, message", BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_bad_field_names_file_field_and_fix(tmp_path, overrides, message):
    directory = write_template(tmp_path / "t", _spec(**overrides))
    with pytest.raises(TemplateError, match=message) as info:
        load_template(directory)
    assert str(directory / "template.yaml") in str(info.value)


def test_a_template_without_the_number_serves_a_detector_of_its_own_fields(tmp_path):
    from synthcert import ConfigError
    from synthcert.config import resolve_config

    spec = _spec(generator="vin")
    spec["fields"] = {"vin": spec["fields"].pop("registration_number")}
    directory = write_template(tmp_path / "t", spec)
    assert set(load_template(directory).fields) == {"vin"}
    sample = Renderer([directory], resolve_config(None, (200, 125)).replace(labels={"target": "vin"})).render(0)
    assert set(sample.fields) == {"vin"} and len(sample.fields["vin"].text) == 17
    with pytest.raises(ConfigError, match=r"template\.yaml: fields: has no field 'registration_number', the target "
                                          r"\(labels\.target, train\.py --target\); it prints vin"):
        Renderer([directory])  # the default target: the renderer names the fix where the target is chosen


def test_missing_directory_and_spec_are_named(tmp_path):
    with pytest.raises(TemplateError, match=r"no such template directory"):
        load_template(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TemplateError, match=r"template\.yaml.*missing"):
        load_template(tmp_path / "empty")


def test_malformed_yaml_is_refused(tmp_path):
    directory = write_template(tmp_path / "t")
    (directory / "template.yaml").write_text("name: [unclosed\n")
    with pytest.raises(TemplateError, match=r"not valid YAML"):
        load_template(directory)


def test_missing_background_is_named(tmp_path):
    directory = write_template(tmp_path / "t", {**_spec(), "background": "gone.png"})
    with pytest.raises(TemplateError, match=r"background.*gone\.png"):
        load_template(directory)


def test_text_no_font_can_draw_is_refused_not_drawn_as_boxes(tmp_path):
    directory = write_template(tmp_path / "t", _spec(generator="choice:ŘŽ 123"))
    with pytest.raises(TemplateError, match=r"fonts.*no font.*'ŘŽ 123'.*'ŘŽ'.*e\.g\. dejavu-sans"):
        Renderer([directory]).render(0)


def test_a_script_no_built_in_font_covers_is_not_sent_to_a_font_that_lacks_it_too(tmp_path):
    directory = write_template(tmp_path / "t", _spec(generator="choice:品川 12", fonts=["ocrb", "dejavu-sans"]))
    with pytest.raises(TemplateError, match=r"no built-in font has '品川'; put a font file") as info:
        Renderer([directory]).render(0)
    assert "e.g. dejavu" not in str(info.value)


@pytest.mark.parametrize("country", ["US", "IN", "CI", "BR", "JP", "CN"])
def test_any_iso_country_loads_and_names_come_from_its_closest_locale(tmp_path, country):
    spec = {**_spec(generator="pattern:??-####"), "country": country.lower()}
    spec["fields"]["owner"] = {"box": [40, 150, 380, 190], "generator": "city", "fonts": ["dejavu-sans"]}
    directory = write_template(tmp_path / "t", spec)
    assert load_template(directory).country == country
    if country not in ("JP", "CN"):  # their city names need a font with kanji or hanzi
        assert Renderer([directory]).render(0).fields["owner"].text


def test_a_country_code_that_is_no_country_is_refused_at_load(tmp_path):
    directory = write_template(tmp_path / "t", {**_spec(), "country": "XX"})
    with pytest.raises(TemplateError, match=r"template\.yaml: country: = 'XX'; expected .*ISO 3166-1 alpha-2"):
        load_template(directory)


def test_plate_for_a_country_without_a_format_is_refused_at_load_not_at_render(tmp_path):
    directory = write_template(tmp_path / "t", {**_spec(), "country": "CN"})
    with pytest.raises(TemplateError, match=r"fields\.registration_number\.generator: no plate format for "
                                            r"country 'CN'.*plate:CC.*pattern:"):
        load_template(directory)
    us = write_template(tmp_path / "us", {**_spec(), "country": "US"})
    assert Renderer([us]).render(0).target.text


def test_text_is_drawn_with_a_font_that_has_its_characters(tmp_path):
    directory = write_template(tmp_path / "t", _spec(generator="choice:ŘŽ 123", fonts=["ocrb", "dejavu-sans"]))
    sample = Renderer([directory]).render(0)
    assert sample.target.text == "ŘŽ 123"


def test_builtin_templates_load_and_follow_the_format():
    dirs = builtin_template_dirs()
    assert len(dirs) >= 3
    for d in dirs:
        spec = load_template(d)
        raw = yaml.safe_load((d / "template.yaml").read_text())
        assert spec.name == raw["name"] and "registration_number" in spec.fields
