"""EarlyStopping: patience/min_delta/mode/baseline/start_from_epoch, restore of the best epoch's weights
(whether it stops training or the epochs run out), its restart state, and bad input."""

import json

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"
X = np.linspace(-1, 1, 16, dtype="float32").reshape(16, 1)
Y = 2 * X


class _Model:
    """Stands in for a model in direct hook calls: weights are a counter of set_weights calls."""

    def __init__(self):
        self.stop_training = False
        self.metrics = []
        self.weights = [np.zeros(1)]

    def get_weights(self):
        return self.weights

    def set_weights(self, weights):
        self.weights = weights


def _run(callback, values, monitor="loss"):
    """Feed one value per epoch; returns the epochs seen before the callback asked to stop."""
    model = _Model()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        model.weights = [np.full(1, float(epoch))]
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            break
    callback.on_train_end()
    return epoch + 1, model


def test_patience_min_delta_and_mode():
    assert _run(kiln.callbacks.EarlyStopping(monitor="loss", patience=2), [3, 2, 2.5, 2.4, 1])[0] == 4
    # a drop of 0.05 is not an improvement with min_delta=0.1: patience 1 stops at epoch 1
    assert _run(kiln.callbacks.EarlyStopping(monitor="loss", min_delta=0.1, patience=1), [1.0, 0.95, 0.5])[0] == 2
    assert _run(kiln.callbacks.EarlyStopping(monitor="acc", mode="max", patience=1), [0.5, 0.6, 0.7, 0.6], "acc")[0] == 4
    assert _run(kiln.callbacks.EarlyStopping(monitor="acc", mode="min", patience=1), [0.5, 0.6, 0.7], "acc")[0] == 2


def test_baseline_and_start_from_epoch():
    # never beating the baseline: wait is not reset, stops once a non-improving epoch meets patience
    stop = kiln.callbacks.EarlyStopping(monitor="loss", patience=2, baseline=0.1)
    assert _run(stop, [1.0, 0.9, 0.95, 0.97, 0.5])[0] == 3
    # the first two epochs are not watched at all
    stop = kiln.callbacks.EarlyStopping(monitor="loss", patience=1, start_from_epoch=2)
    assert _run(stop, [1.0, 2.0, 3.0, 4.0, 5.0])[0] == 4 and stop.best == 3.0


def test_restore_best_weights_when_epochs_run_out_and_verbose(capsys):
    stop = kiln.callbacks.EarlyStopping(monitor="loss", patience=10, restore_best_weights=True, verbose=1)
    epochs, model = _run(stop, [3.0, 1.0, 2.0])
    assert epochs == 3 and stop.stopped_epoch == 0 and stop.best_epoch == 1
    assert model.weights[0][0] == 1.0  # the weights seen at the end of epoch 1
    assert "best epoch: 2" in capsys.readouterr().out


def test_state_round_trip():
    stop = kiln.callbacks.EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)
    model = _Model()
    stop.set_model(model)
    stop.on_train_begin()
    for epoch, value in enumerate([2.0, 1.0, 1.5]):
        model.weights = [np.full((2, 1), float(epoch), "float32")]
        stop.on_epoch_end(epoch, {"loss": value})
    state = stop._get_state()
    weights = state.pop("best_weights")
    state = dict(json.loads(json.dumps(state)), best_weights=weights)  # JSON apart from the arrays
    fresh = kiln.callbacks.EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)
    fresh.set_model(model)
    fresh._set_state(state)
    fresh.on_train_begin()  # a resumed fit keeps the restored state
    assert (fresh.wait, fresh.best, fresh.best_epoch) == (1, 1.0, 1)
    assert fresh.best_weights[0].dtype == np.float32 and np.all(fresh.best_weights[0] == 1.0)
    fresh.on_epoch_end(3, {"loss": 1.2})
    fresh.on_epoch_end(4, {"loss": 1.1})
    assert model.stop_training and fresh.stopped_epoch == 4


def test_bad_input():
    with pytest.warns(UserWarning, match="mode 'sideways' is unknown"):
        assert kiln.callbacks.EarlyStopping(mode="sideways").mode == "auto"
    with pytest.raises(ValueError, match="patience"):
        kiln.callbacks.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="maximized or minimized"):
        _run(kiln.callbacks.EarlyStopping(monitor="mystery"), [1.0])
    with pytest.warns(UserWarning, match="not available. Available metrics are: loss"):
        _run(kiln.callbacks.EarlyStopping(monitor="val_loss"), [1.0])


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_restores_the_best_epoch_when_val_loss_rises():
    # Validating against -y: as the model learns y, val_loss rises, so epoch 0 is the best.
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(kiln.optimizers.SGD(0.1), "mse")
    seen = []
    record = kiln.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append([np.array(w) for w in model.get_weights()]))
    stop = kiln.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(X, Y, validation_data=(X, -Y), epochs=6, batch_size=4, verbose=0,
                        callbacks=[record, stop])
    val = history.history["val_loss"]
    assert len(val) == 3 and stop.stopped_epoch == 2 and val[1] > val[0] and val[2] > val[0]
    assert stop.best_epoch == 0 and stop.best == pytest.approx(val[0])
    for restored, best in zip(model.get_weights(), seen[0]):
        np.testing.assert_array_equal(restored, best)
    assert not np.allclose(seen[-1][0], seen[0][0])  # training had moved on


def test_auto_mode_reads_the_compiled_metric_direction():
    import operator

    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", kiln.metrics.BinaryCrossentropy(name="bce")])
    model.evaluate(X, (X > 0).astype("float32"), verbose=0)  # builds the compiled metrics
    for monitor, op in [("val_accuracy", operator.gt), ("bce", operator.lt), ("val_loss", operator.lt)]:
        stop = kiln.callbacks.EarlyStopping(monitor=monitor, min_delta=0.5)
        stop.set_model(model)
        stop._set_monitor_op()
        assert stop.monitor_op is op and stop.min_delta == (0.5 if op is operator.gt else -0.5)
