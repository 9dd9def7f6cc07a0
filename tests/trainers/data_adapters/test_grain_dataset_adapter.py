"""grain input (MapDataset, IterDataset, DataLoader): the adapter, and fit/evaluate/predict on every backend."""

import grain
import numpy as np
import pytest

import kiln
from kiln import layers
from kiln.trainers.data_adapters import EpochIterator, get_data_adapter
from kiln.trainers.data_adapters.grain_dataset_adapter import GrainDatasetAdapter, is_grain_dataset

TRAINS = kiln.backend.backend() != "numpy"


def _needs_training():
    if not TRAINS:
        pytest.skip("numpy backend has no autodiff")


def _regression(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.25).astype("float32")
    return x, y


def _linear_model(lr=0.05):
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(1)])
    if TRAINS:
        model.compile(optimizer=kiln.optimizers.SGD(lr), loss="mse")
    return model


def _numpy_forward(model, x):
    kernel, bias = (np.asarray(kiln.ops.convert_to_numpy(w)) for w in model.get_weights())
    return x @ kernel + bias


def _samples(*arrays):
    """Per-sample tuples for ``MapDataset.source``."""
    return [tuple(a[i] for a in arrays) for i in range(len(arrays[0]))]


class _Source:
    """A random-access source of dict records for grain.DataLoader."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def _loader(x, y, batch_size, shuffle=False, seed=0):
    sampler = grain.samplers.IndexSampler(len(y), shuffle=shuffle, num_epochs=1, seed=seed)
    return grain.DataLoader(data_source=_Source(x, y), sampler=sampler,
                            operations=[grain.transforms.Batch(batch_size)], worker_count=0)


def test_map_dataset_batches_num_batches_and_dtypes():
    x, y = _regression(10)
    sw = np.linspace(0.0, 1.0, 10)
    ds = grain.MapDataset.source(_samples(x.astype("float64"), y, sw)).batch(4)
    adapter = get_data_adapter(ds, batch_size=7, shuffle=True)  # both ignored: the pipeline decides
    assert isinstance(adapter, GrainDatasetAdapter) and adapter.num_batches == 3
    batches = list(adapter.numpy_batches())
    assert [b[0].shape for b in batches] == [(4, 4), (4, 4), (2, 4)]
    assert all(b[0].dtype == np.float32 and b[2].dtype == np.float32 for b in batches)  # float64 -> floatx
    np.testing.assert_allclose(np.concatenate([b[2] for b in batches]), sw, rtol=1e-6)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in adapter.numpy_batches(epoch=1)]), y)
    bx, by, bsw = GrainDatasetAdapter(grain.MapDataset.source(_samples(x)).batch(5)).peek()
    assert bx.shape == (5, 4) and by is None and bsw is None
    bare = GrainDatasetAdapter(grain.MapDataset.source(list(x)).batch(5))
    assert bare.peek()[0].shape == (5, 4) and bare.peek()[1] is None


def test_iter_dataset_and_data_loader_have_no_length():
    x, y = _regression(10)
    iter_ds = grain.MapDataset.source(_samples(x, y)).batch(4).to_iter_dataset()
    adapter = GrainDatasetAdapter(iter_ds)
    assert adapter.num_batches is None
    assert [b[1].shape[0] for b in adapter.numpy_batches()] == [4, 4, 2]
    assert [b[1].shape[0] for b in adapter.numpy_batches(epoch=1)] == [4, 4, 2]  # a fresh pass per epoch
    loader = GrainDatasetAdapter(_loader(x, y, 4))
    assert loader.num_batches is None
    np.testing.assert_array_equal(np.concatenate([b[1] for b in loader.numpy_batches()]), y)


def test_repeated_map_dataset_needs_steps_and_continues_across_epochs():
    x, y = _regression(12)
    ds = grain.MapDataset.source(_samples(x, y)).batch(4).repeat()
    with pytest.raises(ValueError, match="repeats forever.*steps_per_epoch"):
        GrainDatasetAdapter(ds)
    adapter = GrainDatasetAdapter(ds, steps=2)
    assert adapter.num_batches is None
    epochs = EpochIterator(adapter, steps=2)
    firsts = [b[1][0, 0] for e in range(3) for b in epochs.epoch(e)]
    np.testing.assert_array_equal(firsts, np.concatenate([y[::4, 0], y[::4, 0]]))


def test_predicate_and_errors():
    assert is_grain_dataset(grain.MapDataset.range(3)) and is_grain_dataset(grain.MapDataset.range(3).to_iter_dataset())
    assert not is_grain_dataset([1, 2]) and not is_grain_dataset(np.zeros(2))
    with pytest.raises(TypeError, match="GrainDatasetAdapter.*MapDataset, IterDataset or DataLoader.*list"):
        GrainDatasetAdapter([1, 2])
    with pytest.raises(ValueError, match="`y` argument is not supported.*grain"):
        get_data_adapter(grain.MapDataset.range(3).batch(2), y=np.zeros(3))


def test_fit_evaluate_predict_with_a_validation_dataset():
    x, y = _regression(64)
    model = _linear_model()
    train = grain.MapDataset.source(_samples(x, y)).shuffle(seed=3).batch(16)
    val = grain.MapDataset.source(_samples(x[:32], y[:32])).batch(16)
    predict_ds = grain.MapDataset.source(_samples(x)).batch(16).to_iter_dataset()
    if not TRAINS:
        np.testing.assert_allclose(model.predict(predict_ds, verbose=0), _numpy_forward(model, x),
                                   rtol=1e-5, atol=1e-5)
        _needs_training()
    history = model.fit(train, epochs=4, validation_data=val, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 4 and losses[-1] < 0.5 * losses[0]
    val_loss = model.evaluate(val, verbose=0)
    np.testing.assert_allclose(val_loss, np.mean((_numpy_forward(model, x[:32]) - y[:32]) ** 2), rtol=1e-4)
    np.testing.assert_allclose(history.history["val_loss"][-1], val_loss, rtol=1e-4)
    np.testing.assert_allclose(model.predict(predict_ds, verbose=0), _numpy_forward(model, x), rtol=1e-4, atol=1e-5)


def test_data_loader_with_sample_weights_and_steps_per_epoch():
    _needs_training()
    x, y = _regression(32)
    sw = np.where(np.arange(32) < 16, 1.0, 0.0).astype("float32")
    model = _linear_model()
    weighted = grain.MapDataset.source(_samples(x, y, sw)).batch(32)
    loss = model.evaluate(weighted, verbose=0)
    squared = ((_numpy_forward(model, x) - y) ** 2)[:, 0]
    np.testing.assert_allclose(loss, np.sum(squared * sw) / 32, rtol=1e-4)
    before = [np.array(w) for w in model.get_weights()]
    model.fit(grain.MapDataset.source(_samples(x, y, np.zeros(32, "float32"))).batch(8), epochs=1, verbose=0)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_allclose(np.asarray(new), old)  # zero weights: zero gradients
    seen = []

    class CountBatches(kiln.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    history = model.fit(_loader(x, y, 8, shuffle=True), epochs=4, steps_per_epoch=2, verbose=0,
                        callbacks=[CountBatches()])
    assert seen == [0, 1] * 4 and history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_dict_inputs_for_a_two_input_model():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(48, 2)).astype("float32"), rng.normal(size=(48, 3)).astype("float32")
    y = (a.sum(axis=1, keepdims=True) - b[:, :1]).astype("float32")
    in_a, in_b = kiln.Input((2,), name="a"), kiln.Input((3,), name="b")
    model = kiln.Model({"a": in_a, "b": in_b}, layers.Dense(1)(layers.Concatenate()([in_a, in_b])))
    ds = grain.MapDataset.source([({"a": a[i], "b": b[i]}, y[i]) for i in range(48)]).batch(12)
    if not TRAINS:
        assert model.predict(ds, verbose=0).shape == (48, 1)
        _needs_training()
    model.compile(optimizer=kiln.optimizers.SGD(0.1), loss="mse")
    losses = model.fit(ds, epochs=5, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert model.predict(ds.map(lambda element: element[0]), verbose=0).shape == (48, 1)
