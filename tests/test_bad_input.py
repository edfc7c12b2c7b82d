"""Bad input to every command: one line on stderr naming what and where, no traceback, the documented exit
code, and nothing of the user's files changed.

Each row runs one command line in-process (click's CliRunner; train.py's `main`) against a shared folder of
the user's files, hashing that folder before and after.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_template

import train
from synthcert.cli import main
from synthcert.pipeline import Renderer

TINY = ["--image-size", "96x64"]
READ_ONLY = Path("/sys/synthcert-bad-input")  # sysfs refuses new entries even to root


@pytest.fixture(scope="module")
def user(tmp_path_factory) -> Path:
    """A folder of the user's files: good and broken datasets, configurations, templates, images, models."""
    u = tmp_path_factory.mktemp("user")
    runs = {"data": [], "shard1": ["-n", "4", "--shard", "1/2"], "shard2": ["-n", "4", "--shard", "2/2"],
            "other2": ["-n", "4", "--shard", "2/2", "--seed", "1"]}
    for out, flags in runs.items():
        args = ["render", "-n", "3", *flags, "-o", str(u / out), *TINY, "--workers", "1", "-q", "--image-format", "png"]
        assert CliRunner().invoke(main, args).exit_code == 0
    yamls = {"broken": "scene: [1,\n", "typed": "scene:\n  fill_range: 0.5\n", "list": "- scene\n",
             "unknown_key": "scene:\n  tilt_range: [0, 1]\n", "unknown_stage": "optics:\n  blur: 1\n",
             "nan": "scene:\n  bend_p: .nan\n", "inverted": "scene:\n  roll_range_deg: [10, -10]\n",
             "target_vin": "labels:\n  target: vin\n", "target_empty": "labels:\n  target: ''\n"}
    for name, text in yamls.items():
        (u / f"{name}.yaml").write_text(text)
    (u / "binary.yaml").write_bytes(b"\xff\xfe\x00scene")
    (u / "a_file.txt").write_text("not a directory\n")
    (u / "empty_dir").mkdir()
    (u / "corrupt.jpg").write_bytes(b"\xff\xd8\xff garbage")

    good = write_template(u / "tpl_ok")
    shutil.copytree(good, u / "tpl_broken")
    (u / "tpl_broken/template.yaml").write_text("name: [\n")
    shutil.copytree(good, u / "tpl_corrupt_background")
    (u / "tpl_corrupt_background/background.png").write_bytes(b"\x89PNG garbage")
    shutil.copytree(good, u / "tpl_no_background")
    (u / "tpl_no_background/background.png").unlink()
    spec = {"name": "aq", "country": "AQ", "background": "background.png",
            "fields": {"registration_number": {"box": [40, 60, 300, 110], "generator": "plate", "fonts": ["ocrb"]}}}
    write_template(u / "tpl_country_without_plate_format", spec)
    spec = {**spec, "country": "CZ", "fields": {"registration_number": {"box": [40, 60, 300, 110],
                                                                        "generator": "horoscope"}}}
    write_template(u / "tpl_unknown_generator", spec)

    shutil.copytree(u / "data", u / "corrupt_image")
    (u / "corrupt_image/images/000001.png").write_bytes(b"\x89PNG truncated")
    shutil.copytree(u / "data", u / "missing_image")
    (u / "missing_image/images/000002.png").unlink()
    shutil.copytree(u / "data", u / "nan_label")
    lines = (u / "nan_label/manifest.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first["fields"]["registration_number"]["corners"][0] = [float("nan"), 3.0]
    (u / "nan_label/manifest.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    shutil.copytree(u / "data", u / "out_of_range_label")
    (u / "out_of_range_label/labels/000000.txt").write_text("0 0.1 0.1 1.25 0.1 0.9 0.9 0.1 0.9\n")
    (u / "broken_coco").mkdir()
    (u / "broken_coco/coco.json").write_text('{"images": [')

    (u / "random.keras").write_bytes(os.urandom(2048))
    with zipfile.ZipFile(u / "not_keras.keras", "w") as z:
        z.writestr("hello.txt", "a zip, but no Keras model")
    return u


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(f"{p.relative_to(root)}|{p.stat().st_mode}|".encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Case:
    args: list[str]
    message: str  # a part of the one stderr line
    code: int = 2


def interrupt_third_sample(monkeypatch):
    calls = []
    trace = Renderer.trace

    def interrupted(self, index, seed=0):
        calls.append(index)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return trace(self, index, seed)

    monkeypatch.setattr(Renderer, "trace", interrupted)


R = ["render", "-n", "2", "-o", "{u}/out", *TINY, "--workers", "1", "-q"]
CASES = {
    # render: configuration files
    "render_broken_yaml": Case([*R, "--config", "{u}/broken.yaml"], "broken.yaml: is not valid YAML (expected"),
    "render_yaml_not_utf8": Case([*R, "--config", "{u}/binary.yaml"], "binary.yaml: is not UTF-8 text"),
    "render_wrongly_typed_setting": Case([*R, "--config", "{u}/typed.yaml"],
                                         "typed.yaml: scene.fill_range: = 0.5; expected a list"),
    "render_yaml_not_a_mapping": Case([*R, "--config", "{u}/list.yaml"], "list.yaml: expected a mapping with sections"),
    "render_unknown_key": Case([*R, "--config", "{u}/unknown_key.yaml"], "scene.tilt_range: unknown setting"),
    "render_unknown_stage": Case([*R, "--config", "{u}/unknown_stage.yaml"], "unknown section(s) ['optics']"),
    "render_nan_setting": Case([*R, "--config", "{u}/nan.yaml"], "scene.bend_p: = nan; expected a probability"),
    "render_inverted_range": Case([*R, "--config", "{u}/inverted.yaml"], "scene.roll_range_deg: = (10.0, -10.0)"),
    "render_missing_config": Case([*R, "--config", "{u}/nope.yaml"], "nope.yaml: cannot read (No such file"),
    "render_empty_target": Case([*R, "--config", "{u}/target_empty.yaml"], "labels.target: = ''; expected the name"),
    "render_target_the_template_lacks": Case([*R, "--config", "{u}/target_vin.yaml", "--template", "{u}/tpl_ok"],
                                             "tpl_ok/template.yaml: fields: has no field 'vin', the target"),
    # render: sizes, counts, shards, formats
    "render_zero_images": Case(["render", "-n", "0", "-o", "{u}/out"], "0 is not in the range x>=1"),
    "render_negative_images": Case(["render", "-n", "-3", "-o", "{u}/out"], "-3 is not in the range x>=1"),
    "render_impossible_size": Case([*R, "--image-size", "99999x10"], "scene.image_size_wh: = 99999x10; expected"),
    "render_size_not_wxh": Case([*R, "--image-size", "large"], "'large'; expected WIDTHxHEIGHT"),
    "render_shard_beyond_count": Case([*R, "--shard", "5/4"], "'5/4'; expected K/N with 1 <= K <= N"),
    "render_shard_zero": Case([*R, "--shard", "0/4"], "'0/4'; expected K/N"),
    "render_unknown_format": Case([*R, "--format", "coco,voc"], "voc; expected any of coco, yolo-obb, jsonl"),
    # render: templates
    "render_missing_template": Case([*R, "--template", "{u}/nope"], "nope: no such template directory"),
    "render_template_broken_yaml": Case([*R, "--template", "{u}/tpl_broken"], "template.yaml: is not valid YAML"),
    "render_template_corrupt_background": Case([*R, "--template", "{u}/tpl_corrupt_background"],
                                               "background.png is missing or not an image"),
    "render_template_missing_background": Case([*R, "--template", "{u}/tpl_no_background"],
                                               "background.png is missing or not an image"),
    "render_template_unknown_generator": Case([*R, "--template", "{u}/tpl_unknown_generator"],
                                              "unknown generator 'horoscope'"),
    "render_template_country_without_plate_format": Case([*R, "--template", "{u}/tpl_country_without_plate_format"],
                                                         "no plate format for country 'AQ'"),
    # render: where it writes
    "render_into_a_file": Case([*R[:3], "-o", "{u}/a_file.txt", *R[5:]], "a_file.txt: is a file"),
    "render_under_a_file": Case([*R[:3], "-o", "{u}/a_file.txt/out", *R[5:]], "a_file.txt/out: cannot create"),
    "render_into_a_dataset": Case([*R[:3], "-o", "{u}/data", *R[5:]], "data: exists and is not empty"),
    "render_into_read_only_place": Case([*R[:3], "-o", str(READ_ONLY), *R[5:]], "synthcert-bad-input: cannot"),
    "render_ctrl_c": Case(["render", "-n", "6", "-o", "{u}/out", *TINY, "--workers", "1", "-q"],
                          "interrupted; ", code=130),
    # preview
    "preview_missing_dataset": Case(["preview", "{u}/nope", "-o", "{u}/p.png"], "nope: no such file or directory"),
    "preview_folder_without_dataset": Case(["preview", "{u}/empty_dir", "-o", "{u}/p.png"], "holds no dataset"),
    "preview_corrupt_image": Case(["preview", "{u}/corrupt_image", "-o", "{u}/p.png"], "000001.png: cannot read"),
    "preview_missing_image": Case(["preview", "{u}/missing_image", "-o", "{u}/p.png"], "000002.png: no such image"),
    "preview_nan_label": Case(["preview", "{u}/nan_label", "-o", "{u}/p.png"],
                                "manifest.jsonl: line 1.fields.registration_number: corners: expected (4, 2) finite"),
    "preview_into_read_only_place": Case(["preview", "-n", "1", *TINY, "-o", f"{READ_ONLY}.png"], "cannot write"),
    "preview_impossible_size": Case(["preview", "-n", "1", "--image-size", "4x4", "-o", "{u}/p.png"], "16..8192"),
    # check: broken datasets are errors (2), problems found in a readable one are reported (1)
    "check_missing_dataset": Case(["check", "{u}/nope"], "nope: no such file or directory"),
    "check_category_without_field": Case(["check", "{u}/data", "--category", "plate"], "'plate'; expected NAME=FIELD"),
    "check_label_file_of_no_format": Case(["check", "{u}/a_file.txt"], "a_file.txt: is neither a jsonl"),
    "check_broken_coco": Case(["check", "{u}/broken_coco", "-q"], "coco.json: is not valid JSON"),
    "check_out_of_range_label": Case(["check", "{u}/out_of_range_label", "--format", "yolo-obb", "-q"],
                                     "1 problem(s)", code=1),
    "check_nan_label": Case(["check", "{u}/nan_label", "-q"], "1 problem(s)", code=1),
    # merge
    "merge_missing_shard": Case(["merge", "{u}/shard1", "-o", "{u}/m"], "(missing ['2/2'])"),
    "merge_shards_of_different_runs": Case(["merge", "{u}/shard1", "{u}/other2", "-o", "{u}/m"], "other2"),
    "merge_same_shard_twice": Case(["merge", "{u}/shard1", "{u}/shard1", "-o", "{u}/m"], "['1/2', '1/2'] given"),
    "merge_folder_without_dataset": Case(["merge", "{u}/empty_dir", "{u}/shard2", "-o", "{u}/m"],
                                         "empty_dir/dataset.yaml: cannot read"),
    "merge_into_a_file": Case(["merge", "{u}/shard1", "{u}/shard2", "-o", "{u}/a_file.txt"], "a_file.txt: is a file"),
    # template
    "template_init_missing_photo": Case(["template", "init", "{u}/nope.jpg", "-o", "{u}/t", "--field",
                                         "registration_number=1,1,20,10"], "nope.jpg: is missing or not an image"),
    "template_init_corrupt_photo": Case(["template", "init", "{u}/corrupt.jpg", "-o", "{u}/t", "--field",
                                         "registration_number=1,1,20,10"], "corrupt.jpg: is missing or not an image"),
    "template_init_broken_fields_file": Case(["template", "init", "{u}/data/images/000000.png", "-o", "{u}/t",
                                              "--fields", "{u}/broken.yaml"], "broken.yaml: is not valid YAML"),
    "template_rectify_corrupt_photo": Case(["template", "rectify", "{u}/corrupt.jpg", "-o", "{u}/r.png"],
                                           "corrupt.jpg"),
    "template_show_missing_template": Case(["template", "show", "{u}/nope", "-o", "{u}/s.png"],
                                           "nope: no such template directory"),
    "template_show_broken_template": Case(["template", "show", "{u}/tpl_broken", "-o", "{u}/s.png"],
                                          "template.yaml: is not valid YAML"),
    # eval and predict
    "eval_random_bytes_model": Case(["eval", "{u}/random.keras", "{u}/data"], "random.keras: is not a Keras model"),
    "eval_zip_that_is_not_keras": Case(["eval", "{u}/not_keras.keras", "{u}/data"], "is not a Keras model"),
    "eval_missing_model": Case(["eval", "{u}/nope.keras", "{u}/data"], "nope.keras: no such model file"),
    "predict_random_bytes_model": Case(["predict", "{u}/random.keras", "{u}/corrupt.jpg"], "is not a Keras model"),
    # bench
    "bench_impossible_size": Case(["bench", "--image-size", "4x4", "--quick"], "16..8192"),
    "bench_no_memory_samples": Case(["bench", "--memory-samples", "0"], "0 is not in the range x>=1"),
    # train.py
    "train_size_not_wxh": Case(["train.py", "--image-size", "192by128"], "'192by128'; expected WIDTHxHEIGHT"),
    "train_unknown_flag": Case(["train.py", "--colour", "red"], "unrecognized arguments: --colour red"),
    "train_missing_real_dataset": Case(["train.py", "--quick", "--out", "{u}/run", "--real", "{u}/nope"],
                                       "nope: no such file or directory"),
    "train_broken_config": Case(["train.py", "--quick", "--out", "{u}/run", "--config", "{u}/broken.yaml"],
                                "broken.yaml: is not valid YAML"),
    "train_out_is_a_file": Case(["train.py", "--quick", "--out", "{u}/a_file.txt"], "a_file.txt"),
    "train_target_no_template_prints": Case(["train.py", "--quick", "--out", "{u}/run", "--target", "tail_number"],
                                            "has no field 'tail_number', the target (labels.target, train.py"),
    "train_target_the_config_contradicts": Case(["train.py", "--quick", "--out", "{u}/run", "--config",
                                                 "{u}/target_vin.yaml"],
                                                "target_vin.yaml: labels.target: = 'vin' but train.py --target"),
}


def invoke(args: list[str]) -> tuple[int, str]:
    """Runs one command line in this process; returns its exit code and stderr."""
    if args[0] == "train.py":
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = train.main(args[1:])
            except SystemExit as e:
                code = e.code
        return code, err.getvalue()
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_one_line_naming_what_and_where_and_changes_nothing(user, case, request, monkeypatch):
    if str(READ_ONLY) in " ".join(case.args) and os.access("/sys", os.W_OK) and not Path("/sys/kernel").is_dir():
        pytest.skip("no read-only /sys here to stand for a folder nobody may write")
    if request.node.callspec.id == "render_ctrl_c":
        interrupt_third_sample(monkeypatch)
    before = tree_hash(user)
    code, stderr = invoke([a.format(u=user) for a in case.args])
    lines = [line for line in stderr.splitlines() if line.strip()]  # click ends a ^C with a blank line
    assert (code, len(lines)) == (case.code, 1), stderr
    assert case.message in lines[0] and "Traceback" not in stderr, stderr
    assert tree_hash(user) == before, "the command changed the user's files"
    assert not READ_ONLY.exists() and not Path(f"{READ_ONLY}.png").exists()


def test_train_help_prints_every_help_text_as_written(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--help"])
    out = capsys.readouterr().out
    assert "% are held out for validation" in out and "option_strings" not in out
