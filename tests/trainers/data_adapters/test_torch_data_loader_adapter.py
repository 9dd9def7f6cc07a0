"""torch DataLoader / Dataset input: the adapter, and fit/evaluate/predict fed by torch data on every backend."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset

import kiln
from adapter_cases import (
    BatchCounter,
    check_dict_inputs,
    check_fit_evaluate_predict,
    check_sample_weights,
    needs_training,
    regression,
)
from kiln import layers
from kiln.trainers.data_adapters import EpochIterator, get_data_adapter
from kiln.trainers.data_adapters.torch_data_loader_adapter import TorchDataLoaderAdapter, is_torch_data


class _DictDataset(Dataset):
    """Map-style: ({"a": ..., "b": ...}, y) per sample (the inputs alone when ``y`` is None)."""

    def __init__(self, a, b, y):
        self.a, self.b = torch.from_numpy(a), torch.from_numpy(b)
        self.y = None if y is None else torch.from_numpy(y)

    def __len__(self):
        return len(self.a)

    def __getitem__(self, i):
        inputs = {"a": self.a[i], "b": self.b[i]}
        return inputs if self.y is None else (inputs, self.y[i])


class _Stream(IterableDataset):
    def __init__(self, n, sized=False):
        self.n, self.sized = n, sized

    def __iter__(self):
        for i in range(self.n):
            yield torch.full((2,), float(i)), torch.tensor([float(i)])

    def __len__(self):
        if not self.sized:
            raise TypeError("unsized stream")
        return self.n


def test_data_loader_batches_and_num_batches():
    x, y = regression(10)
    sw = np.linspace(0.0, 1.0, 10)
    loader = DataLoader(TensorDataset(torch.from_numpy(x).double(), torch.from_numpy(y), torch.from_numpy(sw)),
                        batch_size=4)
    adapter = get_data_adapter(loader, batch_size=99, shuffle=True)  # both ignored for a DataLoader
    assert isinstance(adapter, TorchDataLoaderAdapter)
    assert adapter.num_batches == 3 and adapter.batch_size == 4
    batches = list(adapter.numpy_batches())
    assert [b[0].shape for b in batches] == [(4, 4), (4, 4), (2, 4)]
    assert all(type(leaf) is np.ndarray and leaf.dtype == np.float32 for b in batches for leaf in b)
    np.testing.assert_allclose(np.concatenate([b[0] for b in batches]), x, rtol=1e-6)
    np.testing.assert_allclose(np.concatenate([b[2] for b in batches]), sw, rtol=1e-6)
    # Every epoch reads the loader afresh.
    np.testing.assert_array_equal(np.concatenate([b[1] for b in adapter.numpy_batches(epoch=1)]), y)
    # (x,) elements and bare tensors.
    x_only = TorchDataLoaderAdapter(DataLoader(TensorDataset(torch.from_numpy(x)), batch_size=5))
    bx, by, bsw = x_only.peek()
    assert bx.shape == (5, 4) and by is None and bsw is None
    bare = TorchDataLoaderAdapter(DataLoader(torch.from_numpy(x), batch_size=6))
    assert bare.peek()[0].shape == (6, 4) and bare.peek()[1] is None


def test_map_style_dataset_is_batched_and_sized():
    x, y = regression(10)
    adapter = get_data_adapter(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=4)
    assert adapter.num_batches == 3 and adapter.batch_size == 4
    np.testing.assert_array_equal(np.concatenate([b[1] for b in adapter.numpy_batches()]), y)
    assert TorchDataLoaderAdapter(TensorDataset(torch.from_numpy(x))).batch_size == 32  # the default


def test_dataset_shuffle_covers_every_sample_once_and_changes_between_epochs():
    n = 23
    ids = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    adapter = TorchDataLoaderAdapter(TensorDataset(ids, ids), batch_size=5, shuffle=True)
    orders = []
    for epoch in range(3):
        order = np.concatenate([b[1][:, 0] for b in adapter.numpy_batches(epoch=epoch, seed=7)])
        np.testing.assert_array_equal(np.sort(order), np.arange(n))  # each sample exactly once
        orders.append(order.tolist())
    assert orders[0] != orders[1] != orders[2] and orders[0] != list(range(n))
    # The order is a pure function of (seed, epoch): a resumed run replays it.
    replay = np.concatenate([b[1][:, 0] for b in adapter.numpy_batches(epoch=1, seed=7)])
    assert replay.tolist() == orders[1]
    # shuffle="batch": whole batches move, their contents stay together.
    by_batch = TorchDataLoaderAdapter(TensorDataset(ids, ids), batch_size=5, shuffle="batch")
    epochs = [[b[1][:, 0].tolist() for b in by_batch.numpy_batches(epoch=e, seed=3)] for e in range(4)]
    fixed = [list(map(float, range(s, min(s + 5, n)))) for s in range(0, n, 5)]
    for batches in epochs:
        assert sorted(batches) == sorted(fixed)
    assert any(batches != fixed for batches in epochs)


def test_iterable_dataset_is_batched_in_stream_order():
    adapter = TorchDataLoaderAdapter(_Stream(7), batch_size=3, shuffle=True)  # a stream is never shuffled
    assert adapter.num_batches is None
    assert [b[1][:, 0].tolist() for b in adapter.numpy_batches()] == [[0, 1, 2], [3, 4, 5], [6]]
    assert TorchDataLoaderAdapter(_Stream(7, sized=True), batch_size=3).num_batches == 3
    # steps_per_epoch reads one stream across epochs, starting over when it ends.
    epochs = EpochIterator(TorchDataLoaderAdapter(_Stream(7), batch_size=3), steps=2)
    assert [[b[1][0, 0] for b in epochs.epoch(e)] for e in range(3)] == [[0, 3], [6, 0], [3, 6]]


def test_predicate_and_errors():
    assert is_torch_data(TensorDataset(torch.zeros(2))) and is_torch_data(DataLoader(torch.zeros(4, 1)))
    assert not is_torch_data(torch.zeros(3)) and not is_torch_data([1, 2])
    with pytest.raises(TypeError, match="TorchDataLoaderAdapter.*DataLoader or Dataset.*list"):
        TorchDataLoaderAdapter([1, 2])
    with pytest.raises(ValueError, match="batch_size.*positive.*-1"):
        TorchDataLoaderAdapter(TensorDataset(torch.zeros(2)), batch_size=-1)
    with pytest.raises(ValueError, match="`sample_weight` argument is not supported.*torch"):
        get_data_adapter(DataLoader(torch.zeros(4, 1)), sample_weight=np.ones(4))

    class Unsized(Dataset):
        def __getitem__(self, i):
            return torch.zeros(2)

    with pytest.raises(ValueError, match="Unsized defines no __len__"):
        TorchDataLoaderAdapter(Unsized())


def test_close_ends_unfinished_epochs():
    # (Worker processes end with their DataLoader iterator; they are not forked here: jax is multithreaded.)
    adapter = TorchDataLoaderAdapter(DataLoader(TensorDataset(torch.zeros(40, 2)), batch_size=4))
    unfinished, finished = adapter.numpy_batches(), adapter.numpy_batches()
    assert next(unfinished)[0].shape == (4, 2) and len(list(finished)) == 10
    adapter.close()
    with pytest.raises(StopIteration):
        next(unfinished)
    assert next(adapter.numpy_batches())[0].shape == (4, 2)  # a new epoch still works


def test_detection_imports_no_framework():
    code = ("import sys, kiln\n"
            "from kiln.trainers.data_adapters import get_data_adapter, grain_dataset_adapter as g, "
            "tf_dataset_adapter as t, torch_data_loader_adapter as p\n"
            "import numpy as np\n"
            "assert not (t.is_tf_dataset([1]) or p.is_torch_data([1]) or g.is_grain_dataset([1]))\n"
            "get_data_adapter(np.zeros((4, 1)))\n"
            "print(sorted(m for m in ('tensorflow', 'torch', 'grain') if m in sys.modules))\n")
    env = {**os.environ, "KILN_BACKEND": "numpy", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_fit_evaluate_predict_with_a_loader_and_a_validation_loader():
    x, y = regression(64)
    check_fit_evaluate_predict(
        DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16, shuffle=True),
        DataLoader(TensorDataset(torch.from_numpy(x[:32]), torch.from_numpy(y[:32])), batch_size=16),
        DataLoader(TensorDataset(torch.from_numpy(x)), batch_size=16))


def test_sample_weights_from_a_dataset_and_fit_on_a_shuffled_dataset():
    def make(x, y, sw, batch_size):
        return TensorDataset(*map(torch.from_numpy, (x, y, sw))), {"batch_size": batch_size}

    model = check_sample_weights(make)
    x, y = regression(32)
    history = model.fit(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=8, epochs=3,
                        shuffle=True, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_dict_inputs_with_steps_per_epoch():
    model = check_dict_inputs(lambda a, b, y, n: DataLoader(_DictDataset(a, b, y), batch_size=n),
                              lambda loader: DataLoader(_DictDataset(loader.dataset.a.numpy(),
                                                                     loader.dataset.b.numpy(), None),
                                                        batch_size=12))
    counter = BatchCounter()
    loader = DataLoader(_DictDataset(*[np.zeros((48, k), "float32") for k in (2, 3, 1)]), batch_size=12)
    model.fit(loader, epochs=2, steps_per_epoch=3, verbose=0, callbacks=[counter])
    assert counter.seen == [0, 1, 2] * 2


def test_fit_on_an_unsized_iterable_dataset_with_validation():
    needs_training()
    stream = kiln.Sequential([kiln.Input((2,)), layers.Dense(1)])
    stream.compile(optimizer=kiln.optimizers.SGD(0.002), loss="mse")
    history = stream.fit(_Stream(16), batch_size=4, epochs=3, validation_data=_Stream(8), verbose=0)
    assert len(history.history["val_loss"]) == 3 and history.history["loss"][-1] < history.history["loss"][0]
