"""The Renderer: the only place that knows the order of the stages.

template -> field prints -> camera -> flat document at the right resolution -> one warp onto the
background -> bent paper and fingers -> photometric effects; labels follow the same matrix and bend.
Each sample is a pure function of (templates, configuration, seed, index); templates, fonts, glyphs and
textures are cached per process.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synthcert import geometry
from synthcert.config import RenderConfig, resolve_config
from synthcert.errors import ConfigError
from synthcert.labels import corners_visible, padded_box, project_fields
from synthcert.photometric.camera import decode_jpeg
from synthcert.photometric.effects import EffectFrame
from synthcert.photometric.stage import PhotometricDraw, apply_photometric_with_file, sample_photometric
from synthcert.rng import stage_rngs
from synthcert.samples import FieldLabel, Sample
from synthcert.scene.backgrounds import BackgroundParams, render_background, sample_background
from synthcert.scene.bend import BendParams, bend_points, sample_bend
from synthcert.scene.camera import CameraParams, image_from_doc, sample_camera
from synthcert.scene.occluders import OccluderParams, draw_occluders, sample_occluders
from synthcert.scene.photograph import photograph
from synthcert.template.document import (
    FlatDocument,
    PreparedTemplate,
    render_flat_document,
    sample_field_prints,
)
from synthcert.template.spec import builtin_template_dirs, load_template
from synthcert.text.generators import check_generator

MAX_SCENE_ATTEMPTS = 100


@dataclass(frozen=True)
class RenderTrace:
    """A sample with what made it: for debugging, previews, the independent label tests and the dataset writer.

    A photo whose last effect is a JPEG round trip is kept as that file (`jpeg`) and decoded only when `sample` is
    first asked for: a JPEG dataset stores the file as it is and never needs its pixels.
    """

    fields: dict[str, FieldLabel]
    template: str
    seed: int
    index: int
    image_from_doc: np.ndarray  # (3, 3) from the document frame to the output image
    size_wh: tuple[int, int]  # the output image's (W, H)
    image: np.ndarray | None  # (H, W, 3) uint8 RGB; None for a photo kept as its JPEG file (`sample` decodes it once)
    document: FlatDocument
    camera: CameraParams
    background: BackgroundParams
    image_from_pixels: np.ndarray  # (3, 3) from the flat document's pixels to the output image
    bend: BendParams | None = None  # the paper's deformation after the warp, if any
    occluders: OccluderParams | None = None
    photometric: PhotometricDraw = PhotometricDraw()  # the effects that fired, with their params
    # Seconds: template, scene (with labels), photometric (without decoding a photo that ended as a JPEG).
    stage_s: dict[str, float] = field(default_factory=dict)
    jpeg: bytes | None = None  # the photo's JPEG file when its last effect is one: it decodes to `sample.image`

    @property
    def sample(self) -> Sample:
        """The labelled photo; its pixels decoded from `jpeg` on first access when the photo ended as one.

        Kept on the trace by hand rather than by functools.cached_property, whose lock (Python 3.11) is one for all
        traces: threads rendering side by side would decode one at a time. Two threads reading one trace's sample
        at once may both decode it, to the same pixels.
        """
        found = self.__dict__.get("_sample")
        if found is None:
            image = decode_jpeg(self.jpeg) if self.image is None else self.image
            found = Sample(image=image, fields=self.fields, template=self.template, seed=self.seed, index=self.index,
                           image_from_doc=self.image_from_doc)
            object.__setattr__(self, "_sample", found)  # frozen: its fields stay; this is a cache beside them
        return found


class Renderer:
    """Renders labelled photos of certificates.

    Threads may share one Renderer and get the same bytes as one thread (a render changes no state but
    caches); worker processes build their own, which is cheap.

    Args:
        templates: template directories; None for the built-in ones.
        config: a RenderConfig, a path to a YAML configuration, or None for the defaults. Its
            `labels.target` names the field the scene keeps in view (the others are labelled too).

    Raises:
        ConfigError: no templates, or a template that does not print the target field.

    Example:
        >>> s = Renderer().render(index=17, seed=0)
        >>> s.image.shape, s.fields["registration_number"].corners.shape
        ((256, 384, 3), (4, 2))
    """

    def __init__(self, templates=None, config: RenderConfig | str | Path | None = None):
        self.config = resolve_config(config)
        dirs = builtin_template_dirs() if templates is None else [Path(t) for t in templates]
        if not dirs:
            raise ConfigError("no templates given; pass template directories or None for the built-in ones")
        self.template_dirs = dirs
        self.specs = [load_template(d) for d in dirs]
        self.target = self.config.labels.target
        for spec in self.specs:
            _check_target(spec, self.target)
        self._prepared: dict[int, PreparedTemplate] = {}

    @property
    def image_size_wh(self) -> tuple[int, int]:
        return self.config.scene.image_size_wh

    def render(self, index: int, seed: int = 0) -> Sample:
        """Returns sample `index` of the dataset with `seed`: the same bytes every time, in any process."""
        return self.trace(index, seed).sample

    def trace(self, index: int, seed: int = 0) -> RenderTrace:
        """Renders sample `index` and returns it with its document, camera, matrices and stage timings."""
        t0 = time.perf_counter()
        rngs = stage_rngs(seed, index)
        k = int(rngs.template.integers(len(self.specs)))
        spec = self.specs[k]
        template = self._template(k)
        prints = sample_field_prints(spec, rngs.template, self.target, self.config.document)
        t1 = time.perf_counter()
        scene = self.config.scene
        camera, doc_to_image = self._camera(spec, rngs.scene)
        background = sample_background(scene.backgrounds, rngs.scene)
        t2 = time.perf_counter()
        sheet = geometry.rect_corners_xy((0, 0, *spec.size_wh))
        # Draw at the pyramid level that the camera needs: finer would only be thrown away by the warp.
        level = template.level_for(geometry.max_scale(doc_to_image, sheet))
        document = render_flat_document(template, prints, level)
        t3 = time.perf_counter()
        image_from_pixels = doc_to_image @ document.doc_from_pixels
        sheet_xy = geometry.transform_points(doc_to_image, sheet)
        bend, fields = self._bend(rngs.scene, document, doc_to_image, sheet_xy)
        image = photograph(document.image, image_from_pixels, render_background(background, scene.image_size_wh),
                           bend)
        if bend is not None:
            sheet_xy = bend_points(bend, sheet_xy)
        occluders = None
        if rngs.scene.random() < scene.occluder_p:
            occluders = sample_occluders(rngs.scene, scene.image_size_wh, fields[self.target].corners,
                                          sheet_xy)
            image = draw_occluders(image, occluders)
        t4 = time.perf_counter()
        frame = EffectFrame(scene.image_size_wh, sheet_xy)
        effects = sample_photometric(self.config.photometric, rngs.photometric, frame)
        image, jpeg = apply_photometric_with_file(image, effects, decode=False)
        t5 = time.perf_counter()
        stage_s = {"template": t1 - t0 + t3 - t2, "scene": t2 - t1 + t4 - t3, "photometric": t5 - t4}
        return RenderTrace(fields, spec.name, seed, index, doc_to_image, scene.image_size_wh, image, document, camera,
                           background, image_from_pixels, bend, occluders, effects, stage_s, jpeg)

    def _bend(self, rng, document, doc_to_image, sheet_xy) -> tuple[BendParams | None, dict[str, FieldLabel]]:
        """Draws a paper deformation, kept only if the target stays wholly in the image, and the labels (the flat
        ones only where no bend is kept: they draw nothing, so leaving them out changes no other draw)."""
        if rng.random() >= self.config.scene.bend_p:
            return None, self._labels(document, doc_to_image)
        bend = sample_bend(rng, self.config.scene.image_size_wh, sheet_xy)
        bent = self._labels(document, doc_to_image, bend)
        if self.config.scene.target_inside and not bent[self.target].visible.all():
            return None, self._labels(document, doc_to_image)
        return bend, bent

    def _labels(self, document: FlatDocument, doc_to_image: np.ndarray, bend: BendParams | None = None,
                ) -> dict[str, FieldLabel]:
        """Projects every printed field's box at once, then through the bend if any."""
        move = None if bend is None else functools.partial(bend_points, bend)
        return project_fields(document.texts, document.boxes, doc_to_image, self.config.scene.image_size_wh,
                              self.config.labels.padding_ratio, move)

    def _template(self, k: int) -> PreparedTemplate:
        if k not in self._prepared:
            self._prepared[k] = PreparedTemplate(self.specs[k])
        return self._prepared[k]

    def _camera(self, spec, rng: np.random.Generator) -> tuple[CameraParams, np.ndarray]:
        """Samples camera poses until the target's printable region lies wholly in the image."""
        scene = self.config.scene
        region = geometry.rect_corners_xy(padded_box(_target_region(spec.fields[self.target]),
                                                   self.config.labels.padding_ratio))
        for _ in range(MAX_SCENE_ATTEMPTS):
            camera = sample_camera(scene, rng)
            m = image_from_doc(camera, spec.size_wh, scene.image_size_wh)
            inside = corners_visible(geometry.transform_points(m, region), scene.image_size_wh).all()
            if inside or not scene.target_inside:
                return camera, m
        raise ConfigError(
            f"the target {self.target!r} of template {spec.name!r} fell outside the image in {MAX_SCENE_ATTEMPTS} "
            "camera draws; lower scene.fill_range or scene.offset_range", field="scene"
        )


def _check_target(spec, target: str) -> None:
    """Raises a one-line ConfigError unless `spec` prints the field `target` in every sample."""
    where = spec.directory / "template.yaml"
    if target not in spec.fields:
        raise ConfigError(f"has no field {target!r}, the target (labels.target, train.py --target); it prints "
                          f"{', '.join(spec.fields)}; choose one of those or add the field", where, "fields")
    reason = check_generator(spec.fields[target].generator, spec.country, target=True)
    if reason:
        raise ConfigError(reason, where, f"fields.{target}.generator")


def _target_region(f) -> tuple[float, float, float, float]:
    """Where a field's ink can land in the document frame, whatever is printed: box, overhang and offset."""
    x0, y0, x1, y1 = f.box
    half = 0.75 * f.size_range[1] + f.offset_px  # ascent + descent never exceed 1.5 em in our fonts
    cy = (y0 + y1) / 2
    return x0 - f.offset_px, min(y0, cy - half), x1 + f.offset_px, max(y1, cy + half)
