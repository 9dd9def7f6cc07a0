"""Kiln: one model definition, trained on JAX, PyTorch or TensorFlow (NumPy for inference).

Its public API is the Keras 3 API, so ``import kiln as keras`` runs Keras 3
code. The backend is chosen at import from ``KILN_BACKEND`` (or
``KERAS_BACKEND``), else ``~/.kiln/kiln.json``, else JAX; only that backend's
framework is imported.

Example:
    >>> import numpy as np
    >>> import kiln
    >>> model = kiln.Sequential([kiln.Input((4,)), kiln.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> _ = model.fit(np.zeros((8, 4)), np.zeros((8, 1)), epochs=1, verbose=0)
"""

__version__ = "0.1.0"

from kiln import config
from kiln import backend
from kiln import tree
from kiln.backend import KerasTensor, StatelessScope, SymbolicScope, Variable, name_scope
from kiln import ops
from kiln.ops.operation import Operation
from kiln import random
from kiln import dtype_policies
from kiln.dtype_policies import DTypePolicy, FloatDTypePolicy
from kiln import activations, constraints, initializers, regularizers
from kiln.initializers import Initializer
from kiln.regularizers import Regularizer
from kiln import layers
from kiln.layers import Input, InputSpec, Layer
from kiln import losses, metrics, optimizers
from kiln import mixed_precision
from kiln.losses import Loss
from kiln.metrics import Metric
from kiln.optimizers import Optimizer
from kiln import models
from kiln.models import Model, Sequential
from kiln import callbacks
from kiln import saving
from kiln import export
from kiln import datasets
from kiln import utils
from kiln import preprocessing


def version():
    """Return Kiln's version string.

    Example:
        >>> version() == __version__
        True
    """
    return __version__


def device(device_name):
    """Context manager placing new tensors on ``device_name`` (e.g. ``"cpu:0"``).

    Example:
        >>> with device("cpu:0"):
        ...     pass
    """
    return backend.current.core.device_scope(device_name)
