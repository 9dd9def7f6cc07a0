"""Initializers: values/statistics, seeds, get/serialize/deserialize, bad identifiers."""

import json

import numpy as np
import pytest

from kiln import initializers, ops
from kiln.initializers import compute_fans
from kiln.saving import serialization_lib


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_constant_initializers():
    np.testing.assert_array_equal(_np(initializers.Zeros()((2, 3))), np.zeros((2, 3)))
    np.testing.assert_array_equal(_np(initializers.Ones()((2,))), np.ones(2))
    np.testing.assert_array_equal(_np(initializers.Constant(2.5)((2,))), [2.5, 2.5])
    np.testing.assert_array_equal(_np(initializers.Identity(3.0)((2, 3))), 3 * np.eye(2, 3))
    assert ops.dtype(initializers.Zeros()((2,), dtype="int32")) == "int32"
    assert ops.dtype(initializers.Ones()((2,))) == "float32"


def test_identity_needs_2d():
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


@pytest.mark.parametrize("cls,kwargs,std", [
    (initializers.RandomNormal, {"stddev": 0.5}, 0.5),
    (initializers.TruncatedNormal, {"stddev": 0.5}, 0.5 * 0.8796),
    (initializers.RandomUniform, {"minval": -1.0, "maxval": 1.0}, 1 / np.sqrt(3)),
])
def test_random_statistics(cls, kwargs, std):
    values = _np(cls(seed=1, **kwargs)((200, 100)))
    assert values.shape == (200, 100)
    assert abs(values.mean()) < 0.02
    assert abs(values.std() - std) < 0.02


def test_truncated_normal_bounds():
    values = _np(initializers.TruncatedNormal(mean=1.0, stddev=0.1, seed=0)((5000,)))
    assert values.min() >= 0.8 - 1e-6 and values.max() <= 1.2 + 1e-6


@pytest.mark.parametrize("cls,scale,mode,uniform", [
    (initializers.GlorotUniform, 1.0, "fan_avg", True),
    (initializers.GlorotNormal, 1.0, "fan_avg", False),
    (initializers.HeUniform, 2.0, "fan_in", True),
    (initializers.HeNormal, 2.0, "fan_in", False),
    (initializers.LecunUniform, 1.0, "fan_in", True),
    (initializers.LecunNormal, 1.0, "fan_in", False),
])
def test_variance_scaling_presets(cls, scale, mode, uniform):
    shape = (200, 300)
    values = _np(cls(seed=2)(shape))
    fan_in, fan_out = 200, 300
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    expected_std = np.sqrt(scale / n)
    assert abs(values.std() - expected_std) / expected_std < 0.05
    if uniform:
        assert np.abs(values).max() <= np.sqrt(3 * scale / n) + 1e-6
    else:
        assert np.abs(values).max() <= 2 * expected_std / 0.8796 + 1e-5


def test_variance_scaling_modes_and_errors():
    vs = initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="untruncated_normal", seed=0)
    values = _np(vs((100, 400)))
    assert abs(values.std() - np.sqrt(2.0 / 400)) < 0.005
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    for kwargs in ({"scale": 0}, {"mode": "fan_x"}, {"distribution": "cauchy"}):
        with pytest.raises(ValueError):
            initializers.VarianceScaling(**kwargs)


def test_compute_fans():
    assert compute_fans(()) == (1, 1)
    assert compute_fans((5,)) == (5, 5)
    assert compute_fans((3, 4)) == (3, 4)
    assert compute_fans((3, 3, 2, 8)) == (18, 72)
    assert compute_fans((4, 2, 3), input_axes=[0], output_axes=[1, 2]) == (4, 6)


def test_orthogonal():
    q = _np(initializers.Orthogonal(seed=0)((6, 4)))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    q = _np(initializers.Orthogonal(gain=2.0, seed=0)((3, 5)))
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-4)
    assert _np(initializers.Orthogonal(seed=1)((2, 3, 4))).shape == (2, 3, 4)
    with pytest.raises(ValueError):
        initializers.Orthogonal()((3,))


def test_seed_behaviour():
    a = initializers.RandomNormal(seed=5)
    np.testing.assert_array_equal(_np(a((4,))), _np(a((4,))))
    np.testing.assert_array_equal(_np(a((4,))), _np(initializers.RandomNormal(seed=5)((4,))))
    unseeded = initializers.RandomNormal()
    np.testing.assert_array_equal(_np(unseeded((4,))), _np(unseeded((4,))))
    assert unseeded.get_config()["seed"] is None
    assert not np.array_equal(_np(initializers.RandomNormal()((8,))), _np(initializers.RandomNormal()((8,))))
    from kiln.random import SeedGenerator

    gen = initializers.RandomNormal(seed=SeedGenerator(1))
    assert not np.array_equal(_np(gen((4,))), _np(gen((4,))))
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")


@pytest.mark.parametrize("name,cls", [
    ("glorot_uniform", initializers.GlorotUniform), ("zeros", initializers.Zeros),
    ("ones", initializers.Ones), ("he_normal", initializers.HeNormal),
    ("uniform", initializers.RandomUniform), ("normal", initializers.RandomNormal),
    ("orthogonal", initializers.Orthogonal), ("GlorotNormal", initializers.GlorotNormal),
    ("truncated_normal", initializers.TruncatedNormal), ("identity", initializers.Identity),
])
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_other_identifiers():
    init = initializers.Ones()
    assert initializers.get(init) is init
    assert initializers.get(None) is None
    assert type(initializers.get(initializers.Zeros)) is initializers.Zeros
    fn = lambda shape, dtype=None: ops.zeros(shape)  # noqa: E731
    assert initializers.get(fn) is fn
    with pytest.raises(ValueError, match="glorot_uniform"):
        initializers.get("glorot_uniformm")


@pytest.mark.parametrize("init", [
    initializers.Zeros(), initializers.Constant(1.5), initializers.RandomUniform(seed=3),
    initializers.RandomNormal(mean=1.0), initializers.VarianceScaling(scale=0.5, mode="fan_avg"),
    initializers.GlorotUniform(), initializers.HeNormal(seed=2), initializers.Orthogonal(gain=0.5),
    initializers.Identity(2.0), initializers.TruncatedNormal(stddev=0.1),
])
def test_serialize_round_trip(init):
    envelope = initializers.serialize(init)
    assert envelope["module"] == "keras.initializers"
    assert envelope["class_name"] == type(init).__name__
    rebuilt = initializers.deserialize(json.loads(json.dumps(envelope)))
    assert type(rebuilt) is type(init)
    assert rebuilt.get_config() == init.get_config()
    assert initializers.get(envelope).get_config() == init.get_config()


def test_keras_config_format():
    assert initializers.GlorotUniform().get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    assert initializers.RandomUniform().get_config() == {"seed": None, "minval": -0.05, "maxval": 0.05}
    assert initializers.Orthogonal().get_config() == {"seed": None, "gain": 1.0}
    env = {"module": "keras.initializers", "class_name": "GlorotUniform",
           "config": {"seed": None, "input_axes": None, "output_axes": None}, "registered_name": None}
    assert serialization_lib.serialize_kiln_object(serialization_lib.deserialize_kiln_object(env)) == env
