"""The TensorFlow backend: Kiln's ops on ``tf.Tensor``s, variables stored in
``tf.Variable``s, random numbers from stateless TF ops; every function works
eagerly and inside ``tf.function`` (graph mode, where dimensions may be unknown)."""

NAME = "tensorflow"

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

# "module.function" names that raise NotImplementedError on this backend (checked by a test).
UNSUPPORTED = frozenset({"export.export_model"})
