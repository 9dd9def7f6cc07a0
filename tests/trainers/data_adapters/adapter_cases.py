"""Training cases every dataset-kind adapter test runs: one regression task, checked against NumPy.

Each test file builds the data in its own framework (tf.data, torch, grain)
through a small ``make`` function and hands it to these checks.
"""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


def needs_training():
    if not TRAINS:
        pytest.skip("numpy backend has no autodiff")


def regression(n=64, seed=0):
    """``x`` (n, 4) and ``y = x @ w + 0.25`` (n, 1), float32."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.25).astype("float32")
    return x, y


def linear_model(lr=0.05):
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(1)])
    if TRAINS:
        model.compile(optimizer=kiln.optimizers.SGD(lr), loss="mse")
    return model


def numpy_forward(model, x):
    """The Dense model's output computed in NumPy from its weights."""
    kernel, bias = (np.asarray(kiln.ops.convert_to_numpy(w)) for w in model.get_weights())
    return x @ kernel + bias


class BatchCounter(kiln.callbacks.Callback):
    """Records the batch index of every training step."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(batch)


def check_fit_evaluate_predict(train, val, predict_data):
    """fit with ``validation_data`` lowers the loss; evaluate and predict match NumPy.

    ``train`` holds ``regression(64)``; ``val`` its first 32 samples as (x, y);
    ``predict_data`` all 64 x as ``(x,)`` elements. On numpy only predict runs.
    """
    x, y = regression(64)
    model = linear_model()
    if not TRAINS:
        np.testing.assert_allclose(model.predict(predict_data, verbose=0), numpy_forward(model, x),
                                   rtol=1e-5, atol=1e-5)
        needs_training()
    history = model.fit(train, epochs=4, validation_data=val, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 4 and losses[-1] < 0.5 * losses[0]
    assert len(history.history["val_loss"]) == 4
    val_loss = model.evaluate(val, verbose=0)
    np.testing.assert_allclose(val_loss, np.mean((numpy_forward(model, x[:32]) - y[:32]) ** 2), rtol=1e-4)
    np.testing.assert_allclose(history.history["val_loss"][-1], val_loss, rtol=1e-4)
    np.testing.assert_allclose(model.predict(predict_data, verbose=0), numpy_forward(model, x), rtol=1e-4, atol=1e-5)


def check_sample_weights(make):
    """Sample weights from ``(x, y, sw)`` elements weight evaluate's loss, and zero weights freeze fit.

    ``make(x, y, sw, batch_size)`` returns ``(data, kwargs)`` for evaluate/fit.
    """
    needs_training()
    x, y = regression(32)
    sw = np.where(np.arange(32) < 16, 1.0, 0.0).astype("float32")
    model = linear_model()
    data, kwargs = make(x, y, sw, 32)
    loss = model.evaluate(data, verbose=0, **kwargs)
    squared = ((numpy_forward(model, x) - y) ** 2)[:, 0]
    np.testing.assert_allclose(loss, np.sum(squared * sw) / 32, rtol=1e-4)  # sum over batch size, as Keras
    before = [np.array(w) for w in model.get_weights()]
    data, kwargs = make(x, y, np.zeros(32, "float32"), 8)
    model.fit(data, epochs=1, verbose=0, **kwargs)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_allclose(np.asarray(new), old)  # zero weights: zero gradients
    return model


def check_dict_inputs(make, strip_targets):
    """A two-input functional model trained on ``({"a": a, "b": b}, y)`` elements, then predicting.

    ``make(a, b, y, batch_size)`` builds the dataset; ``strip_targets(ds)`` the
    same inputs without targets.
    """
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(48, 2)).astype("float32"), rng.normal(size=(48, 3)).astype("float32")
    y = (a.sum(axis=1, keepdims=True) - b[:, :1]).astype("float32")
    in_a, in_b = kiln.Input((2,), name="a"), kiln.Input((3,), name="b")
    model = kiln.Model({"a": in_a, "b": in_b}, layers.Dense(1)(layers.Concatenate()([in_a, in_b])))
    ds = make(a, b, y, 12)
    if not TRAINS:
        assert model.predict(ds, verbose=0).shape == (48, 1)
        needs_training()
    model.compile(optimizer=kiln.optimizers.SGD(0.1), loss="mse")
    losses = model.fit(ds, epochs=5, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    kernel, bias = (np.asarray(kiln.ops.convert_to_numpy(w)) for w in model.get_weights())
    expected = np.concatenate([a, b], axis=1) @ kernel + bias
    np.testing.assert_allclose(model.predict(strip_targets(ds), verbose=0), expected, rtol=1e-4, atol=1e-5)
    return model
