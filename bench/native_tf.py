"""Hand-written TensorFlow references: ``tf.Variable``s and a ``tf.GradientTape``
step (forward, backward and a hand-written Adam/SGD update) in one ``tf.function``.

Layers are plain functions of tf.Variables, written directly against TensorFlow.
``run(workload_id, x, y, epochs)`` returns the wall time of every epoch (the
first one includes tracing).
"""

import math
import time

import numpy as np
import tensorflow as tf

from bench import workloads as W


def _glorot(shape, fan_in, fan_out, rng):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return tf.Variable(rng.uniform(-limit, limit, shape).astype(np.float32))


def _dense(fan_in, fan_out, rng):
    return {"w": _glorot((fan_in, fan_out), fan_in, fan_out, rng),
            "b": tf.Variable(tf.zeros((fan_out,)))}


def _apply_dense(p, x):
    return tf.matmul(x, p["w"]) + p["b"]


def _layer_norm(p, x, eps=1e-5):
    mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
    return (x - mean) * tf.math.rsqrt(var + eps) * p["g"] + p["b"]


def init_params(workload_id):
    rng = np.random.default_rng(0)
    if workload_id == "W1":
        return [_dense(784, 512, rng), _dense(512, 512, rng), _dense(512, 10, rng)]
    if workload_id == "W2":
        def conv(cin, cout):
            return {"w": _glorot((3, 3, cin, cout), 9 * cin, 9 * cout, rng),
                    "b": tf.Variable(tf.zeros((cout,)))}
        return {"c1": conv(1, 32), "c2": conv(32, 64), "d1": _dense(12 * 12 * 64, 128, rng),
                "d2": _dense(128, 10, rng)}
    if workload_id == "W3":
        u, f = W.LSTM_UNITS, W.LSTM_FEATURES
        return {"kernel": _glorot((f, 4 * u), f, 4 * u, rng), "recurrent": _glorot((u, 4 * u), u, 4 * u, rng),
                "bias": tf.Variable(tf.zeros((4 * u,))), "head": _dense(u, 1, rng)}
    if workload_id == "W4":
        d = W.D_MODEL
        blocks = []
        for _ in range(W.BLOCKS):
            blocks.append({
                "q": _dense(d, d, rng), "k": _dense(d, d, rng), "v": _dense(d, d, rng), "o": _dense(d, d, rng),
                "ln1": {"g": tf.Variable(tf.ones((d,))), "b": tf.Variable(tf.zeros((d,)))},
                "ff1": _dense(d, W.FFN, rng), "ff2": _dense(W.FFN, d, rng),
                "ln2": {"g": tf.Variable(tf.ones((d,))), "b": tf.Variable(tf.zeros((d,)))},
            })
        return {"tokens": tf.Variable(rng.normal(0, 0.05, (W.VOCAB, d)).astype(np.float32)),
                "positions": tf.Variable(rng.normal(0, 0.05, (W.SEQ_LEN, d)).astype(np.float32)),
                "blocks": blocks, "head": _dense(d, W.CLASSES, rng)}
    if workload_id == "W5":
        return [_dense(16, 16, rng), _dense(16, 1, rng)]
    raise ValueError(workload_id)


def forward(workload_id, params, x):
    if workload_id in ("W1", "W5"):
        for p in params[:-1]:
            x = tf.nn.relu(_apply_dense(p, x))
        return _apply_dense(params[-1], x)
    if workload_id == "W2":
        x = tf.nn.relu(tf.nn.conv2d(x, params["c1"]["w"], 1, "VALID") + params["c1"]["b"])
        x = tf.nn.relu(tf.nn.conv2d(x, params["c2"]["w"], 1, "VALID") + params["c2"]["b"])
        x = tf.nn.max_pool2d(x, 2, 2, "VALID")
        x = tf.reshape(x, (tf.shape(x)[0], -1))
        x = tf.nn.relu(_apply_dense(params["d1"], x))
        return _apply_dense(params["d2"], x)
    if workload_id == "W3":
        u = W.LSTM_UNITS
        projected = tf.einsum("btf,fg->tbg", x, params["kernel"]) + params["bias"]
        zeros = tf.zeros((tf.shape(x)[0], u))

        def step(carry, z):
            h, c = carry
            z = z + tf.matmul(h, params["recurrent"])
            i, f, g, o = tf.split(z, 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
            return (h, c)

        h, _ = tf.scan(step, projected, initializer=(zeros, zeros))
        return _apply_dense(params["head"], h[-1])
    if workload_id == "W4":
        h = tf.gather(params["tokens"], x) + params["positions"]
        b, t, d = tf.shape(h)[0], W.SEQ_LEN, W.D_MODEL
        hd = d // W.HEADS
        for p in params["blocks"]:
            def split(z):
                return tf.transpose(tf.reshape(z, (b, t, W.HEADS, hd)), (0, 2, 1, 3))
            q, k, v = (split(_apply_dense(p[n], h)) for n in ("q", "k", "v"))
            weights = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / math.sqrt(hd), axis=-1)
            attn = tf.reshape(tf.transpose(tf.matmul(weights, v), (0, 2, 1, 3)), (b, t, d))
            h = _layer_norm(p["ln1"], h + _apply_dense(p["o"], attn))
            ff = _apply_dense(p["ff2"], tf.nn.relu(_apply_dense(p["ff1"], h)))
            h = _layer_norm(p["ln2"], h + ff)
        return _apply_dense(params["head"], tf.reduce_mean(h, axis=1))
    raise ValueError(workload_id)


def make_step(workload_id, params):
    w = W.WORKLOADS[workload_id]
    variables = tf.nest.flatten(params)
    if w.optimizer == "adam":
        m = [tf.Variable(tf.zeros_like(v)) for v in variables]
        s = [tf.Variable(tf.zeros_like(v)) for v in variables]
        t = tf.Variable(0, dtype=tf.int64)
    b1, b2, eps, lr = W.ADAM_BETA_1, W.ADAM_BETA_2, W.ADAM_EPSILON, W.LEARNING_RATE

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            out = forward(workload_id, params, x)
            if w.loss == "mse":
                loss = tf.reduce_mean(tf.square(out - y))
            else:
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=out))
        grads = tape.gradient(loss, variables)
        if w.optimizer == "sgd":
            for v, g in zip(variables, grads):
                v.assign_sub(W.SGD_LEARNING_RATE * g)
        else:
            t.assign_add(1)
            tf_t = tf.cast(t, tf.float32)
            alpha = lr * tf.sqrt(1 - b2 ** tf_t) / (1 - b1 ** tf_t)
            for v, g, m_, s_ in zip(variables, grads, m, s):
                if isinstance(g, tf.IndexedSlices):
                    g = tf.convert_to_tensor(g)
                m_.assign(b1 * m_ + (1 - b1) * g)
                s_.assign(b2 * s_ + (1 - b2) * tf.square(g))
                v.assign_sub(alpha * m_ / (tf.sqrt(s_) + eps))
        return loss

    return step


def run(workload_id, x, y, epochs):
    w = W.WORKLOADS[workload_id]
    params = init_params(workload_id)
    step = make_step(workload_id, params)
    spans = W.batches(len(x), w.batch_size)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for i, j in spans:
            loss = step(x[i:j], y[i:j])
        float(loss)
        times.append(time.perf_counter() - start)
    return times
