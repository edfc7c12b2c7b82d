"""Render configuration: one frozen dataclass per stage, every random range a `*_range = (lo, hi)`.

`RenderConfig.load(path)` reads a YAML file with the sections `document`, `scene`, `photometric` and
`labels`; any key left out keeps its default. Unknown keys, wrong types and inverted ranges are refused with
the file, the key and the fix. `resolve_config` is the one place that turns what a caller gives (a RenderConfig, a
YAML path or None, plus an image size and a preset) into a RenderConfig.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from synthcert.errors import ConfigError
from synthcert.samples import TARGET
from synthcert.yamlfile import read_yaml

# The one table of preset strengths: it scales the photometric effects' probabilities and ranges, and the
# real photos' augmentation.
PRESET_STRENGTHS = {"none": 0.0, "light": 0.5, "default": 1.0, "heavy": 1.6}
PRESETS = tuple(PRESET_STRENGTHS)
BUILTIN_BACKGROUNDS = ("desk", "fabric", "wood", "plain", "noise")


@dataclass(frozen=True)
class DocumentConfig:
    """What varies in the printed document beyond the template's own ranges (off by default: renders look
    like the template; `train.py` turns them on, see `synthcert.training.options.TRAIN_DOCUMENT`).

    Attributes:
        font_mix_p: probability that a style (or a field without one) is printed in any shipped font that
            has its characters instead of the template's fonts: a detector must not depend on the font.
        redaction_p: probability that the owner blacked out personal data: each non-target field is then
            covered by a felt-pen stroke or a bar with probability 1/2 (`synthcert.template.redaction`).
        lookalike_p: probability that one or two other fields are printed like the target (its font, size,
            ink and weight): a detector must key on where the field is, not only on how it looks.
        notes_p: probability of one to three hand-written notes on the card (dates, numbers, initials, the
            number copied out), never near the target (`synthcert.template.notes`).
    """

    font_mix_p: float = 0.0
    redaction_p: float = 0.0
    lookalike_p: float = 0.0
    notes_p: float = 0.0


@dataclass(frozen=True)
class SceneConfig:
    """Where and how the camera sees the document.

    Attributes:
        image_size_wh: output size (W, H) in pixels.
        tilt_x_range_deg, tilt_y_range_deg: rotation of the document about its horizontal and vertical axes.
        roll_range_deg: in-plane rotation; (-180, 180) gives every orientation.
        focal_mm_range: 35 mm-equivalent focal length; short focal lengths mean a close camera and
            strong perspective.
        fill_range: how much of the image width the upright document would span (of the image height for a
            portrait document, taller than wide, so that it fits any output size).
        offset_range: shift of the document's centre from the image centre, as a fraction of the size.
        backgrounds: built-in kinds (desk, fabric, wood, plain, noise) and/or directories of photos.
        target_inside: resample the scene until every corner of the target field (`labels.target`) is in the
            image.
        bend_p: probability that the paper is bent, curled or folded (labels follow the displacement).
        occluder_p: probability that fingers hold the document, covering parts of it but never the target.
    """

    image_size_wh: tuple[int, int] = (384, 256)
    tilt_x_range_deg: tuple[float, float] = (-25.0, 25.0)
    tilt_y_range_deg: tuple[float, float] = (-25.0, 25.0)
    roll_range_deg: tuple[float, float] = (-15.0, 15.0)
    focal_mm_range: tuple[float, float] = (24.0, 70.0)
    fill_range: tuple[float, float] = (0.55, 0.95)
    offset_range: tuple[float, float] = (-0.12, 0.12)
    backgrounds: tuple[str, ...] = BUILTIN_BACKGROUNDS
    target_inside: bool = True
    bend_p: float = 0.1
    occluder_p: float = 0.1


@dataclass(frozen=True)
class PhotometricConfig:
    """Light, optics, sensor and compression effects (`synthcert.photometric.stage.EFFECTS`).

    Each `<effect>_p` is the effect's probability at the `default` strength; the preset's strength
    (PRESET_STRENGTHS) multiplies it (capped at 1) and scales the effect's ranges.

    Attributes:
        preset: none, light, default or heavy; `none` turns every effect off.
        wear_p: worn, dirty print: faded patches, stains, specks of dust.
        lighting_p: uneven light: a fall-off, a pool of shade, a soft shadow.
        sleeve_p: a plastic sleeve's veil of reflected light over the sheet.
        glare_p: a specular highlight on the (laminated) document.
        vignette_p: lens vignetting.
        chromatic_p: coloured fringes (lateral chromatic aberration).
        blur_p: hand shake or defocus.
        noise_p: sensor noise.
        denoise_p: a phone's noise reduction smearing fine detail.
        sharpen_p: a phone's sharpening, with halos along edges.
        colour_temperature_p: white balance that missed (warm or cold light).
        colour_cast_p: a tint off the black-body line (fluorescent green, magenta).
        exposure_p: brightness and contrast.
        downscale_p: shrunk and enlarged again.
        jpeg_p: a JPEG round trip.
        strong_jpeg_p: a second, strong JPEG, as messengers send photos.
    """

    preset: str = "default"
    wear_p: float = 0.2
    lighting_p: float = 0.55
    sleeve_p: float = 0.1
    glare_p: float = 0.1
    vignette_p: float = 0.25
    chromatic_p: float = 0.2
    blur_p: float = 0.3
    noise_p: float = 0.35
    denoise_p: float = 0.2
    sharpen_p: float = 0.3
    colour_temperature_p: float = 0.35
    colour_cast_p: float = 0.25
    exposure_p: float = 0.6
    downscale_p: float = 0.15
    jpeg_p: float = 0.5
    strong_jpeg_p: float = 0.05


@dataclass(frozen=True)
class LabelConfig:
    """How the corner labels are drawn around the ink.

    Attributes:
        padding_ratio: padding added on every side of the ink-tight box, as a fraction of the ink height.
        target: the field a detector is trained to find, any field every template prints (e.g. `vin`). The
            other printed fields are labelled too; the target is the one the scene keeps inside the frame
            (`scene.target_inside`) and the one layout variants, printed elements, bends and fingers never
            move, drop, cover or hide.
    """

    padding_ratio: float = 0.0
    target: str = TARGET


@dataclass(frozen=True)
class RenderConfig:
    """Everything random about a render, except the templates themselves."""

    document: DocumentConfig = field(default_factory=DocumentConfig)
    scene: SceneConfig = field(default_factory=SceneConfig)
    photometric: PhotometricConfig = field(default_factory=PhotometricConfig)
    labels: LabelConfig = field(default_factory=LabelConfig)

    def __post_init__(self):
        validate(self)

    @classmethod
    def load(cls, path: str | Path) -> RenderConfig:
        """Reads a YAML configuration file; missing keys keep their defaults.

        A dataset's `dataset.yaml` works too: its `config` reproduces that dataset.
        """
        data = read_yaml(path, ConfigError) or {}
        if isinstance(data, dict) and "synthcert_version" in data:
            data = data.get("config") or {}
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> RenderConfig:
        """Builds a configuration from nested mappings, as read from YAML."""
        if not isinstance(data, dict):
            raise ConfigError(f"expected a mapping with sections document, scene, photometric, labels; got {data!r}",
                              source)
        sections = {f.name: f.type for f in dataclasses.fields(cls)}
        unknown = set(data) - set(sections)
        if unknown:
            raise ConfigError(
                f"unknown section(s) {sorted(unknown)}; expected some of {sorted(sections)}", source
            )
        parts = {name: _section(getattr(cls(), name), data.get(name) or {}, name, source) for name in data}
        try:
            return dataclasses.replace(cls(), **parts)
        except ConfigError as e:
            raise ConfigError(str(e), source) from None

    def to_dict(self) -> dict:
        """Returns plain nested mappings and lists, ready for YAML."""
        return _plain(dataclasses.asdict(self))

    def replace(self, **sections) -> RenderConfig:
        """Returns a copy with some stage settings changed, e.g. `replace(scene={"roll_range_deg": (0, 0)})`."""
        parts = {name: dataclasses.replace(getattr(self, name), **values) for name, values in sections.items()}
        return dataclasses.replace(self, **parts)


def resolve_config(config: RenderConfig | str | Path | None = None, image_size_wh: tuple[int, int] | None = None,
                   preset: str | None = None, target: str | None = None) -> RenderConfig:
    """Returns the RenderConfig to render with, from a RenderConfig, a YAML path or None, plus overrides.

    The one place where a renderer, a stream, a render job or a training run turns its arguments into a
    configuration.

    Args:
        config: a RenderConfig, a YAML path (a configuration or a dataset's `dataset.yaml`, see `load`),
            or None for the defaults.
        image_size_wh: output size (W, H) overriding the configuration's; None keeps it.
        preset: photometric preset (none, light, default, heavy) overriding the configuration's; None keeps it.
        target: the target field (`labels.target`) overriding the configuration's; None keeps it.

    Raises:
        ConfigError: the file is missing, not YAML, or holds an invalid setting, or an override is invalid.

    Example:
        >>> resolve_config(None, (96, 64), "light").scene.image_size_wh
        (96, 64)
    """
    if config is None:
        config = RenderConfig()
    elif not isinstance(config, RenderConfig):
        config = RenderConfig.load(config)
    if image_size_wh is not None:
        config = config.replace(scene={"image_size_wh": tuple(int(v) for v in image_size_wh)})
    if preset is not None:
        config = config.replace(photometric={"preset": preset})
    if target is not None:
        config = config.replace(labels={"target": target})
    return config


def _section(default, data, name: str, source: str | None):
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping of settings, got {data!r}", source, name)
    known = {f.name: getattr(default, f.name) for f in dataclasses.fields(default)}
    values = {}
    for key, value in data.items():
        where = f"{name}.{key}"
        if key not in known:
            raise ConfigError(f"unknown setting; expected one of {sorted(known)}", source, where)
        values[key] = _coerce(value, known[key], source, where)
    return dataclasses.replace(default, **values)


def _coerce(value, default, source, where):
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"= {value!r}; expected a list like {list(default)}", source, where)
        if default and isinstance(default[0], str):
            return tuple(str(v) for v in value)
        if len(value) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise ConfigError(f"= {value!r}; expected two numbers [lo, hi] like {list(default)}", source, where)
        return tuple(type(default[0])(v) for v in value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"= {value!r}; expected true or false", source, where)
        return value
    if isinstance(default, int | float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(f"= {value!r}; expected a number like {default}", source, where)
        return type(default)(value)
    return str(value)


def validate(config: RenderConfig) -> None:
    """Raises ConfigError naming the first setting that cannot work."""
    scene = config.scene
    w, h = scene.image_size_wh
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise ConfigError(f"= {w}x{h}; expected 16..8192 pixels each, e.g. 384x256", field="scene.image_size_wh")
    for f in dataclasses.fields(scene):
        if f.name.endswith("_range_deg") or f.name.endswith("_range"):
            lo, hi = getattr(scene, f.name)
            if lo > hi:
                raise ConfigError(f"= ({lo}, {hi}); expected lo <= hi; swap them", field=f"scene.{f.name}")
    for name, limit in (("tilt_x_range_deg", 80), ("tilt_y_range_deg", 80)):
        lo, hi = getattr(scene, name)
        if max(abs(lo), abs(hi)) > limit:
            raise ConfigError(f"= ({lo}, {hi}); expected within ±{limit} degrees", field=f"scene.{name}")
    if scene.focal_mm_range[0] <= 0 or not 0 < scene.fill_range[0] <= scene.fill_range[1] <= 3:
        raise ConfigError("focal_mm_range must be > 0 and fill_range within (0, 3]", field="scene")
    if not scene.backgrounds:
        raise ConfigError("is empty; name at least one of " + ", ".join(BUILTIN_BACKGROUNDS), field="scene.backgrounds")
    for kind in scene.backgrounds:
        if kind not in BUILTIN_BACKGROUNDS and not Path(kind).is_dir():
            raise ConfigError(
                f"{kind!r} is neither a built-in background ({', '.join(BUILTIN_BACKGROUNDS)}) nor a directory",
                field="scene.backgrounds",
            )
    if config.photometric.preset not in PRESETS:
        raise ConfigError(
            f"= {config.photometric.preset!r}; expected one of {', '.join(PRESETS)}", field="photometric.preset"
        )
    for section in ("document", "scene", "photometric"):
        for f in dataclasses.fields(getattr(config, section)):
            value = getattr(getattr(config, section), f.name)
            if f.name.endswith("_p") and not 0 <= value <= 1:
                raise ConfigError(f"= {value}; expected a probability in [0, 1]", field=f"{section}.{f.name}")
    if not 0 <= config.labels.padding_ratio <= 2:
        raise ConfigError(f"= {config.labels.padding_ratio}; expected 0..2", field="labels.padding_ratio")
    if not isinstance(config.labels.target, str) or not config.labels.target.strip():
        raise ConfigError(f"= {config.labels.target!r}; expected the name of a field the templates print, e.g. "
                          f"{TARGET}", field="labels.target")


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
