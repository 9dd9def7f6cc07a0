"""Reshaping layers: Permute, RepeatVector, Cropping*, UpSampling*, ZeroPadding*."""

from kiln.layers.reshaping.cropping1d import Cropping1D
from kiln.layers.reshaping.cropping2d import Cropping2D
from kiln.layers.reshaping.cropping3d import Cropping3D
from kiln.layers.reshaping.permute import Permute
from kiln.layers.reshaping.repeat_vector import RepeatVector
from kiln.layers.reshaping.up_sampling1d import UpSampling1D
from kiln.layers.reshaping.up_sampling2d import UpSampling2D
from kiln.layers.reshaping.up_sampling3d import UpSampling3D
from kiln.layers.reshaping.zero_padding1d import ZeroPadding1D
from kiln.layers.reshaping.zero_padding2d import ZeroPadding2D
from kiln.layers.reshaping.zero_padding3d import ZeroPadding3D

__all__ = [
    "Cropping1D", "Cropping2D", "Cropping3D", "Permute", "RepeatVector", "UpSampling1D",
    "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
]
