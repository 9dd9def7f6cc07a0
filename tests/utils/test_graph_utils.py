"""``is_keras_tensor``, ``get_source_inputs`` and ``standardize_dtype`` in kiln.utils."""

import numpy as np

import kiln
from kiln.utils import get_source_inputs, is_keras_tensor, standardize_dtype


def test_is_keras_tensor():
    x = kiln.Input((2,))
    assert is_keras_tensor(x) and is_keras_tensor(kiln.layers.Dense(1)(x))
    assert not is_keras_tensor(np.ones(2)) and not is_keras_tensor(kiln.ops.ones((2,)))


def test_get_source_inputs_walks_back_to_each_input_once():
    a, b, c = kiln.Input((2,), name="a"), kiln.Input((2,), name="b"), kiln.Input((2,), name="c")
    shared = kiln.layers.Dense(2)
    left = shared(a)
    right = kiln.layers.Add()([shared(b), a])
    out = kiln.layers.Concatenate()([left, right])
    sources = get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert all(s is not c for s in sources)
    assert get_source_inputs(a) == [a]


def test_get_source_inputs_of_a_model_output_and_of_plain_values():
    x = kiln.Input((3,))
    model = kiln.Model(x, kiln.layers.Dense(1)(x))
    y = model(kiln.Input((3,), name="fresh"))
    assert [t.name for t in get_source_inputs(y)] == ["fresh"]
    value = np.ones(2)
    assert get_source_inputs(value) is value


def test_standardize_dtype():
    assert standardize_dtype(np.float32) == "float32"
    assert standardize_dtype("float") == "float32"
    assert standardize_dtype(np.dtype("int64")) == "int64"
    assert standardize_dtype(kiln.ops.ones((1,), dtype="int32").dtype) == "int32"
