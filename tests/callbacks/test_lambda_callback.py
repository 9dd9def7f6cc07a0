"""LambdaCallback: every on_* argument (and **kwargs hooks) is called by fit/evaluate/predict."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


def _model():
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def _recording_callback(events, extra=()):
    hooks = ["on_epoch_begin", "on_epoch_end", "on_train_batch_begin", "on_train_batch_end"]
    kwargs = {h: (lambda h: lambda index, logs: events.append((h, index)))(h) for h in hooks}
    for h in ("on_train_begin", "on_train_end") + tuple(extra):
        kwargs[h] = (lambda h: lambda logs=None: events.append((h,)))(h)
    return kiln.callbacks.LambdaCallback(**kwargs)


def test_batch_alias_and_bad_input():
    events = []
    cb = kiln.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: events.append(batch))
    cb.on_train_batch_end(3, {})  # forwards to on_batch_end, as the base class does
    assert events == [3]
    with pytest.raises(TypeError, match="unknown hooks \\['on_epoch_finish'\\].*on_epoch_end"):
        kiln.callbacks.LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match="`on_epoch_end` must be callable"):
        kiln.callbacks.LambdaCallback(on_epoch_end="print")


def test_evaluate_and_predict_hooks():
    events = []
    extra = ("on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end")
    cb = _recording_callback(events, extra)
    model = _model()
    x = np.ones((4, 1), "float32")
    model.evaluate(x, x, batch_size=2, verbose=0, callbacks=[cb])
    model.predict(x, batch_size=2, verbose=0, callbacks=[cb])
    assert events == [("on_test_begin",), ("on_test_end",), ("on_predict_begin",), ("on_predict_end",)]


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_calls_every_hook_in_order():
    events = []
    x = np.ones((4, 1), "float32")
    _model().fit(x, x, epochs=2, batch_size=2, verbose=0, callbacks=[_recording_callback(events)])
    epoch = lambda e: [("on_epoch_begin", e), ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
                       ("on_train_batch_begin", 1), ("on_train_batch_end", 1), ("on_epoch_end", e)]
    assert events == [("on_train_begin",)] + epoch(0) + epoch(1) + [("on_train_end",)]
