"""Normalization layers."""

from kiln.layers.normalization.batch_normalization import BatchNormalization
from kiln.layers.normalization.group_normalization import GroupNormalization
from kiln.layers.normalization.layer_normalization import LayerNormalization
from kiln.layers.normalization.rms_normalization import RMSNormalization
from kiln.layers.normalization.spectral_normalization import SpectralNormalization
from kiln.layers.normalization.unit_normalization import UnitNormalization

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization", "RMSNormalization",
           "SpectralNormalization", "UnitNormalization"]
