"""LSTM / GRU / SimpleRNN against torch.nn.LSTM / GRU / RNN with the same weights copied in.

Forward outputs, final states and gradients, through the fused path (torch
backend, ``use_cudnn="auto"``) and the generic loop (``use_cudnn=False``), with
right/left-padded masks, ``go_backwards`` and explicit initial states.
"""

import numpy as np
import pytest
import torch

import kiln
from kiln import layers, ops

BACKEND = kiln.backend.current.NAME
B, T, F, U = 3, 5, 4, 6
PATHS = ["auto", False]  # fused where the backend has it / always the generic loop


def _rng(seed=0):
    return np.random.default_rng(seed)


def _build(layer, seed=1):
    """Build ``layer`` for (B, T, F) inputs and give it random weights (nonzero biases)."""
    layer(ops.convert_to_tensor(np.zeros((B, T, F), "float32")))
    rng = _rng(seed)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def _gru_to_torch(w):
    """Keras z, r, h gate blocks -> torch r, z, n along the last axis (and back: it is a swap)."""
    u = w.shape[-1] // 3
    return np.concatenate([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], axis=-1)


def torch_reference(kind, weights, x, h0=None, c0=None):
    """The torch module with Keras weights copied in, and its (outputs, h_n, c_n)."""
    kernel, recurrent = weights[0], weights[1]
    bias = weights[2] if len(weights) > 2 else None
    units = recurrent.shape[0]
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[kind]
    module = cls(kernel.shape[0], units, batch_first=True, bias=bias is not None)
    if kind == "gru":
        kernel, recurrent = _gru_to_torch(kernel), _gru_to_torch(recurrent)
        b_ih, b_hh = (_gru_to_torch(bias[0]), _gru_to_torch(bias[1])) if bias is not None else (None, None)
    else:
        b_ih, b_hh = bias, None if bias is None else np.zeros_like(bias)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(kernel.T.copy()))
        module.weight_hh_l0.copy_(torch.from_numpy(recurrent.T.copy()))
        if bias is not None:
            module.bias_ih_l0.copy_(torch.from_numpy(np.array(b_ih)))
            module.bias_hh_l0.copy_(torch.from_numpy(np.array(b_hh)))
    return module


def torch_run(kind, module, x, h0=None, c0=None):
    xt = torch.from_numpy(x)
    if kind == "lstm":
        hx = None if h0 is None else (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
        out, (h, c) = module(xt, hx)
        return out, h[0], c[0]
    out, h = module(xt, None if h0 is None else torch.from_numpy(h0)[None])
    return out, h[0], None


def torch_grads(kind, module, loss):
    """Gradients of ``loss`` for the module's weights, in Keras layout and order."""
    names = ["weight_ih_l0", "weight_hh_l0"] + (["bias_ih_l0", "bias_hh_l0"] if module.bias else [])
    grads = torch.autograd.grad(loss, [getattr(module, n) for n in names])
    grads = [g.numpy() for g in grads]
    kernel, recurrent = grads[0].T, grads[1].T
    if kind == "gru":
        kernel, recurrent = _gru_to_torch(kernel), _gru_to_torch(recurrent)
        bias = [np.stack([_gru_to_torch(grads[2]), _gru_to_torch(grads[3])])] if module.bias else []
    else:
        bias = [grads[2]] if module.bias else []
    return [kernel, recurrent] + bias


def kiln_grads(layer, x, weight):
    """Outputs and d sum(output * weight) / d trainable weights, with the backend's autodiff."""
    trainable = [v.numpy() for v in layer.trainable_variables]
    non_trainable = [ops.convert_to_tensor(v.numpy()) for v in layer.non_trainable_variables]
    xt = ops.convert_to_tensor(x)
    w = ops.convert_to_tensor(weight)

    def loss(values):
        out, _ = layer.stateless_call(values, non_trainable, xt)
        return ops.sum(ops.multiply(out, w))

    if BACKEND == "jax":
        import jax

        grads = jax.grad(loss)([jax.numpy.asarray(v) for v in trainable])
        return [np.asarray(g) for g in grads]
    if BACKEND == "tensorflow":
        import tensorflow as tf

        values = [tf.constant(v) for v in trainable]
        with tf.GradientTape() as tape:
            for v in values:
                tape.watch(v)
            total = loss(values)
        return [g.numpy() for g in tape.gradient(total, values)]
    if BACKEND == "torch":
        values = [torch.tensor(v, requires_grad=True) for v in trainable]
        return [g.numpy() for g in torch.autograd.grad(loss(values), values)]
    pytest.skip("numpy backend has no autodiff")


def _make(kind, path, **kwargs):
    cls = {"lstm": layers.LSTM, "gru": layers.GRU, "simple_rnn": layers.SimpleRNN}[kind]
    if kind != "simple_rnn":
        kwargs["use_cudnn"] = path
    return cls(U, **kwargs)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
def test_forward_and_states_match_torch(kind, path):
    x = _rng().standard_normal((B, T, F)).astype("float32")
    layer = _build(_make(kind, path, return_sequences=True, return_state=True))
    out, *states = layer(ops.convert_to_tensor(x))
    module = torch_reference(kind, layer.get_weights(), x)
    ref_out, ref_h, ref_c = torch_run(kind, module, x)
    np.testing.assert_allclose(_np(out), ref_out.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(_np(states[0]), ref_h.detach().numpy(), atol=1e-5)
    if kind == "lstm":
        np.testing.assert_allclose(_np(states[1]), ref_c.detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
def test_gradients_match_torch(kind, path):
    rng = _rng(3)
    x = rng.standard_normal((B, T, F)).astype("float32")
    weight = rng.standard_normal((B, T, U)).astype("float32")
    layer = _build(_make(kind, path, return_sequences=True))
    got = kiln_grads(layer, x, weight)
    module = torch_reference(kind, layer.get_weights(), x)
    out = torch_run(kind, module, x)[0]
    expected = torch_grads(kind, module, (out * torch.from_numpy(weight)).sum())
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, atol=1e-5)


def test_fused_and_generic_paths_agree_on_gradients_without_bias():
    kind = "lstm"
    rng = _rng(4)
    x = rng.standard_normal((B, T, F)).astype("float32")
    weight = rng.standard_normal((B, U)).astype("float32")
    fused = _build(_make(kind, "auto", use_bias=False))
    generic = _make(kind, False, use_bias=False)
    _build(generic)
    generic.set_weights(fused.get_weights())
    for a, b in zip(kiln_grads(fused, x, weight), kiln_grads(generic, x, weight)):
        np.testing.assert_allclose(a, b, atol=1e-5)


def _torch_masked_reference(kind, module, x, lengths, left):
    """Per-sample torch runs on the unmasked steps only (what a masked Keras RNN computes)."""
    outs, hs, cs = [], [], []
    for b, n in enumerate(lengths):
        xb = x[b:b + 1, T - n:] if left else x[b:b + 1, :n]
        out, h, c = torch_run(kind, module, np.ascontiguousarray(xb))
        outs.append(out[0].detach().numpy())
        hs.append(h[0].detach().numpy())
        cs.append(None if c is None else c[0].detach().numpy())
    return outs, hs, cs


# Left padding: masked steps come before any output, so zero_output_for_mask changes nothing.
@pytest.mark.parametrize("left,zero_output", [(False, False), (False, True), (True, False)])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_masked_sequences_match_torch(kind, path, left, zero_output):
    lengths = [5, 2, 4]
    x = _rng(5).standard_normal((B, T, F)).astype("float32")
    steps = np.arange(T)[None, :]
    n = np.asarray(lengths)[:, None]
    mask = steps >= T - n if left else steps < n
    layer = _build(_make(kind, path, return_sequences=True, return_state=True,
                         zero_output_for_mask=zero_output))
    out, *states = layer(ops.convert_to_tensor(x), mask=ops.convert_to_tensor(mask))
    out = _np(out)
    module = torch_reference(kind, layer.get_weights(), x)
    ref_outs, ref_h, ref_c = _torch_masked_reference(kind, module, x, lengths, left)
    for b, n_b in enumerate(lengths):
        valid = slice(T - n_b, T) if left else slice(0, n_b)
        np.testing.assert_allclose(out[b, valid], ref_outs[b], atol=1e-5)
        masked = np.arange(T)[~mask[b]]
        for t in masked:
            if zero_output or left:  # before any unmasked step the repeated output is zero too
                np.testing.assert_allclose(out[b, t], 0.0, atol=1e-7)
            else:
                np.testing.assert_allclose(out[b, t], ref_outs[b][-1], atol=1e-5)
        np.testing.assert_allclose(_np(states[0])[b], ref_h[b], atol=1e-5)
        if kind == "lstm":
            np.testing.assert_allclose(_np(states[1])[b], ref_c[b], atol=1e-5)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_go_backwards_and_initial_state_match_torch(kind, path):
    rng = _rng(6)
    x = rng.standard_normal((B, T, F)).astype("float32")
    h0 = rng.standard_normal((B, U)).astype("float32")
    c0 = rng.standard_normal((B, U)).astype("float32")
    layer = _build(_make(kind, path, return_sequences=True, go_backwards=True))
    initial = [h0, c0] if kind == "lstm" else [h0]
    out = layer(ops.convert_to_tensor(x), initial_state=[ops.convert_to_tensor(s) for s in initial])
    module = torch_reference(kind, layer.get_weights(), x)
    ref = torch_run(kind, module, np.ascontiguousarray(x[:, ::-1]), h0, c0)[0]
    # Outputs come in processing order: step 0 is the last input step.
    np.testing.assert_allclose(_np(out), ref.detach().numpy(), atol=1e-5)


def _numpy_gru_reset_before(weights, x):
    kernel, recurrent, bias = weights
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    u = recurrent.shape[0]
    h = np.zeros((x.shape[0], u), "float64")
    outs = []
    for t in range(x.shape[1]):
        xp = x[:, t] @ kernel + bias
        z = sig(xp[:, :u] + h @ recurrent[:, :u])
        r = sig(xp[:, u:2 * u] + h @ recurrent[:, u:2 * u])
        cand = np.tanh(xp[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * cand
        outs.append(h)
    return np.stack(outs, 1)


def test_gru_reset_after_false_matches_numpy():
    x = _rng(7).standard_normal((B, T, F)).astype("float32")
    layer = _build(layers.GRU(U, reset_after=False, return_sequences=True))
    assert layer.get_weights()[2].shape == (3 * U,)
    np.testing.assert_allclose(_np(layer(ops.convert_to_tensor(x))),
                               _numpy_gru_reset_before(layer.get_weights(), x), atol=1e-5)


def test_fused_kernel_is_tried_only_when_the_configuration_allows(monkeypatch):
    backend_rnn = kiln.backend.current.rnn
    calls = []
    original = backend_rnn.lstm

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(backend_rnn, "lstm", counting)
    x = ops.convert_to_tensor(np.ones((2, 3, 4), "float32"))
    layers.LSTM(2)(x)
    assert calls == [1]
    layers.LSTM(2, use_cudnn=False)(x)
    layers.LSTM(2, recurrent_dropout=0.5)(x, training=True)
    layers.LSTM(2, activation="relu")(x)
    assert calls == [1]
    with pytest.raises(ValueError, match="use_cudnn"):
        layers.LSTM(2, use_cudnn=True, unroll=True)(x)


def test_backends_without_a_fused_kernel_say_so():
    x, h0 = np.ones((1, 2, 3), "float32"), np.zeros((1, 2), "float32")
    args = [ops.convert_to_tensor(a) for a in (x, h0, h0)]
    weights = [ops.convert_to_tensor(np.zeros(s, "float32")) for s in ((3, 8), (2, 8))]
    if BACKEND != "numpy":
        last, seq, states = kiln.backend.current.rnn.lstm(*args, None, *weights, None)
        assert tuple(last.shape) == (1, 2) and len(states) == 2
    else:
        with pytest.raises(NotImplementedError, match=BACKEND):
            kiln.backend.current.rnn.lstm(*args, None, *weights, None)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_fused_and_generic_dropout_draw_the_same_mask(kind):
    x = _rng(8).standard_normal((B, T, F)).astype("float32")
    fused = _build(_make(kind, "auto", dropout=0.5, seed=3))
    generic = _build(_make(kind, False, dropout=0.5, seed=3))
    generic.set_weights(fused.get_weights())
    a = fused(ops.convert_to_tensor(x), training=True)
    b = generic(ops.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(_np(a), _np(b), atol=1e-5)
    assert not np.allclose(_np(a), _np(fused(ops.convert_to_tensor(x), training=False)))


@pytest.mark.slow  # torch.compile of a training step takes ~10-25 s
def test_compiled_training_step_runs():
    if BACKEND == "numpy":
        pytest.skip("numpy backend has no autodiff")
    from kiln import Input, Sequential

    rng = _rng(9)
    x, y = rng.standard_normal((4, 3, 2)).astype("float32"), rng.standard_normal((4, 1)).astype("float32")
    model = Sequential([Input((3, 2)), layers.LSTM(2), layers.Dense(1)])
    model.compile("adam", "mse", jit_compile=True)  # torch.compile on torch, XLA on jax/tf
    assert np.isfinite(model.fit(x, y, batch_size=4, epochs=1, verbose=0).history["loss"][0])
