"""TerminateOnNaN: a NaN/inf loss stops fit gracefully with a reason naming epoch and batch, or
raises with raise_error=True."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


class _Model:
    stop_training = False
    _stop_reason = None


def test_finite_losses_pass_and_inf_stops(capsys):
    cb = kiln.callbacks.TerminateOnNaN()
    model = _Model()
    cb.set_model(model)
    cb.on_epoch_begin(2)
    cb.on_train_batch_end(0, {"loss": np.float32(1.0)})
    cb.on_train_batch_end(1, {})
    assert not model.stop_training
    cb.on_train_batch_end(5, {"loss": np.float32(np.inf)})
    assert model.stop_training and model._stop_reason == "Epoch 3, batch 5: invalid loss inf, terminating training"
    assert model._stop_reason in capsys.readouterr().out


def test_raise_error():
    cb = kiln.callbacks.TerminateOnNaN(raise_error=True)
    cb.set_model(_Model())
    with pytest.raises(RuntimeError, match="Epoch 1, batch 0: invalid loss nan"):
        cb.on_train_batch_end(0, {"loss": float("nan")})


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_stops_at_the_first_nan_batch(capsys):
    x = np.ones((16, 1), "float32")
    y = np.ones((16, 1), "float32")
    y[9] = np.nan  # the third batch of 4 holds it (no shuffle)
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    ends = []
    probe = kiln.callbacks.LambdaCallback(on_train_end=lambda logs: ends.append(True))
    history = model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0,
                        callbacks=[kiln.callbacks.TerminateOnNaN(), probe])
    assert model.stop_training and ends == [True] and len(history.epoch) == 1
    assert getattr(model, "_stop_reason", None) == "Epoch 1, batch 2: invalid loss nan, terminating training"
