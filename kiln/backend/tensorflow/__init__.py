"""The TensorFlow backend: Kiln's ops on ``tf.Tensor``s, variables stored in
``tf.Variable``s, random numbers from stateless TF ops; every function works
eagerly and inside ``tf.function`` (graph mode, where dimensions may be unknown)."""

import importlib.abc
import sys

NAME = "tensorflow"


class _NoJaxDuringImport(importlib.abc.MetaPathFinder):
    """Makes ``import jax`` fail while TensorFlow imports: TF's TFLite helpers import
    JAX when it is installed, and Kiln imports only the selected backend's framework."""

    def find_spec(self, name, path=None, target=None):
        if name == "jax" or name.startswith("jax."):
            raise ImportError("jax is not imported by Kiln's tensorflow backend")
        return None


if "tensorflow" not in sys.modules and "jax" not in sys.modules:
    _blocker = _NoJaxDuringImport()
    sys.meta_path.insert(0, _blocker)
    try:
        import tensorflow  # noqa: F401
    finally:
        sys.meta_path.remove(_blocker)

from kiln.backend.tensorflow import (  # noqa: E402,F401
    array_math,
    array_ops,
    array_shape,
    array_stats,
    core,
    distribution,
    export,
    image,
    layer,
    linalg,
    math,
    nn,
    optimizer,
    random,
    rnn,
    trainer,
)

import sys as _sys  # noqa: E402

from kiln.backend import interface as _interface  # noqa: E402

Variable = core.Variable  # convenience alias: kiln.backend.current.Variable

# "module.function" -> reason, for the functions that raise NotImplementedError here
# (each module lists its own in UNSUPPORTED; tests/backend/test_interface.py checks them).
UNSUPPORTED_REASONS = _interface.unsupported_functions(_sys.modules[__name__])
UNSUPPORTED = frozenset(UNSUPPORTED_REASONS)
