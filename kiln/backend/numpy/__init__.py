"""The NumPy backend: Kiln ops on ``np.ndarray``, for inference on any machine.

Tensors are plain NumPy arrays and variables hold their own array. There is no
autodiff, so training (``fit``) is left to the other backends; ``predict`` and
``evaluate`` run here. Dtype rules match the other backends (32-bit defaults,
weak Python scalars); float16/bfloat16 contractions run in float32.
"""

NAME = "numpy"

from kiln.backend.numpy import core, array_ops, array_math, array_stats, array_shape, nn, math, linalg, image, random, rnn, trainer, optimizer, layer, distribution, export  # noqa: E402,F401,E501

import sys as _sys  # noqa: E402

from kiln.backend import interface as _interface  # noqa: E402

Variable = core.Variable  # convenience alias: kiln.backend.current.Variable

# "module.function" -> reason, for the functions that raise NotImplementedError here
# (each module lists its own in UNSUPPORTED; tests/backend/test_interface.py checks them).
UNSUPPORTED_REASONS = _interface.unsupported_functions(_sys.modules[__name__])
UNSUPPORTED = frozenset(UNSUPPORTED_REASONS)
