"""Regularization layers."""

from kiln.layers.regularization.activity_regularization import ActivityRegularization
from kiln.layers.regularization.alpha_dropout import AlphaDropout
from kiln.layers.regularization.dropout import Dropout
from kiln.layers.regularization.gaussian_dropout import GaussianDropout
from kiln.layers.regularization.gaussian_noise import GaussianNoise
from kiln.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

__all__ = ["ActivityRegularization", "AlphaDropout", "Dropout", "GaussianDropout",
           "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]
