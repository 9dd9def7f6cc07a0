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


def test_step(model, data):
    """One evaluation step; returns the logs."""
    x, y, sample_weight = train_steps.unpack_x_y_sample_weight(data)
    y_pred = model(x, training=False)
    loss = train_steps.compute_loss(model, x, y, y_pred, sample_weight, False)
    return train_steps.update_loss_and_metrics(model, x, y, y_pred, sample_weight, loss)


def predict_step(model, data):
    """One prediction step; returns the outputs."""
    x, _, _ = train_steps.unpack_x_y_sample_weight(data)
    return model(x, training=False)


def make_test_function(model):
    return model.test_step


def make_predict_function(model):
    return model.predict_step


def to_backend_batch(batch):
    return tree.map_structure(lambda a: None if a is None else np.asarray(a), batch)


def sync_state(model):
    """Nothing to do: variables are updated in place."""
