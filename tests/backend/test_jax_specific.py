"""Behaviour only the JAX backend has: jax.Array storage, jit tracing, raw PRNG keys."""

import pytest

import kiln

if kiln.backend.backend() != "jax":
    pytest.skip("JAX-backend-specific tests", allow_module_level=True)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import kiln.backend.jax as B  # noqa: E402
from kiln.backend.common.keras_tensor import KerasTensor  # noqa: E402
from kiln.backend.common.scopes import StatelessScope  # noqa: E402
from kiln.backend.jax import array_ops, core, nn, random, rnn  # noqa: E402


def test_variable_holds_a_jax_array_and_assign_replaces_it():
    v = core.Variable(np.array([1.0, 2.0], "float32"), name="w")
    assert isinstance(v._value, jax.Array)
    assert isinstance(jnp.asarray(v), jax.Array)  # __jax_array__
    v.assign([3.0, 4.0])
    assert isinstance(v._value, jax.Array)
    np.testing.assert_allclose(v.numpy(), [3.0, 4.0])
    assert core.convert_to_tensor(v).dtype == jnp.float32


def test_convert_fast_path_returns_the_same_array():
    x = jnp.ones((2, 3))
    assert core.convert_to_tensor(x) is x
    assert core.convert_to_tensor(x, "float32") is x
    assert core.cast(x, "float32") is x


def test_64_bit_inputs_narrow_to_32_bit_without_x64():
    if jax.config.jax_enable_x64:
        pytest.skip("x64 is enabled")
    assert core.convert_to_tensor(np.zeros(2, "float64")).dtype == jnp.float32
    assert core.convert_to_tensor(np.zeros(2, "int64")).dtype == jnp.int32
    assert array_ops.zeros((2,), "float64").dtype == jnp.float32


def test_ops_trace_under_jit_and_match_eager():
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(4, 6)).astype("float32"))

    def f(a):
        h = nn.gelu(array_ops.matmul(a, array_ops.transpose(a)))
        h = array_ops.where(array_ops.greater(h, 0.0), h, array_ops.multiply(h, 0.5))
        top = core.get_item(h, (slice(None), slice(0, 2)))
        return array_ops.sum(nn.softmax(top, axis=-1)) + array_ops.mean(array_ops.sqrt(array_ops.abs(a)))

    np.testing.assert_allclose(jax.jit(f)(x), f(x), rtol=1e-5)


def test_cond_uses_lax_cond_under_jit():
    @jax.jit
    def f(a):
        return core.cond(array_ops.sum(a) > 0, lambda: a * 2.0, lambda: a * -1.0)

    np.testing.assert_allclose(f(jnp.ones(3)), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(f(-jnp.ones(3)), [1.0, 1.0, 1.0])


def test_conv_and_pool_trace_under_jit():
    x = jnp.ones((2, 9, 9, 3))
    k = jnp.ones((3, 3, 3, 4))
    y = jax.jit(lambda a: nn.average_pool(nn.conv(a, k, 2, "same"), 2, 1, "same"))(x)
    assert y.shape == (2, 5, 5, 4)


def test_grad_through_ops():
    x = jnp.asarray([[0.3, -1.0, 2.0]])
    target = jnp.asarray([[0.0, 1.0, 0.0]])
    g = jax.grad(lambda a: array_ops.sum(nn.categorical_crossentropy(target, a, from_logits=True)))(x)
    np.testing.assert_allclose(g, nn.softmax(x) - target, rtol=1e-5, atol=1e-6)


def test_random_seed_is_a_raw_uint32_key_and_works_under_jit():
    assert core.random_seed_dtype() == "uint32"
    seed = jnp.asarray([3, 7], dtype="uint32")
    eager = random.normal((5,), seed=seed)
    np.testing.assert_array_equal(random.normal((5,), seed=seed), eager)
    np.testing.assert_array_equal(jax.jit(lambda s: random.normal((5,), seed=s))(seed), eager)
    other = random.normal((5,), seed=jnp.asarray([3, 8], dtype="uint32"))
    assert not np.array_equal(other, eager)
    d = jax.jit(lambda s: random.dropout(jnp.ones((100, 10)), 0.5, seed=s))(seed)
    assert set(np.unique(np.asarray(d)).tolist()) <= {0.0, 2.0}


def test_compute_output_spec_uses_eval_shape_and_infers_none_dims():
    out = core.compute_output_spec(
        lambda a, b: {"y": array_ops.matmul(a, b), "n": array_ops.sum(a, axis=0)},
        KerasTensor((None, 4)), KerasTensor((4, 5), "float16"),
    )
    assert out["y"].shape == (None, 5) and out["y"].dtype == "float32"
    assert out["n"].shape == (4,)


def test_variable_created_while_tracing_holds_a_concrete_value():
    created = []

    def fn(a):
        w = core.Variable(np.ones((4, 2), "float32"), name="kernel")
        created.append(w)
        return array_ops.matmul(a, w)

    out = core.compute_output_spec(fn, KerasTensor((None, 4)))
    assert out.shape == (None, 2)
    assert not isinstance(created[0]._value, jax.core.Tracer)
    np.testing.assert_allclose(created[0].numpy(), np.ones((4, 2)))


def test_stateless_scope_feeds_traced_values_to_variables_under_jit():
    v = core.Variable(np.ones(3, "float32"), name="v")

    @jax.jit
    def f(value):
        with StatelessScope(state_mapping=[(v, value)]) as scope:
            v.assign(array_ops.add(v.value, 1.0))
            return scope.get_current_value(v)

    np.testing.assert_allclose(f(jnp.full((3,), 5.0)), [6.0, 6.0, 6.0])
    np.testing.assert_allclose(v.numpy(), [1.0, 1.0, 1.0])


def test_rnn_runs_as_a_scan_under_jit_with_mask():
    def step(x_t, states):
        h = states[0] + x_t
        return h, [h]

    inputs = jnp.ones((2, 4, 1))
    mask = jnp.asarray([[True, True, False, True], [True, False, False, False]])
    last, outputs, states = jax.jit(
        lambda i, m: rnn.rnn(step, i, [jnp.zeros((2, 1))], mask=m)
    )(inputs, mask)
    np.testing.assert_allclose(outputs[..., 0], [[1, 2, 2, 3], [1, 1, 1, 1]])
    np.testing.assert_allclose(last[:, 0], [3, 1])
    np.testing.assert_allclose(states[0][:, 0], [3, 1])


def test_unsupported_and_lead_placeholders():
    assert B.UNSUPPORTED == frozenset({"export.export_model"})
    with pytest.raises(NotImplementedError, match="jax backend"):
        B.export.export_model(None, "path")
    assert B.distribution.list_devices("cpu")[0] == "cpu:0"


def test_pooling_is_differentiable_under_jit():
    """Max/average pooling must have gradients inside jax.jit (CNN training depends on it)."""
    import jax
    import jax.numpy as jnp

    from kiln.backend.jax import nn as jnn

    x = jnp.arange(2 * 4 * 4 * 3, dtype=jnp.float32).reshape(2, 4, 4, 3)
    for pool in (jnn.max_pool, jnn.average_pool):
        for padding in ("valid", "same"):
            grad = jax.jit(jax.grad(lambda v: jnp.sum(pool(v, 2, padding=padding))))(x)
            assert grad.shape == x.shape and float(jnp.sum(grad)) > 0
