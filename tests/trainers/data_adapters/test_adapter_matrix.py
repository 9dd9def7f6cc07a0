"""Every input kind x every element form x fit/evaluate/predict, on the current backend.

One tiny model per test (a single Dense layer, so the NumPy reference is
``x @ kernel + bias``), 64 training samples in batches of 16 and 70 samples
to predict (a short last batch). Each kind is built the way a user builds it:
arrays and pandas are passed with ``batch_size``, a generator / PyDataset /
tf.data pipeline / torch DataLoader / grain dataset yields whole batches, a
torch Dataset yields samples that ``fit`` batches itself.

Element forms: ``(x,)`` (the model's own ``compute_loss`` needs no target),
``(x, y)`` and ``(x, y, sample_weight)``. The numpy backend cannot train: its
run covers evaluate and predict.
"""

import functools
import math

import numpy as np
import pytest

import kiln
from kiln import layers, ops, tree

TRAINS = kiln.backend.backend() != "numpy"
KINDS = ("numpy", "pandas", "generator", "pydataset", "pydataset_workers2", "tf_data", "torch_dataloader",
         "torch_dataset", "grain")
FORMS = ("x", "xy", "xysw")
METHODS = ("fit", "evaluate", "predict") if TRAINS else ("evaluate", "predict")

N_FIT, N_PREDICT, BATCH, FEATURES = 64, 70, 16, 4
_rng = np.random.default_rng(7)
X = _rng.normal(size=(N_PREDICT, FEATURES)).astype("float32")
XB = _rng.normal(size=(N_PREDICT, 2)).astype("float32")  # the second input of the two-input model
W_TRUE = np.array([[1.0], [-2.0], [0.5], [1.5]], "float32")
Y = (X @ W_TRUE + 0.3).astype("float32")
Y_DICT = (X @ W_TRUE + XB @ np.array([[1.0], [-1.0]], "float32")).astype("float32")
SW = _rng.uniform(0.25, 2.0, size=N_PREDICT).astype("float32")


# -- the models ------------------------------------------------------------------------------------
class _SelfSupervised(kiln.Sequential):
    """Loss from the outputs alone, so ``(x,)`` elements can train and evaluate."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return ops.mean(ops.square(y_pred))


def _build(form="xy", dict_inputs=False):
    init = kiln.initializers.RandomNormal(stddev=0.5, seed=3)
    if dict_inputs:
        a, b = kiln.Input((FEATURES,), name="a"), kiln.Input((2,), name="b")
        out = layers.Dense(1, kernel_initializer=init, bias_initializer="ones")(layers.Concatenate()([a, b]))
        model = kiln.Model({"a": a, "b": b}, out)
    else:
        cls = _SelfSupervised if form == "x" else kiln.Sequential
        model = cls([kiln.Input((FEATURES,)), layers.Dense(1, kernel_initializer=init, bias_initializer="ones")])
    model.compile(optimizer=kiln.optimizers.SGD(0.05), loss=None if form == "x" else "mse")
    return model


@pytest.fixture
def form():
    return "xy"


@pytest.fixture
def model(form):
    """A fresh model per test; its loss matches the element form."""
    return _build(form)


@pytest.fixture
def dict_model():
    return _build(dict_inputs=True)


def _numpy_predictions(model, x):
    kernel, bias = model.get_weights()
    if isinstance(x, dict):
        x = np.concatenate([x["a"], x["b"]], axis=-1)
    return x @ kernel + bias


def _numpy_loss(model, form, parts):
    """The loss evaluate must report, computed with NumPy from the model's current weights."""
    pred = _numpy_predictions(model, parts[0]).astype("float64")
    if form == "x":
        return float(np.mean(pred ** 2))
    per_sample = np.mean((pred - parts[1].reshape(pred.shape)) ** 2, axis=-1)
    if form == "xy":
        return float(per_sample.mean())
    # Keras' default reduction: the weighted sum over the number of samples (not over the weights).
    return float(np.sum(per_sample * parts[2]) / len(per_sample))


def _parts(form, n=N_FIT, dict_inputs=False):
    x = {"a": X[:n], "b": XB[:n]} if dict_inputs else X[:n]
    y = Y_DICT[:n] if dict_inputs else Y[:n]
    return {"x": (x,), "xy": (x, y), "xysw": (x, y, SW[:n])}[form]


def _iterations(model):
    return int(ops.convert_to_numpy(model.optimizer.iterations))


# -- the input kinds ---------------------------------------------------------------------------------
def _take(structure, index):
    return tree.map_structure(lambda a: a[index], structure)


def _num_rows(parts):
    return len(tree.flatten(parts[0])[0])


def _element(parts, index, bare=False):
    """The ``index`` (an int or a slice) of every part, as a tuple -- or the bare x with ``bare``."""
    return _take(parts[0], index) if bare else tuple(_take(p, index) for p in parts)


def _batches(parts, batch_size=BATCH, repeat=False, bare=False):
    """Yield ``parts`` as batch tuples: (x,), (x, y) or (x, y, sw) (forever with ``repeat``)."""
    n = _num_rows(parts)
    while True:
        for start in range(0, n, batch_size):
            yield _element(parts, slice(start, start + batch_size), bare)
        if not repeat:
            return


@functools.cache
def _py_dataset_class():
    class Batches(kiln.utils.PyDataset):
        """Batch ``i`` of ``parts``; records the indices it was asked for and the epochs it saw end."""

        def __init__(self, parts, batch_size=BATCH, bare=False, **kwargs):
            super().__init__(**kwargs)
            self.parts, self.batch_size, self.bare = parts, batch_size, bare
            self.seen, self.epochs_ended = [], 0

        def __len__(self):
            return math.ceil(_num_rows(self.parts) / self.batch_size)

        def __getitem__(self, index):
            self.seen.append(int(index))
            start = index * self.batch_size
            return _element(self.parts, slice(start, start + self.batch_size), self.bare)

        def on_epoch_end(self):
            self.epochs_ended += 1

    return Batches


@functools.cache
def _torch_samples_class():
    import torch

    class Samples(torch.utils.data.Dataset):
        """Sample ``i`` of ``parts`` as a tuple; records the indices it was asked for."""

        def __init__(self, parts, bare=False):
            self.parts, self.bare, self.seen = parts, bare, []

        def __len__(self):
            return _num_rows(self.parts)

        def __getitem__(self, index):
            self.seen.append(int(index))
            return _element(self.parts, index, self.bare)

    return Samples


def _pandas(parts):
    import pandas as pd

    def frame(x):
        if isinstance(x, dict):
            return {key: frame(value) for key, value in x.items()}
        return pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])

    converted = [frame(parts[0])]
    if len(parts) > 1:
        converted.append(pd.Series(parts[1][:, 0], name="target"))
    if len(parts) > 2:
        converted.append(pd.Series(parts[2], name="weight"))
    return tuple(converted)


def _source(kind, parts, repeat=False, batch_size=BATCH, bare=False):
    """``parts`` as one object of ``kind`` (for the dataset kinds); arrays kinds return the parts.

    With ``bare``, a dataset's elements are x itself rather than ``(x,)``.
    """
    if kind == "numpy":
        return parts
    if kind == "pandas":
        return _pandas(parts)
    if kind == "generator":
        return _batches(parts, batch_size, repeat, bare)
    if kind in ("pydataset", "pydataset_workers2"):
        return _py_dataset_class()(parts, batch_size, bare, workers=2 if kind == "pydataset_workers2" else 1)
    if kind == "tf_data":
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices(parts[0] if bare else tuple(parts)).batch(batch_size)
        return dataset.repeat() if repeat else dataset
    if kind == "torch_dataloader":
        import torch

        return torch.utils.data.DataLoader(_torch_samples_class()(parts, bare), batch_size=batch_size,
                                           shuffle=False)
    if kind == "torch_dataset":
        return _torch_samples_class()(parts, bare)
    if kind == "grain":
        import grain

        samples = [_element(parts, i, bare) for i in range(_num_rows(parts))]
        return grain.MapDataset.source(samples).batch(batch_size)
    raise AssertionError(kind)


def _call(model, method, kind, parts, repeat=False, bare=False, **kwargs):
    """``model.<method>`` on ``parts`` handed over as ``kind``; returns (result, the source object)."""
    source = _source(kind, parts, repeat=repeat, bare=bare)
    run = getattr(model, method)
    if kind in ("numpy", "pandas"):
        if method == "predict":
            # A tuple handed to predict is unpacked as (x, y, sample_weight); only x is used.
            return run(source[0] if len(source) == 1 else source, batch_size=BATCH, verbose=0, **kwargs), source
        extra = {"sample_weight": source[2]} if len(source) > 2 else {}
        return run(*source[:2], batch_size=BATCH, verbose=0, **extra, **kwargs), source
    if kind == "torch_dataset":
        kwargs["batch_size"] = BATCH
    return run(source, verbose=0, **kwargs), source


# -- the matrix --------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("kind", KINDS)
def test_matrix(kind, form, method, model):
    if method == "predict":
        parts = _parts(form, N_PREDICT)
        out, _ = _call(model, "predict", kind, parts)
        assert out.shape == (N_PREDICT, 1)
        np.testing.assert_allclose(out, _numpy_predictions(model, X), rtol=1e-5, atol=1e-5)
    elif method == "evaluate":
        parts = _parts(form)
        loss, _ = _call(model, "evaluate", kind, parts)
        assert loss == pytest.approx(_numpy_loss(model, form, parts), rel=1e-4)
    else:
        parts = _parts(form)
        start = _numpy_loss(model, form, parts)
        # A generator is read once: it repeats, and steps_per_epoch says where an epoch ends.
        extra = {"steps_per_epoch": N_FIT // BATCH} if kind == "generator" else {}
        history, source = _call(model, "fit", kind, parts, repeat=kind == "generator", epochs=3, **extra)
        losses = history.history["loss"]
        assert list(history.history) == ["loss"] and len(losses) == 3
        assert _iterations(model) == 3 * N_FIT // BATCH
        if kind.startswith("pydataset"):
            assert source.epochs_ended == 3  # PyDataset.on_epoch_end after every epoch
        # Training lowers the loss (SGD on a linear model: it falls every epoch).
        assert losses[2] < losses[1] < losses[0]
        assert _numpy_loss(model, form, parts) < 0.5 * start


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", KINDS)
def test_dict_inputs_for_a_two_input_model(kind, method, dict_model):
    if method == "predict":
        parts = _parts("x", N_PREDICT, dict_inputs=True)
        out, _ = _call(dict_model, "predict", kind, parts)
        assert out.shape == (N_PREDICT, 1)
        expected = _numpy_predictions(dict_model, {"a": X, "b": XB})
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    elif method == "evaluate":
        parts = _parts("xysw", dict_inputs=True)
        loss, _ = _call(dict_model, "evaluate", kind, parts)
        assert loss == pytest.approx(_numpy_loss(dict_model, "xysw", parts), rel=1e-4)
    else:
        parts = _parts("xy", dict_inputs=True)
        start = _numpy_loss(dict_model, "xy", parts)
        # One epoch: a plain (finite) generator is read once.
        history, _ = _call(dict_model, "fit", kind, parts, epochs=1)
        assert len(history.history["loss"]) == 1
        assert _iterations(dict_model) == N_FIT // BATCH
        assert _numpy_loss(dict_model, "xy", parts) < start


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("numpy", "pandas", "pydataset_workers2")])
def test_predict_on_bare_x_elements(kind, model):
    """Elements that are the input itself, not a tuple: what a source without targets often yields."""
    out, _ = _call(model, "predict", kind, (X,), bare=True)
    assert out.shape == (N_PREDICT, 1)
    np.testing.assert_allclose(out, _numpy_predictions(model, X), rtol=1e-5, atol=1e-5)


needs_training = pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")


@needs_training
@pytest.mark.parametrize("kind", KINDS)
def test_steps_per_epoch_and_validation_data(kind, model):
    """Training data and validation data of the same kind; an epoch is cut at steps_per_epoch."""
    parts = _parts("xy")
    held_out = tuple(p[N_FIT:] for p in _parts("xysw", N_PREDICT))  # 6 samples, weighted
    # A generator is read once: both repeat (validation_steps then ends each validation run);
    # a repeated tf.data pipeline is endless too.
    endless = kind in ("generator", "tf_data")
    validation = _source(kind, held_out, repeat=kind == "generator", batch_size=4)
    extra = {"validation_steps": 2} if kind == "generator" else {}
    if kind == "torch_dataset":
        extra["validation_batch_size"] = 4
    history, _ = _call(model, "fit", kind, parts, repeat=endless, epochs=3, steps_per_epoch=2,
                       validation_data=validation, **extra)
    assert set(history.history) == {"loss", "val_loss"}
    assert len(history.history["loss"]) == len(history.history["val_loss"]) == 3
    assert _iterations(model) == 6
    # Validation runs after each epoch's training: the last one sees the final weights.
    assert history.history["val_loss"][-1] == pytest.approx(_numpy_loss(model, "xysw", held_out), rel=1e-4)


def _epoch_order(seen, count):
    """The indices asked for in the last epoch (the first batch may be read once more to build)."""
    order = seen[-count:]
    assert sorted(order) == list(range(count)), seen
    return order


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("kind", ["numpy", "pandas"])
def test_array_shuffle(kind, shuffle):
    """Arrays and pandas: the epoch the adapter hands the trainer (fit's default is shuffle=True)."""
    from kiln.trainers.data_adapters import get_data_adapter

    ids = np.arange(N_PREDICT, dtype="float32")[:, None]
    adapter = get_data_adapter(*_source(kind, (ids, ids * 2)), batch_size=BATCH, shuffle=shuffle)
    batches = list(adapter.numpy_batches(epoch=0, seed=5))
    assert [len(b[0]) for b in batches] == [16, 16, 16, 16, 6]
    x = np.concatenate([b[0] for b in batches]).ravel()
    y = np.concatenate([b[1] for b in batches]).ravel()
    np.testing.assert_array_equal(y, 2 * x)  # targets stay with their samples
    assert sorted(x.tolist()) == list(range(N_PREDICT))
    assert (x.tolist() != list(range(N_PREDICT))) == shuffle


@needs_training
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("kind", ["pydataset", "torch_dataset"])
def test_fit_shuffle(kind, shuffle, model):
    """A PyDataset's batch order / a torch Dataset's sample order, as fit asks for them."""
    if kind == "pydataset":
        source = _source(kind, _parts("xy"), batch_size=4)  # 16 batches: a shuffled epoch is never in order
        model.fit(source, epochs=1, shuffle=shuffle, verbose=0)
        count, steps = len(source), N_FIT // 4
    else:
        source = _source(kind, _parts("xy"))
        model.fit(source, batch_size=BATCH, epochs=1, shuffle=shuffle, verbose=0)
        count, steps = N_FIT, N_FIT // BATCH
    order = _epoch_order(source.seen, count)
    assert (order != sorted(order)) == shuffle
    assert _iterations(model) == steps
