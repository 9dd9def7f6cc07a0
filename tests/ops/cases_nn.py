"""Op cases for kiln.ops.nn: activations, losses, normalization, one-hot."""

import numpy as np

import itertools

from op_cases import (B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32,  # noqa: F401
                      narrow)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _erf(x):
    import math

    return np.vectorize(math.erf)(x).astype(x.dtype)


def _gelu(x, approximate=True):
    if approximate:
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _erf(x / np.sqrt(2)))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805
EPS = 1e-7


def _bce(t, p, from_logits=False):
    if from_logits:
        return np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def _cce(t, p, from_logits=False, axis=-1):
    if from_logits:
        return -(t * _log_softmax(p, axis)).sum(axis=axis)
    p = p / p.sum(axis=axis, keepdims=True)
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p)).sum(axis=axis)


def _scce(t, p, from_logits=False, axis=-1):
    onehot = np.eye(p.shape[axis], dtype=p.dtype)[t]
    return _cce(onehot, p, from_logits, axis)


def _one_hot(x, num_classes, axis=-1):
    out = np.eye(num_classes, dtype="float32")[x]
    return np.moveaxis(out, -1, axis)


def _moments(x, axes, keepdims=False):
    x64 = x.astype("float64")
    return (x64.mean(axis=tuple(axes), keepdims=keepdims).astype(x.dtype),
            x64.var(axis=tuple(axes), keepdims=keepdims).astype(x.dtype))


def _batch_norm(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    shape = [1] * x.ndim
    shape[axis] = -1
    y = (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + epsilon)
    if scale is not None:
        y = y * scale.reshape(shape)
    if offset is not None:
        y = y + offset.reshape(shape)
    return y


def cases():
    x = _f32((2, 5), -3.0, 3.0)
    probs = _softmax(_f32((4, 3), -1, 1)).astype("float32")
    labels = np.array([0, 2, 1, 2], "int32")
    target = np.eye(3, dtype="float32")[labels]
    bin_t = (RNG.uniform(size=(4, 3)) > 0.5).astype("float32")
    logits = _f32((4, 3), -2.0, 2.0)
    cases = [
        Case("relu", x, ref=lambda v: np.maximum(v, 0)),
        Case("relu6", x * 3, ref=lambda v: np.clip(v, 0, 6)),
        Case("sigmoid", x, ref=_sigmoid),
        Case("softplus", x, ref=_softplus),
        Case("softsign", x, ref=lambda v: v / (1 + np.abs(v))),
        Case("silu", x, ref=lambda v: v * _sigmoid(v)),
        Case("gelu", x, ref=_gelu, rtol=1e-4, atol=1e-5),
        Case("gelu", x, approximate=False, ref=_gelu, rtol=1e-4, atol=1e-5, id="gelu-exact"),
        Case("elu", x, ref=lambda v: np.where(v > 0, v, np.expm1(v))),
        Case("elu", x, alpha=0.5, ref=lambda v, alpha: np.where(v > 0, v, alpha * np.expm1(v)),
             id="elu-alpha"),
        Case("selu", x, ref=lambda v: _SELU_SCALE * np.where(v > 0, v, _SELU_ALPHA * np.expm1(v)),
             rtol=1e-5),
        Case("leaky_relu", x, ref=lambda v: np.where(v > 0, v, 0.2 * v)),
        Case("leaky_relu", x, negative_slope=0.01,
             ref=lambda v, negative_slope: np.where(v > 0, v, negative_slope * v), id="leaky_relu-slope"),
        Case("hard_sigmoid", x, ref=lambda v: np.clip(v + 3, 0, 6) / 6),
        Case("hard_silu", x, ref=lambda v: v * np.clip(v + 3, 0, 6) / 6),
        Case("log_sigmoid", x, ref=lambda v: -_softplus(-v), rtol=1e-5),
        Case("softmax", x, ref=_softmax),
        Case("softmax", x, axis=0, ref=_softmax, id="softmax-axis0"),
        Case("log_softmax", x, ref=_log_softmax, rtol=1e-5),
        Case("log_softmax", x, axis=0, ref=_log_softmax, id="log_softmax-axis0", rtol=1e-5),
        Case("sigmoid", x.astype("float16"), ref=_sigmoid, rtol=2e-3, atol=1e-3, id="sigmoid-f16"),
        Case("one_hot", labels, 3, ref=_one_hot),
        Case("one_hot", labels.reshape(2, 2), 4, axis=0, ref=_one_hot, id="one_hot-axis0", none_ok=False),
        Case("moments", _f32((4, 3)), [0], ref=_moments, rtol=1e-5),
        Case("moments", _f32((4, 3)), [0, 1], keepdims=True, ref=_moments, id="moments-keepdims",
             rtol=1e-5),
        Case("moments", _f32((4, 3)).astype("float16"), [0], ref=_moments, id="moments-f16",
             rtol=2e-3, atol=1e-3),
        Case("batch_normalization", _f32((4, 3)), _f32((3,)), _f32((3,)), -1, ref=_batch_norm,
             rtol=1e-5),
        Case("batch_normalization", _f32((4, 3)), _f32((3,)), _f32((3,)), 1, offset=_f32((3,)),
             scale=_f32((3,)), epsilon=1e-2, ref=_batch_norm, id="batch_normalization-affine",
             rtol=1e-5),
        Case("binary_crossentropy", bin_t, probs, ref=_bce, rtol=1e-4),
        Case("binary_crossentropy", bin_t, logits, from_logits=True, ref=_bce, rtol=1e-4,
             id="binary_crossentropy-logits"),
        Case("categorical_crossentropy", target, probs, ref=_cce, rtol=1e-4),
        Case("categorical_crossentropy", target, logits, from_logits=True, ref=_cce, rtol=1e-4,
             id="categorical_crossentropy-logits"),
        Case("categorical_crossentropy", target * 2.0, probs * 3.0, ref=_cce, rtol=1e-4,
             id="categorical_crossentropy-unnormalized"),
        Case("sparse_categorical_crossentropy", labels, probs, ref=_scce, rtol=1e-4),
        Case("sparse_categorical_crossentropy", labels, logits, from_logits=True, ref=_scce,
             rtol=1e-4, id="sparse_categorical_crossentropy-logits"),
        Case("sparse_categorical_crossentropy", labels.reshape(4, 1), logits, from_logits=True,
             ref=lambda t, p, from_logits: _scce(t[:, 0], p, from_logits), rtol=1e-4,
             id="sparse_categorical_crossentropy-trailing1"),
    ]
    return cases + new_cases()


# -- math, linalg, image -------------------------------------------------------------------


# -- references for the rest of the nn family ------------------------------------------------
def _celu(x, alpha=1.0):
    return np.maximum(x, 0) + np.minimum(0, alpha * (np.exp(x / alpha) - 1))


def _glu(x, axis=-1):
    a, b = np.split(x, 2, axis=axis)
    return a * _sigmoid(b)


def _hard_shrink(x, threshold=0.5):
    return np.where(np.abs(x) > threshold, x, 0).astype(x.dtype)


def _soft_shrink(x, threshold=0.5):
    return (np.sign(x) * np.maximum(np.abs(x) - threshold, 0)).astype(x.dtype)


def _sparse_plus(x):
    return np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)).astype(x.dtype)


def _sparsemax(x, axis=-1):
    z = np.moveaxis(x.astype("float64"), axis, -1)
    out = np.zeros_like(z)
    for idx in np.ndindex(*z.shape[:-1]):
        v = z[idx]
        # tau solves sum(max(v - tau, 0)) == 1 (bisection on a monotone function).
        low, high = v.min() - 1, v.max()
        for _ in range(200):
            mid = (low + high) / 2
            low, high = (mid, high) if np.maximum(v - mid, 0).sum() > 1 else (low, mid)
        out[idx] = np.maximum(v - low, 0)
    return np.moveaxis(out, -1, axis).astype(x.dtype)


def _normalize(x, axis=-1, order=2, epsilon=1e-7):
    x = np.atleast_1d(x)
    norm = (np.abs(x.astype("float64")) ** order).sum(axis=axis, keepdims=True) ** (1 / order)
    return (x / np.maximum(norm, epsilon)).astype(x.dtype)


def _rms(x, scale=None, axis=-1, epsilon=1e-7):
    y = x / np.sqrt(np.mean(x.astype("float64") ** 2, axis=axis, keepdims=True) + epsilon)
    if scale is not None:
        y = y * scale
    return y.astype(x.dtype)


def _psnr(x1, x2, max_val):
    mse = np.mean((x1.astype("float64") - x2) ** 2)
    return np.asarray(20 * np.log10(max_val) - 10 * np.log10(mse), x1.dtype)


def _multi_hot(x, num_classes, axis=-1):
    encoded = _one_hot(x, num_classes, axis)
    return encoded.max(axis=1 if x.ndim > 1 else 0)


def _depth_to_space(x, block_size, data_format="channels_last"):
    b = block_size
    if data_format == "channels_first":
        return np.moveaxis(_depth_to_space(np.moveaxis(x, 1, -1), b), -1, 1)
    n, h, w, c = x.shape
    out = np.zeros((n, h * b, w * b, c // (b * b)), x.dtype)
    for i, j, k in itertools.product(range(h * b), range(w * b), range(c // (b * b))):
        out[:, i, j, k] = x[:, i // b, j // b, ((i % b) * b + j % b) * (c // (b * b)) + k]
    return out


def _space_to_depth(x, block_size, data_format="channels_last"):
    b = block_size
    if data_format == "channels_first":
        return np.moveaxis(_space_to_depth(np.moveaxis(x, 1, -1), b), -1, 1)
    n, h, w, c = x.shape
    out = np.zeros((n, h // b, w // b, c * b * b), x.dtype)
    for i, j in itertools.product(range(h), range(w)):
        out[:, i // b, j // b, ((i % b) * b + j % b) * c:((i % b) * b + j % b + 1) * c] = x[:, i, j]
    return out


def _bins(length, size):
    return [(i * length // size, -(-(i + 1) * length // size)) for i in range(size)]


def adaptive_pool_ref(x, output_size, data_format="channels_last", kind="average"):
    """Reference adaptive pooling with explicit bins (channels_last internally)."""
    if data_format == "channels_first":
        return np.moveaxis(adaptive_pool_ref(np.moveaxis(x, 1, -1), output_size, kind=kind), -1, 1)
    n = x.ndim - 2
    size = (output_size,) * n if isinstance(output_size, int) else tuple(output_size)
    bins = [_bins(length, s) for length, s in zip(x.shape[1:-1], size)]
    out = np.zeros((x.shape[0],) + size + (x.shape[-1],), "float64")
    for idx in itertools.product(*(range(s) for s in size)):
        window = x[(slice(None),) + tuple(slice(*bins[d][i]) for d, i in enumerate(idx))]
        flat = window.reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None),) + idx] = flat.max(1) if kind == "max" else flat.mean(1)
    return out.astype(x.dtype)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def unfold_ref(x, kernel_size, dilation=1, padding=0, stride=1):
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(_pair, (kernel_size, dilation, padding, stride))
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], x.shape[1] * kh * kw, oh * ow), x.dtype)
    for c, i, j, bi, bj in itertools.product(range(x.shape[1]), range(kh), range(kw), range(oh),
                                             range(ow)):
        out[:, c * kh * kw + i * kw + j, bi * ow + bj] = xp[:, c, bi * sh + i * dh, bj * sw + j * dw]
    return out


def fold_ref(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(_pair, (kernel_size, dilation, padding, stride))
    h, w = _pair(output_size)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    channels = x.shape[1] // (kh * kw)
    out = np.zeros((x.shape[0], channels, h + 2 * ph, w + 2 * pw), "float64")
    for c, i, j, bi, bj in itertools.product(range(channels), range(kh), range(kw), range(oh),
                                             range(ow)):
        out[:, c, bi * sh + i * dh, bj * sw + j * dw] += x[:, c * kh * kw + i * kw + j, bi * ow + bj]
    return out[:, :, ph:ph + h, pw:pw + w].astype(x.dtype)


def transpose_crop(kernel_size, stride, padding, output_padding, dilation):
    """Keras' padding rule for a transposed conv: (crop from the full output's start, length)."""
    k = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        left = k - 1
        total = 2 * (k - 1) + (max(k, stride) - k if output_padding is None else output_padding)
    else:
        total = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
        left = min(total // 2 + total % 2, k - 1)
    return k - 1 - left, total - 2 * (k - 1)


def conv_transpose_ref(x, kernel, strides=1, padding="valid", output_padding=None,
                       data_format="channels_last", dilation_rate=1):
    """Scatter definition: every input pixel adds ``kernel[k] @ x`` at ``i * stride + k * dilation``."""
    if data_format == "channels_first":
        return np.moveaxis(conv_transpose_ref(np.moveaxis(x, 1, -1), kernel, strides, padding,
                                              output_padding, "channels_last", dilation_rate), -1, 1)
    n = x.ndim - 2
    as_tuple = lambda v: (v,) * n if isinstance(v, int) or v is None else tuple(v)  # noqa: E731
    strides, dilation, out_pad = as_tuple(strides), as_tuple(dilation_rate), as_tuple(output_padding)
    spatial = x.shape[1:-1]
    ks = kernel.shape[:n]
    full_shape = [(length - 1) * s + (k - 1) * d + 1 for length, s, k, d in
                  zip(spatial, strides, ks, dilation)]
    full = np.zeros([x.shape[0]] + [f + 8 for f in full_shape] + [kernel.shape[-2]], "float64")
    for idx in itertools.product(*(range(length) for length in spatial)):
        for kidx in itertools.product(*(range(k) for k in ks)):
            pos = tuple(i * s + k * d for i, s, k, d in zip(idx, strides, kidx, dilation))
            full[(slice(None),) + pos] += x[(slice(None),) + idx] @ kernel[kidx].T
    index = [slice(None)]
    for length, s, k, p, d in zip(spatial, strides, ks, out_pad, dilation):
        crop, extra = transpose_crop(k, s, padding, p, d)
        out_len = (length - 1) * s + (k - 1) * d + 1 + extra
        index.append(slice(crop, crop + out_len))
    return full[tuple(index)].astype(np.result_type(x.dtype, kernel.dtype))


def attention_ref(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                  attn_logits_soft_cap=None, **kwargs):
    q, k, v = (t.astype("float64") for t in (query, key, value))
    b, t_len, heads, h = q.shape
    s_len, kv_heads = k.shape[1], k.shape[2]
    scale = 1 / np.sqrt(h) if scale is None else scale
    out = np.zeros((b, t_len, heads, v.shape[-1]))
    allowed = np.ones((b, heads, t_len, s_len), bool)
    if mask is not None:
        allowed = allowed & np.broadcast_to(mask, allowed.shape)
    if is_causal:
        allowed = allowed & np.tril(np.ones((t_len, s_len), bool))
    for bi, n in itertools.product(range(b), range(heads)):
        g = n // (heads // kv_heads)
        logits = q[bi, :, n] @ k[bi, :, g].T * scale
        if attn_logits_soft_cap is not None:
            logits = attn_logits_soft_cap * np.tanh(logits / attn_logits_soft_cap)
        if bias is not None:
            logits = logits + np.broadcast_to(bias, (b, heads, t_len, s_len))[bi, n]
        ok = allowed[bi, n]
        logits = np.where(ok, logits, -1e30)
        p = np.exp(logits - logits.max(-1, keepdims=True))
        p = p / p.sum(-1, keepdims=True)
        out[bi, :, n] = p @ v[bi, :, g]
    return out.astype(query.dtype)


def _collapse(path, blank):
    out = []
    previous = None
    for c in path:
        if c != previous and c != blank:
            out.append(c)
        previous = c
    return tuple(out)


def ctc_label_probs(log_probs, length, blank):
    """Brute force: total probability of every label sequence over all alignments of ``length``."""
    probs = {}
    classes = log_probs.shape[-1]
    for path in itertools.product(range(classes), repeat=int(length)):
        p = np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
        key = _collapse(path, blank)
        probs[key] = probs.get(key, 0.0) + p
    return probs


def ctc_loss_ref(target, output, target_length, output_length, mask_index=0):
    logp = _log_softmax(output.astype("float64"))
    losses = []
    for b in range(output.shape[0]):
        probs = ctc_label_probs(logp[b], output_length[b], mask_index)
        label = tuple(int(c) for c in target[b, :target_length[b]])
        losses.append(-np.log(probs.get(label, 0.0)))
    return np.asarray(losses, output.dtype)


def ctc_greedy_ref(inputs, sequence_lengths, merge_repeated=True, mask_index=0, **kwargs):
    batch, steps, _ = inputs.shape
    decoded = np.full((1, batch, steps), -1, "int32")
    scores = np.zeros((batch, 1), inputs.dtype)
    for b in range(batch):
        best = inputs[b, :sequence_lengths[b]].argmax(-1)
        scores[b, 0] = -inputs[b, :sequence_lengths[b]].max(-1).sum()
        labels, previous = [], None
        for c in best:
            if c != mask_index and not (merge_repeated and c == previous):
                labels.append(c)
            previous = c
        decoded[0, b, :len(labels)] = labels
    return decoded, scores


def ctc_beam_ref(inputs, sequence_lengths, top_paths=1, mask_index=0, **kwargs):
    """Exact top label sequences (what a wide enough prefix beam search finds)."""
    batch, steps, _ = inputs.shape
    logp = _log_softmax(inputs.astype("float64"))
    decoded = np.full((top_paths, batch, steps), -1, "int32")
    scores = np.full((batch, top_paths), -np.inf)
    for b in range(batch):
        probs = ctc_label_probs(logp[b], sequence_lengths[b], mask_index)
        ranked = sorted(probs.items(), key=lambda item: -item[1])[:top_paths]
        for i, (labels, p) in enumerate(ranked):
            decoded[i, b, :len(labels)] = labels
            scores[b, i] = np.log(p)
    return decoded, scores.astype(inputs.dtype)


def separable_ref(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                  data_format="channels_last", dilation_rate=1):
    from test_nn_ops import np_conv

    if data_format == "channels_first":
        return np.moveaxis(separable_ref(np.moveaxis(x, 1, -1), depthwise_kernel, pointwise_kernel,
                                         strides, padding, "channels_last", dilation_rate), -1, 1)
    mid = np_conv(x, depthwise_kernel, strides, padding, dilation_rate, depthwise=True)
    return np_conv(mid, pointwise_kernel, 1, "valid")


def new_cases():
    x = _f32((2, 5), -3.0, 3.0)
    x4 = _f32((2, 4), -3.0, 3.0)
    img = _f32((2, 2, 4, 6), -1.0, 1.0)
    labels = np.array([[0, 2, 2], [1, 1, 0]], "int32")
    ctc_out = _f32((2, 4, 3), -1.0, 1.0)
    ctc_target = np.array([[1, 2], [2, 0]], "int32")
    q = _f32((2, 3, 4, 5), -1.0, 1.0)
    kv = _f32((2, 4, 2, 5), -1.0, 1.0)
    return [
        Case("celu", x, ref=_celu, rtol=1e-5),
        Case("celu", x, alpha=0.5, ref=_celu, rtol=1e-5, id="celu-alpha"),
        Case("glu", x4, ref=_glu, rtol=1e-5),
        Case("glu", x4, axis=0, ref=_glu, rtol=1e-5, id="glu-axis0", none_ok=False),
        Case("hard_shrink", x, ref=_hard_shrink),
        Case("hard_shrink", x, threshold=1.5, ref=_hard_shrink, id="hard_shrink-threshold"),
        Case("hard_tanh", x, ref=lambda v: np.clip(v, -1, 1)),
        Case("hard_tanh", np.float32(0.3), ref=lambda v: np.clip(v, -1, 1), id="hard_tanh-0d"),
        Case("soft_shrink", x, ref=_soft_shrink),
        Case("soft_shrink", x, threshold=1.0, ref=_soft_shrink, id="soft_shrink-threshold"),
        Case("sparse_plus", x, ref=_sparse_plus),
        Case("sparse_sigmoid", x, ref=lambda v: np.clip((v + 1) / 2, 0, 1)),
        Case("squareplus", x, ref=lambda v: (v + np.sqrt(v * v + 4)) / 2),
        Case("squareplus", x, b=1, ref=lambda v, b: (v + np.sqrt(v * v + b)) / 2, id="squareplus-b"),
        Case("squareplus", np.zeros((0, 3), "float32"), ref=lambda v: (v + np.sqrt(v * v + 4)) / 2,
             id="squareplus-empty"),
        Case("tanh_shrink", x, ref=lambda v: v - np.tanh(v), atol=1e-6),
        Case("tanh_shrink", x.astype("float16"), ref=lambda v: v - np.tanh(v), rtol=1e-2, atol=1e-2,
             id="tanh_shrink-f16"),
        Case("threshold", x, 0.5, -1.0, ref=lambda v, t, d: np.where(v > t, v, d).astype(v.dtype)),
        Case("threshold", I, 2, 0, ref=lambda v, t, d: np.where(v > t, v, d).astype(v.dtype),
             id="threshold-int"),
        Case("sparsemax", x, ref=_sparsemax, atol=1e-5),
        Case("sparsemax", x, axis=0, ref=_sparsemax, atol=1e-5, id="sparsemax-axis0", none_ok=False),
        Case("polar", _f32((2, 3)), _f32((3,), -3.0, 3.0),
             ref=lambda a, t: (a * np.exp(1j * t)).astype("complex64"), dtype="complex64"),
        Case("normalize", x, ref=_normalize, rtol=1e-5),
        Case("normalize", x, axis=0, order=1, ref=_normalize, rtol=1e-5, id="normalize-l1-axis0",
             none_ok=False),
        Case("normalize", np.float32(-2.0), ref=_normalize, id="normalize-0d"),
        Case("normalize", np.zeros((2, 3), "float32"), ref=_normalize, id="normalize-zeros"),
        Case("rms_normalization", x, ref=_rms, rtol=1e-5),
        Case("rms_normalization", x, scale=_f32((5,)), epsilon=1e-3, ref=_rms, rtol=1e-5,
             id="rms_normalization-scale"),
        Case("rms_normalization", x.astype("bfloat16") if hasattr(np, "bfloat16") else
             x.astype("float16"), ref=_rms, rtol=2e-2, atol=2e-2, id="rms_normalization-half"),
        Case("psnr", _f32((2, 4, 4, 1)), _f32((2, 4, 4, 1)), 2.0, ref=_psnr, rtol=1e-5),
        Case("multi_hot", labels, 4, ref=_multi_hot),
        Case("multi_hot", labels[0], 3, ref=_multi_hot, id="multi_hot-rank1", none_ok=False),
        Case("multi_hot", labels, num_tokens=3, ref=lambda v, num_tokens: _multi_hot(v, num_tokens),
             id="multi_hot-num_tokens"),
        Case("depth_to_space", _f32((2, 2, 3, 8)), 2, ref=_depth_to_space),
        Case("depth_to_space", _f32((2, 8, 2, 3)), 2, data_format="channels_first",
             ref=_depth_to_space, id="depth_to_space-channels_first"),
        Case("space_to_depth", _f32((2, 4, 6, 3)), 2, ref=_space_to_depth),
        Case("space_to_depth", _f32((2, 3, 4, 6)), 2, data_format="channels_first",
             ref=_space_to_depth, id="space_to_depth-channels_first"),
        Case("adaptive_average_pool", _f32((2, 7, 5, 3)), (3, 2), data_format="channels_last",
             ref=lambda v, s, data_format: adaptive_pool_ref(v, s, data_format), rtol=1e-5),
        Case("adaptive_max_pool", _f32((2, 3, 7)), 3, data_format="channels_first",
             ref=lambda v, s, data_format: adaptive_pool_ref(v, s, data_format, "max"),
             id="adaptive_max_pool-1d-channels_first"),
        Case("adaptive_average_pool", _f32((1, 5, 4, 3, 2)), 2, data_format="channels_last",
             ref=lambda v, s, data_format: adaptive_pool_ref(v, s, data_format), rtol=1e-5,
             id="adaptive_average_pool-3d"),
        Case("adaptive_max_pool", _f32((2, 6, 5, 2)), (4, 5), data_format="channels_last",
             ref=lambda v, s, data_format: adaptive_pool_ref(v, s, data_format, "max"),
             id="adaptive_max_pool-2d"),
        Case("unfold", img, 2, ref=unfold_ref),
        Case("unfold", img, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2), ref=unfold_ref,
             id="unfold-options"),
        Case("fold", _f32((2, 8, 15)), (4, 6), 2, ref=fold_ref, rtol=1e-5),
        Case("fold", _f32((2, 12, 12)), (4, 6), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2),
             ref=fold_ref, rtol=1e-5, id="fold-options"),
        Case("conv_transpose", _f32((2, 4, 3)), _f32((3, 2, 3)), strides=2, padding="same",
             data_format="channels_last", ref=conv_transpose_ref, rtol=1e-4, atol=1e-5),
        Case("conv_transpose", _f32((2, 3, 3, 2)), _f32((2, 3, 4, 2)), strides=(2, 1),
             padding="valid", output_padding=(1, 0), data_format="channels_last",
             ref=conv_transpose_ref, rtol=1e-4, atol=1e-5, id="conv_transpose-2d-output_padding"),
        Case("separable_conv", _f32((2, 6, 5, 2)), _f32((3, 3, 2, 2)), _f32((1, 1, 4, 3)),
             padding="same", data_format="channels_last", ref=separable_ref, rtol=1e-4, atol=1e-5),
        Case("dot_product_attention", q, kv, kv, ref=attention_ref, rtol=1e-4, atol=1e-5),
        Case("dot_product_attention", q, kv, kv, is_causal=True, scale=0.3,
             bias=_f32((1, 4, 3, 4), -1.0, 1.0), ref=attention_ref, rtol=1e-4, atol=1e-5,
             id="dot_product_attention-causal-bias"),
        Case("ctc_loss", ctc_target, ctc_out, np.array([2, 1], "int32"), np.array([4, 3], "int32"),
             ref=ctc_loss_ref, rtol=1e-4),
        Case("ctc_decode", np.log(_softmax(ctc_out)).astype("float32"), np.array([4, 3], "int32"),
             ref=ctc_greedy_ref, rtol=1e-5),
        Case("ctc_decode", ctc_out, np.array([4, 3], "int32"), strategy="beam_search", beam_width=30,
             top_paths=2, ref=ctc_beam_ref, rtol=1e-4, id="ctc_decode-beam_search"),
    ]


def grad_cases():
    x = _f32((2, 5), -2.5, 2.5)
    x = np.where(np.abs(np.abs(x) - 1.0) < 0.1, x + 0.3, x).astype("float32")  # away from kinks
    shrink = np.where(np.abs(np.abs(x) - 0.5) < 0.1, x + 0.3, x).astype("float32")
    probs = _softmax(_f32((3, 4), -1.0, 1.0)).astype("float32")
    target = np.eye(4, dtype="float32")[[0, 2, 3]]
    img = _f32((1, 5, 5, 2), -1.0, 1.0)
    return [
        GradCase("relu", x), GradCase("relu6", x), GradCase("sigmoid", x), GradCase("softplus", x),
        GradCase("softsign", x), GradCase("silu", x), GradCase("gelu", x),
        GradCase("gelu", x, approximate=False, id="grad-gelu-exact"), GradCase("elu", x),
        GradCase("selu", x), GradCase("leaky_relu", x), GradCase("hard_sigmoid", x),
        GradCase("hard_silu", x), GradCase("log_sigmoid", x), GradCase("softmax", x),
        GradCase("log_softmax", x, axis=0),
        GradCase("conv", img, _f32((3, 3, 2, 3), -1.0, 1.0), padding="same",
                 data_format="channels_last"),
        GradCase("depthwise_conv", img, _f32((3, 3, 2, 2), -1.0, 1.0), strides=2,
                 data_format="channels_last"),
        GradCase("max_pool", img, 2, data_format="channels_last"),
        GradCase("average_pool", img, 2, padding="same", data_format="channels_last"),
        GradCase("batch_normalization", _f32((4, 3)), _f32((3,)), _f32((3,)), -1,
                 offset=_f32((3,)), scale=_f32((3,))),
        GradCase("layer_normalization", _f32((3, 4)), _f32((4,)), _f32((4,))),
        GradCase("binary_crossentropy", target, probs * 0.9 + 0.05, wrt=[1]),
        GradCase("binary_crossentropy", target, x[:, :4][[0, 1, 0]], from_logits=True, wrt=[1],
                 id="grad-binary_crossentropy-logits"),
        GradCase("categorical_crossentropy", target, probs, wrt=[1]),
        GradCase("sparse_categorical_crossentropy", np.array([0, 2, 3], "int32"), probs,
                 from_logits=True),
        GradCase("celu", x, alpha=0.7), GradCase("glu", x[:, :4]),
        GradCase("hard_shrink", shrink), GradCase("hard_tanh", x * 0.8),
        GradCase("soft_shrink", shrink), GradCase("sparse_plus", x), GradCase("sparse_sigmoid", x),
        GradCase("squareplus", x), GradCase("tanh_shrink", x), GradCase("threshold", x, 0.2, 0.0),
        GradCase("sparsemax", x * 0.3), GradCase("normalize", x), GradCase("rms_normalization", x),
        GradCase("psnr", _f32((2, 3)), _f32((2, 3)) + 0.5, 2.0),
        GradCase("depth_to_space", _f32((1, 2, 2, 4)), 2),
        GradCase("space_to_depth", _f32((1, 4, 2, 1)), 2),
        GradCase("conv_transpose", _f32((1, 3, 3, 2)), _f32((3, 3, 2, 2), -1.0, 1.0), strides=2,
                 padding="same", data_format="channels_last"),
        GradCase("separable_conv", img, _f32((3, 3, 2, 1), -1.0, 1.0), _f32((1, 1, 2, 3), -1.0, 1.0),
                 data_format="channels_last"),
        GradCase("adaptive_average_pool", img, 3, data_format="channels_last"),
        GradCase("adaptive_max_pool", img, 2, data_format="channels_last"),
        GradCase("unfold", _f32((1, 2, 4, 4)), 2, stride=2),
        GradCase("fold", _f32((1, 8, 9)), (4, 4), 2),
        GradCase("dot_product_attention", _f32((1, 3, 2, 4), -1.0, 1.0), _f32((1, 4, 1, 4), -1.0, 1.0),
                 _f32((1, 4, 1, 4), -1.0, 1.0), is_causal=True),
        GradCase("ctc_loss", np.array([[1, 2]], "int32"), _f32((1, 4, 3), -1.0, 1.0),
                 np.array([2], "int32"), np.array([4], "int32"), wrt=[1]),
    ]
