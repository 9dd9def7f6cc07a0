"""Control-flow ops inside a trained model: eager, and in each backend's compiled train step.

A custom layer runs scan, associative_scan, fori_loop, while_loop, cond,
switch, slice_update, scatter_update, custom_gradient, vectorized_map and map
in its ``call``. Training must lower the loss (jax.jit, tf.function, eager
torch; torch.compile in one slow test), compiled results must equal eager ones,
and gradients must flow through the loops (and through custom_gradient's rule).
"""

import numpy as np
import pytest

import kiln
from kiln import layers, ops
from op_cases import compiled

BACKEND = kiln.backend.current.NAME
needs_autodiff = pytest.mark.skipif(BACKEND == "numpy", reason="the numpy backend has no autodiff")


@ops.custom_gradient
def _halve_gradient(x):
    return x, lambda upstream: upstream * 0.5


def _add(a, b):
    return a + b


class ControlFlowMix(layers.Layer):
    """Every control-flow op on one path from the inputs (batch, time, features) to the output."""

    def build(self, input_shape):
        features = input_shape[-1]
        self.w = self.add_weight(shape=(features, features), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(features,), initializer="zeros", name="b")
        self.decay = self.add_weight(shape=(features,), initializer="ones", name="decay")

    def call(self, x):
        # Read the variables once, outside the loop bodies.
        w, bias, decay = (ops.convert_to_tensor(v) for v in (self.w, self.b, self.decay))
        h = ops.matmul(x, w)                                          # (B, T, F)
        steps = ops.moveaxis(h, 1, 0)                                 # (T, B, F)

        def rnn_step(carry, x_t):
            new = ops.tanh(carry * decay * 0.5 + x_t)
            return new, new

        state, outputs = ops.scan(rnn_step, ops.zeros_like(steps[0]), steps)
        prefix = ops.associative_scan(_add, h, axis=1)                 # running sums over time
        v = state + ops.mean(outputs, axis=0) + 0.1 * ops.mean(prefix, axis=1)
        v = ops.fori_loop(0, 3, lambda i, s: s * 0.9 + bias, v)
        _, v = ops.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * 0.5 + bias), (0, v),
                              maximum_iterations=2)
        v = ops.cond(ops.sum(decay) > -1e9, lambda: v * 1.0, lambda: -v)
        v = ops.switch(1, [lambda t: t, lambda t: t * 2.0], v)
        v = ops.slice_update(v, (0, 0), v[:, :1] * 1.5)
        vt = ops.transpose(v)                                         # (F, B)
        v = ops.transpose(ops.scatter_update(vt, [[1]], vt[1:2] * 0.5))
        v = _halve_gradient(v)
        v = ops.vectorized_map(lambda row: row / (1.0 + ops.sqrt(ops.sum(row * row))), v)
        total = ops.map(lambda row: ops.sum(row), v)                  # (B,)
        return ops.concatenate([v, ops.expand_dims(total, -1)], axis=-1)


def _data(n=32, steps=5):
    rng = np.random.RandomState(0)
    x = rng.normal(size=(n, steps, 4)).astype("float32")
    y = (np.tanh(x.sum(axis=(1, 2))) + 0.5 * x[:, -1, 0]).reshape(-1, 1).astype("float32")
    return x, y


def _model(steps=5):
    kiln.utils.set_random_seed(7)
    return kiln.Sequential([kiln.Input((steps, 4)), ControlFlowMix(), layers.Dense(1)])


def test_control_flow_layer_symbolic_and_eager_shapes():
    model = _model()
    assert model.output_shape == (None, 1) if hasattr(model, "output_shape") else True
    x, _ = _data(4)
    out = model(x)
    assert tuple(ops.shape(out)) == (4, 1)
    assert np.all(np.isfinite(ops.convert_to_numpy(out)))


@needs_autodiff
def test_fit_lowers_the_loss_and_compiled_matches_eager():
    x, y = _data()
    compiled = _model()
    compiled.compile(optimizer=kiln.optimizers.SGD(0.02), loss="mse")
    eager = _model()
    eager.compile(optimizer=kiln.optimizers.SGD(0.02), loss="mse", jit_compile=False, run_eagerly=True)
    eager.set_weights(compiled.get_weights())
    # Predictions: the compiled predict step vs a plain eager call.
    np.testing.assert_allclose(compiled.predict(x, verbose=0), ops.convert_to_numpy(eager(x)),
                               rtol=1e-5, atol=1e-5)
    # One training step each (the whole set as one batch): the same updated weights. (On jax the
    # op-by-op eager step costs ~20 s of dispatch on CPU; its predictions are compared above.)
    if BACKEND != "jax":
        compiled.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
        eager.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
        for a, b in zip(compiled.get_weights(), eager.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # Further compiled training lowers the loss on the whole set.
    before = compiled.evaluate(x, y, verbose=0)
    compiled.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    after = compiled.evaluate(x, y, verbose=0)
    assert after < before, (before, after)


@pytest.mark.slow
@pytest.mark.skipif(BACKEND != "torch", reason="torch.compile train step (jit_compile=True)")
def test_torch_compiled_train_step_matches_eager():
    # Short sequences: torch.compile unrolls the loops, and compile time grows with them.
    x, y = _data(16, steps=2)
    compiled = _model(steps=2)
    compiled.compile(optimizer=kiln.optimizers.SGD(0.05), loss="mse", jit_compile=True)
    eager = _model(steps=2)
    eager.compile(optimizer=kiln.optimizers.SGD(0.05), loss="mse")
    eager.set_weights(compiled.get_weights())
    before = compiled.evaluate(x, y, verbose=0)
    compiled.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert compiled.evaluate(x, y, verbose=0) < before
    for a, b in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# -- gradients through the loops, with the backend's own autodiff ------------------------------

def _grad(fn, x):
    """d sum(fn(x)) / dx with the active backend's autodiff."""
    x = ops.convert_to_tensor(np.asarray(x, "float32"))
    if BACKEND == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: ops.sum(fn(v)))(x))
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(fn(x))
        return tape.gradient(total, x).numpy()
    x = x.clone().requires_grad_(True)
    ops.sum(fn(x)).backward()
    return x.grad.numpy()



@needs_autodiff
def test_custom_gradient_rule_is_used():
    @ops.custom_gradient
    def cube_with_fake_gradient(x):
        return x * x * x, lambda upstream: upstream * 10.0

    np.testing.assert_allclose(_grad(cube_with_fake_gradient, [1.0, 2.0]), [10.0, 10.0])
    np.testing.assert_allclose(_grad(lambda v: _halve_gradient(v * 3.0), [1.0]), [1.5])


@needs_autodiff
def test_loop_gradients_match_closed_forms():
    x0 = np.array([0.5, 1.5], "float32")
    # fori_loop: v * x, three times -> x**3.
    np.testing.assert_allclose(_grad(lambda x: ops.fori_loop(0, 3, lambda i, v: v * x, ops.ones_like(x)), x0),
                               3 * x0 ** 2, rtol=1e-5)
    # while_loop with maximum_iterations (reverse mode on every backend): x**2 after the cap.
    np.testing.assert_allclose(
        _grad(lambda x: ops.while_loop(lambda i, v: i < 10, lambda i, v: (i + 1, v * x),
                                       (0, ops.ones_like(x)), maximum_iterations=2)[1], x0),
        2 * x0, rtol=1e-5)
    # scan: running product of the rows of xs -> d/dx of x*x*x.
    np.testing.assert_allclose(
        _grad(lambda x: ops.scan(lambda c, r: (c * r, c), ops.ones_like(x), ops.stack([x, x, x]))[0], x0),
        3 * x0 ** 2, rtol=1e-5)
    # associative_scan: cumulative sums, summed -> weights n, n-1, ..., 1.
    np.testing.assert_allclose(_grad(lambda x: ops.associative_scan(_add, x), [1.0, 2.0, 3.0]), [3, 2, 1])
    # map and vectorized_map.
    np.testing.assert_allclose(_grad(lambda x: ops.map(lambda r: r * r, x), x0), 2 * x0, rtol=1e-5)
    np.testing.assert_allclose(_grad(lambda x: ops.vectorized_map(lambda r: r * r, x), x0), 2 * x0,
                               rtol=1e-5)


def test_ops_trace_and_compile():
    def fn(x):
        c, ys = ops.scan(lambda c, r: (c + r, c * r), ops.zeros_like(x[0]), x)
        idx = ops.argmax(ops.sum(x, axis=1))
        picked = ops.switch(idx, [lambda v: v, lambda v: -v, lambda v: v * 2.0], c)
        n, total = ops.while_loop(lambda i, t: ops.sum(t) < 20.0, lambda i, t: (i + 1, t + 1.0),
                                  (0, picked))
        return ops.associative_scan(_add, ys, axis=0), total, n

    x = np.arange(6, dtype="float32").reshape(3, 2) / 4.0
    eager = fn(ops.convert_to_tensor(x))
    traced = compiled(fn)(ops.convert_to_tensor(x))
    for e, c in zip(eager, traced):
        np.testing.assert_allclose(ops.convert_to_numpy(e), ops.convert_to_numpy(c), rtol=1e-6)
    ys_ref = np.stack([np.zeros(2), x[0] * x[1], (x[0] + x[1]) * x[2]]) * 0
    assert ops.convert_to_numpy(eager[0]).shape == (3, 2) and ys_ref.shape == (3, 2)
