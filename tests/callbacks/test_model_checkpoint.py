"""ModelCheckpoint: files per epoch/batch with formatted names, save_best_only with mode and
initial_value_threshold, atomic writes, restart state, full-model saves, bad input."""

import json
import os

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"
X = np.linspace(-1, 1, 16, dtype="float32").reshape(16, 1)
Y = 2 * X


def _model():
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(kiln.optimizers.SGD(0.1), "mse")
    return model


class _Saver:
    """Stands in for a model in direct hook calls: save_weights writes a marker file."""

    metrics = []
    saved = []

    def save_weights(self, filepath, overwrite=True):
        assert overwrite and os.path.basename(filepath).startswith(".")  # a temporary name
        with open(filepath, "w") as f:
            f.write("weights")
        self.saved.append(filepath)


def _feed(cb, values, tmp_path):
    cb.set_model(_Saver())
    for epoch, value in enumerate(values):
        cb.on_epoch_begin(epoch)
        cb.on_epoch_end(epoch, {"val_loss": value})
    return sorted(os.listdir(tmp_path))


def test_save_best_only_modes_and_threshold(tmp_path, capsys):
    path = str(tmp_path / "m-{epoch}.weights.h5")
    best_min = kiln.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    assert _feed(best_min, [3.0, 2.0, 2.5, 1.0], tmp_path) == ["m-1.weights.h5", "m-2.weights.h5", "m-4.weights.h5"]
    assert best_min.best == 1.0
    for name in os.listdir(tmp_path):
        os.remove(tmp_path / name)
    best_max = kiln.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True, mode="max",
                                              initial_value_threshold=2.8)
    assert _feed(best_max, [3.0, 2.0, 3.5], tmp_path) == ["m-1.weights.h5", "m-3.weights.h5"]
    for name in os.listdir(tmp_path):
        os.remove(tmp_path / name)
    above = kiln.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True,
                                           initial_value_threshold=0.5, verbose=1)
    assert _feed(above, [3.0, 2.0], tmp_path) == []
    assert "Epoch 2: val_loss did not improve from 0.50000" in capsys.readouterr().out


def test_state_survives_a_restart(tmp_path):
    path = str(tmp_path / "best.weights.h5")
    first = kiln.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    _feed(first, [2.0, 1.5], tmp_path)
    state = json.loads(json.dumps(first._get_state()))
    resumed = kiln.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    resumed._set_state(state)
    assert resumed.best == 1.5
    os.remove(path)
    _feed(resumed, [1.7], tmp_path)  # worse than the best before the restart: no save
    assert not os.path.exists(path)
    assert json.loads(json.dumps(kiln.callbacks.ModelCheckpoint(path, save_weights_only=True)._get_state()))


def test_atomic_write_leaves_nothing_half_written(tmp_path):
    class Crashing(_Saver):
        def save_weights(self, filepath, overwrite=True):
            with open(filepath, "w") as f:
                f.write("half")
            raise OSError("disk full")

    target = tmp_path / "w.weights.h5"
    target.write_text("previous")
    cb = kiln.callbacks.ModelCheckpoint(str(target), save_weights_only=True)
    cb.set_model(Crashing())
    with pytest.raises(OSError, match="disk full"):
        cb.on_epoch_end(0, {"val_loss": 1.0})
    assert os.listdir(tmp_path) == ["w.weights.h5"] and target.read_text() == "previous"


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`.*model\.h5"):
        kiln.callbacks.ModelCheckpoint("model.h5", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`.*ckpt"):
        kiln.callbacks.ModelCheckpoint("ckpt")
    with pytest.raises(ValueError, match="save_freq"):
        kiln.callbacks.ModelCheckpoint("m.keras", save_freq="sometimes")
    with pytest.warns(UserWarning, match="mode 'best' is unknown"):
        assert kiln.callbacks.ModelCheckpoint("m.keras", mode="best").mode == "auto"
    cb = kiln.callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc}.weights.h5"), save_weights_only=True)
    cb.set_model(_Saver())
    with pytest.raises(KeyError, match="val_acc"):
        cb.on_epoch_end(0, {"val_loss": 1.0})
    cb = kiln.callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_best_only=True, save_weights_only=True,
                                        monitor="val_auc")
    cb.set_model(_Saver())
    with pytest.warns(UserWarning, match="only with val_auc available"):
        cb.on_epoch_end(0, {"val_loss": 1.0})


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_saves_formatted_weight_files_per_epoch_and_per_batch(tmp_path):
    model = _model()
    per_epoch = kiln.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch:02d}-{val_loss:.2f}.weights.h5"),
                                               save_weights_only=True)
    per_batch = kiln.callbacks.ModelCheckpoint(str(tmp_path / "b" / "e{epoch}-b{batch}.weights.h5"),
                                               save_weights_only=True, save_freq=3)
    history = model.fit(X, Y, validation_data=(X, -Y), epochs=2, batch_size=4, verbose=0,
                        callbacks=[per_epoch, per_batch])
    val = history.history["val_loss"]
    assert sorted(os.listdir(tmp_path)) == sorted(["b", f"e01-{val[0]:.2f}.weights.h5", f"e02-{val[1]:.2f}.weights.h5"])
    # 4 batches an epoch, a save every 3 batches: after batch 3 of epoch 1 and batch 2 of epoch 2
    assert sorted(os.listdir(tmp_path / "b")) == ["e1-b3.weights.h5", "e2-b2.weights.h5"]
    restored = _model()
    restored.load_weights(str(tmp_path / f"e02-{val[1]:.2f}.weights.h5"))
    for a, b in zip(restored.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_saves_the_whole_model(tmp_path):
    model = _model()
    if not hasattr(model, "save"):
        pytest.fail("Model.save is missing: ModelCheckpoint cannot write `.keras` files")
    path = tmp_path / "best.keras"
    cb = kiln.callbacks.ModelCheckpoint(str(path), monitor="loss", save_best_only=True)
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[cb])
    assert path.exists() and sorted(os.listdir(tmp_path)) == ["best.keras"]
    loaded = kiln.saving.load_model(str(path))
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_best_survives_an_interrupted_fit_through_backup_and_restore(tmp_path):
    """Keras #17012: a resumed run must not overwrite the best file with a worse model."""

    class Interrupt(kiln.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    def callbacks(extra):
        backup = kiln.callbacks.BackupAndRestore(str(tmp_path / "backup"))
        ckpt = kiln.callbacks.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="loss",
                                              save_best_only=True, save_weights_only=True)
        return [backup, ckpt] + extra, ckpt

    model = _model()
    first, ckpt = callbacks([Interrupt()])
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=4, batch_size=4, verbose=0, callbacks=first)
    best_before = ckpt.best
    seen = []
    second, resumed = callbacks([kiln.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(resumed.best))])
    history = _model().fit(X, Y, epochs=4, batch_size=4, verbose=0, callbacks=second)
    assert history.epoch == [2, 3] and seen[0] == best_before
    assert resumed.best == min([best_before] + history.history["loss"])
