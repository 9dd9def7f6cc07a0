"""Seeded initializers give the same values on every backend: golden numbers computed here with
NumPy's Philox generator (the documented source of seeded draws)."""

import math

import numpy as np
import pytest

from kiln import initializers, layers, ops
from kiln.random import SeedGenerator

_TRUNC = 0.87962566103423978  # stddev of a unit normal truncated to [-2, 2]


def _rng(seed):
    return np.random.Generator(np.random.Philox(seed))


def _truncated(seed, shape):
    rng = _rng(seed)
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return z


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _golden(name, shape, seed):
    fan_in, fan_out = shape[0], shape[1]
    if name == "RandomNormal":
        return 0.5 + 2.0 * _rng(seed).standard_normal(shape)
    if name == "RandomUniform":
        return -1.0 + 4.0 * _rng(seed).random(shape)
    if name == "TruncatedNormal":
        return 1.0 + 0.1 * _truncated(seed, shape)
    if name == "GlorotUniform":
        limit = math.sqrt(3.0 / ((fan_in + fan_out) / 2))
        return -limit + 2 * limit * _rng(seed).random(shape)
    if name == "HeNormal":
        return math.sqrt(2.0 / fan_in) / _TRUNC * _truncated(seed, shape)
    if name == "LecunUniform":
        limit = math.sqrt(3.0 / fan_in)
        return -limit + 2 * limit * _rng(seed).random(shape)
    if name == "VarianceScaling":
        return math.sqrt(3.0 / fan_out) * _rng(seed).standard_normal(shape)
    q, r = np.linalg.qr(_rng(seed).standard_normal((max(shape), min(shape))))
    q = q * np.sign(np.diag(r))
    return 1.5 * (q.T if shape[0] < shape[1] else q)


_INITS = {
    "RandomNormal": lambda s: initializers.RandomNormal(mean=0.5, stddev=2.0, seed=s),
    "RandomUniform": lambda s: initializers.RandomUniform(minval=-1.0, maxval=3.0, seed=s),
    "TruncatedNormal": lambda s: initializers.TruncatedNormal(mean=1.0, stddev=0.1, seed=s),
    "GlorotUniform": lambda s: initializers.GlorotUniform(seed=s),
    "HeNormal": lambda s: initializers.HeNormal(seed=s),
    "LecunUniform": lambda s: initializers.LecunUniform(seed=s),
    "VarianceScaling": lambda s: initializers.VarianceScaling(
        scale=3.0, mode="fan_out", distribution="untruncated_normal", seed=s),
    "Orthogonal": lambda s: initializers.Orthogonal(gain=1.5, seed=s),
}


@pytest.mark.parametrize("name", sorted(_INITS))
def test_seeded_values_are_the_numpy_philox_golden_values(name):
    shape = (6, 4)
    got = _np(_INITS[name](7)(shape))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _golden(name, shape, 7).astype(np.float32), rtol=1e-6, atol=1e-6)


def test_a_few_hard_coded_values():
    # Guards the generator choice itself: these numbers only depend on NumPy's Philox.
    got = _np(initializers.RandomUniform(0.0, 1.0, seed=0)((3,)))
    np.testing.assert_allclose(got, _rng(0).random(3).astype(np.float32))
    assert got.tolist() == np.float32(_rng(0).random(3)).tolist()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_other_dtypes_are_the_golden_values_cast(dtype):
    got = initializers.RandomNormal(seed=3)((5,), dtype=dtype)
    assert ops.dtype(got) == dtype
    want = 0.05 * _rng(3).standard_normal(5)
    np.testing.assert_allclose(_np(ops.cast(got, "float32")), want, rtol=1e-2, atol=1e-4)


def test_seeded_layer_weights_match_the_golden_values():
    layer = layers.Dense(3, kernel_initializer=initializers.GlorotUniform(seed=11))
    layer.build((None, 5))
    limit = math.sqrt(3.0 / 4.0)
    want = (-limit + 2 * limit * _rng(11).random((5, 3))).astype(np.float32)
    np.testing.assert_allclose(layer.kernel.numpy(), want, rtol=1e-6, atol=1e-6)


def test_int_seed_repeats_unseeded_instances_differ_seed_generator_advances():
    init = initializers.RandomNormal(seed=1)
    np.testing.assert_array_equal(_np(init((4,))), _np(init((4,))))
    a, b = initializers.HeUniform(), initializers.HeUniform()
    np.testing.assert_array_equal(_np(a((3, 3))), _np(a((3, 3))))
    assert not np.array_equal(_np(a((3, 3))), _np(b((3, 3))))
    gen = initializers.RandomUniform(seed=SeedGenerator(5))
    assert not np.array_equal(_np(gen((6,))), _np(gen((6,))))


def test_negative_seed_is_accepted():
    values = _np(initializers.RandomNormal(seed=-3)((4,)))
    assert values.shape == (4,) and np.isfinite(values).all()
