"""Callbacks: hooks are called in fit/evaluate/predict, History records, stop_training stops."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


class Recorder(kiln.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, sorted(logs)))

    def on_batch_end(self, batch, logs=None):  # the alias of on_train_batch_end
        self.events.append(("batch_end", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("test_batch_end", batch))

    def on_predict_end(self, logs=None):
        self.events.append("predict_end")


def _model():
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


@pytest.mark.skipif(not TRAINS, reason="numpy backend does not train")
def test_hooks_and_history():
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    recorder = Recorder()
    model = _model()
    history = model.fit(x, y, batch_size=4, epochs=2, callbacks=[recorder], verbose=0)
    assert recorder.events[0] == "train_begin"
    assert recorder.events.count(("batch_end", 0)) == 2 and ("batch_end", 1) in recorder.events
    assert ("epoch_end", 1, ["loss"]) in recorder.events
    assert history is model.history and history.epoch == [0, 1] and len(history.history["loss"]) == 2
    model.evaluate(x, y, batch_size=4, callbacks=[recorder], verbose=0)
    assert ("test_batch_end", 1) in recorder.events
    model.predict(x, callbacks=[recorder], verbose=0)
    assert recorder.events[-1] == "predict_end"


@pytest.mark.skipif(not TRAINS, reason="numpy backend does not train")
def test_stop_training_from_a_callback():
    class StopAfterOne(kiln.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    history = _model().fit(np.ones((8, 3)), np.ones((8, 1)), epochs=5, callbacks=[StopAfterOne()], verbose=0)
    assert history.epoch == [0]


def test_non_callback_is_rejected():
    with pytest.raises(TypeError, match="Callback"):
        _model().evaluate(np.ones((2, 3)), np.ones((2, 1)), callbacks=[object()], verbose=0)
