"""Render configuration files: defaults, round trip and clear refusals."""

import pytest
import yaml

from synthcert import ConfigError, RenderConfig, resolve_config


def test_yaml_round_trip_gives_the_same_configuration(tmp_path):
    config = RenderConfig().replace(scene={"roll_range_deg": (-180.0, 180.0)}, photometric={"preset": "heavy"})
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config.to_dict()))
    assert RenderConfig.load(path) == config


def test_missing_keys_keep_their_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scene:\n  image_size_wh: [192, 128]\n")
    config = RenderConfig.load(path)
    assert config.scene.image_size_wh == (192, 128)
    assert config.photometric == RenderConfig().photometric


BAD = {
    "unknown_section": ("camera: {}\n", r"unknown section.*camera"),
    "unknown_key": ("scene:\n  tilt_range: [0, 1]\n", r"scene\.tilt_range.*unknown setting"),
    "inverted_range": ("scene:\n  roll_range_deg: [10, -10]\n", r"scene\.roll_range_deg.*swap"),
    "not_a_pair": ("scene:\n  fill_range: 0.5\n", r"scene\.fill_range.*expected a list"),
    "bad_preset": ("photometric:\n  preset: extreme\n", r"photometric\.preset.*none, light, default, heavy"),
    "bad_background": ("scene:\n  backgrounds: [marble]\n", r"scene\.backgrounds.*marble"),
    "tiny_image": ("scene:\n  image_size_wh: [8, 8]\n", r"scene\.image_size_wh.*16\.\.8192"),
    "bad_yaml": ("scene: [\n", r"not valid YAML"),
}


@pytest.mark.parametrize("text, message", BAD.values(), ids=BAD.keys())
def test_bad_configuration_names_file_key_and_fix(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        RenderConfig.load(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_resolve_config_reads_a_dataset_yaml_and_applies_size_and_preset(tmp_path):
    recorded = RenderConfig().replace(scene={"roll_range_deg": (-5.0, 5.0)})
    path = tmp_path / "dataset.yaml"
    path.write_text(yaml.safe_dump({"synthcert_version": "0.1.0", "config": recorded.to_dict()}))
    config = resolve_config(path, (96, 64), "light")
    assert config == recorded.replace(scene={"image_size_wh": (96, 64)}, photometric={"preset": "light"})
    assert resolve_config(config) is config
    assert resolve_config(None) == RenderConfig()
