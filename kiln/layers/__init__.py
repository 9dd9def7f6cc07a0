"""Kiln layers: the building blocks of models, with Keras 3 names and arguments.

Example:
    >>> import kiln
    >>> x = kiln.Input((8,))
    >>> tuple(kiln.layers.Dense(4, activation="relu")(x).shape)
    (None, 4)
"""

from kiln.layers.activations.activation import Activation
from kiln.layers.convolutional.base_conv import BaseConv
from kiln.layers.convolutional.conv1d import Conv1D
from kiln.layers.convolutional.conv2d import Conv2D
from kiln.layers.convolutional.conv3d import Conv3D
from kiln.layers.core.dense import Dense
from kiln.layers.core.embedding import Embedding
from kiln.layers.core.input_layer import Input, InputLayer
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.merging.add import Add
from kiln.layers.merging.average import Average
from kiln.layers.merging.base_merge import Merge
from kiln.layers.merging.concatenate import Concatenate
from kiln.layers.merging.maximum import Maximum
from kiln.layers.merging.minimum import Minimum
from kiln.layers.merging.multiply import Multiply
from kiln.layers.merging.subtract import Subtract
from kiln.layers.normalization.batch_normalization import BatchNormalization
from kiln.layers.normalization.layer_normalization import LayerNormalization
from kiln.layers.pooling.average_pooling1d import AveragePooling1D
from kiln.layers.pooling.average_pooling2d import AveragePooling2D
from kiln.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from kiln.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from kiln.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from kiln.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from kiln.layers.pooling.max_pooling1d import MaxPooling1D
from kiln.layers.pooling.max_pooling2d import MaxPooling2D
from kiln.layers.regularization.dropout import Dropout
from kiln.layers.reshaping.flatten import Flatten
from kiln.layers.reshaping.reshape import Reshape

# Keras aliases.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D


# Each package lists its layers in its own ``__all__``.
from kiln.layers.activations import *  # noqa: E402,F401,F403
from kiln.layers.attention import *  # noqa: E402,F401,F403
from kiln.layers.bridges import *  # noqa: E402,F401,F403
from kiln.layers.conv_rnn import *  # noqa: E402,F401,F403
from kiln.layers.convolutional import *  # noqa: E402,F401,F403
from kiln.layers.core import *  # noqa: E402,F401,F403
from kiln.layers.merging import *  # noqa: E402,F401,F403
from kiln.layers.normalization import *  # noqa: E402,F401,F403
from kiln.layers.pooling import *  # noqa: E402,F401,F403
from kiln.layers.preprocessing import *  # noqa: E402,F401,F403
from kiln.layers.preprocessing.image import *  # noqa: E402,F401,F403
from kiln.layers.preprocessing.image_stats import *  # noqa: E402,F401,F403
from kiln.layers.regularization import *  # noqa: E402,F401,F403
from kiln.layers.reshaping import *  # noqa: E402,F401,F403
from kiln.layers.rnn import *  # noqa: E402,F401,F403
from kiln.layers.wrappers import *  # noqa: E402,F401,F403
