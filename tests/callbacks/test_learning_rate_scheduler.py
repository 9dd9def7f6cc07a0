"""LearningRateScheduler: schedule(epoch, lr) and schedule(epoch) set the rate each epoch, the
`learning_rate` log, verbose output, and bad schedules."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


def _model():
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1)])
    model.compile(kiln.optimizers.SGD(0.1), "mse")
    return model


def _rate(model):
    return float(np.asarray(kiln.ops.convert_to_numpy(model.optimizer.learning_rate)))


def test_one_and_two_argument_schedules(capsys):
    model = _model()
    two = kiln.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    two.set_model(model)
    two.on_epoch_begin(0)
    two.on_epoch_begin(1)
    assert _rate(model) == pytest.approx(0.025)
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.025" in capsys.readouterr().out
    one = kiln.callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    one.set_model(model)
    one.on_epoch_begin(2)
    logs = {}
    one.on_epoch_end(2, logs)
    assert _rate(model) == pytest.approx(0.03) and logs["learning_rate"] == pytest.approx(0.03)


def test_bad_input():
    with pytest.raises(TypeError, match="schedule"):
        kiln.callbacks.LearningRateScheduler(0.1)
    cb = kiln.callbacks.LearningRateScheduler(lambda epoch: "fast")
    cb.set_model(_model())
    with pytest.raises(ValueError, match="should be a float. Got: 'fast'"):
        cb.on_epoch_begin(0)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_follows_the_schedule():
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(8, 1)
    model = _model()
    seen = []
    probe = kiln.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(_rate(model)))
    schedule = kiln.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(x, x, epochs=3, batch_size=4, verbose=0, callbacks=[schedule, probe])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], seen, rtol=1e-6)
