"""Convolution layers."""

from kiln.layers.convolutional.base_conv_transpose import BaseConvTranspose
from kiln.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kiln.layers.convolutional.base_separable_conv import BaseSeparableConv
from kiln.layers.convolutional.conv1d_transpose import Conv1DTranspose
from kiln.layers.convolutional.conv2d_transpose import Conv2DTranspose
from kiln.layers.convolutional.conv3d_transpose import Conv3DTranspose
from kiln.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from kiln.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from kiln.layers.convolutional.separable_conv1d import SeparableConv1D
from kiln.layers.convolutional.separable_conv2d import SeparableConv2D

# Keras aliases.
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D

__all__ = [
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "DepthwiseConv1D", "DepthwiseConv2D",
    "SeparableConv1D", "SeparableConv2D",
    "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
    "SeparableConvolution1D", "SeparableConvolution2D",
]
