"""NumPy backend steps: inference only (``evaluate``/``predict``); ``fit`` is unsupported.

Example:
    >>> # kiln.Model.fit on the numpy backend raises NotImplementedError naming the backend
"""

import numpy as np

from kiln import tree
from kiln.backend.interface import unsupported_error


UNSUPPORTED = {
    "make_train_function": "no autodiff: the numpy backend runs inference (evaluate/predict) only",
}


def make_train_function(model):
    error = unsupported_error("numpy", "trainer.make_train_function")
    raise NotImplementedError(
        "fit() / train_on_batch() need gradients, which the numpy backend (inference only) does "
        "not have. " + str(error)
    )


def make_test_function(model):
    def step(batch):
        x, y, sw = batch
        y_pred = model(x, training=False)
        loss = model.compute_loss(x, y, y_pred, sw, training=False)
        return model.compute_metrics(x, y, y_pred, sw, loss=loss)

    return step


def make_predict_function(model):
    def step(x):
        return model(x, training=False)

    return step


def to_backend_batch(batch):
    return tree.map_structure(lambda a: None if a is None else np.asarray(a), batch)


def sync_state(model):
    """Nothing to do: variables are updated in place."""
