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
    array_ops,
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

Variable = core.Variable  # convenience alias: kiln.backend.current.Variable

# "module.function" names that raise NotImplementedError on this backend (checked by a test).
UNSUPPORTED = frozenset({"export.export_model"})
