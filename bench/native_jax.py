"""Hand-written JAX references: parameters as a pytree, ``jax.value_and_grad`` and a
hand-written Adam/SGD inside one ``jax.jit`` step with donated state.

``run(workload_id, x, y, epochs)`` trains and returns the wall time of every
epoch (the first one includes compilation).
"""

import math
import time

import jax
import jax.numpy as jnp
import numpy as np

from bench import workloads as W


def _dense(key, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return {"w": jax.random.uniform(key, (fan_in, fan_out), jnp.float32, -limit, limit),
            "b": jnp.zeros((fan_out,), jnp.float32)}


def _apply_dense(p, x):
    return x @ p["w"] + p["b"]


def _layer_norm(p, x, eps=1e-5):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * p["g"] + p["b"]


def init_params(workload_id, key):
    keys = iter(jax.random.split(key, 64))
    if workload_id == "W1":
        return [_dense(next(keys), 784, 512), _dense(next(keys), 512, 512), _dense(next(keys), 512, 10)]
    if workload_id == "W2":
        def conv(k, cin, cout):
            limit = math.sqrt(6.0 / (9 * cin + 9 * cout))
            return {"w": jax.random.uniform(k, (3, 3, cin, cout), jnp.float32, -limit, limit),
                    "b": jnp.zeros((cout,), jnp.float32)}
        return {"c1": conv(next(keys), 1, 32), "c2": conv(next(keys), 32, 64),
                "d1": _dense(next(keys), 12 * 12 * 64, 128), "d2": _dense(next(keys), 128, 10)}
    if workload_id == "W3":
        u, f = W.LSTM_UNITS, W.LSTM_FEATURES
        return {"kernel": _dense(next(keys), f, 4 * u)["w"], "recurrent": _dense(next(keys), u, 4 * u)["w"],
                "bias": jnp.zeros((4 * u,), jnp.float32), "head": _dense(next(keys), u, 1)}
    if workload_id == "W4":
        d = W.D_MODEL
        blocks = []
        for _ in range(W.BLOCKS):
            blocks.append({
                "q": _dense(next(keys), d, d), "k": _dense(next(keys), d, d),
                "v": _dense(next(keys), d, d), "o": _dense(next(keys), d, d),
                "ln1": {"g": jnp.ones((d,)), "b": jnp.zeros((d,))},
                "ff1": _dense(next(keys), d, W.FFN), "ff2": _dense(next(keys), W.FFN, d),
                "ln2": {"g": jnp.ones((d,)), "b": jnp.zeros((d,))},
            })
        return {"tokens": jax.random.normal(next(keys), (W.VOCAB, d)) * 0.05,
                "positions": jax.random.normal(next(keys), (W.SEQ_LEN, d)) * 0.05,
                "blocks": blocks, "head": _dense(next(keys), d, W.CLASSES)}
    if workload_id == "W5":
        return [_dense(next(keys), 16, 16), _dense(next(keys), 16, 1)]
    raise ValueError(workload_id)


def forward(workload_id, params, x):
    if workload_id in ("W1", "W5"):
        for p in params[:-1]:
            x = jax.nn.relu(_apply_dense(p, x))
        return _apply_dense(params[-1], x)
    if workload_id == "W2":
        dn = ("NHWC", "HWIO", "NHWC")
        x = jax.lax.conv_general_dilated(x, params["c1"]["w"], (1, 1), "VALID", dimension_numbers=dn)
        x = jax.nn.relu(x + params["c1"]["b"])
        x = jax.lax.conv_general_dilated(x, params["c2"]["w"], (1, 1), "VALID", dimension_numbers=dn)
        x = jax.nn.relu(x + params["c2"]["b"])
        x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(_apply_dense(params["d1"], x))
        return _apply_dense(params["d2"], x)
    if workload_id == "W3":
        u = W.LSTM_UNITS
        b = x.shape[0]
        projected = jnp.einsum("btf,fg->tbg", x, params["kernel"]) + params["bias"]

        def step(carry, z):
            h, c = carry
            z = z + h @ params["recurrent"]
            i, f, g, o = (z[:, k * u:(k + 1) * u] for k in range(4))
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None

        zeros = jnp.zeros((b, u), x.dtype)
        (h, _), _ = jax.lax.scan(step, (zeros, zeros), projected)
        return _apply_dense(params["head"], h)
    if workload_id == "W4":
        h = params["tokens"][x] + params["positions"]
        b, t, d = h.shape
        hd = d // W.HEADS
        for p in params["blocks"]:
            def split(z):
                return z.reshape(b, t, W.HEADS, hd).transpose(0, 2, 1, 3)
            q, k, v = (split(_apply_dense(p[n], h)) for n in ("q", "k", "v"))
            weights = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd), axis=-1)
            attn = (weights @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
            h = _layer_norm(p["ln1"], h + _apply_dense(p["o"], attn))
            ff = _apply_dense(p["ff2"], jax.nn.relu(_apply_dense(p["ff1"], h)))
            h = _layer_norm(p["ln2"], h + ff)
        return _apply_dense(params["head"], h.mean(axis=1))
    raise ValueError(workload_id)


def _loss(workload_id, params, x, y):
    out = forward(workload_id, params, x)
    if W.WORKLOADS[workload_id].loss == "mse":
        return jnp.mean(jnp.square(out - y))
    logp = jax.nn.log_softmax(out, axis=-1)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None].astype(jnp.int32), axis=-1))


def make_step(workload_id):
    w = W.WORKLOADS[workload_id]
    grad_fn = jax.value_and_grad(lambda p, x, y: _loss(workload_id, p, x, y))

    if w.optimizer == "sgd":
        def step(params, opt_state, x, y):
            loss, grads = grad_fn(params, x, y)
            params = jax.tree_util.tree_map(lambda p, g: p - W.SGD_LEARNING_RATE * g, params, grads)
            return params, opt_state, loss
    else:
        b1, b2, eps, lr = W.ADAM_BETA_1, W.ADAM_BETA_2, W.ADAM_EPSILON, W.LEARNING_RATE

        def step(params, opt_state, x, y):
            loss, grads = grad_fn(params, x, y)
            m, v, t = opt_state
            t = t + 1
            m = jax.tree_util.tree_map(lambda m_, g: b1 * m_ + (1 - b1) * g, m, grads)
            v = jax.tree_util.tree_map(lambda v_, g: b2 * v_ + (1 - b2) * g * g, v, grads)
            tf = t.astype(jnp.float32)
            alpha = lr * jnp.sqrt(1 - b2 ** tf) / (1 - b1 ** tf)
            params = jax.tree_util.tree_map(lambda p, m_, v_: p - alpha * m_ / (jnp.sqrt(v_) + eps), params, m, v)
            return params, (m, v, t), loss
    return jax.jit(step, donate_argnums=(0, 1))


def run(workload_id, x, y, epochs):
    w = W.WORKLOADS[workload_id]
    params = init_params(workload_id, jax.random.PRNGKey(0))
    if w.optimizer == "adam":
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        opt_state = (zeros, jax.tree_util.tree_map(jnp.zeros_like, params), jnp.zeros((), jnp.int32))
    else:
        opt_state = ()
    step = make_step(workload_id)
    spans = W.batches(len(x), w.batch_size)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for i, j in spans:
            params, opt_state, loss = step(params, opt_state, x[i:j], y[i:j])
        float(loss)  # wait for the last step
        times.append(time.perf_counter() - start)
    return times
