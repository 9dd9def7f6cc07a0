"""Convolutional recurrent layers: ConvLSTM1D/2D/3D."""

from kiln.layers.conv_rnn.conv_lstm1d import ConvLSTM1D
from kiln.layers.conv_rnn.conv_lstm2d import ConvLSTM2D
from kiln.layers.conv_rnn.conv_lstm3d import ConvLSTM3D

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]
