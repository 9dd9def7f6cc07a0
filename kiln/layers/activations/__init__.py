"""Activation layers."""

from kiln.layers.activations.activation import Activation
from kiln.layers.activations.elu import ELU
from kiln.layers.activations.leaky_relu import LeakyReLU
from kiln.layers.activations.prelu import PReLU
from kiln.layers.activations.relu import ReLU
from kiln.layers.activations.softmax import Softmax

__all__ = ["Activation", "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
