"""synthcert: synthetic vehicle-registration-certificate photos with exact corner labels.

Rendering never imports TensorFlow; `synthcert.keras` is the only package that does.
"""

from synthcert.config import RenderConfig, resolve_config
from synthcert.datasets import read_dataset, write_dataset
from synthcert.errors import ConfigError, DatasetError, SynthcertError, TemplateError
from synthcert.pipeline import Renderer
from synthcert.samples import FieldLabel, Sample

__version__ = "0.1.0"
__all__ = [
    "ConfigError", "DatasetError", "FieldLabel", "RenderConfig", "Renderer", "Sample", "SynthcertError",
    "TemplateError", "__version__", "read_dataset", "resolve_config", "write_dataset",
]
