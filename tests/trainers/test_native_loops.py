"""A Kiln model trains inside hand-written JAX, PyTorch and TensorFlow loops."""

import numpy as np
import pytest

import kiln
from kiln import layers

BACKEND = kiln.backend.backend()


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype("float32")
    y = (x @ rng.normal(size=(6, 1))).astype("float32")
    return x, y


def _model():
    return kiln.Sequential([kiln.Input((6,)), layers.Dense(16, activation="relu"), layers.Dense(1)])


@pytest.mark.skipif(BACKEND != "jax", reason="JAX loop")
def test_jax_value_and_grad_loop_over_stateless_call():
    import jax
    import jax.numpy as jnp

    x, y = _data()
    model = _model()
    optimizer = kiln.optimizers.Adam(0.01)
    optimizer.build(model.trainable_variables)
    loss_fn = kiln.losses.MeanSquaredError()

    def compute_loss(tv, ntv, xb, yb):
        pred, ntv = model.stateless_call(tv, ntv, xb, training=True)
        return loss_fn(yb, pred), ntv

    grad_fn = jax.value_and_grad(compute_loss, has_aux=True)

    @jax.jit
    def step(state, xb, yb):
        tv, ntv, ov = state
        (loss, ntv), grads = grad_fn(tv, ntv, xb, yb)
        tv, ov = optimizer.stateless_apply(ov, grads, tv)
        return loss, (tv, ntv, ov)

    state = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
             [v.value for v in optimizer.variables])
    losses = []
    for _ in range(150):
        loss, state = step(state, jnp.asarray(x), jnp.asarray(y))
        losses.append(float(loss))
    assert losses[-1] < losses[0] * 0.1
    for variable, value in zip(model.trainable_variables, state[0]):
        variable.assign(value)
    mse = float(np.mean((np.asarray(model.predict(x, verbose=0)) - y) ** 2))
    assert mse == pytest.approx(losses[-1], rel=0.2)


@pytest.mark.skipif(BACKEND != "torch", reason="PyTorch loop")
def test_torch_optim_loop_over_model_parameters():
    import torch

    x, y = _data()
    model = _model()
    model(x[:1])
    params = list(model.parameters())
    assert len(params) == 4 and all(isinstance(p, torch.nn.Parameter) for p in params)
    names = [name for name, _ in model.named_parameters()]
    assert len(set(names)) == 4 and all("kernel" in n or "bias" in n for n in names)
    optimizer = torch.optim.Adam(params, lr=0.01)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    for _ in range(150):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xt), yt)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.1
    # The Kiln variables are the parameters torch.optim updated.
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), params[0].detach().numpy())


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow loop")
def test_tf_gradient_tape_loop():
    import tensorflow as tf

    x, y = _data()
    model = _model()
    model(x[:1])
    optimizer = kiln.optimizers.Adam(0.01)
    optimizer.build(model.trainable_variables)
    loss_fn = kiln.losses.MeanSquaredError()

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, [v._value for v in model.trainable_variables])
        optimizer.apply(grads, model.trainable_variables)
        return loss

    losses = [float(step(tf.constant(x), tf.constant(y))) for _ in range(150)]
    assert losses[-1] < losses[0] * 0.1


def test_metric_stateless_api_matches_stateful():
    metric = kiln.metrics.SparseCategoricalAccuracy()
    y_true = np.array([0, 1, 2, 1])
    y_pred = np.eye(3, dtype="float32")[[0, 2, 2, 1]]
    state = [v.value for v in metric.variables]
    state = metric.stateless_update_state(state, y_true, y_pred)
    assert float(kiln.ops.convert_to_numpy(metric.stateless_result(state))) == pytest.approx(0.75)
    assert float(kiln.ops.convert_to_numpy(metric.result())) == 0.0


@pytest.mark.parametrize("make", [lambda: kiln.optimizers.Adam(0.01),
                                  lambda: kiln.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                                  lambda: kiln.optimizers.SGD(0.05)])
def test_backend_fast_update_matches_generic_rule(make):
    """The eager fast path (torch's fused kernels) gives the generic ops-based update."""
    rng = np.random.default_rng(3)
    values = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(3,)).astype("float32")]
    grads = [[rng.normal(size=v.shape).astype("float32") for v in values] for _ in range(3)]
    fast_vars = [kiln.Variable(v) for v in values]
    fast = make()
    fast.build(fast_vars)
    slow_vars = [kiln.Variable(v) for v in values]
    slow = make()
    slow.build(slow_vars)
    state = [v.value for v in slow.variables]
    trainable = [v.value for v in slow_vars]
    for step_grads in grads:
        fast.apply([kiln.ops.convert_to_tensor(g) for g in step_grads], fast_vars)
        trainable, state = slow.stateless_apply(state, [kiln.ops.convert_to_tensor(g) for g in step_grads],
                                                trainable)
    for fv, sv in zip(fast_vars, trainable):
        np.testing.assert_allclose(fv.numpy(), kiln.ops.convert_to_numpy(sv), rtol=1e-5, atol=1e-6)
    assert int(fast.iterations.numpy()) == 3
