"""Behaviour only the NumPy backend has: ndarray storage, 32-bit defaults on NumPy, conv/pool
written in NumPy (checked against direct loops), seeded default_rng, zero-array tracing."""

import pytest

import kiln

if kiln.backend.backend() != "numpy":
    pytest.skip("NumPy-backend-specific tests", allow_module_level=True)

import itertools  # noqa: E402

import numpy as np  # noqa: E402

import kiln.backend.numpy as B  # noqa: E402
from kiln.backend.common.keras_tensor import KerasTensor  # noqa: E402
from kiln.backend.common.scopes import StatelessScope  # noqa: E402
from kiln.backend.numpy import array_ops, core, image, math, nn, random, rnn  # noqa: E402


# ---------------------------------------------------------------------------
# storage and conversion
# ---------------------------------------------------------------------------
def test_variable_holds_its_own_ndarray():
    source = np.array([1.0, 2.0], "float32")
    v = core.Variable(source, name="w")
    assert type(v._value) is np.ndarray
    source[0] = 10.0  # the variable copied its initial value
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert v.numpy() is v._value  # numpy() does not copy
    held = v.value
    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(held, [1.0, 2.0])  # earlier reads are not mutated
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    assert v.numpy().dtype == np.float32
    assert B.Variable is core.Variable


def test_variable_in_stateless_scope_is_untouched():
    v = core.Variable(np.zeros(2, "float32"), name="w")
    with StatelessScope() as scope:
        v.assign(np.ones(2, "float32"))
        np.testing.assert_array_equal(scope.get_current_value(v), [1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.0])


def test_convert_fast_path_and_default_dtypes():
    x = np.ones((2, 3), "float32")
    assert core.convert_to_tensor(x) is x
    assert core.convert_to_tensor(x, "float32") is x
    assert core.cast(x, "float32") is x
    assert core.convert_to_tensor(1).dtype == np.int32
    assert core.convert_to_tensor(1.5).dtype == np.float32
    assert core.convert_to_tensor(True).dtype == np.bool_
    assert core.convert_to_tensor([1, 2]).dtype == np.int32
    assert core.convert_to_tensor([1, 2.5]).dtype == np.float32
    # NumPy arrays keep their 64-bit dtypes on this backend (no x64 switch as in JAX).
    assert core.convert_to_tensor(np.zeros(2, "float64")).dtype == np.float64
    assert core.convert_to_tensor(np.zeros(2, "int64")).dtype == np.int64
    assert core.convert_to_tensor(np.ones(2), "bfloat16").dtype.name == "bfloat16"
    with pytest.raises(ValueError, match="KerasTensor"):
        core.convert_to_tensor(KerasTensor((2,)))


def test_outputs_are_ndarrays_not_numpy_scalars():
    x = np.arange(4.0, dtype="float32")
    for out in (array_ops.sum(x), array_ops.max(x), array_ops.mean(x),
                array_ops.add(np.float32(1), np.float32(2)), core.get_item(x, 1),
                math.logsumexp(x), array_ops.argmax(x)):
        assert type(out) is np.ndarray, type(out)
    assert core.is_tensor(np.float32(1.0)) and not core.is_tensor([1.0])


def test_weak_scalars_and_int_sums():
    i8 = np.array([1, 2], "int8")
    assert array_ops.add(i8, 3).dtype == np.int8
    assert array_ops.add(3, i8).dtype == np.int8
    assert array_ops.multiply(i8, 1.5).dtype == np.float32
    assert array_ops.add(np.ones(2, "float16"), 2.5).dtype == np.float16
    # NumPy would widen int32 sums to the platform int64.
    assert array_ops.sum(np.ones(3, "int32")).dtype == np.int32
    # Small unsigned ints sum in uint32 (JAX's rule, which Keras follows).
    assert array_ops.sum(np.ones(3, "uint8")).dtype == np.uint32
    assert array_ops.matmul(np.ones((2, 2), "int8"), np.ones((2, 2), "int8")).dtype == np.int32
    assert array_ops.matmul(np.ones((2, 2), "bfloat16"),
                            np.ones((2, 2), "bfloat16")).dtype.name == "bfloat16"


def test_cond_is_a_python_branch_and_seed_dtype():
    assert core.cond(np.array(True), lambda: "a", lambda: "b") == "a"
    assert core.cond(np.array([0]), lambda: "a", lambda: "b") == "b"
    assert core.random_seed_dtype() == "uint32"


def test_compute_output_spec_traces_zeros_and_finds_unknown_dims():
    def fn(x, w):
        return {"y": array_ops.matmul(x, w), "n": array_ops.sum(x, axis=1)}

    out = core.compute_output_spec(fn, KerasTensor((None, 3)), KerasTensor((3, 7), "float16"))
    assert out["y"].shape == (None, 7) and out["y"].dtype == "float32"
    assert out["n"].shape == (None,)
    # Ops that reject all-zero inputs are retried on a well-conditioned fill.
    inv = core.compute_output_spec(lambda m: np.linalg.inv(m), KerasTensor((2, 4, 4)))
    assert inv.shape == (2, 4, 4)


def test_unsupported_list():
    assert B.UNSUPPORTED == frozenset({"export.export_model", "trainer.make_train_function", "trainer.train_step", "linalg.jvp",
                                       "rnn.lstm", "rnn.gru"})
    assert "autodiff" in B.UNSUPPORTED_REASONS["linalg.jvp"]
    with pytest.raises(NotImplementedError, match="numpy"):
        B.export.export_model(None, "/tmp/x")


# ---------------------------------------------------------------------------
# convolution and pooling, against direct loops
# ---------------------------------------------------------------------------
def _same_pads(length, size, stride):
    out = -(-length // stride)
    total = max((out - 1) * stride + size - length, 0)
    return total // 2, total - total // 2


def _loop_conv2d(x, k, stride, padding, dilation, depthwise=False):
    """Reference NHWC convolution by explicit loops over output pixels."""
    kh, kw = k.shape[:2]
    eh, ew = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    if padding == "same":
        ph, pw = _same_pads(x.shape[1], eh, stride), _same_pads(x.shape[2], ew, stride)
        x = np.pad(x, [(0, 0), ph, pw, (0, 0)])
    oh = (x.shape[1] - eh) // stride + 1
    ow = (x.shape[2] - ew) // stride + 1
    cin = x.shape[3]
    cout = cin * k.shape[3] if depthwise else k.shape[3]
    out = np.zeros((x.shape[0], oh, ow, cout))
    for i, j in itertools.product(range(oh), range(ow)):
        patch = x[:, i * stride:i * stride + eh:dilation, j * stride:j * stride + ew:dilation, :]
        if depthwise:
            out[:, i, j] = np.einsum("nhwc,hwcm->ncm", patch, k).reshape(x.shape[0], -1)
        else:
            out[:, i, j] = np.einsum("nhwc,hwco->no", patch, k)
    return out


@pytest.mark.parametrize("stride,padding,dilation", [
    (1, "valid", 1), (1, "same", 1), (2, "same", 1), (2, "valid", 1), (1, "same", 2), (3, "same", 1),
])
def test_conv_and_depthwise_match_loops(stride, padding, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 7, 8, 3)).astype("float32")
    k = rng.standard_normal((3, 2, 3, 4)).astype("float32")
    got = nn.conv(x, k, stride, padding, "channels_last", dilation)
    np.testing.assert_allclose(got, _loop_conv2d(x, k, stride, padding, dilation), atol=1e-4)
    first = nn.conv(np.moveaxis(x, -1, 1), k, stride, padding, "channels_first", dilation)
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), got, atol=1e-5)
    km = rng.standard_normal((3, 2, 3, 2)).astype("float32")
    got = nn.depthwise_conv(x, km, stride, padding, "channels_last", dilation)
    np.testing.assert_allclose(got, _loop_conv2d(x, km, stride, padding, dilation, True), atol=1e-4)


def test_grouped_conv_1d_and_3d_shapes_and_half_precision():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 5, 5, 4)).astype("float32")
    k = rng.standard_normal((3, 3, 2, 6)).astype("float32")  # 2 groups of 2 -> 3 channels
    got = nn.conv(x, k, padding="same", data_format="channels_last")
    ref = np.concatenate([_loop_conv2d(x[..., :2], k[..., :3], 1, "same", 1),
                          _loop_conv2d(x[..., 2:], k[..., 3:], 1, "same", 1)], axis=-1)
    np.testing.assert_allclose(got, ref, atol=1e-4)
    assert nn.conv(np.ones((1, 9, 2)), np.ones((3, 2, 5)), 2, "same").shape == (1, 5, 5)
    assert nn.conv(np.ones((1, 4, 4, 4, 1)), np.ones((2, 2, 2, 1, 3))).shape == (1, 3, 3, 3, 3)
    half = nn.conv(x.astype("float16"), k.astype("float16"), padding="same")
    assert half.dtype == np.float16
    np.testing.assert_allclose(half, ref, atol=0.1, rtol=0.02)
    with pytest.raises(ValueError, match="conv"):
        nn.conv(x, np.ones((3, 3, 3, 6)))


def test_pools_match_loops_and_same_average_counts_real_elements():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 6, 3)).astype("float32")
    for pool, stride, padding in [(2, None, "valid"), (3, 2, "same"), (2, 1, "same"), (3, 3, "same")]:
        s = pool if stride is None else stride
        ph = _same_pads(5, pool, s) if padding == "same" else (0, 0)
        pw = _same_pads(6, pool, s) if padding == "same" else (0, 0)
        padded = np.pad(x, [(0, 0), ph, pw, (0, 0)], constant_values=np.nan)
        oh, ow = (padded.shape[1] - pool) // s + 1, (padded.shape[2] - pool) // s + 1
        ref_max = np.zeros((2, oh, ow, 3))
        ref_avg = np.zeros((2, oh, ow, 3))
        for i, j in itertools.product(range(oh), range(ow)):
            win = padded[:, i * s:i * s + pool, j * s:j * s + pool]
            ref_max[:, i, j] = np.nanmax(win, axis=(1, 2))
            ref_avg[:, i, j] = np.nanmean(win, axis=(1, 2))
        np.testing.assert_allclose(nn.max_pool(x, pool, stride, padding), ref_max, atol=1e-6)
        np.testing.assert_allclose(nn.average_pool(x, pool, stride, padding), ref_avg, atol=1e-6)
        cf = nn.average_pool(np.moveaxis(x, -1, 1), pool, stride, padding, "channels_first")
        np.testing.assert_allclose(np.moveaxis(cf, 1, -1), ref_avg, atol=1e-6)
    assert nn.max_pool(np.arange(8, dtype="int32").reshape(1, 8, 1), 3, 2, "same").dtype == np.int32


# ---------------------------------------------------------------------------
# randomness, recurrence, images
# ---------------------------------------------------------------------------
def test_random_is_a_function_of_the_seed_tensor():
    seed = np.array([11, 5], "uint32")
    other = np.array([11, 6], "uint32")
    for fn in (lambda s: random.normal((4,), seed=s), lambda s: random.uniform((4,), seed=s),
               lambda s: random.truncated_normal((4,), seed=s),
               lambda s: random.randint((4,), 0, 100, seed=s),
               lambda s: random.shuffle(np.arange(10), seed=s),
               lambda s: random.categorical(np.zeros((2, 10)), 5, seed=s)):
        np.testing.assert_array_equal(fn(seed), fn(seed))
        assert not np.array_equal(fn(seed), fn(other))
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed=None)
    assert random.normal((2,), dtype="bfloat16", seed=seed).dtype.name == "bfloat16"


def test_dropout_rate_and_scaling():
    out = random.dropout(np.ones((20000,), "float32"), 0.25, seed=np.array([1, 2], "uint32"))
    assert out.dtype == np.float32
    assert set(np.unique(out).tolist()) <= {0.0, np.float32(1 / 0.75).item()}
    assert abs((out == 0).mean() - 0.25) < 0.02


def test_rnn_python_loop_masks_states_and_outputs():
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((3, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [1, 1, 1, 1]], bool)

    def step(x, states):
        h = states[0] + x
        return h * 2.0, [h]

    last, outputs, states = rnn.rnn(step, xs, [np.zeros((3, 2), "float32")], mask=mask,
                                    zero_output_for_mask=True)
    expected_h = np.sum(xs * mask[..., None], axis=1)
    np.testing.assert_allclose(states[0], expected_h, atol=1e-6)
    assert outputs.shape == (3, 4, 2)
    np.testing.assert_array_equal(outputs[1, 1:], 0.0)
    np.testing.assert_allclose(last, outputs[:, -1])
    _, outputs, _ = rnn.rnn(step, xs, [np.zeros((3, 2), "float32")], go_backwards=True,
                            return_all_outputs=False)
    assert outputs.shape == (3, 1, 2)


def test_resize_values_and_bad_options():
    x = np.arange(4.0, dtype="float32").reshape(1, 2, 2, 1)
    up = image.resize(x, (4, 4))
    np.testing.assert_allclose(up[0, 0, :, 0], [0.0, 0.25, 0.75, 1.0])
    near = image.resize(x, (4, 4), interpolation="nearest")
    np.testing.assert_array_equal(near[0, :, 0, 0], [0.0, 0.0, 2.0, 2.0])
    ints = image.resize(np.arange(4, dtype="uint8").reshape(2, 2, 1) * 50, (3, 3))
    assert ints.dtype == np.uint8
    assert image.resize(np.ones((1, 4, 8, 3)), (4, 4), crop_to_aspect_ratio=True).shape == (1, 4, 4, 3)
    with pytest.raises(ValueError, match="interpolation"):
        image.resize(x, (3, 3), interpolation="cubic-ish")
    assert image.resize(np.ones((1, 8, 8, 1)), (2, 2), antialias=True).shape == (1, 2, 2, 1)


def test_linalg_half_precision_and_clear_errors():
    from kiln.backend.numpy import linalg

    a = np.array([[4.0, 1.0], [1.0, 3.0]], "float16")
    assert linalg.inv(a).dtype == np.float16
    np.testing.assert_allclose(linalg.cholesky(a, upper=True).T @ linalg.cholesky(a, upper=True),
                               a, atol=1e-2)
    with pytest.raises(ValueError, match="square"):
        linalg.det(np.ones((2, 3)))
