"""SwapEMAWeights: evaluate/predict run with the optimizer's EMA weights and give the weights back;
swap_on_epoch shows the EMA weights to later callbacks at epoch end; use_ema is required."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"
X = np.linspace(-1, 1, 8, dtype="float32").reshape(8, 1)
Y = 3 * X + 1


def _model(use_ema=True):
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1)])
    model.compile(kiln.optimizers.SGD(0.2, use_ema=use_ema, ema_momentum=0.5), "mse")
    return model


def _averages(model):
    return [np.array(kiln.ops.convert_to_numpy(v)) for v in model.optimizer._model_variables_moving_average]


def _copy(weights):
    return [np.array(w, copy=True) for w in weights]


def test_requires_use_ema():
    model = _model(use_ema=False)
    with pytest.raises(ValueError, match="use_ema=True.*Received: use_ema=False"):
        model.evaluate(X, Y, verbose=0, callbacks=[kiln.callbacks.SwapEMAWeights()])


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_evaluate_and_predict_use_the_ema_weights():
    model = _model()
    for start in range(0, 8, 2):  # train_on_batch: fit would end holding the averages
        model.train_on_batch(X[start:start + 2], Y[start:start + 2])
    raw, ema = _copy(model.get_weights()), _averages(model)
    assert not np.allclose(raw[0], ema[0])
    swap = kiln.callbacks.SwapEMAWeights()
    loss_ema = model.evaluate(X, Y, verbose=0, callbacks=[swap])
    prediction = model.predict(X, verbose=0, callbacks=[swap])
    for a, b in zip(model.get_weights(), raw):  # given back afterwards
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_averages(model), ema):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(prediction, X @ ema[0] + ema[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss_ema, np.mean((X @ ema[0] + ema[1] - Y) ** 2), rtol=1e-5)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_swap_on_epoch_shows_ema_weights_to_later_callbacks():
    model = _model()
    before, after, begins = [], [], []
    record = lambda into: kiln.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: into.append((_copy(model.get_weights()), _averages(model))))
    begin = kiln.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: begins.append(_copy(model.get_weights())))
    callbacks = [record(before), kiln.callbacks.SwapEMAWeights(swap_on_epoch=True), record(after), begin]
    model.fit(X, Y, epochs=2, batch_size=2, shuffle=False, verbose=0, callbacks=callbacks)
    # epoch 0: the model now holds the averages and the optimizer the raw weights
    for (raw, ema), (shown, kept) in zip(zip(*before[0]), zip(*after[0])):
        np.testing.assert_array_equal(shown, ema)
        np.testing.assert_array_equal(kept, raw)
    # epoch 1 starts again from the raw weights
    for a, b in zip(begins[1], before[0][0]):
        np.testing.assert_array_equal(a, b)
    # last epoch: both hold the EMA weights, and so does the model after fit
    for (raw, ema), (shown, kept), final in zip(zip(*before[1]), zip(*after[1]), model.get_weights()):
        np.testing.assert_array_equal(shown, ema)
        np.testing.assert_array_equal(kept, ema)
        np.testing.assert_array_equal(final, ema)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_ends_holding_the_ema_weights():
    model = _model()
    model.fit(X, Y, epochs=2, batch_size=2, shuffle=False, verbose=0)
    for weight, average in zip(model.get_weights(), _averages(model)):
        np.testing.assert_array_equal(weight, average)
