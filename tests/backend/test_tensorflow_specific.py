"""Behaviour only the TensorFlow backend has: tf.Variable storage, tf.function graph
mode with unknown dimensions, stateless random ops, GradientTape through kiln Variables."""

import pytest

import kiln

if kiln.backend.backend() != "tensorflow":
    pytest.skip("TensorFlow-backend-specific tests", allow_module_level=True)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kiln.backend.tensorflow as B  # noqa: E402
from kiln.backend.common.keras_tensor import KerasTensor  # noqa: E402
from kiln.backend.common.scopes import StatelessScope  # noqa: E402
from kiln.backend.tensorflow import array_ops, core, image, nn, random, rnn  # noqa: E402

SEED = tf.constant([3, 4], tf.int64)


def test_variable_is_a_tf_variable_that_tf_ops_accept():
    v = core.Variable(np.array([[1.0, 2.0]], "float32"), name="w", trainable=False)
    assert isinstance(v._value, tf.Variable)
    assert not v._value.trainable
    np.testing.assert_allclose(tf.add(v, 1.0).numpy(), [[2.0, 3.0]])
    np.testing.assert_allclose(tf.matmul(v, tf.transpose(v)).numpy(), [[5.0]])
    storage = v._value
    v.assign([[5.0, 6.0]])
    assert v._value is storage  # assignment goes through tf.Variable.assign
    np.testing.assert_allclose(v.numpy(), [[5.0, 6.0]])
    v.trainable = True
    assert v._value.trainable


def test_variable_reads_the_stateless_mapping_in_tf_ops():
    v = core.Variable(np.ones(3, "float32"), name="w")
    with StatelessScope(state_mapping=[(v, tf.fill((3,), 2.0))]):
        assert float(tf.reduce_sum(v)) == 6.0
        v.assign(tf.zeros(3))
    np.testing.assert_allclose(v.numpy(), np.ones(3))


def test_gradient_tape_flows_through_kiln_variables_and_ops():
    v = core.Variable(np.array([1.0, -2.0], "float32"), name="w")
    with tf.GradientTape() as tape:
        loss = array_ops.sum(nn.relu(array_ops.multiply(v, 3.0)))
    grad = tape.gradient(loss, v._value)
    np.testing.assert_allclose(grad.numpy(), [3.0, 0.0])


def test_variable_assign_inside_tf_function():
    v = core.Variable(np.zeros(2, "float32"), name="counter")

    @tf.function
    def step():
        v.assign_add(tf.ones(2))
        return array_ops.sum(v)

    step()
    assert float(step()) == 4.0
    np.testing.assert_allclose(v.numpy(), [2.0, 2.0])


def test_variable_created_while_tracing_lives_outside_the_graph():
    def build_and_call(x):
        w = core.Variable(np.ones((3, 2), "float32"), name="kernel")
        assert isinstance(w._value, tf.Variable)
        return array_ops.matmul(x, w)

    out = core.compute_output_spec(build_and_call, KerasTensor((None, 3)))
    assert out.shape == (None, 2) and out.dtype == "float32"


def test_convert_fast_path_returns_the_same_tensor():
    x = tf.ones((2, 3))
    assert core.convert_to_tensor(x) is x
    assert core.convert_to_tensor(x, "float32") is x
    assert core.cast(x, "float32") is x
    assert core.convert_to_tensor(np.zeros(2, "float64")).dtype == tf.float64  # NumPy keeps dtype
    assert core.convert_to_tensor(np.zeros(2, "int64")).dtype == tf.int64
    assert core.convert_to_tensor([1, 2]).dtype == tf.int32
    assert core.convert_to_tensor([1.0, 2]).dtype == tf.float32


def test_shape_has_tensor_dims_in_graph_mode():
    seen = {}

    @tf.function(input_signature=[tf.TensorSpec((None, 3))])
    def f(x):
        s = core.shape(x)
        seen["shape"] = s
        return array_ops.zeros((s[0], 2)), array_ops.reshape(x, (s[0], 3, 1))

    zeros, reshaped = f(tf.ones((5, 3)))
    assert isinstance(seen["shape"][0], tf.Tensor) and seen["shape"][1] == 3
    assert zeros.shape == (5, 2) and reshaped.shape == (5, 3, 1)
    assert core.shape(tf.ones((2, 4))) == (2, 4)


def test_ops_run_inside_tf_function_with_unknown_dims_and_match_eager():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6)).astype("float32")
    images = rng.normal(size=(2, 7, 7, 3)).astype("float32")
    kernel = tf.constant(rng.normal(size=(3, 3, 3, 5)).astype("float32"))

    def f(a, img):
        h = nn.gelu(array_ops.matmul(a, array_ops.transpose(a)))
        h = core.get_item(h, (slice(None), [0, 2]))
        picked = array_ops.take_along_axis(a, tf.constant([[0], [1], [2], [3]]), axis=1)
        y = nn.conv(img, kernel, strides=2, padding="same", dilation_rate=1)
        y = nn.max_pool(y, 2, padding="same")
        r = image.resize(img, (3, 5))
        return (array_ops.sum(h, axis=1), picked, nn.softmax(a), y,
                array_ops.cumsum(a, axis=None), r)

    eager = f(tf.constant(x), tf.constant(images))
    graph = tf.function(f, input_signature=[tf.TensorSpec((None, None)),
                                            tf.TensorSpec((None, None, None, 3))])
    traced = graph(tf.constant(x), tf.constant(images))
    for e, t in zip(eager, traced):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)


def test_compute_output_spec_keeps_unknown_dims_and_nested_structure():
    out = core.compute_output_spec(
        lambda a: {"s": array_ops.sum(a, axis=1), "i": [array_ops.argmax(a, axis=-1)]},
        KerasTensor((None, 3, 4), "int8"),
    )
    assert out["s"].shape == (None, 4) and out["s"].dtype == "int32"
    assert out["i"][0].shape == (None, 3) and out["i"][0].dtype == "int32"


def test_cond_builds_tf_cond_in_graph_mode():
    @tf.function(input_signature=[tf.TensorSpec((None,))])
    def f(x):
        return core.cond(array_ops.sum(x) > 0, lambda: x * 2.0, lambda: x * 3.0)

    np.testing.assert_allclose(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(f(tf.constant([-1.0, -2.0])).numpy(), [-3.0, -6.0])


def test_random_is_stateless_same_seed_same_numbers_even_in_tf_function():
    assert core.random_seed_dtype() == "int64"
    a = random.normal((5,), seed=SEED)
    b = tf.function(lambda s: random.normal((5,), seed=s))(SEED)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    c = random.normal((5,), seed=tf.constant([3, 5], tf.int64))
    assert not np.allclose(a.numpy(), c.numpy())
    with pytest.raises(ValueError, match="seed"):
        random.uniform((2,), seed=None)


def test_rnn_uses_while_loop_in_graph_mode_and_matches_eager():
    def step(x_t, states):
        h = states[0] * 0.5 + x_t
        return h * 2.0, [h]

    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 1, 1], [1, 0, 0, 0, 1]], bool)
    h0 = tf.zeros((2, 3))
    eager = rnn.rnn(step, tf.constant(x), [h0], mask=mask)
    graph = tf.function(lambda a: rnn.rnn(step, a, [h0], mask=mask),
                        input_signature=[tf.TensorSpec((2, None, 3))])(tf.constant(x))
    np.testing.assert_allclose(eager[0].numpy(), graph[0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(eager[1].numpy(), graph[1].numpy(), rtol=1e-6)
    np.testing.assert_allclose(eager[2][0].numpy(), graph[2][0].numpy(), rtol=1e-6)
    assert graph[1].shape == (2, 5, 3)


def test_channels_first_conv_runs_on_cpu():
    x = np.random.default_rng(2).normal(size=(1, 3, 6, 6)).astype("float32")
    k = np.random.default_rng(3).normal(size=(3, 3, 3, 4)).astype("float32")
    first = nn.conv(x, k, padding="same", data_format="channels_first")
    last = nn.conv(np.moveaxis(x, 1, -1), k, padding="same", data_format="channels_last")
    np.testing.assert_allclose(first.numpy(), np.moveaxis(last.numpy(), -1, 1), rtol=1e-5, atol=1e-5)


def test_unsupported_functions_raise_and_are_listed():
    assert B.UNSUPPORTED == frozenset({"export.export_model"})
    with pytest.raises(NotImplementedError, match="tensorflow"):
        B.export.export_model(None, "model")


def test_list_devices_names_cpu():
    assert "cpu:0" in B.distribution.list_devices()
    assert B.distribution.list_devices("cpu") == ["cpu:0"]
