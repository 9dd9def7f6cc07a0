"""ReduceLROnPlateau: factor/patience/cooldown/min_lr/min_delta/mode on the optimizer's rate, the
`learning_rate` log, restart state, and bad input."""

import json

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


def _model(learning_rate=1.0):
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(kiln.optimizers.SGD(learning_rate), "mse")
    return model


def _rates(callback, values, model=None, monitor="val_loss"):
    """Feed one monitored value per epoch; returns the learning rate after each epoch."""
    model = model or _model()
    callback.set_model(model)
    callback.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        logs = {monitor: value}
        callback.on_epoch_end(epoch, logs)
        assert "learning_rate" in logs
        rates.append(float(np.asarray(kiln.ops.convert_to_numpy(model.optimizer.learning_rate))))
    return rates


def test_factor_patience_cooldown_and_min_lr():
    cb = kiln.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2, min_lr=0.2)
    rates = _rates(cb, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    # stall for 2 epochs -> halve; 2 cooldown epochs (the 2nd counts again); stall -> halve; floor at min_lr
    np.testing.assert_allclose(rates, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2], rtol=1e-6)


def test_min_delta_and_mode():
    # improvements smaller than min_delta do not count
    cb = kiln.callbacks.ReduceLROnPlateau(factor=0.1, patience=1, min_delta=0.1)
    np.testing.assert_allclose(_rates(cb, [1.0, 0.95, 0.5]), [1.0, 0.1, 0.1], rtol=1e-6)
    # "acc" in the name maximizes in auto mode
    cb = kiln.callbacks.ReduceLROnPlateau(monitor="val_acc", factor=0.1, patience=1)
    np.testing.assert_allclose(_rates(cb, [0.5, 0.6, 0.55], monitor="val_acc"), [1.0, 1.0, 0.1], rtol=1e-6)
    cb = kiln.callbacks.ReduceLROnPlateau(monitor="val_acc", mode="min", factor=0.1, patience=1)
    np.testing.assert_allclose(_rates(cb, [0.5, 0.6], monitor="val_acc"), [1.0, 0.1], rtol=1e-6)


def test_state_round_trip():
    model = _model()
    cb = kiln.callbacks.ReduceLROnPlateau(factor=0.5, patience=3)
    _rates(cb, [1.0, 0.5, 0.7, 0.8], model=model)
    state = json.loads(json.dumps(cb._get_state()))
    assert state == {"best": 0.5, "wait": 2, "cooldown_counter": 0}
    resumed = kiln.callbacks.ReduceLROnPlateau(factor=0.5, patience=3)
    resumed._set_state(state)
    # one more stalled epoch after the restart reaches patience
    assert _rates(resumed, [0.9], model=model) == [0.5]


def test_bad_input():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        kiln.callbacks.ReduceLROnPlateau(factor=1.5)
    with pytest.warns(UserWarning, match="mode up is unknown|mode 'up' is unknown"):
        assert kiln.callbacks.ReduceLROnPlateau(mode="up").mode == "auto"
    with pytest.raises(TypeError, match="unexpected keyword arguments.*bogus"):
        kiln.callbacks.ReduceLROnPlateau(bogus=1)
    with pytest.warns(UserWarning, match="val_loss` which is not available"):
        _rates(kiln.callbacks.ReduceLROnPlateau(), [1.0], monitor="loss")


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_lowers_the_rate_and_logs_it():
    x = np.linspace(-1, 1, 16, dtype="float32").reshape(16, 1)
    model = _model(0.1)
    cb = kiln.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1)
    # validating against -y: val_loss rises every epoch, so the rate halves from epoch 2 on
    history = model.fit(x, 2 * x, validation_data=(x, -2 * x), epochs=3, batch_size=8, verbose=0, callbacks=[cb])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05], rtol=1e-6)
    assert float(kiln.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.025)
