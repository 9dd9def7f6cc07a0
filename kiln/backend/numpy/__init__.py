"""The NumPy backend: Kiln ops on ``np.ndarray``, for inference on any machine.

Tensors are plain NumPy arrays and variables hold their own array. There is no
autodiff, so training (``fit``) is left to the other backends; ``predict`` and
``evaluate`` run here. Dtype rules match the other backends (32-bit defaults,
weak Python scalars); float16/bfloat16 contractions run in float32.
"""

NAME = "numpy"

from kiln.backend.numpy import core, array_ops, nn, math, linalg, image, random, rnn, trainer, optimizer, layer, distribution, export  # noqa: E402,F401,E501

Variable = core.Variable  # convenience alias: kiln.backend.current.Variable

# "module.function" names that raise NotImplementedError on this backend (checked by a test).
UNSUPPORTED = frozenset({
    "export.export_model",
    # No autodiff: the numpy backend runs inference (evaluate/predict) only.
    "trainer.make_train_function",
})
