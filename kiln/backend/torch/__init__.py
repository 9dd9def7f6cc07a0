"""The PyTorch backend: Kiln's ops on eager ``torch.Tensor``s, Variables as ``nn.Parameter``s, and
layers that are ``torch.nn.Module``s, so Kiln models work with ``torch.optim``, ``state_dict`` and
hand-written PyTorch training loops; conversion and the common op paths are kept lean because
eager per-op overhead is what torch users pay for.
"""

NAME = "torch"

from kiln.backend.torch import core, array_ops, array_math, array_stats, array_shape, nn, math, linalg, image, random, rnn, trainer, optimizer, layer, distribution, export  # noqa: E402,F401,I001

import sys as _sys  # noqa: E402

from kiln.backend import interface as _interface  # noqa: E402

Variable = core.Variable  # convenience alias: kiln.backend.current.Variable

# "module.function" -> reason, for the functions that raise NotImplementedError here
# (each module lists its own in UNSUPPORTED; tests/backend/test_interface.py checks them).
UNSUPPORTED_REASONS = _interface.unsupported_functions(_sys.modules[__name__])
UNSUPPORTED = frozenset(UNSUPPORTED_REASONS)
