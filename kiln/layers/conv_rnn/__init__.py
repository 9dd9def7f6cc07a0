"""Convolutional recurrent layers: ConvLSTM1D/2D/3D."""

__all__ = []
