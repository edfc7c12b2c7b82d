import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from synthcert import __version__
from synthcert.cli import main
from tests.fresh_imports import heavy_imports

TINY = ["--image-size", "96x64", "--workers", "1", "-q"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def console_script() -> str:
    script = shutil.which("synthcert", path=str(Path(sys.executable).parent)) or shutil.which("synthcert")
    assert script, "the synthcert console script is not installed: run `pip install -e .`"
    return script


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "ds"
    result = run("render", "-n", 3, "-o", root, *TINY, "--image-format", "png")
    assert result.exit_code == 0, result.output
    return root


def test_help_lists_every_command_and_each_command_has_usage_and_examples():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("render", "preview", "check", "merge"):
        assert command in result.output
        sub = run(command, "--help")
        assert sub.exit_code == 0 and f"Usage: main {command}" in sub.output and "Example" in sub.output


def test_no_arguments_show_the_help():
    result = run()
    assert result.exit_code == 0 and "Commands:" in result.output


def test_version_is_printed():
    assert run("--version").output.strip() == f"synthcert, version {__version__}"


def test_render_writes_every_format_and_reports_seed_and_rate(dataset):
    assert sorted(p.name for p in dataset.iterdir()) == ["coco.json", "dataset.yaml", "images", "labels",
                                                         "manifest.jsonl"]
    assert len(json.loads((dataset / "coco.json").read_text(encoding="utf-8"))["images"]) == 3


def test_render_prints_the_seed_and_the_rate(tmp_path):
    result = run("render", "-n", 1, "-o", tmp_path / "one", *TINY, "--format", "jsonl,coco")
    assert "(seed 0)" in result.stderr and "images/s" in result.stderr
    assert not (tmp_path / "one" / "labels").exists()


def test_check_passes_our_dataset_and_preview_draws_it(dataset, tmp_path):
    result = run("check", dataset, "-q")
    assert result.exit_code == 0, result.output
    assert "Checked 3 images" in result.stderr and "no problems" in result.stderr
    result = run("preview", dataset, "-n", 2, "-o", tmp_path / "sheet.png")
    assert result.exit_code == 0 and (tmp_path / "sheet.png").stat().st_size > 0


def test_preview_renders_samples_when_no_dataset_is_given(tmp_path):
    result = run("preview", "-n", 2, "-o", tmp_path / "p.jpg", "--image-size", "96x64", "--augment", "none")
    assert result.exit_code == 0 and (tmp_path / "p.jpg").is_file()


def test_check_reports_each_problem_on_a_line_by_file_and_exits_1(dataset, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)
    (broken / "images/000001.png").write_bytes(b"garbage")
    (broken / "labels/000002.txt").write_text("0 0.1 0.1 1.25 0.1 0.9 0.9 0.1 0.9\n")
    result = run("check", broken, "--format", "yolo-obb", "-q")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "images/000001.png: cannot read the image" in lines[0]
    assert "images/000002.png: address: top_right = (120, 6.4) is marked visible but lies outside" in lines[1]


def test_installed_console_script_renders_and_checks(tmp_path):
    script = console_script()
    out = tmp_path / "ds"
    subprocess.run([script, "render", "-n", "2", "-o", str(out), *TINY], check=True, capture_output=True)
    checked = subprocess.run([script, "check", str(out), "-q"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "Checked 2 images" in checked.stderr


def test_ctrl_c_stops_cleanly_with_exit_130_and_leaves_the_directory_as_it_was(tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    proc = subprocess.Popen([console_script(), "render", "-n", "100000", "-o", str(out), "--workers", "2",
                             "--image-size", "96x64"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(out.rglob("*.jpg")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(out.rglob("*.jpg")), "no image was rendered before the interrupt"
    proc.send_signal(signal.SIGINT)
    stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "Error: interrupted" in stderr and "directory is as it was" in stderr
    assert list(out.iterdir()) == []


def test_command_line_imports_no_heavy_library():
    # What a command imports, every call pays at start: albumentations (with SciPy) is a second, TensorFlow more.
    assert heavy_imports("import synthcert.cli, synthcert.datasets, synthcert.preview") == []


def test_python_dash_m_runs_the_same_command_line():
    result = subprocess.run([sys.executable, "-m", "synthcert", "--version"], capture_output=True, text=True)
    assert result.stdout.strip() == f"synthcert, version {__version__}"
