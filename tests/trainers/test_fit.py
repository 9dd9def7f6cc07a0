"""compile/fit/evaluate/predict and the single-batch methods, on every training backend."""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"
needs_training = pytest.mark.skipif(not TRAINS, reason="the numpy backend is inference-only")


def _classification_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    w = rng.normal(size=(8, 3))
    y = np.argmax(x @ w, axis=1).astype("int32")
    return x, y


def _mlp():
    return kiln.Sequential([kiln.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(3)])


@needs_training
def test_fit_reduces_loss_and_reaches_accuracy():
    x, y = _classification_data()
    model = _mlp()
    model.compile(optimizer=kiln.optimizers.Adam(0.01),
                  loss=kiln.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] * 0.6
    assert history.history["accuracy"][-1] > 0.85
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.85 and loss < losses[0]
    probs = model.predict(x[:10], verbose=0)
    assert probs.shape == (10, 3)


@needs_training
def test_fit_with_validation_data_split_and_initial_epoch():
    x, y = _classification_data()
    model = _mlp()
    model.compile(optimizer="sgd", loss=kiln.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=2, batch_size=64, validation_split=0.25, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    h = model.fit(x, y, epochs=3, initial_epoch=1, batch_size=64, validation_data=(x[:32], y[:32]),
                  verbose=0, shuffle=False)
    assert len(h.history["loss"]) == 2 and h.epoch == [1, 2]


@needs_training
def test_regression_with_mse_and_sgd_momentum():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(512, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.25).astype("float32")
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.SGD(0.05, momentum=0.9, nesterov=True), loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < 1e-3
    kernel = model.layers[0].kernel.numpy().ravel()
    np.testing.assert_allclose(kernel, [1.0, -2.0, 0.5, 3.0], atol=0.05)


@needs_training
def test_multi_output_losses_and_weights():
    a = kiln.Input((8,), name="in")
    hidden = layers.Dense(16, activation="relu")(a)
    out_cls = layers.Dense(3, name="cls")(hidden)
    out_reg = layers.Dense(1, name="reg")(hidden)
    model = kiln.Model(a, [out_cls, out_reg])
    x, y = _classification_data()
    model.compile(optimizer="adam",
                  loss=[kiln.losses.SparseCategoricalCrossentropy(from_logits=True), "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], None])
    h = model.fit(x, [y, x[:, :1]], epochs=3, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert "cls_accuracy" in h.history


@needs_training
def test_single_batch_methods():
    x, y = _classification_data(64)
    model = _mlp()
    model.compile("adam", kiln.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    first = model.train_on_batch(x, y)
    for _ in range(20):
        last = model.train_on_batch(x, y, return_dict=True)
    assert last["loss"] < first[0]
    loss, acc = model.test_on_batch(x, y)
    assert loss == pytest.approx(model.evaluate(x, y, batch_size=64, verbose=0)[0], rel=1e-4)
    assert model.predict_on_batch(x).shape == (64, 3)


@needs_training
def test_dropout_and_batchnorm_train_and_infer_differently():
    kiln.utils.set_random_seed(0)  # dropout masks and initial weights: no flaky loss curve
    x, y = _classification_data()
    model = kiln.Sequential([kiln.Input((8,)), layers.Dense(16), layers.BatchNormalization(),
                             layers.Activation("relu"), layers.Dropout(0.3), layers.Dense(3)])
    model.compile(kiln.optimizers.Adam(0.01), kiln.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = model.layers[1].moving_mean.numpy().copy()
    h = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert not np.allclose(before, model.layers[1].moving_mean.numpy())
    p1 = model.predict(x[:8], verbose=0)
    p2 = model.predict(x[:8], verbose=0)
    np.testing.assert_allclose(p1, p2)


@needs_training
def test_progress_bar_prints_metrics_and_throughput(capsys):
    x, y = _classification_data(64)
    model = _mlp()
    model.compile("adam", kiln.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "loss:" in out and "accuracy:" in out and "samples/s" in out


def test_compile_errors_list_valid_names():
    model = _mlp()
    with pytest.raises(ValueError, match="adam"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="mean_squared_error|mse"):
        model.compile(optimizer="sgd", loss="msee")
    with pytest.raises(ValueError, match="sparse_categorical_accuracy"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acurracy"])
    with pytest.raises(ValueError, match="steps_per_execution"):
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=0)
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 8)), np.zeros(2))


def test_evaluate_and_predict_work_everywhere():
    x, y = _classification_data(32)
    model = _mlp()
    model.compile("sgd", kiln.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(result) == {"loss", "accuracy"}
    assert model.predict(x, batch_size=7, verbose=0).shape == (32, 3)


@pytest.mark.skipif(TRAINS, reason="only the numpy backend refuses to train")
def test_numpy_backend_fit_is_a_clear_error():
    model = _mlp()
    model.compile("sgd", "mse")
    with pytest.raises(NotImplementedError, match="numpy"):
        model.fit(np.zeros((4, 8)), np.zeros((4, 3)), verbose=0)


@needs_training
def test_small_cnn_trains():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(96, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype("int32")
    model = kiln.Sequential([kiln.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                             layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2)])
    model.compile("adam", kiln.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


@pytest.mark.slow
@pytest.mark.skipif(kiln.backend.backend() not in ("torch", "tensorflow"),
                    reason="jit_compile=True means torch.compile / XLA here; jax always compiles")
def test_jit_compile_true_trains():
    x, y = _classification_data(128)
    model = _mlp()
    model.compile(optimizer=kiln.optimizers.Adam(0.01),
                  loss=kiln.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=True)
    assert model.jit_compile
    h = model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


@needs_training
def test_epoch_loss_weights_batches_by_size():
    """The logged loss is the per-sample mean even when the last batch is smaller."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 3)).astype("float32")
    y = rng.normal(size=(10, 1)).astype("float32")
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.SGD(0.0), loss="mse")
    logged = model.evaluate(x, y, batch_size=4, verbose=0)
    pred = model.predict(x, verbose=0)
    assert logged == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(logged, rel=1e-5)


@needs_training
def test_refit_with_targets_of_another_rank():
    """(N, 1) targets then (N,) targets on the same model: the compiled step retraces per rank."""
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, np.ones((32, 1), "float32"), verbose=0)
    history = model.fit(x, np.ones((32,), "float32"), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert np.isclose(model.evaluate(x, np.ones((32,), "float32"), verbose=0),
                      model.evaluate(x, np.ones((32, 1), "float32"), verbose=0))


@needs_training
def test_a_spent_validation_generator_warns_and_training_goes_on():
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")

    def two_batches():
        for _ in range(2):
            yield x[:4], y[:4]

    with pytest.warns(UserWarning, match="validation input ran out of data.*validation_steps"):
        history = model.fit(x, y, validation_data=two_batches(), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 1  # only the first epoch had validation batches


def test_predict_on_empty_or_scalar_input_is_a_clear_error():
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(1)])
    model.predict(np.ones((2, 3), "float32"), verbose=0)
    with pytest.warns(UserWarning, match="ran out of data"), pytest.raises(ValueError, match="input data is empty"):
        model.predict(iter([]), verbose=0)
    with pytest.raises(ValueError, match="scalar.*batch"):
        model.predict(3, verbose=0)
