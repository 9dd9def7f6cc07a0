"""Backend-neutral pieces of the default train/test/predict steps.

Each backend's ``trainer`` module writes its steps with its own autodiff; what
they share — unpacking a batch, calling a (possibly overridden)
``compute_loss``, updating the loss tracker and compiled metrics — lives here,
written once.

Example:
    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
"""

import inspect


def unpack_x_y_sample_weight(data):
    """Split a batch (a tuple of 1–3 items, or a bare x) into ``(x, y, sample_weight)``.

    Example:
        >>> unpack_x_y_sample_weight(([1.0],))
        ([1.0], None, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected as (x,), (x, y) or (x, y, sample_weight); received a tuple of {len(data)}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch tuple a ``train_step`` receives: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    Example:
        >>> pack_x_y_sample_weight(1, 2)
        (1, 2)
    """
    if y is None and sample_weight is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def compute_loss(model, x, y, y_pred, sample_weight, training):
    """``model.compute_loss``, also when an override does not take ``training`` (Keras allows it)."""
    method = model.compute_loss
    takes_training = model.__dict__.get("_compute_loss_takes_training")
    if takes_training is None:
        takes_training = "training" in inspect.signature(method).parameters
        object.__setattr__(model, "_compute_loss_takes_training", takes_training)
    if takes_training:
        return method(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training)
    return method(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)


def batch_size_of(x):
    """The number of samples in ``x`` (a tensor or a nested structure), as a number or scalar tensor."""
    from kiln import ops, tree

    first = tree.flatten(x)[0] if isinstance(x, (list, tuple, dict)) else x
    count = first.shape[0]
    if count is None:  # traced with an unknown batch size (tf.function)
        count = ops.cast(ops.shape(first)[0], "float32")
    return count


def update_loss_and_metrics(model, x, y, y_pred, sample_weight, loss):
    """Update the loss tracker with ``loss`` and return ``model.compute_metrics(...)``."""
    tracker = getattr(model, "_loss_tracker", None)
    if tracker is not None and loss is not None:
        tracker.update_state(loss, sample_weight=batch_size_of(x))
    return model.compute_metrics(x, y, y_pred, sample_weight)


def test_step(model, data):
    """The default evaluation step of the eager-style backends: forward, loss, metrics; returns logs."""
    x, y, sample_weight = unpack_x_y_sample_weight(data)
    y_pred = model(x, training=False)
    loss = compute_loss(model, x, y, y_pred, sample_weight, False)
    return update_loss_and_metrics(model, x, y, y_pred, sample_weight, loss)


def predict_step(model, data):
    """The default prediction step of the eager-style backends: the model's outputs for ``data``'s x."""
    x, _, _ = unpack_x_y_sample_weight(data)
    return model(x, training=False)
