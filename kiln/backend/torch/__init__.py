"""The PyTorch backend: Kiln's ops on eager ``torch.Tensor``s, Variables as ``nn.Parameter``s, and
layers that are ``torch.nn.Module``s, so Kiln models work with ``torch.optim``, ``state_dict`` and
hand-written PyTorch training loops; conversion and the common op paths are kept lean because
eager per-op overhead is what torch users pay for.
"""

NAME = "torch"

from kiln.backend.torch import core, array_ops, nn, math, linalg, image, random, rnn, trainer, optimizer, layer, distribution, export  # noqa: E402,F401,I001

Variable = core.Variable  # convenience alias: kiln.backend.current.Variable

# "module.function" names that raise NotImplementedError on this backend (checked by a test).
UNSUPPORTED = frozenset({"export.export_model"})
