"""tf.data.Dataset input: the adapter, and fit/evaluate/predict fed by tf.data on every backend."""

import numpy as np
import pytest
import tensorflow as tf

from adapter_cases import (
    BatchCounter,
    check_dict_inputs,
    check_fit_evaluate_predict,
    check_sample_weights,
    linear_model,
    needs_training,
    regression,
)
from kiln.trainers.data_adapters import EpochIterator, get_data_adapter
from kiln.trainers.data_adapters.tf_dataset_adapter import TFDatasetAdapter, is_tf_dataset


def test_adapter_num_batches_dtypes_and_structures():
    x, y = regression(10)
    sw = np.linspace(0.0, 1.0, 10)
    adapter = TFDatasetAdapter(tf.data.Dataset.from_tensor_slices((x.astype("float64"), y, sw)).batch(4))
    assert adapter.num_batches == 3
    batches = list(adapter.numpy_batches())
    assert [b[0].shape for b in batches] == [(4, 4), (4, 4), (2, 4)]
    assert all(b[0].dtype == np.float32 and b[2].dtype == np.float32 for b in batches)  # float64 -> floatx
    np.testing.assert_allclose(np.concatenate([b[2] for b in batches]), sw, rtol=1e-6)
    # A second epoch starts the dataset over.
    np.testing.assert_array_equal(np.concatenate([b[1] for b in adapter.numpy_batches(epoch=1)]), y)

    only_x = TFDatasetAdapter(tf.data.Dataset.from_tensor_slices((x,)).batch(5))
    bx, by, bsw = only_x.peek()
    assert bx.shape == (5, 4) and by is None and bsw is None

    bare_dict = TFDatasetAdapter(tf.data.Dataset.from_tensor_slices({"a": x, "b": y}).batch(8))
    bx, by, _ = bare_dict.peek()
    assert set(bx) == {"a", "b"} and bx["b"].shape == (8, 1) and by is None
    assert bare_dict.batch_size is None  # the last batch may be short: the static batch size is unknown
    assert TFDatasetAdapter(tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True)).batch_size == 4


def test_adapter_unknown_and_infinite_cardinality():
    x, y = regression(12)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    unknown = TFDatasetAdapter(ds.filter(lambda a, b: True).batch(4))
    assert unknown.num_batches is None
    assert sum(1 for _ in unknown.numpy_batches()) == 3
    with pytest.raises(ValueError, match="repeats forever.*steps_per_epoch"):
        TFDatasetAdapter(ds.batch(4).repeat())
    infinite = TFDatasetAdapter(ds.batch(4).repeat(), steps=5)
    assert infinite.num_batches is None
    # The trainer's EpochIterator reads one stream across epochs: 5 batches then the next 5 (wrapping the data).
    epochs = EpochIterator(infinite, steps=5)
    first = [b[1][0, 0] for b in epochs.epoch(0)]
    second = [b[1][0, 0] for b in epochs.epoch(1)]
    starts = y[::4, 0]
    np.testing.assert_allclose(first + second, np.concatenate([starts, starts, starts, starts])[:10])


def test_peek_does_not_consume_and_batch_size_is_ignored():
    x, y = regression(8)
    adapter = get_data_adapter(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), batch_size=3)
    assert isinstance(adapter, TFDatasetAdapter)
    np.testing.assert_array_equal(adapter.peek()[0], x[:4])
    np.testing.assert_array_equal(next(iter(adapter.numpy_batches()))[0], x[:4])


def test_sparse_and_ragged_are_densified():
    dense = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]], "float32")
    ragged = tf.ragged.constant([[1, 2], [3]])
    ds = tf.data.Dataset.from_tensors((tf.sparse.from_dense(dense), ragged))
    x, y, _ = TFDatasetAdapter(ds).peek()
    np.testing.assert_array_equal(x, dense)
    np.testing.assert_array_equal(y, [[1, 2], [3, 0]])


def test_predicate_and_errors():
    assert is_tf_dataset(tf.data.Dataset.range(3))
    assert not is_tf_dataset(np.zeros(3)) and not is_tf_dataset(tf.constant([1.0]))
    with pytest.raises(TypeError, match="TFDatasetAdapter.*tf.data.Dataset.*list"):
        TFDatasetAdapter([1, 2])
    with pytest.raises(ValueError, match="`y` argument is not supported.*tf.data.Dataset"):
        get_data_adapter(tf.data.Dataset.range(3).batch(2), y=np.zeros(3))


def test_fit_evaluate_predict_with_a_validation_dataset():
    x, y = regression(64)
    check_fit_evaluate_predict(tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=1).batch(16),
                               tf.data.Dataset.from_tensor_slices((x[:32], y[:32])).batch(16),
                               tf.data.Dataset.from_tensor_slices((x,)).batch(16))


def test_sample_weights_from_the_dataset_are_used():
    check_sample_weights(lambda x, y, sw, n: (tf.data.Dataset.from_tensor_slices((x, y, sw)).batch(n), {}))


def test_dict_inputs_for_a_two_input_model():
    check_dict_inputs(lambda a, b, y, n: tf.data.Dataset.from_tensor_slices(({"a": a, "b": b}, y)).batch(n),
                      lambda ds: ds.map(lambda inputs, target: inputs))


def test_infinite_dataset_with_steps_per_epoch_across_epochs():
    needs_training()
    x, y = regression(64)
    counter = BatchCounter()
    model = linear_model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).repeat()
    history = model.fit(ds, epochs=3, steps_per_epoch=6, verbose=0, callbacks=[counter])
    assert counter.seen == list(range(6)) * 3
    losses = history.history["loss"]
    assert len(losses) == 3 and losses[-1] < 0.5 * losses[0]
    # evaluate/predict on an infinite dataset take `steps`.
    assert model.predict(ds.map(lambda a, b: a), steps=2, verbose=0).shape == (32, 1)
