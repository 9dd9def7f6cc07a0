"""Preprocessing layers usable in models and tf.data pipelines."""

from kiln.layers.preprocessing.category_encoding import CategoryEncoding
from kiln.layers.preprocessing.center_crop import CenterCrop
from kiln.layers.preprocessing.discretization import Discretization
from kiln.layers.preprocessing.normalization import Normalization
from kiln.layers.preprocessing.pipeline import Pipeline
from kiln.layers.preprocessing.rescaling import Rescaling
from kiln.layers.preprocessing.resizing import Resizing

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "Normalization", "Pipeline",
           "Rescaling", "Resizing"]
