"""OrbaxCheckpoint: Orbax step folders with the model (and optimizer/metrics) state, max_to_keep,
batch-frequency saves, best-only decisions, a clear ImportError without orbax."""

import os
import sys

import numpy as np
import pytest

import kiln
from kiln import layers

pytest.importorskip("orbax.checkpoint")
from kiln.callbacks.orbax_checkpoint import _orbax_v1  # noqa: E402

needs_training = pytest.mark.skipif(kiln.backend.backend() == "numpy", reason="numpy backend has no autodiff")
X = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
Y = X[:, :1] * 2.0


def _model():
    model = kiln.Sequential([kiln.Input((2,)), layers.Dense(3), layers.Dropout(0.2), layers.Dense(1)],
                            name="seq")
    model.compile(kiln.optimizers.Adam(0.01), "mse", metrics=["mae"])
    return model


def _load(directory, step):
    with _orbax_v1().training.Checkpointer(str(directory)) as checkpointer:
        return checkpointer.load(step)


def _steps(directory):
    return sorted(int(name) for name in os.listdir(directory) if name.isdigit())


def test_bad_arguments_and_missing_orbax(monkeypatch, tmp_path):
    for bad in ("batch", 0, True):
        with pytest.raises(ValueError, match="OrbaxCheckpoint: unrecognized save_freq"):
            kiln.callbacks.OrbaxCheckpoint(tmp_path, save_freq=bad)
    with pytest.raises(ValueError, match="OrbaxCheckpoint: max_to_keep must be a positive int or None"):
        kiln.callbacks.OrbaxCheckpoint(tmp_path, max_to_keep=0)
    with pytest.raises(ValueError, match="OrbaxCheckpoint: directory"):
        kiln.callbacks.OrbaxCheckpoint("")
    monkeypatch.setitem(sys.modules, "orbax.checkpoint", None)
    with pytest.raises(ImportError, match="OrbaxCheckpoint requires the `orbax-checkpoint` package"):
        kiln.callbacks.OrbaxCheckpoint(tmp_path)


@needs_training
def test_epoch_saves_keep_the_newest_and_hold_the_model_state(tmp_path):
    model = _model()
    callback = kiln.callbacks.OrbaxCheckpoint(tmp_path / "ckpt", monitor="loss", max_to_keep=2)
    model.fit(X, Y, batch_size=4, epochs=3, callbacks=[callback], verbose=0)
    assert _steps(tmp_path / "ckpt") == [1, 2]  # epochs, 0-based; epoch 0 dropped by max_to_keep
    tree = _load(tmp_path / "ckpt", 2)
    assert sorted(tree) == ["metrics_variables", "non_trainable_variables", "optimizer_variables",
                            "trainable_variables"]
    saved = tree["trainable_variables"]["seq"]
    for layer in ("dense", "dense_1"):
        np.testing.assert_array_equal(np.asarray(saved[layer]["kernel"]),
                                      model.get_layer(layer).kernel.numpy())
        np.testing.assert_array_equal(np.asarray(saved[layer]["bias"]), model.get_layer(layer).bias.numpy())
    assert int(np.asarray(tree["optimizer_variables"]["adam"]["iteration"])) == 6
    seed_state = model.get_layer("dropout").seed_generator.state  # found by its path
    node = tree["non_trainable_variables"]
    for part in seed_state.path.split("/"):
        node = node[part]
    np.testing.assert_array_equal(np.asarray(node), seed_state.numpy())
    for variable in model.metrics_variables:
        node = tree["metrics_variables"]
        for part in variable.path.split("/"):
            node = node[part]
        np.testing.assert_array_equal(np.asarray(node), variable.numpy())


@needs_training
def test_batch_frequency_weights_only_synchronous(tmp_path):
    model = _model()
    callback = kiln.callbacks.OrbaxCheckpoint(tmp_path / "ckpt", save_freq=3, max_to_keep=None,
                                              save_on_background=False, save_weights_only=True)
    model.fit(X, Y, batch_size=2, epochs=2, callbacks=[callback], verbose=0)  # 8 batches
    assert _steps(tmp_path / "ckpt") == [3, 6]  # batches seen
    tree = _load(tmp_path / "ckpt", 6)
    assert sorted(tree) == ["non_trainable_variables", "trainable_variables"]


@pytest.mark.parametrize("mode, threshold, expected", [("min", None, [0, 2]), ("max", None, [0, 1]),
                                                       ("min", 0.8, [2])])
def test_save_best_only(tmp_path, mode, threshold, expected):
    model = kiln.Sequential([kiln.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    callback = kiln.callbacks.OrbaxCheckpoint(tmp_path / "ckpt", monitor="val_loss", save_best_only=True,
                                              mode=mode, initial_value_threshold=threshold, max_to_keep=None,
                                              save_on_background=False)
    callback.set_model(model)
    for epoch, value in enumerate([1.0, 2.0, 0.5]):
        callback.on_epoch_end(epoch, {"val_loss": np.float32(value)})
    with pytest.warns(UserWarning, match="val_loss available"):
        callback.on_epoch_end(3, {"loss": 0.1})
    callback.on_train_end()
    assert _steps(tmp_path / "ckpt") == expected
    assert callback.best == {"min": 0.5, "max": 2.0}[mode]
    restarted = kiln.callbacks.OrbaxCheckpoint(tmp_path / "other")
    restarted._set_state(callback._get_state())
    assert restarted.best == callback.best
