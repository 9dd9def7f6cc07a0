"""Kiln: one model definition, trained on JAX, PyTorch or TensorFlow.

``import kiln as keras`` runs code written for the Keras 3 API.
"""
from kiln import config
from kiln import backend
