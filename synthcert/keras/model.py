"""The corner regressor: the seed talk's CNN with a choice of heads, its metric, and inference helpers.

Its output is (B, 8) float32 in input pixels, TL, TR, BR, BL as (x, y) pairs, so the MAE loss, the
`corner_px` metric and every reported error are in the same pixels.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from synthcert.errors import SynthcertError
from synthcert.training.batches import to_inputs
from synthcert.training.letterbox import letterbox
from synthcert.training.options import INPUT_MODES, TrainOptions, check_architecture

# Keras's 0.99 lets the moving statistics lag the weights by about a hundred steps: on a CPU budget of a few
# hundred steps, inference then ran 15 x worse than training on the same renders.
BN_MOMENTUM = 0.9


def heatmap_cells(grid_hw: tuple[int, int], image_size) -> tuple[np.ndarray, np.ndarray]:
    """Returns the (h * w, 2) float32 cell indices (column, row) of an h x w heatmap, row-major as the
    heatmap flattens, and the (2,) float32 cell size in input pixels; cell (i, j) centres on
    (i + 0.5, j + 0.5) cells."""
    h, w = grid_hw
    rows, columns = np.mgrid[0:h, 0:w].astype(np.float32)
    size = np.array([image_size[0] / w, image_size[1] / h], np.float32)
    return np.stack([columns.ravel(), rows.ravel()], axis=-1), size


@keras.saving.register_keras_serializable(package="synthcert")
class SoftArgmaxCorners(keras.layers.Layer):
    """Turns per-corner heatmap logits and per-cell offsets into corner coordinates in input pixels.

    Each corner is the expectation, under the softmax of its heatmap over the cells, of the cell centre
    plus that cell's offset, bounded by tanh to within one cell (integral regression with offsets):
    differentiable, sub-pixel, and able to reach any coordinate, the image border included (0 is half a
    cell left of the first centre).

    A heatmap torn between two places would put that expectation between them, on neither. So at
    inference only the cells within `window` cells of each heatmap's strongest cell count; training
    uses every cell, so that gradients reach a wrongly placed peak from anywhere.

    Call with `logits` (B, h, w, 4) and `offsets` (B, h, w, 8), the offsets in cells as (dx, dy) per
    corner; returns (B, 8) as x0, y0, ..., x3, y3.

    Args:
        image_size: (W, H) of the model input the cells tile.
        window: at inference, the Chebyshev radius in cells around the peak that counts; None counts all.
    """

    def __init__(self, image_size, window: int | None = 1, **kwargs):
        super().__init__(**kwargs)
        self.image_size = tuple(int(v) for v in image_size)
        self.window = None if window is None else int(window)

    def call(self, logits, offsets, training=None):
        h, w = int(logits.shape[1]), int(logits.shape[2])
        cells, cell = heatmap_cells((h, w), self.image_size)
        z = keras.ops.reshape(logits, (-1, h * w, 4))
        if not training and self.window is not None:
            peak = keras.ops.take(cells, keras.ops.argmax(z, axis=1), axis=0)  # (B, 4, 2)
            distance = keras.ops.max(keras.ops.abs(cells[None, :, None, :] - peak[:, None, :, :]), axis=-1)
            z = keras.ops.where(distance <= self.window, z, -1e9)
        p = keras.ops.softmax(z, axis=1)
        # Offsets within one cell of the centre reach every point; unbounded, Adam moves those of cells with
        # almost no mass as fast as the rest, and a batch whose mass moves there blows the answer up.
        offsets = keras.ops.tanh(keras.ops.reshape(offsets, (-1, h * w, 4, 2)))
        positions = (cells + 0.5)[None, :, None, :] * cell + offsets * cell
        corners = keras.ops.sum(p[..., None] * positions, axis=1)
        return keras.ops.reshape(corners, (-1, 8))

    def compute_output_shape(self, logits_shape, offsets_shape=None):
        return (logits_shape[0], 8)

    def get_config(self):
        return {**super().get_config(), "image_size": list(self.image_size), "window": self.window}


# ITU-R BT.601 weights, as OpenCV's RGB2GRAY; a flat image's spread (0) is floored at 2 % of the range.
LUMA = (0.299, 0.587, 0.114)
MIN_SPREAD = 0.02


@keras.saving.register_keras_serializable(package="synthcert")
class LuminanceStandardization(keras.layers.Layer):
    """The model's first step: an RGB photo becomes its luminance, standardised per image (zero mean, unit
    spread).

    A template photo fixes the renders' hue, saturation and tone, and the user's other photos differ in
    all three (another print run, white balance, exposure, a washed-out close-up). A detector that never
    sees colour, brightness or contrast cannot learn them as cues for where the number is: on the
    development photos, the colour detectors' stage 1 answered 4 to 7 times closer to the number when the
    photo was merely turned grey (docs/training.md, "Grey, standardised input").
    """

    def call(self, images):
        luminance = keras.ops.sum(images * keras.ops.convert_to_tensor(LUMA, images.dtype), axis=-1, keepdims=True)
        mean = keras.ops.mean(luminance, axis=(1, 2, 3), keepdims=True)
        spread = keras.ops.std(luminance, axis=(1, 2, 3), keepdims=True)
        return (luminance - mean) / (spread + MIN_SPREAD)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 1)


def build_regressor(image_size=TrainOptions.image_size, channels: Sequence[int] = TrainOptions.channels,
                    kernel_size: int = 5, head: str = TrainOptions.head, head_channels: int = 32,
                    input_mode: str = TrainOptions.input_mode) -> keras.Model:
    """Returns the corner regressor, uncompiled: the seed talk's conv blocks and one of two heads.

    The backbone is the seed's: blocks of Conv2D (`kernel_size`, stride 2 in the first block),
    BatchNormalization, ReLU and 2 x 2 MaxPooling.

    - `head="dense"` is the seed's own head: Flatten and Dense(8), predicting corners as fractions of the
      input size (starting at the centre), then a fixed Rescaling to input pixels.
    - `head="heatmap"` keeps the image's layout instead of flattening it: each block's output is projected
      to `head_channels` (1 x 1) and added to the upsampled coarser one (a feature pyramid, so the
      finest level sees the whole document), then one 3 x 3 block predicts, at the first block's
      resolution (1/4 of the input), a heatmap per corner and a sub-cell offset, which
      `SoftArgmaxCorners` turns into pixels. Locating a corner becomes a local, translation-equivariant
      question instead of a global one, which is what the Dense head could not learn to sub-pixel
      precision (docs/training.md has the comparison).

    Args:
        image_size: (W, H) of the input images; for the heatmap head both must be multiples of
            2 ** (blocks + 1).
        channels: filters per block; their count is the depth.
        kernel_size: side of every backbone convolution kernel.
        head: "heatmap" or "dense".
        head_channels: width of the heatmap head's pyramid.
        input_mode: "luminance" (the photo's standardised luminance, `LuminanceStandardization`) or "rgb"
            (the colours as they are, in [0, 1]). The input is an RGB photo either way.

    Example:
        >>> build_regressor((64, 48), channels=(8, 16), head="dense").output_shape
        (None, 8)
    """
    check_architecture(image_size, channels, head)
    w, h = (int(v) for v in image_size)
    blocks = len(channels)
    if input_mode not in INPUT_MODES:
        raise ValueError(f"input_mode = {input_mode!r}; expected one of {', '.join(INPUT_MODES)}")
    inputs = keras.Input((h, w, 3), name="image")
    x = LuminanceStandardization(name="luminance")(inputs) if input_mode == "luminance" else inputs
    levels = []
    for i, filters in enumerate(channels):
        x = keras.layers.Conv2D(int(filters), kernel_size, strides=2 if i == 0 else 1, padding="same",
                                use_bias=False, name=f"conv{i}")(x)
        x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"bn{i}")(x)
        x = keras.layers.ReLU(name=f"relu{i}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
        levels.append(x)
    # The heads stay float32 under a mixed-precision policy: pixel coordinates need its precision.
    if head == "dense":
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(8, bias_initializer=keras.initializers.Constant(0.5), dtype="float32",
                               name="corners_relative")(x)
        outputs = keras.layers.Rescaling(np.array([w, h] * 4, np.float32), dtype="float32", name="corners_px")(x)
        return keras.Model(inputs, outputs, name="corner_regressor")
    top = None
    for i in reversed(range(blocks)):
        lateral = keras.layers.Conv2D(head_channels, 1, name=f"lateral{i}")(levels[i])
        top = lateral if top is None else keras.layers.Add(name=f"merge{i}")(
            [lateral, keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"up{i}")(top)])
    x = keras.layers.Conv2D(head_channels, 3, padding="same", use_bias=False, name="head_conv")(top)
    x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name="head_bn")(x)
    x = keras.layers.ReLU(name="head_relu")(x)
    logits = keras.layers.Conv2D(4, 1, dtype="float32", name="heatmaps")(x)
    offsets = keras.layers.Conv2D(8, 1, kernel_initializer="zeros", dtype="float32", name="offsets")(x)
    outputs = SoftArgmaxCorners((w, h), dtype="float32", name="corners_px")(logits, offsets)
    return keras.Model(inputs, outputs, name="corner_regressor")


@keras.saving.register_keras_serializable(package="synthcert")
def corner_px(y_true, y_pred):
    """Keras metric: mean Euclidean distance between predicted and labelled corners, in input pixels."""
    d = keras.ops.reshape(y_pred - y_true, (-1, 4, 2))
    return keras.ops.mean(keras.ops.sqrt(keras.ops.sum(d * d, axis=-1) + 1e-12), axis=-1)


def compile_regressor(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compiles with the seed's MAE loss (in pixels) and Adam; adds the `corner_px` metric."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mae", metrics=[corner_px])
    return model


def load_model(path: str | Path) -> keras.Model:
    """Loads a saved regressor (.keras) for inference.

    Raises:
        SynthcertError: the file is missing, is no Keras model, or is not a corner model.
    """
    path = Path(path)
    if not path.is_file():
        raise SynthcertError("no such model file; give a .keras file written by train.py", path)
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as e:  # Keras reports a file it cannot read as ValueError, KeyError, JSONDecodeError ...
        raise SynthcertError(f"is not a Keras model ({type(e).__name__}); give the .keras file train.py wrote",
                             path) from None
    shapes = (model.input_shape, model.output_shape)
    if not (len(shapes[0]) == 4 and shapes[0][-1] == 3 and tuple(shapes[1]) == (None, 8)):
        raise SynthcertError(f"maps shape {shapes[0]} to {shapes[1]}; expected a corner model from train.py, "
                             "(H, W, 3) photos to 8 coordinates", path)
    return model


def input_size(model: keras.Model) -> tuple[int, int]:
    """Returns the (W, H) the model expects."""
    _, h, w, _ = model.input_shape
    return int(w), int(h)


def predict_corners(model: keras.Model, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Returns (N, 4, 2) float64 corners in input pixels for (N, H, W, 3) float32 images in [0, 1]."""
    y = model.predict(x, batch_size=batch_size, verbose=0)
    return np.asarray(y, np.float64).reshape(-1, 4, 2)


def predict_photo(model: keras.Model, image: np.ndarray) -> np.ndarray:
    """Returns the (4, 2) float64 corners TL, TR, BR, BL of the number in an (H, W, 3) uint8 RGB photo of
    any size, in that photo's pixels (COCO)."""
    return locate_photo(model, image)[0]


def locate_photo(model: keras.Model, image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Returns, for an (H, W, 3) uint8 RGB photo of any size and in that photo's pixels, the (4, 2) corners
    TL, TR, BR, BL of the number and the (4,) `heatmap_spread` of each (None for a Dense-head model)."""
    h, w = image.shape[:2]
    corners, spread, _ = locate_views(model, image, [(0, 0, w, h)])
    return corners[0], None if spread is None else spread[0]


def locate_views(model: keras.Model, image: np.ndarray, boxes, peaks: int = 0):
    """Runs the model once, in one batch, on each crop (x0, y0, x1, y1) of `boxes` (integer photo pixels),
    each letterboxed to its input.

    Returns:
        The (K, 4, 2) corners in the photo's pixels; the (K, 4) spreads in photo pixels (None for a Dense-head
        model); and with `peaks` > 0 and a heatmap head, `heatmap_peaks`' (K, 4, peaks, 2) positions in the
        photo's pixels and (K, 4, peaks) log-probabilities, else None.
    """
    size = input_size(model)
    fits = [letterbox(image[y0:y1, x0:x1], size) for x0, y0, x1, y1 in boxes]
    x = to_inputs([f for f, _ in fits])
    probe = heatmap_probe(model)
    if probe is None:
        corners, spread, logits = predict_corners(model, x), None, None
    else:
        corners, logits, offsets = (np.asarray(t) for t in probe(x, training=False))
        spread = heatmap_spread(logits, size) / np.array([np.mean(b.scale_xy) for _, b in fits])[:, None]
    corners = np.asarray(corners, np.float64).reshape(-1, 4, 2)
    photo = np.stack([b.to_image(c) + box[:2] for (_, b), c, box in zip(fits, corners, boxes, strict=True)])
    if logits is None or peaks <= 0:
        return photo, spread, None
    peaks_xy, log_p = heatmap_peaks(logits, offsets, size, peaks)
    peaks_photo = np.stack([b.to_image(p.reshape(-1, 2)).reshape(p.shape) + box[:2]
                            for (_, b), p, box in zip(fits, peaks_xy, boxes, strict=True)])
    return photo, spread, (peaks_photo, log_p)


@functools.lru_cache(maxsize=4)
def heatmap_probe(model: keras.Model) -> keras.Model | None:
    """Returns the model with its heatmap logits and offsets as second and third outputs, built once per model;
    None without them."""
    if "heatmaps" not in {layer.name for layer in model.layers}:
        return None
    heads = [model.get_layer(name).output for name in ("heatmaps", "offsets")]
    return keras.Model(model.inputs[0], [model.outputs[0], *heads])


def heatmap_spread(logits: np.ndarray, image_size) -> np.ndarray:
    """Returns (N, 4): how far each corner's heatmap mass lies from its mean, in input pixels.

    The root mean squared distance of the cell centres from their softmax-weighted mean: 0 for one sharp
    peak, half their distance for two equal peaks. A soft-argmax answer is trustworthy when this is
    small; a heatmap torn between two places answers at one of them (`SoftArgmaxCorners`' window), and
    the other corners may choose the other.

    Args:
        logits: (N, h, w, 4) heatmap logits, as the `heatmaps` layer gives them.
        image_size: (W, H) of the model input the cells tile.
    """
    logits = np.asarray(logits, np.float64)
    n, h, w, k = logits.shape
    cells, cell = heatmap_cells((h, w), image_size)
    centres = (cells + 0.5).astype(np.float64) * cell
    z = logits.reshape(n, h * w, k)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    mean = np.einsum("nck,cd->nkd", p, centres)
    squared = ((centres[None, :, None, :] - mean[:, None, :, :]) ** 2).sum(axis=-1)
    return np.sqrt((p * squared).sum(axis=1))


def heatmap_peaks(logits: np.ndarray, offsets: np.ndarray, image_size, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each corner's `count` strongest heatmap peaks: where a torn heatmap's other places are.

    The first is the strongest cell, then the cells stronger than their 8 neighbours; each is located as
    `SoftArgmaxCorners` (window 1) locates the strongest, so the first peak is the model's own answer.

    Args:
        logits: (N, h, w, 4) heatmap logits; offsets: (N, h, w, 8) raw offsets, as the model's layers give them.
        image_size: (W, H) of the model input the cells tile.
        count: peaks per corner.

    Returns:
        (N, 4, count, 2) positions in input pixels and (N, 4, count) log-probabilities of the peaks' cells under
        the heatmap's softmax, strongest first; a heatmap with fewer peaks repeats its strongest at -inf.
    """
    logits, offsets = np.asarray(logits, np.float64), np.asarray(offsets, np.float64)
    n, h, w, k = logits.shape
    cell = heatmap_cells((h, w), image_size)[1].astype(np.float64)
    positions, log_p = np.zeros((n, k, count, 2)), np.full((n, k, count), -np.inf)
    padded = np.pad(logits, ((0, 0), (1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    neighbours = np.max([padded[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                         if dy or dx], axis=0)
    z = logits.reshape(n, h * w, k)
    log_softmax = z - (np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))
                       + z.max(axis=1, keepdims=True))
    is_peak = (logits > neighbours).reshape(n, h * w, k)
    for i in range(n):
        for c in range(k):
            best = int(np.argmax(z[i, :, c]))  # the layer's own (argmax takes the first of equal cells)
            others = np.flatnonzero(is_peak[i, :, c])
            others = others[others != best]
            strongest = [best, *others[np.argsort(-z[i, others, c], kind="stable")][:count - 1].tolist()]
            for j in range(count):
                p = strongest[j if j < len(strongest) else 0]
                r, col = divmod(int(p), w)
                rows, cols = slice(max(r - 1, 0), min(r + 2, h)), slice(max(col - 1, 0), min(col + 2, w))
                window = logits[i, rows, cols, c]
                weights = np.exp(window - window.max())
                weights /= weights.sum()
                grid_r, grid_c = np.mgrid[rows, cols]
                shift = np.tanh(offsets[i, rows, cols, 2 * c:2 * c + 2])
                positions[i, c, j] = [((weights * (grid_c + 0.5 + shift[..., 0])).sum()) * cell[0],
                                      ((weights * (grid_r + 0.5 + shift[..., 1])).sum()) * cell[1]]
                if j < len(strongest):
                    log_p[i, c, j] = log_softmax[i, p, c]
    return positions, log_p


def cpu_inference_ms(model: keras.Model, repeats: int = 50) -> float:
    """Returns the median time of one forward pass at batch size 1 on the CPU, in milliseconds."""
    w, h = input_size(model)
    x = tf.zeros((1, h, w, 3), tf.float32)
    with tf.device("/CPU:0"):

        @tf.function(autograph=False)
        def forward(t):
            return model(t, training=False)

        forward(x)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            forward(x).numpy()
            times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times))
