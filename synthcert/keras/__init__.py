"""`synthcert.keras`: endless Keras streams of labelled certificate photos, the corner regressor, training.

The only package of synthcert that imports TensorFlow or Keras; rendering, augmentation, metrics and
drawing live in numpy-only modules (`synthcert.training`, `synthcert.evaluation`) and are called from
here. It never computes a label itself.

- `streams`: `CertificateStream` (synthetic) and `MixedStream` (real photos mixed in), endless PyDatasets.
- `model`: `build_regressor` (the seed's conv blocks, then a Dense or a heatmap head), metric, inference.
- `fit`: `train`, the whole run `train.py` starts, with its callbacks and artefacts.

Labels and predictions are in pixels of the model input (COCO coordinates: the input spans [0, W] x
[0, H]), flattened as x0, y0, x1, y1, x2, y2, x3, y3 for TL, TR, BR, BL of the number as read.
"""

try:
    import keras  # noqa: F401
    import tensorflow  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError('synthcert.keras needs TensorFlow and Keras: pip install "synthcert[keras]"') from e

from synthcert.keras.fit import EvaluateSets, TimeLimit, train
from synthcert.keras.model import (
    SoftArgmaxCorners,
    build_regressor,
    compile_regressor,
    corner_px,
    cpu_inference_ms,
    evaluate_samples,
    heatmap_spread,
    input_size,
    load_model,
    locate_photo,
    predict_corners,
    predict_photo,
)
from synthcert.keras.streams import CertificateStream, MixedStream, synthetic_set

__all__ = [
    "CertificateStream", "EvaluateSets", "MixedStream", "SoftArgmaxCorners", "TimeLimit", "build_regressor",
    "compile_regressor", "corner_px", "cpu_inference_ms", "evaluate_samples", "heatmap_spread", "input_size",
    "load_model", "locate_photo", "predict_corners", "predict_photo", "synthetic_set", "train",
]
