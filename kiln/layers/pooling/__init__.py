"""Pooling layers."""

from kiln.layers.pooling.adaptive_average_pooling1d import AdaptiveAveragePooling1D
from kiln.layers.pooling.adaptive_average_pooling2d import AdaptiveAveragePooling2D
from kiln.layers.pooling.adaptive_average_pooling3d import AdaptiveAveragePooling3D
from kiln.layers.pooling.adaptive_max_pooling1d import AdaptiveMaxPooling1D
from kiln.layers.pooling.adaptive_max_pooling2d import AdaptiveMaxPooling2D
from kiln.layers.pooling.adaptive_max_pooling3d import AdaptiveMaxPooling3D
from kiln.layers.pooling.average_pooling3d import AveragePooling3D
from kiln.layers.pooling.global_average_pooling3d import GlobalAveragePooling3D
from kiln.layers.pooling.global_max_pooling3d import GlobalMaxPooling3D
from kiln.layers.pooling.max_pooling3d import MaxPooling3D

# Keras aliases.
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D

__all__ = [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
    "AveragePooling3D", "MaxPooling3D", "GlobalAveragePooling3D", "GlobalMaxPooling3D",
    "MaxPool3D", "AvgPool3D", "GlobalAvgPool3D", "GlobalMaxPool3D",
]
