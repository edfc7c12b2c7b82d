"""`synthcert.keras`: endless Keras streams of labelled certificate photos, the corner regressor, training.

The only package of synthcert that imports TensorFlow or Keras; rendering, augmentation, metrics and
drawing live in numpy-only modules (`synthcert.training`, `synthcert.evaluation`) and are called from
here. It never computes a label itself.

- `streams`: `CertificateStream` (synthetic), `MixedStream` (real photos mixed in) and `RefineStream` (the
  refiner's neighbourhood canvases), endless PyDatasets.
- `model`: `build_regressor` (the seed's conv blocks, then a Dense or a heatmap head), metric, inference.
- `detector`: `Detector` (both stages, `locate`), `load_detector`, `evaluate_detector`.
- `prepare`, `fit`, `refine`, `callbacks`: `train`, the whole run `train.py` starts (stage 1, then the
  refiner), its callbacks and artefacts.
- `adapt`: BatchNorm statistics re-estimated after training and on the user's unlabelled photos, and
  `self_train`: stage 1 fine-tuned on its confident answers on those photos (pseudo-labels).

Labels and predictions are in pixels of the model input (COCO coordinates: the input spans [0, W] x
[0, H]), flattened as x0, y0, x1, y1, x2, y2, x3, y3 for TL, TR, BR, BL of the number as read.
"""

try:
    import keras  # noqa: F401
    import tensorflow  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError('synthcert.keras needs TensorFlow and Keras: pip install "synthcert[keras]"') from e

from synthcert.keras.adapt import adapt_batchnorm, adapt_detector, pseudo_label, self_train
from synthcert.keras.callbacks import AnnealToBudget, EvaluateSets, TimeLimit
from synthcert.keras.detector import Detector, Location, evaluate_detector, load_detector
from synthcert.keras.fit import train
from synthcert.keras.model import (
    LuminanceStandardization,
    SoftArgmaxCorners,
    build_regressor,
    compile_regressor,
    corner_px,
    cpu_inference_ms,
    heatmap_peaks,
    heatmap_spread,
    input_size,
    load_model,
    locate_photo,
    predict_corners,
    predict_photo,
)
from synthcert.keras.streams import CertificateStream, MixedStream, RefineStream, synthetic_set

__all__ = [
    "AnnealToBudget", "CertificateStream", "Detector", "EvaluateSets", "Location", "RefineStream",
    "adapt_batchnorm", "adapt_detector", "evaluate_detector", "load_detector", "LuminanceStandardization",
    "MixedStream", "SoftArgmaxCorners", "TimeLimit", "build_regressor", "compile_regressor", "corner_px",
    "cpu_inference_ms", "heatmap_peaks", "heatmap_spread", "input_size", "load_model", "locate_photo",
    "predict_corners", "predict_photo", "pseudo_label", "self_train", "synthetic_set", "train",
]
