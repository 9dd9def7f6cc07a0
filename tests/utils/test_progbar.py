"""Progbar: Keras 3's signature and averaging rules, rich bar on a terminal, one line otherwise."""

import io

import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures
from rich.console import Console

from kiln.utils import Progbar


def _terminal():
    return Console(force_terminal=True, file=io.StringIO(), width=200)


def _piped():
    return Console(force_terminal=False, file=io.StringIO(), width=200)


def test_signature_and_example_are_keras():
    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] == "Progbar"]
    assert len(rows) == 1
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


def test_averaging_rules():
    # Neither list: every metric is averaged, weighted by the steps each value covers.
    bar = Progbar(target=10, verbose=0)
    bar.update(1, [("loss", 1.0), ("acc", 0.5)])
    bar.update(3, [("loss", 4.0), ("acc", 0.25)])
    assert bar.metric_values() == [("loss", 3.0), ("acc", 1.0 / 3)]
    # stateful_metrics: those are shown as given, the others averaged.
    bar = Progbar(target=10, verbose=0, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.5)])
    bar.update(3, [("loss", 4.0), ("acc", 0.25)])
    assert bar.metric_values() == [("loss", 3.0), ("acc", 0.25)]
    # stateless_metrics: only those averaged.
    bar = Progbar(target=10, verbose=0, stateless_metrics=["loss"])
    bar.update(1, [("loss", 1.0), ("acc", 0.5)])
    bar.update(3, [("loss", 4.0), ("acc", 0.25)])
    assert bar.metric_values() == [("loss", 3.0), ("acc", 0.25)]
    # finalize shows the last value of an averaged metric; add() advances by n.
    bar.add(2, [("loss", 9.0)])
    assert bar.metric_values()[0] == ("loss", (1.0 + 4.0 * 2 + 9.0 * 2) / 5)
    bar.update(6, [("loss", 7.0)], finalize=True)
    assert bar.metric_values()[0] == ("loss", 7.0)
    with pytest.raises(ValueError, match="stateful_metrics.*stateless_metrics"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])
    with pytest.raises(ValueError, match="verbose.*3"):
        Progbar(10, verbose=3)


@pytest.mark.parametrize("verbose", [1, 2])
def test_not_a_terminal_prints_one_line_at_the_end(verbose):
    bar = Progbar(target=4, verbose=verbose, stateful_metrics=["loss"], interval=0)
    bar.console = _piped()
    bar.samples_per_step = 8
    for step in range(1, 4):
        bar.update(step, [("loss", 0.5 / step), ("tiny", 1e-5)])
    assert bar.console.file.getvalue() == ""
    bar.update(4, [("loss", 0.125), ("tiny", 1e-5)])
    (line,) = bar.console.file.getvalue().splitlines()
    assert line.startswith("4/4 - ") and "/step" in line and "samples/s" in line
    assert line.endswith("loss: 0.1250 - tiny: 1.0000e-05")


def test_terminal_redraws_in_place_at_most_every_interval():
    bar = Progbar(target=100, verbose=1, stateful_metrics=["loss"], interval=3600)
    bar.console = _terminal()
    bar.samples_per_step = 32
    for step in range(1, 100):
        bar.update(step, [("loss", 1.0 / step)])
    drawn = bar.console.file.getvalue()
    assert drawn.count("\r") == 1  # the first update only: the interval has not passed since
    assert "ETA" in drawn and "samples/s" in drawn and "loss: 1.0000" in drawn and "━" in drawn
    bar.update(100, [("loss", 0.5)])
    final = bar.console.file.getvalue()[len(drawn):]
    assert final.startswith("\r") and final.endswith("\n") and "100/100" in final
    assert "loss: 0.5000" in final and "ETA" not in final and "/step" in final


def test_silent():
    bar = Progbar(target=2, verbose=0)
    bar.console = _terminal()
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    assert bar.console.file.getvalue() == ""


def test_values_are_read_only_when_drawn():
    class Lazy:
        reads = 0

        def __float__(self):
            Lazy.reads += 1
            return 0.25

    bar = Progbar(target=50, verbose=1, stateless_metrics=(), interval=3600)
    bar.console = _piped()  # not a terminal: nothing is drawn before the end
    for step in range(1, 50):
        bar.update(step, {"loss": Lazy()})
    assert Lazy.reads == 0
    bar.update(50, {"loss": Lazy()})
    assert Lazy.reads == 1 and "loss: 0.2500" in bar.console.file.getvalue()
