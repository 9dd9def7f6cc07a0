"""Backend-neutral rules of the array families (kiln.backend.common.array_rules) and the
window/FFT helpers in kiln.backend.common.spectral: plain Python and NumPy, no framework."""

import numpy as np
import pytest

from kiln.backend.common import array_rules as rules
from kiln.backend.common import spectral


class _Fake:
    def __init__(self, dtype):
        self.dtype = dtype


def test_dtype_guards_accept_and_reject_with_op_and_dtype_in_message():
    require_int, real = rules.dtype_guards(lambda x: x.dtype)
    for name in ("int8", "uint64", "bool"):
        x = _Fake(name)
        assert require_int("gcd", x) is x
    with pytest.raises(TypeError, match="ldexp: expected integer inputs, received dtype bool"):
        require_int("ldexp", _Fake("bool"), allow_bool=False)
    with pytest.raises(TypeError, match="gcd: expected integer or bool inputs, received dtype float32"):
        require_int("gcd", _Fake("float32"))
    assert real("fmax", _Fake("float16")).dtype == "float16"
    with pytest.raises(TypeError, match="fmax: complex inputs are not supported, received dtype complex64"):
        real("fmax", _Fake("complex64"))


def test_op_factories_name_the_op_and_apply_the_guards():
    calls = []
    real = lambda name, x: calls.append(name) or x  # noqa: E731
    unary = rules.float_unary("cbrt", np.cbrt, lambda x: np.asarray(x, "float32"), real)
    assert unary.__name__ == "cbrt" and "cbrt" in unary.__doc__
    assert unary([8])[0] == 2.0 and calls == ["cbrt"]
    binary = rules.float_binary("hypot", np.hypot, lambda a, b: (np.float32(a), np.float32(b)))
    assert binary.__name__ == "hypot" and binary(3, 4) == 5.0
    require_int, _ = rules.dtype_guards(lambda x: x.dtype.name)
    shift = rules.bitwise("left_shift", np.left_shift, lambda a, b: (np.asarray(a), np.asarray(b)),
                          require_int, bool_to_int=lambda v: v.astype("int32"))
    assert shift(np.array([True]), np.array([2])).tolist() == [4]
    with pytest.raises(TypeError, match="left_shift"):
        shift(np.array([1.0]), np.array([1.0]))


def test_sections_and_equal_split_checks():
    assert rules.sections(np.int64(3)) == 3
    assert rules.sections(np.array([[1], [4]])) == [1, 4]
    assert rules.sections("ignored", to_numpy=lambda v: [2, 5]) == [2, 5]
    assert rules.equal_split_sections("vsplit", (6, 2), 0, 3) == 3
    assert rules.equal_split_sections("hsplit", (None, 4), 0, [1]) == [1]
    with pytest.raises(ValueError, match="dsplit: input must have rank > 2, received shape \\(2, 2\\)"):
        rules.equal_split_sections("dsplit", (2, 2), 2, 2)
    with pytest.raises(ValueError, match="vsplit: axis 0 of size 5 cannot be split into 2 equal sections"):
        rules.equal_split_sections("vsplit", (5,), 0, 2)
    with pytest.raises(ValueError, match="number of sections must be positive"):
        rules.check_positive_sections(0)
    assert rules.hsplit_axis(1) == 0 and rules.hsplit_axis(3) == 1


def test_shape_argument_checks():
    rules.check_min_rank("fliplr", (2, 2), 2)
    with pytest.raises(ValueError, match="fliplr: input must have rank >= 2, received shape \\(3,\\)"):
        rules.check_min_rank("fliplr", (3,), 2)
    with pytest.raises(ValueError, match="diag: input must be 1-D or 2-D"):
        rules.check_diag_input((1, 2, 3))
    with pytest.raises(ValueError, match="vander: x must be 1-D"):
        rules.check_vander_input(())
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'xy' or 'ij'"):
        rules.check_meshgrid_indexing("ji")
    with pytest.raises(ValueError, match="same length, received 1 and 2"):
        rules.check_select([1], [1, 2])
    with pytest.raises(ValueError, match="condlist must not be empty"):
        rules.check_select([], [])
    rules.check_cross((4, 3), (2,), -1, -1, None)
    with pytest.raises(ValueError, match="cross: x2 must have size 2 or 3"):
        rules.check_cross((3,), (4,), -1, -1, None)
    with pytest.raises(ValueError, match="view: a 0-d tensor of dtype int32 cannot be viewed as int8"):
        rules.check_view((), "int32", "int8", 4, 1)


def test_roll_axes_keep_the_container_type():
    assert rules.check_roll_axes(2, (0, 1)) == ((2, 2), (0, 1))
    assert rules.check_roll_axes([1, 2], [0]) == ([1, 2], [0, 0])
    with pytest.raises(ValueError, match="roll: shift"):
        rules.check_roll_axes([1, 2, 3], [0, 1])


def test_statistics_rules():
    assert rules.accumulate_dtype("uint8") == "uint32"
    assert rules.accumulate_dtype("float16") == "float16"
    assert rules.unique_outputs("v", 1, 2, 3, False, False, False) == "v"
    assert rules.unique_outputs("v", 1, 2, 3, True, False, True, cast=str) == ("v", "1", "3")
    ops = rules.quantile_ops(lambda x, q, axis, method, keepdims, nan, scale=1.0: (q, nan, scale))
    quantile, percentile, median, nanquantile, nanpercentile, nanmedian = ops
    assert percentile(None, 50) == (50, False, 100.0)
    assert median(None) == (0.5, False, 1.0) and nanmedian(None) == (0.5, True, 1.0)
    assert nanpercentile.__name__ == "nanpercentile"


def test_spectral_window_and_tuple_checks():
    win = spectral.padded_window("hann", 4, 6, "stft", np.asarray, np.pad)
    assert win.round(6).tolist() == [0.0, 0.0, 0.5, 1.0, 0.5, 0.0]
    assert spectral.padded_window(None, 4, 6, "stft", np.asarray, np.pad) is None
    with pytest.raises(ValueError, match="stft: window must have shape \\(4,\\)"):
        spectral.padded_window([1.0, 1.0], 4, 6, "stft", np.asarray, np.pad)
    with pytest.raises(ValueError, match="fft: x must be a tuple"):
        spectral.check_complex_tuple(np.ones(2), "fft")
    with pytest.raises(ValueError, match="fft2: real and imaginary parts must have the same shape"):
        spectral.check_part_shapes((2,), (3,), "fft2")
    with pytest.raises(ValueError, match="istft: x must have rank >= 2"):
        spectral.check_istft_input((4,))


def test_fft_ops_over_numpy_namespace():
    def real_pair(x, op_name):
        return x[0] + 1j * x[1], np.float32

    fft, fft2, ifft2, rfft, irfft = spectral.fft_ops(
        np.fft, real_pair, lambda x: (np.asarray(x, "float32"), np.float32),
        lambda z, dtype: (z.real.astype(dtype), z.imag.astype(dtype)), lambda x, dtype: x.astype(dtype))
    real, imag = fft((np.array([1.0, 0.0]), np.zeros(2)))
    assert real.tolist() == [1.0, 1.0] and imag.tolist() == [0.0, 0.0]
    assert rfft(np.ones(4))[0].tolist() == [4.0, 0.0, 0.0]
    assert irfft((np.array([4.0, 0.0, 0.0]), np.zeros(3))).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert ifft2(fft2((np.ones((2, 2)), np.zeros((2, 2)))))[0].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_namespace_built_ops_over_numpy():
    fliplr, flipud = rules.flip_ops(np, np.asarray)
    assert fliplr([[1, 2]]).tolist() == [[2, 1]] and flipud([1, 2]).tolist() == [2, 1]
    with pytest.raises(ValueError, match="fliplr: input must have rank >= 2"):
        fliplr([1, 2])
    hstack, vstack, dstack = rules.stack_ops(np, lambda xs: [np.asarray(x, "float32") for x in xs])
    assert hstack([[1], [2]]).dtype == np.float32 and vstack([[1], [2]]).shape == (2, 1)
    assert dstack([[1], [2]]).shape == (1, 1, 2)
