"""PyTorch training steps: eager forward/backward, in-place parameter updates.

``compile(jit_compile=True)`` runs the forward pass and loss through
``torch.compile``.

Example:
    >>> # used by kiln.Model.fit; see kiln/trainers/trainer.py
"""

import numpy as np
import torch

from kiln import tree


def make_train_function(model):
    tvars = list(model.trainable_variables)
    params = [v.value for v in tvars]
    optimizer = model.optimizer

    def forward_loss(x, y, sw):
        y_pred = model(x, training=True)
        return model.compute_loss(x, y, y_pred, sw, training=True), y_pred

    if model.jit_compile:
        forward_loss = torch.compile(forward_loss)

    def train_function(batch):
        x, y, sw = batch
        for p in params:
            p.grad = None
        loss, y_pred = forward_loss(x, y, sw)
        if not loss.requires_grad:
            # Nothing trainable reaches the loss (a frozen or weightless model): no update.
            with torch.no_grad():
                return model._eager_step_logs(x, y, y_pred, sw, loss)
        loss.backward()
        with torch.no_grad():
            optimizer.apply([p.grad for p in params], tvars)
            return model._eager_step_logs(x, y, y_pred, sw, loss)

    return train_function


def make_test_function(model):
    def test_function(batch):
        x, y, sw = batch
        with torch.no_grad():
            y_pred = model(x, training=False)
            loss = model.compute_loss(x, y, y_pred, sw, training=False)
            return model.compute_metrics(x, y, y_pred, sw, loss=loss)

    return test_function


def make_predict_function(model):
    def predict_function(x):
        with torch.no_grad():
            return model(x, training=False)

    return predict_function


def _to_tensor(a):
    if a is None:
        return None
    if isinstance(a, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(a))
    return torch.as_tensor(a)


def to_backend_batch(batch):
    return tree.map_structure(_to_tensor, batch)


def sync_state(model):
    """Nothing to do: parameters are updated in place."""
