"""grain input (MapDataset, IterDataset, DataLoader): the adapter, and fit/evaluate/predict on every backend."""

import grain
import numpy as np
import pytest

from adapter_cases import (
    BatchCounter,
    check_dict_inputs,
    check_fit_evaluate_predict,
    check_sample_weights,
    regression,
)
from kiln.trainers.data_adapters import EpochIterator, get_data_adapter
from kiln.trainers.data_adapters.grain_dataset_adapter import GrainDatasetAdapter, is_grain_dataset


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
    x, y = regression(10)
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
    x, y = regression(10)
    iter_ds = grain.MapDataset.source(_samples(x, y)).batch(4).to_iter_dataset()
    adapter = GrainDatasetAdapter(iter_ds)
    assert adapter.num_batches is None
    assert [b[1].shape[0] for b in adapter.numpy_batches()] == [4, 4, 2]
    assert [b[1].shape[0] for b in adapter.numpy_batches(epoch=1)] == [4, 4, 2]  # a fresh pass per epoch
    loader = GrainDatasetAdapter(_loader(x, y, 4))
    assert loader.num_batches is None
    np.testing.assert_array_equal(np.concatenate([b[1] for b in loader.numpy_batches()]), y)


def test_repeated_map_dataset_needs_steps_and_continues_across_epochs():
    x, y = regression(12)
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
    x, y = regression(64)
    check_fit_evaluate_predict(grain.MapDataset.source(_samples(x, y)).shuffle(seed=3).batch(16),
                               grain.MapDataset.source(_samples(x[:32], y[:32])).batch(16),
                               grain.MapDataset.source(_samples(x)).batch(16).to_iter_dataset())


def test_sample_weights_and_a_data_loader_with_steps_per_epoch():
    model = check_sample_weights(lambda x, y, sw, n: (grain.MapDataset.source(_samples(x, y, sw)).batch(n), {}))
    x, y = regression(32)
    counter = BatchCounter()
    history = model.fit(_loader(x, y, 8, shuffle=True), epochs=4, steps_per_epoch=2, verbose=0, callbacks=[counter])
    assert counter.seen == [0, 1] * 4 and history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_dict_inputs_for_a_two_input_model():
    check_dict_inputs(lambda a, b, y, n: grain.MapDataset.source([({"a": a[i], "b": b[i]}, y[i])
                                                                  for i in range(len(y))]).batch(n),
                      lambda ds: ds.map(lambda element: element[0]))
