"""Reading user YAML files: every failure is one line naming the file, as the caller's error type."""

import pytest

from synthcert.errors import ConfigError, TemplateError
from synthcert.yamlfile import read_yaml

BAD = {
    "missing": (None, None, r"cannot read \(No such file or directory\); give an existing YAML file"),
    "syntax": ("a: 1\nb: c: 2\n", None, r"is not valid YAML \(mapping values .* at line 2, column 5\); fix the syntax"),
    "not_utf8": (b"a: \xff\xfe\n", None, r"is not UTF-8 text"),
    "not_a_mapping": ("- 1\n- 2\n", "a mapping of settings", r"= \[1, 2\]; expected a mapping of settings"),
}


@pytest.mark.parametrize("content, expected, message", BAD.values(), ids=BAD.keys())
def test_unreadable_yaml_is_one_line_naming_the_file(tmp_path, content, expected, message):
    path = tmp_path / "in.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(TemplateError, match=message) as info:
        read_yaml(path, TemplateError, expected)
    assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


def test_empty_file_reads_as_none_and_a_mapping_as_itself(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "map.yaml").write_text("scene: {fill_range: [0.5, 0.9]}\n")
    assert read_yaml(tmp_path / "empty.yaml", ConfigError) is None
    assert read_yaml(tmp_path / "map.yaml", ConfigError, "a mapping") == {"scene": {"fill_range": [0.5, 0.9]}}
