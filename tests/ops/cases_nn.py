"""Op cases for kiln.ops.nn: activations, losses, normalization, one-hot."""

import numpy as np

from op_cases import B, Case, F, F2, FN, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


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
    return cases


# -- math, linalg, image -------------------------------------------------------------------
