"""ProgbarLogger in fit/evaluate/predict: every metric, samples/s, time per step, ETA on a terminal;
one line per epoch when stdout is not a terminal; silent at verbose=0; History has every metric."""

import io
import time

import numpy as np
import pytest
from rich.console import Console

import kiln
from kiln import layers
from kiln.trainers.deferred_logs import DeferredLogs
import kiln.utils.progbar as progbar_module

TRAINS = kiln.backend.backend() != "numpy"


def _model():
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(2)])
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def _data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(24, 3)).astype("float32"), rng.normal(size=(24, 2)).astype("float32")


@pytest.fixture
def terminal(monkeypatch):
    """Make the bars draw on a fake terminal; returns its buffer."""
    console = Console(force_terminal=True, file=io.StringIO(), width=200)
    monkeypatch.setattr(progbar_module, "_DEFAULT_CONSOLE", [console])
    return console.file


def test_keras_signature_and_params():
    logger = kiln.callbacks.ProgbarLogger()
    logger.set_params({"verbose": "auto", "epochs": 4, "steps": 7, "batch_size": 16})
    assert (logger.verbose, logger.epochs, logger.target) == (1, 4, 7)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
@pytest.mark.parametrize("verbose", [1, 2])
def test_fit_not_a_terminal_one_line_per_epoch(capsys, verbose):
    x, y = _data()
    history = _model().fit(x, y, batch_size=8, epochs=3, validation_data=(x, y), verbose=verbose)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        assert line.startswith(f"Epoch {epoch + 1}/3 - 3/3 - ")
        assert "samples/s" in line and "/step" in line
        for name in ("loss", "mae", "val_loss", "val_mae"):
            assert f" - {name}: {history.history[name][epoch]:.4f}" in line
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(len(v) == 3 for v in history.history.values()) and history.epoch == [0, 1, 2]


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_on_a_terminal_draws_a_bar_with_eta(terminal, capsys):
    x, y = _data()
    _model().fit(x, y, batch_size=4, epochs=2, verbose=1)
    drawn = terminal.getvalue()
    assert capsys.readouterr().out == ""
    assert "Epoch 1/2\n" in drawn and "Epoch 2/2\n" in drawn
    assert "ETA" in drawn and "samples/s" in drawn and "/step" in drawn and "━" in drawn
    assert "loss: " in drawn and "mae: " in drawn and "6/6" in drawn


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_verbose_0_is_silent(terminal, capsys):
    x, y = _data()
    history = _model().fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert capsys.readouterr().out == "" and terminal.getvalue() == ""
    assert len(history.history["loss"]) == 2


def test_evaluate_and_predict_print_one_line(capsys):
    x, y = _data()
    model = _model()
    result = model.evaluate(x, y, batch_size=8, verbose=1, return_dict=True)
    model.predict(x, batch_size=8, verbose=2)
    model.evaluate(x, y, batch_size=8, verbose=0)
    evaluate_line, predict_line = capsys.readouterr().out.splitlines()
    assert evaluate_line.startswith("3/3 - ") and f"loss: {result['loss']:.4f}" in evaluate_line
    assert f"mae: {result['mae']:.4f}" in evaluate_line and "samples/s" in evaluate_line
    assert predict_line.startswith("3/3 - ") and "loss" not in predict_line


def test_logs_are_read_only_when_the_bar_draws(terminal):
    computed = []

    def logs():
        return DeferredLogs(lambda: computed.append(1) or {"loss": 0.5})

    logger = kiln.callbacks.ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 200, "batch_size": 4})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    start = time.perf_counter()
    for batch in range(199):
        logger.on_train_batch_end(batch, logs())
    elapsed = time.perf_counter() - start
    # Redrawn at most every 0.05 s (the first update draws): one read per draw, not per batch.
    assert 1 <= len(computed) <= 1 + elapsed / 0.05 and len(computed) < 199
    logger.on_train_batch_end(199, logs())
    logger.on_epoch_end(0, {"loss": 0.25})
    assert "200/200" in terminal.getvalue() and "loss: 0.2500" in terminal.getvalue()
