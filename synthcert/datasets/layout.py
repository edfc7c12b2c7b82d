"""The dataset directory on disk: file names, atomic writes, image files and `dataset.yaml`.

    DIR/images/000000.jpg ...   zero-padded sample indices
    DIR/labels/000000.txt ...   YOLO-OBB, one file per image
    DIR/coco.json               COCO keypoints
    DIR/manifest.jsonl          one line per image
    DIR/dataset.yaml            synthcert version, run arguments, full configuration; Ultralytics' names

This module knows paths and bytes only: it never interprets labels. A file that may replace one already
there (coco.json, manifest.jsonl, dataset.yaml) is written to a temporary name and moved into place with
`os.replace`, so it is never half-written. The per-image files (images, YOLO-OBB labels) are new files in a
dataset being built and are written once, exclusively (`write_new`): `dataset.yaml` is written last, so a
directory without it is incomplete, and `render` builds the whole run in a staging folder that it publishes
only when complete.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml
from PIL import Image

from synthcert.errors import DatasetError
from synthcert.yamlfile import read_yaml

IMAGE_DIR = "images"
LABEL_DIR = "labels"
COCO_FILE = "coco.json"
MANIFEST_FILE = "manifest.jsonl"
INFO_FILE = "dataset.yaml"
IMAGE_FORMATS = ("jpg", "png")
READABLE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
JPEG_QUALITY = 95
PNG_COMPRESSION = 1  # fast; PNG is lossless at every level
MIN_NAME_DIGITS = 6
OUTPUTS = (IMAGE_DIR, LABEL_DIR, COCO_FILE, MANIFEST_FILE, INFO_FILE)


def synthcert_version() -> str:
    """Returns the installed synthcert's version (imported late: the package imports this module)."""
    from synthcert import __version__

    return __version__


# The libraries whose output is in the bytes of a render: the same seed gives the same bytes only with
# the same versions (Faker's data tables, albumentations' sampling, OpenCV's and Pillow's rasterisers).
RENDER_LIBRARIES = ("faker", "albumentations", "opencv-python-headless", "pillow", "numpy")


def library_versions() -> dict[str, str]:
    """Returns the installed version of each of `RENDER_LIBRARIES` ("not installed" if absent)."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {name: installed(name) for name in RENDER_LIBRARIES}


def image_file(index: int, last_index: int, image_format: str) -> str:
    """Returns the dataset-relative file of image `index`, zero-padded to the digits of the run's last index.

    Example:
        >>> image_file(17, 4999, "jpg")
        'images/000017.jpg'
    """
    digits = max(MIN_NAME_DIGITS, len(str(last_index)))
    return f"{IMAGE_DIR}/{index:0{digits}d}.{image_format}"


def prepare_output_dir(out_dir: str | Path, overwrite: bool) -> Path:
    """Creates `out_dir/images`, refusing a non-empty directory unless `overwrite`.

    With `overwrite`, only what a dataset consists of (images/, labels/, coco.json, manifest.jsonl,
    dataset.yaml) is removed first; other files in the directory stay.

    Raises:
        DatasetError: the directory is not empty, is a file, or cannot be created.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DatasetError("is a file; give a directory for the dataset", out)
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise DatasetError("exists and is not empty; pass --overwrite (overwrite=True) to replace its dataset, "
                               "or choose a new directory", out)
        for name in OUTPUTS:
            path = out / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    try:
        (out / IMAGE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatasetError(f"cannot create ({e.strerror}); choose a writable directory", out) from None
    return out


def atomic_write(path: Path, data: bytes | str) -> None:
    """Writes `data` to `path` through a temporary file in the same directory and `os.replace`.

    Raises:
        DatasetError: the file cannot be written (disk full, no permission).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise DatasetError(f"cannot write ({e.strerror}); free space or choose a writable directory", path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_new(path: str | Path, data: bytes | str) -> None:
    """Writes a file that does not exist yet, an image or label file of a dataset being built, in place.

    Opened exclusively, so it never replaces anything; without the temporary file and rename of `atomic_write`
    (a third of a small file's cost), since an interrupted write leaves only a dataset without `dataset.yaml`.
    Written with `os` calls: open, write, close and no more (`open()` adds a stat, a tty check and a buffer,
    nearly half the cost of a label file).

    Raises:
        DatasetError: the file exists already, or cannot be written (disk full, no permission).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            left = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
            while left:  # a regular file takes all at once but for a signal or a full disk
                left = left[os.write(fd, left):]
        finally:
            os.close(fd)
    except FileExistsError:
        raise DatasetError("exists already; a dataset's images and label files are written once, into an empty "
                           "directory", path) from None
    except OSError as e:
        Path(path).unlink(missing_ok=True)
        raise DatasetError(f"cannot write ({e.strerror}); free space or choose a writable directory", path) from None


def json_text(obj) -> str:
    """Returns compact UTF-8 JSON; floats as Python's shortest repr, which reads back to the same float."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def json_string(text: str) -> str:
    """Returns `text` as a JSON string literal, exactly as `json_text` spells it (its C encoder, no call overhead)."""
    return json.encoder.encode_basestring(text)


def parse_json(text: str, path: Path, field: str | None = None):
    """Parses JSON text from `path` (at `field`, e.g. a line number); a DatasetError says where it breaks."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DatasetError(f"is not valid JSON ({e.msg} at line {e.lineno} column {e.colno}); fix or re-export it",
                           path, field) from None


def encode_image(image: np.ndarray, image_format: str) -> bytes:
    """Returns the file bytes of an (H, W, 3) uint8 RGB image as jpg (quality 95) or png; deterministic."""
    params = {"jpg": [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY], "png": [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION]}
    ok, buf = cv2.imencode(f".{image_format}", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), params[image_format])
    if not ok:
        raise DatasetError(f"OpenCV could not encode a {image.shape} image as {image_format}", field="image_format")
    return buf.tobytes()


def load_image(path: Path) -> np.ndarray:
    """Decodes an image file as (H, W, 3) uint8 RGB, without EXIF rotation (labels refer to the stored pixels).

    Raises:
        DatasetError: the file is missing, truncated or not an image.
    """
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise DatasetError("no such image; restore it or remove its labels", path) from None
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise DatasetError(f"cannot read the image ({e}); re-export it or remove it with its labels", path) from None


def image_size(path: Path) -> tuple[int, int]:
    """Returns (W, H) of an image file from its header, without decoding the pixels.

    Raises:
        DatasetError: the file is missing or not an image.
    """
    try:
        with Image.open(path) as im:
            return im.size
    except FileNotFoundError:
        raise DatasetError("no such image; restore it or remove its labels", path) from None
    except (OSError, ValueError) as e:
        raise DatasetError(f"cannot read the image ({e}); re-export it or remove it with its labels", path) from None


@dataclass(frozen=True)
class DatasetInfo:
    """What `dataset.yaml` records: enough to reproduce a rendered dataset exactly, plus Ultralytics' keys.

    Attributes:
        names: field names in sorted order; YOLO-OBB class i is `names[i]`.
        formats: the label formats written (coco, yolo-obb, jsonl).
        image_format: jpg or png.
        synthcert_version: the version that wrote the dataset.
        seed, start, count: the run renders indices start .. start + count - 1 with `seed` (None when the
            dataset was written from samples rather than rendered).
        shard: (k, n) when the directory holds shard k of n of that run; None for a whole run.
        templates: the template directories as given (so shards agree on any machine), or None for the
            built-in ones.
        config: the full render configuration, `RenderConfig.to_dict()`.
        jpeg_quality: the JPEG quality the images were encoded with.
        libraries: versions of the libraries a render's bytes depend on (`library_versions`), or None when
            the dataset was written from samples.
    """

    names: tuple[str, ...]
    formats: tuple[str, ...]
    image_format: str
    synthcert_version: str
    seed: int | None = None
    start: int | None = None
    count: int | None = None
    shard: tuple[int, int] | None = None
    templates: tuple[str, ...] | None = None
    config: dict | None = None
    jpeg_quality: int = JPEG_QUALITY
    libraries: dict[str, str] | None = None

    def to_yaml(self) -> str:
        """Returns the text of `dataset.yaml`; the same info always gives the same bytes."""
        data = {
            "synthcert_version": self.synthcert_version,
            **({"libraries": self.libraries} if self.libraries else {}),
            "seed": self.seed,
            "start": self.start,
            "count": self.count,
            **({"shard": f"{self.shard[0]}/{self.shard[1]}"} if self.shard else {}),
            "templates": None if self.templates is None else list(self.templates),
            "image_format": self.image_format,
            "jpeg_quality": self.jpeg_quality,
            "formats": list(self.formats),
            "config": self.config,
            "train": IMAGE_DIR,
            "val": IMAGE_DIR,
            "names": dict(enumerate(self.names)),
        }
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    @classmethod
    def read(cls, root: str | Path) -> DatasetInfo:
        """Reads `root/dataset.yaml` as written by synthcert.

        Raises:
            DatasetError: the file is missing, is not YAML, or was not written by synthcert.
        """
        path = Path(root) / INFO_FILE
        data = read_yaml(path, DatasetError, expected="a YAML mapping")
        if "synthcert_version" not in data:
            raise DatasetError("has no synthcert_version; expected a dataset written by synthcert", path)
        try:
            shard = data.get("shard")
            return cls(
                names=tuple(str(data["names"][k]) for k in sorted(data["names"])),
                formats=tuple(data["formats"]), image_format=str(data["image_format"]),
                synthcert_version=str(data["synthcert_version"]), seed=data.get("seed"), start=data.get("start"),
                count=data.get("count"), shard=tuple(int(v) for v in shard.split("/")) if shard else None,
                templates=None if data.get("templates") is None else tuple(data["templates"]),
                config=data.get("config"), jpeg_quality=int(data.get("jpeg_quality", JPEG_QUALITY)),
                libraries=None if data.get("libraries") is None else {str(k): str(v)
                                                                      for k, v in data["libraries"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise DatasetError(f"missing or malformed key ({e}); rewrite it with synthcert", path) from None
