"""nn ops against NumPy: activations, losses, normalization, and conv/pool vs a reference here."""

import itertools

import numpy as np
import pytest

import kiln
from kiln import ops
from op_cases import compiled


# -- reference convolution / pooling (channels_last) -----------------------------------
def _pads(spatial, window, strides, padding, dilation):
    pads = []
    for length, k, s, d in zip(spatial, window, strides, dilation):
        eff = (k - 1) * d + 1
        if padding == "valid":
            pads.append((0, 0))
        else:
            out = -(-length // s)
            total = max((out - 1) * s + eff - length, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def _windows(x, window, strides, padding, dilation, fill):
    """Yield (output index, window values of shape (*window, C)) for x of shape (*spatial, C)."""
    spatial = x.shape[:-1]
    pads = _pads(spatial, window, strides, padding, dilation)
    xp = np.pad(x, pads + [(0, 0)], constant_values=fill)
    out_shape = []
    for length, k, s, d, (lo, hi) in zip(spatial, window, strides, dilation, pads):
        eff = (k - 1) * d + 1
        out_shape.append((length + lo + hi - eff) // s + 1)
    for idx in itertools.product(*(range(n) for n in out_shape)):
        sl = tuple(slice(i * s, i * s + (k - 1) * d + 1, d)
                   for i, k, s, d in zip(idx, window, strides, dilation))
        yield idx, xp[sl], out_shape


def np_conv(x, kernel, strides, padding, dilation=1, depthwise=False):
    n = x.ndim - 2
    window = kernel.shape[:n]
    strides = (strides,) * n if isinstance(strides, int) else strides
    dilation = (dilation,) * n if isinstance(dilation, int) else dilation
    outs = []
    for sample in x:
        result = None
        for idx, win, out_shape in _windows(sample, window, strides, padding, dilation, 0.0):
            if result is None:
                channels = kernel.shape[-2] * kernel.shape[-1] if depthwise else kernel.shape[-1]
                result = np.zeros(tuple(out_shape) + (channels,), "float64")
            if depthwise:
                letters = "ijk"[:n]
                val = np.einsum(f"{letters}c,{letters}cm->cm", win, kernel).reshape(-1)
            else:
                val = np.tensordot(win, kernel, axes=n + 1)
            result[idx] = val
        outs.append(result)
    return np.stack(outs).astype("float32")


def np_pool(x, pool, strides, padding, kind):
    n = x.ndim - 2
    pool = (pool,) * n if isinstance(pool, int) else pool
    strides = pool if strides is None else ((strides,) * n if isinstance(strides, int) else strides)
    outs = []
    for sample in x:
        result = None
        for idx, win, out_shape in _windows(sample, pool, strides, padding, (1,) * n, np.nan):
            if result is None:
                result = np.zeros(tuple(out_shape) + (x.shape[-1],), "float64")
            flat = win.reshape(-1, x.shape[-1])
            result[idx] = np.nanmax(flat, 0) if kind == "max" else np.nanmean(flat, 0)
        outs.append(result)
    return np.stack(outs).astype("float32")


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def _to_last(x):
    return np.moveaxis(x, 1, -1)


RNG = np.random.RandomState(1)
CONV_GRID = list(itertools.product([1, 2], ["valid", "same"], [1, 2],
                                   ["channels_last", "channels_first"]))


@pytest.mark.parametrize("rank,padding,strides,data_format", CONV_GRID)
def test_conv_matches_reference(rank, padding, strides, data_format):
    spatial = (7,) * rank
    x = RNG.normal(size=(2,) + spatial + (3,)).astype("float32")
    kernel = RNG.normal(size=(3,) * rank + (3, 4)).astype("float32")
    expected = np_conv(x, kernel, strides, padding)
    inputs = x if data_format == "channels_last" else _to_first(x)
    got = ops.convert_to_numpy(ops.conv(inputs, kernel, strides=strides, padding=padding,
                                        data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_dilation_and_3d(padding):
    x = RNG.normal(size=(1, 8, 8, 2)).astype("float32")
    kernel = RNG.normal(size=(3, 3, 2, 3)).astype("float32")
    got = ops.conv(x, kernel, padding=padding, dilation_rate=2, data_format="channels_last")
    np.testing.assert_allclose(ops.convert_to_numpy(got), np_conv(x, kernel, 1, padding, dilation=2),
                               rtol=1e-4, atol=1e-4)
    x3 = RNG.normal(size=(1, 4, 5, 4, 2)).astype("float32")
    k3 = RNG.normal(size=(2, 2, 2, 2, 3)).astype("float32")
    got3 = ops.conv(x3, k3, strides=2, padding=padding, data_format="channels_last")
    np.testing.assert_allclose(ops.convert_to_numpy(got3), np_conv(x3, k3, 2, padding),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding,strides,data_format", list(itertools.product(
    ["valid", "same"], [1, 2], ["channels_last", "channels_first"])))
def test_depthwise_conv_matches_reference(padding, strides, data_format):
    x = RNG.normal(size=(2, 6, 7, 3)).astype("float32")
    kernel = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
    expected = np_conv(x, kernel, strides, padding, depthwise=True)
    inputs = x if data_format == "channels_last" else _to_first(x)
    got = ops.convert_to_numpy(ops.depthwise_conv(inputs, kernel, strides=strides, padding=padding,
                                                  data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind,rank,padding,strides,data_format", list(itertools.product(
    ["max", "average"], [1, 2], ["valid", "same"], [None, 1, 2],
    ["channels_last", "channels_first"])))
def test_pool_matches_reference(kind, rank, padding, strides, data_format):
    x = RNG.normal(size=(2,) + (7,) * rank + (3,)).astype("float32")
    expected = np_pool(x, 2 if rank == 1 else (2, 3), strides, padding, kind)
    inputs = x if data_format == "channels_last" else _to_first(x)
    fn = ops.max_pool if kind == "max" else ops.average_pool
    got = ops.convert_to_numpy(fn(inputs, 2 if rank == 1 else (2, 3), strides=strides,
                                  padding=padding, data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn,kwargs", [
    ("conv", {}), ("depthwise_conv", {}), ("max_pool", {}), ("average_pool", {}),
])
@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2)])
def test_conv_pool_symbolic_shapes(fn, kwargs, padding, strides):
    from kiln.backend import KerasTensor

    x = RNG.normal(size=(2, 9, 8, 3)).astype("float32")
    if fn in ("conv", "depthwise_conv"):
        kernel = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
        eager = getattr(ops, fn)(x, kernel, strides=strides, padding=padding,
                                 data_format="channels_last")
        sym = getattr(ops, fn)(KerasTensor((None, 9, None, 3)), KerasTensor(kernel.shape),
                               strides=strides, padding=padding, data_format="channels_last")
    else:
        eager = getattr(ops, fn)(x, 3, strides=strides, padding=padding, data_format="channels_last")
        sym = getattr(ops, fn)(KerasTensor((None, 9, None, 3)), 3, strides=strides, padding=padding,
                               data_format="channels_last")
    shape = tuple(ops.shape(eager))
    assert sym.shape == (None, shape[1], None, shape[3])
    assert sym.dtype == ops.dtype(eager)


def test_conv_symbolic_channel_mismatch_raises():
    from kiln.backend import KerasTensor

    with pytest.raises(ValueError, match="conv"):
        ops.conv(KerasTensor((1, 5, 5, 3)), KerasTensor((3, 3, 2, 4)), data_format="channels_last")
    with pytest.raises(ValueError, match="binary_crossentropy"):
        ops.binary_crossentropy(KerasTensor((2, 3)), KerasTensor((2, 4)))


def test_gelu_silu_softmax_dtypes_follow_input():
    x = ops.cast(ops.convert_to_tensor([[-1.0, 0.0, 1.0]]), "float16")
    for fn in (ops.gelu, ops.silu, ops.softmax, ops.log_softmax, ops.relu):
        assert ops.dtype(fn(x)) == "float16"


@pytest.mark.parametrize("axis", [-1, (1, 2), 1])
def test_layer_normalization_matches_numpy(axis):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    axes = (axis,) if isinstance(axis, int) else axis
    shape = [x.shape[a] if a in [b % 3 for b in axes] else 1 for a in range(3)]
    gamma = rng.normal(size=shape).astype("float32")
    beta = rng.normal(size=shape).astype("float32")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    want = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta
    if axis == -1:
        gamma, beta = gamma.reshape(-1), beta.reshape(-1)
    got = kiln.ops.layer_normalization(x, gamma, beta, axis=axis, epsilon=1e-5)
    np.testing.assert_allclose(kiln.ops.convert_to_numpy(got), want, rtol=1e-4, atol=1e-5)
    symbolic = kiln.ops.layer_normalization(kiln.KerasTensor((None, 3, 4)), axis=axis)
    assert symbolic.shape == (None, 3, 4) and symbolic.dtype == "float32"


# -- the rest of kiln.ops.nn -------------------------------------------------------------------
from cases_nn import (  # noqa: E402
    attention_ref,
    conv_transpose_ref,
    ctc_beam_ref,
    ctc_greedy_ref,
    ctc_loss_ref,
    separable_ref,
)

BACKEND = kiln.config.backend()


def _in_format(x, data_format):
    return x if data_format == "channels_last" else _to_first(x)


CONV_T_GRID = [
    # rank, strides, padding, output_padding, dilation, data_format
    (1, 1, "valid", None, 1, "channels_last"),
    (1, 2, "same", None, 1, "channels_first"),
    (1, 3, "valid", 2, 1, "channels_last"),
    (1, 1, "same", None, 2, "channels_last"),
    (2, 2, "valid", None, 1, "channels_first"),
    (2, (2, 1), "same", (1, 0), 1, "channels_last"),
    (2, 1, "valid", None, (2, 1), "channels_first"),
    (2, 2, "same", None, 2, "channels_last"),
    (3, 2, "same", None, 1, "channels_last"),
    (3, (1, 2, 1), "valid", (0, 1, 0), 1, "channels_first"),
]


@pytest.mark.parametrize("rank,strides,padding,output_padding,dilation,data_format", CONV_T_GRID)
def test_conv_transpose_matches_reference(rank, strides, padding, output_padding, dilation,
                                          data_format):
    x = RNG.normal(size=(2,) + (4, 3, 3)[:rank] + (3,)).astype("float32")
    kernel = RNG.normal(size=(3, 2, 3)[:rank] + (2, 3)).astype("float32")
    expected = conv_transpose_ref(x, kernel, strides, padding, output_padding, "channels_last",
                                  dilation)
    got = ops.conv_transpose(_in_format(x, data_format), kernel, strides=strides, padding=padding,
                             output_padding=output_padding, data_format=data_format,
                             dilation_rate=dilation)
    got = ops.convert_to_numpy(got)
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    symbolic = ops.conv_transpose(kiln.KerasTensor((None,) + _in_format(x, data_format).shape[1:]),
                                  kiln.KerasTensor(kernel.shape), strides=strides, padding=padding,
                                  output_padding=output_padding, data_format=data_format,
                                  dilation_rate=dilation)
    assert symbolic.shape[1:] == tuple(ops.shape(ops.convert_to_tensor(
        _in_format(expected, data_format))))[1:]


@pytest.mark.parametrize("rank,data_format", [(1, "channels_last"), (2, "channels_first"),
                                              (3, "channels_last")])
def test_separable_conv_matches_reference(rank, data_format):
    x = RNG.normal(size=(2,) + (6, 5, 4)[:rank] + (2,)).astype("float32")
    depthwise = RNG.normal(size=(3,) * rank + (2, 2)).astype("float32")
    pointwise = RNG.normal(size=(1,) * rank + (4, 3)).astype("float32")
    strides = 2 if rank == 2 else 1
    expected = separable_ref(x, depthwise, pointwise, strides, "same", "channels_last")
    got = ops.convert_to_numpy(ops.separable_conv(_in_format(x, data_format), depthwise, pointwise,
                                                  strides=strides, padding="same",
                                                  data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_depthwise_conv_1d_3d_and_dilation():
    x1 = RNG.normal(size=(2, 9, 3)).astype("float32")
    k1 = RNG.normal(size=(3, 3, 2)).astype("float32")
    got = ops.depthwise_conv(x1, k1, padding="same", dilation_rate=2, data_format="channels_last")
    np.testing.assert_allclose(ops.convert_to_numpy(got),
                               np_conv(x1, k1, 1, "same", dilation=2, depthwise=True),
                               rtol=1e-4, atol=1e-4)
    x3 = RNG.normal(size=(1, 4, 5, 4, 2)).astype("float32")
    k3 = RNG.normal(size=(2, 2, 2, 2, 1)).astype("float32")
    got = ops.depthwise_conv(_to_first(x3), k3, strides=2, padding="same",
                             data_format="channels_first")
    np.testing.assert_allclose(_to_last(ops.convert_to_numpy(got)),
                               np_conv(x3, k3, 2, "same", depthwise=True), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind,data_format", [("max", "channels_last"), ("average", "channels_first")])
def test_pool_3d(kind, data_format):
    x = RNG.normal(size=(2, 5, 4, 6, 2)).astype("float32")
    fn = ops.max_pool if kind == "max" else ops.average_pool
    got = ops.convert_to_numpy(fn(_in_format(x, data_format), (2, 2, 3), strides=(2, 1, 2),
                                  padding="same", data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, np_pool(x, (2, 2, 3), (2, 1, 2), "same", kind), rtol=1e-5,
                               atol=1e-5)


def _attention_inputs(t=3, s=4, heads=4, kv_heads=2, h=5):
    q = RNG.normal(size=(2, t, heads, h)).astype("float32")
    k = RNG.normal(size=(2, s, kv_heads, h)).astype("float32")
    v = RNG.normal(size=(2, s, kv_heads, h)).astype("float32")
    return q, k, v


@pytest.mark.parametrize("options", [
    {"mask": "random"},
    {"mask": "random", "is_causal": True, "bias": True},
    {"attn_logits_soft_cap": 2.0, "is_causal": True},
    {"flash_attention": False, "mask": "random"},
], ids=lambda o: "-".join(sorted(o)) or "plain")
def test_dot_product_attention_matches_reference(options):
    q, k, v = _attention_inputs()
    kwargs = dict(options)
    if kwargs.get("mask") == "random":
        mask = RNG.uniform(size=(2, 1, 3, 4)) > 0.4
        mask[0, 0, 1] = False  # a fully masked query row averages every value
        kwargs["mask"] = mask
    if kwargs.get("bias"):
        kwargs["bias"] = RNG.normal(size=(4, 3, 4)).astype("float32")
    expected = attention_ref(q, k, v, **kwargs)
    got = ops.dot_product_attention(q, k, v, **kwargs)
    np.testing.assert_allclose(ops.convert_to_numpy(got), expected, rtol=1e-4, atol=1e-5)
    assert ops.dtype(got) == "float32"


def test_dot_product_attention_half_precision_and_flash_flag():
    q, k, v = _attention_inputs(heads=2, kv_heads=2)
    got = ops.dot_product_attention(q.astype("float16"), k.astype("float16"), v.astype("float16"),
                                    is_causal=True)
    assert ops.dtype(got) == "float16"
    np.testing.assert_allclose(ops.convert_to_numpy(got).astype("float32"),
                               attention_ref(q, k, v, is_causal=True), rtol=2e-2, atol=2e-2)
    if BACKEND in ("numpy", "tensorflow") or not _has_gpu():
        with pytest.raises(ValueError, match="flash_attention"):
            ops.dot_product_attention(q, k, v, flash_attention=True)


def _has_gpu():
    if BACKEND == "jax":
        import jax

        return jax.devices()[0].platform == "gpu"
    if BACKEND == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def test_dot_product_attention_shape_errors():
    q, k, v = _attention_inputs(heads=3, kv_heads=2)
    with pytest.raises(ValueError, match="dot_product_attention"):
        ops.dot_product_attention(kiln.KerasTensor(q.shape), kiln.KerasTensor(k.shape),
                                  kiln.KerasTensor(v.shape))
    with pytest.raises(ValueError, match="dot_product_attention"):
        ops.dot_product_attention(kiln.KerasTensor((2, 3, 4)), kiln.KerasTensor(k.shape),
                                  kiln.KerasTensor(v.shape))


@pytest.mark.parametrize("mask_index", [0, 2])
def test_ctc_loss_matches_brute_force(mask_index):
    output = RNG.normal(size=(3, 5, 3)).astype("float32")
    labels = [c for c in range(3) if c != mask_index]
    target = np.array([[labels[0], labels[1], labels[1]], [labels[1], 0, 0],
                       [labels[0], labels[0], 0]], "int32")
    target_length = np.array([3, 1, 2], "int32")
    output_length = np.array([5, 4, 5], "int32")
    got = ops.ctc_loss(target, output, target_length, output_length, mask_index=mask_index)
    np.testing.assert_allclose(ops.convert_to_numpy(got),
                               ctc_loss_ref(target, output, target_length, output_length,
                                            mask_index), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("merge_repeated,mask_index", [(True, 0), (False, 0), (True, 2)])
def test_ctc_greedy_decode(merge_repeated, mask_index):
    inputs = np.log(RNG.dirichlet(np.ones(3), size=(3, 6))).astype("float32")
    inputs[0, 1] = inputs[0, 0]  # a repeated label
    lengths = np.array([6, 4, 0], "int32")
    decoded, scores = ops.ctc_decode(inputs, lengths, merge_repeated=merge_repeated,
                                     mask_index=mask_index)
    want_decoded, want_scores = ctc_greedy_ref(inputs, lengths, merge_repeated, mask_index)
    np.testing.assert_array_equal(ops.convert_to_numpy(decoded), want_decoded)
    np.testing.assert_allclose(ops.convert_to_numpy(scores), want_scores, rtol=1e-5, atol=1e-6)
    assert ops.dtype(decoded) == "int32"


@pytest.mark.parametrize("mask_index", [0, 3])
def test_ctc_beam_search_matches_brute_force(mask_index):
    logits = (2 * RNG.normal(size=(2, 5, 4))).astype("float32")
    lengths = np.array([5, 3], "int32")
    decoded, scores = ops.ctc_decode(logits, lengths, strategy="beam_search", beam_width=64,
                                     top_paths=3, mask_index=mask_index)
    want_decoded, want_scores = ctc_beam_ref(logits, lengths, top_paths=3, mask_index=mask_index)
    np.testing.assert_array_equal(ops.convert_to_numpy(decoded), want_decoded)
    np.testing.assert_allclose(ops.convert_to_numpy(scores), want_scores, rtol=1e-4, atol=1e-5)
    symbolic = ops.ctc_decode(kiln.KerasTensor((None, 5, 4)), kiln.KerasTensor((None,), "int32"),
                              strategy="beam_search", top_paths=3)
    assert symbolic[0].shape == (3, None, 5) and symbolic[1].shape == (None, 3)


def test_nn_argument_errors():
    with pytest.raises(ValueError, match="glu"):
        ops.glu(kiln.KerasTensor((2, 5)))
    with pytest.raises(ValueError, match="depth_to_space"):
        ops.depth_to_space(kiln.KerasTensor((1, 2, 2, 6)), 2)
    with pytest.raises(ValueError, match="space_to_depth"):
        ops.space_to_depth(kiln.KerasTensor((1, 3, 4, 2)), 2)
    with pytest.raises(ValueError, match="conv_transpose"):
        ops.conv_transpose(kiln.KerasTensor((1, 4, 3)), kiln.KerasTensor((3, 2, 5)))
    with pytest.raises(ValueError, match="normalize.*order"):
        ops.normalize([1.0, 2.0], order=0)
    with pytest.raises(ValueError, match="fold"):
        ops.fold(kiln.KerasTensor((1, 8, 10)), (4, 4), 2)
    with pytest.raises(ValueError, match="unfold"):
        ops.unfold(kiln.KerasTensor((2, 4, 4)), 2)
    with pytest.raises(ValueError, match="ctc_decode.*strategy"):
        ops.ctc_decode(np.zeros((1, 2, 3), "float32"), [2], strategy="best")
    with pytest.raises(ValueError, match="multi_hot"):
        ops.multi_hot([1, 2])
    with pytest.raises(ValueError, match="psnr"):
        ops.psnr(kiln.KerasTensor((2, 3)), kiln.KerasTensor((3, 2)), 1.0)
    with pytest.raises(ValueError, match="adaptive_average_pool"):
        ops.adaptive_average_pool(kiln.KerasTensor((2, 4)), 2)


def test_layer_normalization_rms_scaling_keyword():
    x = RNG.normal(size=(2, 4)).astype("float32")
    gamma = RNG.normal(size=(4,)).astype("float32")
    got = ops.layer_normalization(x, gamma, rms_scaling=True, epsilon=1e-5)
    want = ops.rms_normalization(x, gamma, epsilon=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(got), ops.convert_to_numpy(want), rtol=1e-6)
    with pytest.raises(TypeError, match="layer_normalization"):
        ops.layer_normalization(x, unknown=True)



@pytest.mark.skipif(BACKEND not in ("jax", "tensorflow"), reason="traces under jax.jit / tf.function")
def test_new_nn_ops_trace_under_compilation():
    x = RNG.normal(size=(2, 6, 6, 4)).astype("float32")
    kernel = RNG.normal(size=(3, 3, 2, 4)).astype("float32")
    q, k, v = _attention_inputs()
    logits = RNG.normal(size=(2, 5, 3)).astype("float32")
    target = np.array([[1, 2], [2, 0]], "int32")

    def run(x, kernel, q, k, v, logits, target):
        return (ops.conv_transpose(x, kernel, strides=2, padding="same", data_format="channels_last"),
                ops.fold(ops.unfold(ops.transpose(x, (0, 3, 1, 2)), 2), (6, 6), 2),
                ops.dot_product_attention(q, k, v, is_causal=True),
                ops.ctc_loss(target, logits, np.array([2, 1], "int32"), np.array([5, 4], "int32")),
                ops.ctc_decode(logits, np.array([5, 4], "int32"))[0])

    eager = run(x, kernel, q, k, v, logits, target)
    traced = compiled(run)(x, kernel, q, k, v, logits, target)
    for e, c in zip(eager, traced):
        np.testing.assert_allclose(ops.convert_to_numpy(c), ops.convert_to_numpy(e), rtol=1e-4,
                                   atol=1e-5)


def test_convolutions_of_ints_give_floats_everywhere():
    x = np.arange(8, dtype="int32").reshape(1, 4, 2)
    kernel = np.ones((2, 2, 3), "int32")
    for fn, args in ((ops.conv, (kernel,)), (ops.depthwise_conv, (kernel,)),
                     (ops.conv_transpose, (np.ones((2, 3, 2), "int32"),)),
                     (ops.separable_conv, (kernel, np.ones((1, 6, 2), "int32")))):
        eager = fn(x, *args, data_format="channels_last")
        symbolic = fn(kiln.KerasTensor(x.shape, "int32"),
                      *(kiln.KerasTensor(a.shape, "int32") for a in args),
                      data_format="channels_last")
        assert ops.dtype(eager) == symbolic.dtype == "float32", fn.__name__


def test_activation_dtypes_of_integer_inputs():
    x = np.array([-2, 0, 9], "int32")
    for name in ("relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "gelu", "elu", "selu",
                 "leaky_relu", "hard_sigmoid", "hard_silu", "log_sigmoid", "softmax", "log_softmax",
                 "celu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus", "sparse_sigmoid",
                 "squareplus", "tanh_shrink", "sparsemax"):
        fn = getattr(ops, name)
        want = "int32" if name in ("relu", "relu6") else "float32"
        assert ops.dtype(fn(x)) == fn(kiln.KerasTensor((3,), "int32")).dtype == want, name
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.relu6(x)), [0, 0, 6])


def test_pool_and_batch_norm_dtypes_of_integer_inputs():
    x = np.arange(8, dtype="int32").reshape(1, 4, 2)
    symbolic = kiln.KerasTensor(x.shape, "int32")
    for fn, want in ((lambda v: ops.max_pool(v, 2), "int32"),
                     (lambda v: ops.average_pool(v, 2), "float32"),
                     (lambda v: ops.batch_normalization(v, [1.0, 1.0], [1.0, 1.0], -1), "float32")):
        assert ops.dtype(fn(x)) == fn(symbolic).dtype == want
