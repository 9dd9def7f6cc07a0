"""Core layers: Dense, Embedding, Input; Identity, Masking, Lambda; layers.serialize/deserialize."""

from kiln.layers.core.identity import Identity
from kiln.layers.core.lambda_layer import Lambda
from kiln.layers.core.masking import Masking
from kiln.layers.serialization import deserialize, serialize

__all__ = ["Identity", "Lambda", "Masking", "deserialize", "serialize"]
