"""kiln.random: shapes, dtypes, reproducibility, SeedGenerator state, dropout, shuffle."""

import numpy as np
import pytest

import kiln.random
from kiln import ops
from kiln.backend import StatelessScope


def _np(x):
    return ops.convert_to_numpy(x)


SAMPLERS = {
    "normal": lambda seed, **kw: kiln.random.normal((50, 4), seed=seed, **kw),
    "uniform": lambda seed, **kw: kiln.random.uniform((50, 4), seed=seed, **kw),
    "truncated_normal": lambda seed, **kw: kiln.random.truncated_normal((50, 4), seed=seed, **kw),
    "randint": lambda seed, **kw: kiln.random.randint((50, 4), 0, 10, seed=seed, **kw),
    "categorical": lambda seed, **kw: kiln.random.categorical(np.zeros((50, 3), "float32"), 4,
                                                              seed=seed, **kw),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_shape_dtype_and_int_seed_reproducible(name):
    a, b = SAMPLERS[name](7), SAMPLERS[name](7)
    c = SAMPLERS[name](8)
    assert tuple(ops.shape(a)) == (50, 4)
    assert ops.dtype(a) == ("int32" if name in ("randint", "categorical") else "float32")
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.array_equal(_np(a), _np(c))


@pytest.mark.parametrize("name,dtype", [("normal", "float16"), ("uniform", "bfloat16"),
                                        ("truncated_normal", "float16"), ("randint", "int8")])
def test_explicit_dtype(name, dtype):
    assert ops.dtype(SAMPLERS[name](1, dtype=dtype)) == dtype


def test_distribution_ranges():
    u = _np(kiln.random.uniform((1000,), 2.0, 3.0, seed=0))
    assert u.min() >= 2.0 and u.max() < 3.0
    n = _np(kiln.random.normal((1000,), mean=1.0, stddev=2.0, seed=0))
    assert abs(n.mean() - 1.0) < 0.25 and abs(n.std() - 2.0) < 0.25
    t = _np(kiln.random.truncated_normal((1000,), mean=0.0, stddev=1.0, seed=0))
    assert np.abs(t).max() <= 2.0
    r = _np(kiln.random.randint((300,), 3, 6, seed=0))
    assert set(r.tolist()) == {3, 4, 5}


def test_categorical_follows_logits():
    logits = np.log(np.array([[0.0001, 0.9998, 0.0001]], "float32"))
    samples = _np(kiln.random.categorical(logits, 200, seed=3))
    assert (samples == 1).mean() > 0.95


def test_seed_generator_advances_and_is_reproducible():
    gen = kiln.random.SeedGenerator(42)
    assert _np(gen.state.value).tolist() == [42, 0]
    a = _np(kiln.random.normal((5,), seed=gen))
    b = _np(kiln.random.normal((5,), seed=gen))
    assert not np.array_equal(a, b)
    assert _np(gen.state.value).tolist() == [42, 2]
    gen2 = kiln.random.SeedGenerator(42)
    np.testing.assert_array_equal(_np(kiln.random.normal((5,), seed=gen2)), a)


def test_seed_generator_state_variable():
    gen = kiln.random.SeedGenerator(1, name="my_gen")
    state = gen.state
    assert isinstance(state, kiln.backend.KerasVariable)
    assert state.shape == (2,)
    assert state.dtype == kiln.backend.current.core.random_seed_dtype()
    assert not state.trainable
    assert state.name == "seed_generator_state"
    assert gen.get_config() == {"seed": 1, "name": "my_gen"}
    assert kiln.random.SeedGenerator.from_config(gen.get_config()).get_config() == gen.get_config()


def test_seed_none_draws_fresh_numbers():
    a = _np(kiln.random.uniform((10,)))
    b = _np(kiln.random.uniform((10,)))
    assert not np.array_equal(a, b)
    gen = kiln.random.SeedGenerator()
    assert _np(gen.state.value).shape == (2,)


def test_invalid_seed_raises():
    with pytest.raises(ValueError, match="seed"):
        kiln.random.normal((2,), seed="abc")
    with pytest.raises(ValueError, match="seed"):
        kiln.random.SeedGenerator(1.5)


def test_stateless_scope_records_the_advance():
    gen = kiln.random.SeedGenerator(5)
    with StatelessScope() as scope:
        a = _np(kiln.random.normal((3,), seed=gen))
        new_state = scope.get_current_value(gen.state)
        assert new_state is not None
        assert _np(new_state).tolist() == [5, 1]
    assert _np(gen.state.value).tolist() == [5, 0]  # not applied outside the scope
    with StatelessScope(state_mapping=[(gen.state, new_state)]):
        b = _np(kiln.random.normal((3,), seed=gen))
    assert not np.array_equal(a, b)
    # The same draws as an eager generator that advanced once.
    eager = kiln.random.SeedGenerator(5)
    eager.next()
    np.testing.assert_array_equal(b, _np(kiln.random.normal((3,), seed=eager)))


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_fraction_and_scale(rate):
    x = np.ones((100, 100), "float32")
    y = _np(kiln.random.dropout(x, rate, seed=1))
    kept = y != 0
    assert abs(1 - kept.mean() - rate) < 0.03
    np.testing.assert_allclose(y[kept], 1.0 / (1.0 - rate), rtol=1e-5)
    np.testing.assert_array_equal(y, _np(kiln.random.dropout(x, rate, seed=1)))


def test_dropout_noise_shape():
    x = np.ones((8, 50), "float32")
    y = _np(kiln.random.dropout(x, 0.5, noise_shape=(1, 50), seed=2))
    assert (y == y[0]).all()  # the same mask for every row


@pytest.mark.parametrize("axis", [0, 1])
def test_shuffle_is_a_permutation(axis):
    x = np.arange(40, dtype="float32").reshape(8, 5)
    y = _np(kiln.random.shuffle(x, axis=axis, seed=4))
    assert y.shape == x.shape
    assert sorted(y.ravel().tolist()) == sorted(x.ravel().tolist())
    if axis == 0:
        assert sorted(map(tuple, y.tolist())) == sorted(map(tuple, x.tolist()))
    else:
        assert sorted(map(tuple, y.T.tolist())) == sorted(map(tuple, x.T.tolist()))
    assert not np.array_equal(y, x)
