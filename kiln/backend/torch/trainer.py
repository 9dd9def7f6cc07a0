"""PyTorch training steps: eager forward/backward, in-place parameter updates.

The steps follow Keras 3's torch signatures, so a model may override them:
``train_step(data) -> logs``, ``test_step(data) -> logs``,
``predict_step(data) -> outputs``. ``compile(jit_compile=True)`` runs the
forward pass and loss of the default step through ``torch.compile``.

Example:
    >>> # used by kiln.Model.fit; see kiln/trainers/trainer.py
"""

import numpy as np
import torch

from kiln import tree
from kiln.backend.common import train_steps


def _step_cache(model):
    """Per-compile values of the default train step (trainable variables, the forward pass)."""
    cache = model.__dict__.get("_torch_step_cache")
    if cache is None:
        tvars = list(model.trainable_variables)

        def forward_loss(x, y, sample_weight):
            y_pred = model(x, training=True)
            return train_steps.compute_loss(model, x, y, y_pred, sample_weight, True), y_pred

        if model.jit_compile:
            forward_loss = torch.compile(forward_loss)
        cache = (tvars, [v.value for v in tvars], forward_loss)
        object.__setattr__(model, "_torch_step_cache", cache)
    return cache


def train_step(model, data):
    """One eager training step; returns the logs."""
    x, y, sample_weight = train_steps.unpack_x_y_sample_weight(data)
    tvars, params, forward_loss = _step_cache(model)
    for p in params:
        p.grad = None
    loss, y_pred = forward_loss(x, y, sample_weight)
    if loss.requires_grad:
        model.optimizer.scale_loss(loss).backward()
        with torch.no_grad():
            model.optimizer.apply([p.grad for p in params], tvars)
    # else: nothing trainable reaches the loss (a frozen or weightless model): no update.
    with torch.no_grad():
        return model._eager_step_logs(x, y, y_pred, sample_weight, loss)


def test_step(model, data):
    """One evaluation step (no autograd graph); returns the logs."""
    with torch.no_grad():
        return train_steps.test_step(model, data)


def predict_step(model, data):
    """One prediction step (no autograd graph); returns the outputs."""
    with torch.no_grad():
        return train_steps.predict_step(model, data)


def make_train_function(model):
    object.__setattr__(model, "_torch_step_cache", None)
    step = model.train_step

    def train_function(data):
        return step(data)

    def run_steps(batches):
        logs = None
        for data in batches:
            logs = step(data)
        return logs

    train_function.run_steps = run_steps
    return train_function


def make_test_function(model):
    return model.test_step


def make_predict_function(model):
    step = model.predict_step

    def predict_function(data):
        with torch.no_grad():
            return step(data)

    return predict_function


def _to_tensor(a):
    if a is None:
        return None
    if isinstance(a, np.ndarray):
        if not a.flags.writeable:
            # Read-only arrays (pandas' copy-on-write views, np.frombuffer) cannot back a tensor.
            return torch.from_numpy(np.array(a))
        return torch.from_numpy(np.ascontiguousarray(a))
    return torch.as_tensor(a)


def to_backend_batch(batch):
    return tree.map_structure(_to_tensor, batch)


def sync_state(model):
    """Nothing to do: parameters are updated in place."""
