"""CSVLogger: header from the sorted log keys (with val_ columns), separator, append, flush per epoch."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


def test_header_rows_separator_and_append(tmp_path):
    path = tmp_path / "log.csv"
    logger = kiln.callbacks.CSVLogger(str(path), separator=";")
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5, "acc": np.float32(0.25), "val_loss": 0.75})
    assert path.read_text().splitlines() == ["epoch;acc;loss;val_loss", "0;0.25;0.5;0.75"]  # flushed already
    logger.on_epoch_end(1, {"loss": 0.25, "acc": 0.5})  # no validation this epoch
    logger.on_train_end()
    assert path.read_text().splitlines()[-1] == "1;0.5;0.25;NA"
    again = kiln.callbacks.CSVLogger(str(path), separator=";", append=True)
    again.on_train_begin()
    again.on_epoch_end(2, {"loss": 0.125, "acc": 0.75, "val_loss": 0.5})
    again.on_train_end()
    assert path.read_text().splitlines()[1:] == ["0;0.25;0.5;0.75", "1;0.5;0.25;NA", "2;0.75;0.125;0.5"]
    fresh = kiln.callbacks.CSVLogger(str(path))  # append=False overwrites; val_ columns added up front
    fresh.on_train_begin()
    fresh.on_epoch_end(0, {"loss": 1.0, "vec": [1, 2]})
    fresh.on_train_end()
    assert path.read_text().splitlines() == ["epoch,loss,vec,val_loss,val_vec", '0,1.0,"""[1, 2]""",NA,NA']


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_writes_one_row_per_epoch(tmp_path):
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(8, 1)
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    path = tmp_path / "fit.csv"
    history = model.fit(x, x, validation_data=(x, x), epochs=2, batch_size=4, verbose=0,
                        callbacks=[kiln.callbacks.CSVLogger(str(path))])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss,val_loss" and len(lines) == 3
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_allclose(rows[:, 0], [0, 1])
    np.testing.assert_allclose(rows[:, 1], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(rows[:, 2], history.history["val_loss"], rtol=1e-6)
