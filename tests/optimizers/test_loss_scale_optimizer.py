"""LossScaleOptimizer: unscaling, skipped non-finite steps, scale halving/growth, variables,
stateless/compiled apply equal to eager, config round trip, bad arguments."""

import numpy as np
import pytest

import kiln
from kiln import optimizers
from kiln.backend import Variable


def _np(x):
    return np.asarray(kiln.ops.convert_to_numpy(x))


def _setup(initial_scale=8.0, dynamic_growth_steps=3):
    w = Variable(np.array([1.0, -2.0], "float32"), name="w")
    b = Variable(np.array([0.5], "float32"), name="b")
    inner = optimizers.SGD(0.1, momentum=0.5, name="inner")
    opt = optimizers.LossScaleOptimizer(inner, initial_scale=initial_scale,
                                        dynamic_growth_steps=dynamic_growth_steps, name="lso")
    return opt, inner, [w, b]


def _grads(scale, w=(1.0, 2.0), b=(-1.0,)):
    return [np.array(w, "float32") * scale, np.array(b, "float32") * scale]


def _state(opt, variables):
    return [_np(v).copy() for v in list(variables) + opt.variables]


def test_variables_and_scale_loss():
    opt, inner, variables = _setup()
    assert float(_np(opt.scale_loss(3.0))) == 24.0  # initial_scale before build
    opt.build(variables)
    assert [v.path for v in opt.variables] == [
        "lso/iteration", "lso/learning_rate", "lso/step_counter", "lso/dynamic_scale",
        "inner/iteration", "inner/learning_rate", "inner/w_momentum", "inner/b_momentum"]
    assert opt.variables[2].dtype == "int32" and opt.variables[3].dtype == "float32"
    assert float(_np(opt.scale_loss(kiln.ops.convert_to_tensor(0.5)))) == 4.0
    assert opt.iterations is inner.iterations
    assert abs(float(_np(opt.learning_rate)) - 0.1) < 1e-7
    opt.learning_rate = 0.2
    assert abs(float(_np(inner.learning_rate)) - 0.2) < 1e-7


def test_finite_gradients_are_unscaled():
    opt, _, variables = _setup()
    reference = [Variable(_np(v).copy(), name=v.name) for v in variables]
    plain = optimizers.SGD(0.1, momentum=0.5)
    for _ in range(2):
        opt.apply(_grads(8.0), variables)
        plain.apply(_grads(1.0), reference)
    for got, want in zip(variables, reference):
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6)
    assert int(_np(opt.iterations)) == 2 and int(_np(opt.step_counter)) == 2


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_gradients_skip_the_step_and_halve_the_scale(bad):
    opt, inner, variables = _setup()
    opt.apply(_grads(8.0), variables)
    before = _state(opt, variables)
    opt.apply(_grads(8.0, b=(bad,)), variables)
    after = _state(opt, variables)
    n = len(variables)
    # Variables and the whole inner state (iterations, momentum) are untouched.
    for i in list(range(n)) + list(range(n + 4, len(after))):
        np.testing.assert_array_equal(after[i], before[i])
    assert int(_np(inner.iterations)) == 1
    assert int(_np(opt.step_counter)) == 0 and float(_np(opt.dynamic_scale)) == 4.0
    # The next finite step (scaled by the new scale) updates again.
    opt.apply(_grads(4.0), variables)
    assert int(_np(inner.iterations)) == 2
    assert not np.array_equal(_np(variables[0]), before[0])


def test_scale_doubles_after_growth_steps():
    opt, _, variables = _setup(initial_scale=4.0, dynamic_growth_steps=3)
    opt.build(variables)
    scales, counters = [], []
    for step in range(7):
        opt.apply(_grads(float(_np(opt.dynamic_scale))), variables)
        scales.append(float(_np(opt.dynamic_scale)))
        counters.append(int(_np(opt.step_counter)))
    assert scales == [4.0, 4.0, 8.0, 8.0, 8.0, 16.0, 16.0]
    assert counters == [1, 2, 0, 1, 2, 0, 1]


def _compiled_apply(opt, variables):
    """The traced form of a step on this backend: jax.jit(stateless_apply), a tf.function
    around apply, else stateless_apply itself (each runs the branch-free path)."""
    backend = kiln.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        step = tf.function(lambda grads: opt.apply(grads, variables))

        def run(grads):
            step([tf.constant(g) for g in grads])
        return run
    stateless = opt.stateless_apply
    if backend == "jax":
        import jax

        stateless = jax.jit(stateless)

    def run(grads):
        tv, ov = stateless([v.value for v in opt.variables], grads, [v.value for v in variables])
        for v, value in zip(list(variables) + opt.variables, list(tv) + list(ov)):
            v.assign(value)
    return run


def test_compiled_and_stateless_apply_equal_eager():
    sequence = [_grads(8.0), _grads(8.0, w=(np.nan, 1.0)), _grads(4.0), _grads(4.0),
                _grads(4.0, b=(np.inf,)), _grads(2.0)]
    eager, _, eager_vars = _setup(dynamic_growth_steps=2)
    for grads in sequence:
        eager.apply(grads, eager_vars)
    traced, _, traced_vars = _setup(dynamic_growth_steps=2)
    traced.build(traced_vars)
    run = _compiled_apply(traced, traced_vars)
    for grads in sequence:
        run(grads)
    for got, want in zip(_state(traced, traced_vars), _state(eager, eager_vars)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert float(_np(eager.dynamic_scale)) == 4.0 and int(_np(eager.iterations)) == 4


def test_stateless_apply_leaves_variables_alone():
    opt, _, variables = _setup()
    opt.build(variables)
    before = _state(opt, variables)
    tv, ov = opt.stateless_apply([v.value for v in opt.variables], _grads(8.0, b=(np.nan,)),
                                 [v.value for v in variables])
    for got, want in zip(_state(opt, variables), before):
        np.testing.assert_array_equal(got, want)
    assert float(_np(ov[3])) == 4.0 and len(ov) == len(opt.variables)
    np.testing.assert_array_equal(_np(tv[0]), before[0])


def test_config_round_trip():
    inner = optimizers.Adam(learning_rate=0.01, clipnorm=1.0)
    opt = optimizers.LossScaleOptimizer(inner, initial_scale=128.0, dynamic_growth_steps=10)
    config = opt.get_config()
    assert list(config) == ["name", "inner_optimizer", "initial_scale", "dynamic_growth_steps"]
    assert config["inner_optimizer"]["class_name"] == "Adam"
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is optimizers.LossScaleOptimizer
    assert type(again.inner_optimizer) is optimizers.Adam
    assert again.get_config() == config and again.inner_optimizer.clipnorm == 1.0
    # Older configs carry base arguments at their defaults: accepted.
    optimizers.LossScaleOptimizer.from_config(dict(config, weight_decay=None, use_ema=False))


def test_bad_arguments():
    with pytest.raises(TypeError, match="LossScaleOptimizer.*inner_optimizer"):
        optimizers.LossScaleOptimizer("adam")
    with pytest.raises(ValueError, match="dynamic=False"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False)
    with pytest.raises(ValueError, match="`clipnorm`.*inner_optimizer"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic_growth_steps"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic_growth_steps=0)
    with pytest.raises(ValueError, match="initial_scale"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=-1.0)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), foo=1)
    inner = optimizers.SGD(loss_scale_factor=4.0)
    optimizers.LossScaleOptimizer(inner)
    assert inner.loss_scale_factor is None  # gradients are not unscaled twice
