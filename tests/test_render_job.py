import importlib.metadata
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from synthcert import Renderer, __version__
from synthcert.config import resolve_config
from synthcert.datasets import merge_datasets, read_dataset, render_dataset, shard_indices
from synthcert.datasets.layout import atomic_write, write_new
from synthcert.errors import ConfigError, DatasetError

TINY = resolve_config(image_size_wh=(96, 64))


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def render(root, count=5, **kwargs):
    kwargs = {"config": TINY, "workers": 1, **kwargs}
    return render_dataset(root, count, **kwargs).out_dir


@pytest.mark.parametrize(("start", "count", "n"), [(0, 10, 3), (5, 7, 7), (0, 2, 5), (100, 1, 1)],
                         ids=["uneven", "one_each", "more_shards_than_images", "single"])
def test_shards_cover_every_index_once_in_contiguous_blocks(start, count, n):
    shards = [shard_indices(start, count, (k, n)) for k in range(1, n + 1)]
    assert [i for s in shards for i in s] == list(range(start, start + count))
    assert all(s.step == 1 for s in shards)


@pytest.mark.parametrize("shard", [(0, 2), (3, 2), (1, 0)], ids=["zero", "beyond", "no_shards"])
def test_bad_shard_is_refused_with_the_fix(shard):
    with pytest.raises(ConfigError, match=r"shard: = .*; expected K/N with 1 <= K <= N"):
        shard_indices(0, 10, shard)


def test_same_seed_gives_byte_identical_files_with_one_or_two_workers(tmp_path):
    one = render(tmp_path / "one", 6, workers=1)
    two = render(tmp_path / "two", 6, workers=2)
    assert tree_bytes(one) == tree_bytes(two)
    assert len(list((one / "images").iterdir())) == 6


def test_shards_rendered_apart_and_merged_equal_one_run(tmp_path):
    whole = render(tmp_path / "whole", 5, start=3)
    parts = [render(tmp_path / f"part{k}", 5, start=3, shard=(k, 3)) for k in (3, 1, 2)]
    assert sorted(p.name for p in (parts[1] / "images").iterdir()) == ["000003.jpg"]
    merged = merge_datasets(parts, tmp_path / "merged")
    assert tree_bytes(merged) == tree_bytes(whole)


def test_merge_refuses_a_missing_shard_and_shards_of_another_run(tmp_path):
    first = render(tmp_path / "a", 4, shard=(1, 2))
    with pytest.raises(DatasetError, match=r"shards: shards \['1/2'\] given; expected each of \['1/2', '2/2'\]"):
        merge_datasets([first], tmp_path / "m")
    other = render(tmp_path / "b", 4, shard=(2, 2), seed=1)
    with pytest.raises(DatasetError, match=r"b/dataset\.yaml: seed: differs from"):
        merge_datasets([first, other], tmp_path / "m")


def test_merge_refuses_shards_rendered_with_another_faker(tmp_path):
    first, second = (render(tmp_path / name, 4, shard=(k, 2)) for k, name in ((1, "a"), (2, "b")))
    info = yaml.safe_load((second / "dataset.yaml").read_text())
    info["libraries"]["faker"] = "0.0.1"  # as if the second machine had an older Faker
    (second / "dataset.yaml").write_text(yaml.safe_dump(info, sort_keys=False))
    with pytest.raises(DatasetError, match=r"b/dataset\.yaml: libraries: differs from .* library versions"):
        merge_datasets([first, second], tmp_path / "m")


def test_dataset_sample_equals_the_sample_rendered_alone(tmp_path):
    root = render(tmp_path / "ds", 4, seed=9, image_format="png")
    alone = Renderer(config=TINY).render(2, seed=9)
    read = read_dataset(root)[2]
    np.testing.assert_array_equal(read.image, alone.image)
    for name, label in alone.fields.items():
        np.testing.assert_array_equal(read.fields[name].corners, label.corners)
    np.testing.assert_array_equal(read.image_from_doc, alone.image_from_doc)


def test_a_photo_that_ended_as_a_jpeg_is_stored_as_that_file_and_the_others_at_quality_95(tmp_path):
    renderer = Renderer(config=TINY)
    traces = [renderer.trace(i, seed=9) for i in range(12)]
    ended = [t.sample.index for t in traces if t.photometric.names and t.photometric.names[-1].endswith("jpeg")]
    assert 0 < len(ended) < 12  # both kinds occur, so both branches are checked
    read = read_dataset(render(tmp_path / "ds", 12, seed=9))
    for trace, got in zip(traces, read, strict=True):
        pixels = trace.sample.image
        if trace.sample.index in ended:  # Pillow decodes the stored file: not the code that wrote it
            np.testing.assert_array_equal(got.image, pixels)
        else:
            ok, data = cv2.imencode(".jpg", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
            assert Path(got.source).read_bytes() == data.tobytes()


def test_a_jpeg_dataset_stores_the_photos_that_ended_as_a_jpeg_without_decoding_them(tmp_path, monkeypatch):
    import synthcert.pipeline

    config = TINY.replace(photometric={"jpeg_p": 1.0})  # every photo ends as a JPEG
    expected = [Renderer(config=config).trace(i, seed=2).jpeg for i in range(4)]

    def no_decoding(data):
        raise AssertionError("a photo was decoded")

    monkeypatch.setattr(synthcert.pipeline, "decode_jpeg", no_decoding)
    root = render(tmp_path / "ds", 4, config=config, seed=2)  # one worker: this process, with the patch
    assert [(root / f"images/{i:06d}.jpg").read_bytes() for i in range(4)] == expected


def test_dataset_yaml_records_enough_to_reproduce_the_dataset(tmp_path):
    config = TINY.replace(scene={"roll_range_deg": (170.0, 190.0)}, photometric={"preset": "light"})
    first = render(tmp_path / "first", 3, config=config, seed=4)
    info = yaml.safe_load((first / "dataset.yaml").read_text())
    assert (info["synthcert_version"], info["seed"], info["start"], info["count"]) == (__version__, 4, 0, 3)
    assert info["config"] == config.to_dict()
    assert {k: info["libraries"][k] for k in ("faker", "albumentations")} == {
        k: importlib.metadata.version(k) for k in ("faker", "albumentations")}
    again = render(tmp_path / "again", 3, config=first / "dataset.yaml", seed=info["seed"])
    assert tree_bytes(again) == tree_bytes(first)


def test_class_names_come_from_the_templates_so_every_shard_agrees(tmp_path, plain_template):
    root = render(tmp_path / "ds", 1, templates=[plain_template])
    assert yaml.safe_load((root / "dataset.yaml").read_text())["names"] == {0: "owner", 1: "registration_number"}


def test_non_empty_directory_is_refused_and_overwrite_removes_the_old_dataset(tmp_path):
    root = render(tmp_path / "ds", 3)
    (root / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match=r"ds: exists and is not empty; pass --overwrite"):
        render(root, 2)
    render(root, 2, overwrite=True)
    assert sorted(p.name for p in (root / "images").iterdir()) == ["000000.jpg", "000001.jpg"]
    assert (root / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(("kwargs", "message"),
                         [({"count": 0}, "count: = 0; expected an integer >= 1"),
                          ({"count": 2, "workers": 0}, "workers: = 0; expected an integer >= 1"),
                          ({"count": 2, "formats": ["voc"]}, r"formats: = \['voc'\]; expected some of")],
                         ids=["no_images", "no_workers", "unknown_format"])
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        render_dataset(tmp_path / "ds", **{"config": TINY, **kwargs})
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize("overwrite", [False, True], ids=["new_directory", "over_a_dataset"])
def test_a_render_failing_part_way_leaves_the_directory_as_it_was(tmp_path, monkeypatch, overwrite):
    root = tmp_path / "ds"
    if overwrite:
        render(root, 3)
    before = tree_bytes(root) if overwrite else None
    real_trace = Renderer.trace

    def failing(self, index, seed=0):
        if index == 5:
            raise ConfigError("= 3; expected no 3", field="scene.example")
        return real_trace(self, index, seed)

    monkeypatch.setattr(Renderer, "trace", failing)
    unchanged = "its dataset is unchanged" if overwrite else "nothing was written"
    message = rf"^sample 5 \(seed 0\): scene.example: = 3; expected no 3; .*ds: {unchanged}$"
    with pytest.raises(ConfigError, match=message):
        render(root, 8, overwrite=overwrite)
    if overwrite:
        assert tree_bytes(root) == before and [p.name for p in root.iterdir() if p.name.startswith(".")] == []
    else:
        assert not root.exists()


def test_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "coco.json"
    path.write_text("old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["coco.json"]


def test_write_new_writes_a_new_file_and_never_replaces_one(tmp_path):
    path = tmp_path / "images" / "000001.jpg"
    path.parent.mkdir()
    write_new(path, b"first")
    assert path.read_bytes() == b"first"
    with pytest.raises(DatasetError, match=r"000001\.jpg: exists already"):
        write_new(path, "second")
    assert path.read_bytes() == b"first"
