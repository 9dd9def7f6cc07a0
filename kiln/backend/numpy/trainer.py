"""NumPy backend steps: inference only (``evaluate``/``predict``); ``fit`` is unsupported.

Example:
    >>> # kiln.Model.fit on the numpy backend raises NotImplementedError naming the backend
"""

import numpy as np

from kiln import tree
from kiln.backend.common import train_steps
from kiln.backend.interface import unsupported_error


UNSUPPORTED = {
    "make_train_function": "no autodiff: the numpy backend runs inference (evaluate/predict) only",
    "train_step": "no autodiff: the numpy backend runs inference (evaluate/predict) only",
}


def _no_training(what="make_train_function"):
    error = unsupported_error("numpy", f"trainer.{what}")
    return NotImplementedError(
        "fit() / train_on_batch() need gradients, which the numpy backend (inference only) does "
        "not have. " + str(error)
    )


def train_step(model, data):
    raise _no_training("train_step")


def make_train_function(model):
    raise _no_training()


# Forward, loss and metrics need nothing numpy-specific.
test_step = train_steps.test_step
predict_step = train_steps.predict_step


def make_test_function(model):
    return model.test_step


def make_predict_function(model):
    return model.predict_step


def to_backend_batch(batch):
    return tree.map_structure(lambda a: None if a is None else np.asarray(a), batch)


def sync_state(model):
    """Nothing to do: variables are updated in place."""
