"""Interactive logging switches: the progress bar goes to stdout when on, to the "kiln"
logger (and never redrawn in place) when off."""

import io
import logging

import numpy as np
import pytest

import kiln
from kiln.utils import (disable_interactive_logging, enable_interactive_logging,
                        is_interactive_logging_enabled)
from kiln.utils.io_utils import print_msg
from kiln.utils.progbar import Progbar


@pytest.fixture(autouse=True)
def _restore():
    yield
    enable_interactive_logging()


def test_switches():
    assert is_interactive_logging_enabled()
    disable_interactive_logging()
    assert not is_interactive_logging_enabled()
    enable_interactive_logging()
    assert is_interactive_logging_enabled()


def test_print_msg_follows_the_switch(capsys, caplog):
    print_msg("to stdout")
    assert capsys.readouterr().out == "to stdout\n"
    disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="kiln"):
        print_msg("to the log")
    assert capsys.readouterr().out == ""
    assert [r.getMessage() for r in caplog.records] == ["to the log"]


def _bar(stream):
    from rich.console import Console

    bar = Progbar(target=2, verbose=1)
    bar.console = Console(file=stream, force_terminal=True, highlight=False)
    return bar


def test_progbar_draws_on_the_console_when_interactive():
    stream = io.StringIO()
    bar = _bar(stream)
    assert bar.dynamic
    bar.update(1, [("loss", 0.5)])
    bar.update(2, [("loss", 0.25)])
    assert "loss" in stream.getvalue()


def test_progbar_logs_lines_when_not_interactive(caplog):
    disable_interactive_logging()
    stream = io.StringIO()
    bar = _bar(stream)
    assert not bar.dynamic  # never redrawn in place, even on a terminal
    with caplog.at_level(logging.INFO, logger="kiln"):
        bar.update(1, [("loss", 0.5)])
        bar.update(2, [("loss", 0.25)])
    assert stream.getvalue() == ""
    messages = [r.getMessage() for r in caplog.records if r.name == "kiln"]
    assert len(messages) == 1 and messages[0].startswith("2/2") and "loss: 0.2500" in messages[0]


def test_fit_progress_goes_to_the_log_when_not_interactive(capsys, caplog):
    model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
    model.compile(loss="mse")
    disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="kiln"):
        model.predict(np.ones((4, 2)), batch_size=2, verbose=2)
    assert capsys.readouterr().out == ""
    assert any(r.getMessage().startswith("2/2") for r in caplog.records if r.name == "kiln")
