"""MultiOptimizer / OptimizerMap: routing by path (exact, then full-match regex, then default) or
by a callable, equal to applying each sub-optimizer by hand; variable order, stateless_apply,
config round trip, loss_scale_factor and bad input."""

import numpy as np
import pytest

import kiln
from kiln import optimizers
from kiln.backend import Variable
from kiln.optimizers import MultiOptimizer, OptimizerMap
from stateless_runner import run_stateless

SPECS = [("enc/dense", "kernel", (3, 2)), ("enc/dense", "bias", (2,)), ("dec/dense", "kernel", (2, 2)),
         ("dec/dense", "bias", (2,))]


def _np(x):
    return np.asarray(kiln.ops.convert_to_numpy(x))


def _variables(seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for scope, name, shape in SPECS:
        outer, inner = scope.split("/")
        with kiln.name_scope(outer), kiln.name_scope(inner):
            out.append(Variable(rng.normal(size=shape).astype("float32"), name=name))
    grads = [[rng.normal(size=shape).astype("float32") for _, _, shape in SPECS] for _ in range(3)]
    return out, grads


def _sub_optimizers():
    return (optimizers.Adam(0.05, name="enc_adam"),
            optimizers.SGD(0.1, momentum=0.9, name="dec_sgd"),
            optimizers.RMSprop(0.01, name="rest"))


def _make(loss_scale_factor=None):
    adam, sgd, rms = _sub_optimizers()
    mapping = OptimizerMap(rms, {"enc/.*": adam, "dec/dense/kernel": sgd})
    multi = MultiOptimizer(mapping, loss_scale_factor=loss_scale_factor, name="multi")
    return multi, (adam, sgd, rms)


# Which sub-optimizer (index into _sub_optimizers()) updates each variable of SPECS.
ROUTE = [0, 0, 1, 2]


def _by_hand(values, grads, scale=1.0):
    """Apply fresh copies of the sub-optimizers to their own variables."""
    subs = _sub_optimizers()
    copies = [Variable(v.copy(), name=f"v{i}") for i, v in enumerate(values)]
    for step_grads in grads:
        for k, sub in enumerate(subs):
            idx = [i for i, r in enumerate(ROUTE) if r == k]
            sub.apply([step_grads[i] / scale for i in idx], [copies[i] for i in idx])
    return [_np(c) for c in copies]


def test_routing_matches_sub_optimizers_by_hand():
    variables, grads = _variables()
    values = [_np(v).copy() for v in variables]
    opt, (adam, sgd, rms) = _make()
    for g in grads:
        opt.apply(g, variables)
    for got, want in zip(variables, _by_hand(values, grads)):
        np.testing.assert_allclose(_np(got), want, rtol=1e-6, atol=1e-7)
    assert opt.optimizers == [adam, sgd, rms]
    assert [int(_np(o.iterations)) for o in (opt, adam, sgd, rms)] == [3, 3, 3, 3]
    assert [v.path for v in opt.variables] == [
        "multi/iteration", "multi/learning_rate",
        "enc_adam/iteration", "enc_adam/learning_rate", "enc_adam/enc_dense_kernel_momentum",
        "enc_adam/enc_dense_kernel_velocity", "enc_adam/enc_dense_bias_momentum",
        "enc_adam/enc_dense_bias_velocity",
        "dec_sgd/iteration", "dec_sgd/learning_rate", "dec_sgd/dec_dense_kernel_momentum",
        "rest/iteration", "rest/learning_rate", "rest/dec_dense_bias_velocity"]


def test_callable_map_and_loss_scale_factor():
    variables, grads = _variables(1)
    values = [_np(v).copy() for v in variables]
    adam, sgd, rms = _sub_optimizers()

    def choose(variable):
        if variable.path.startswith("enc/"):
            return adam
        return sgd if variable.path == "dec/dense/kernel" else rms

    opt = MultiOptimizer(choose, loss_scale_factor=4.0)
    assert opt.optimizers == []  # a callable's optimizers are known once built
    assert float(_np(opt.scale_loss(2.0))) == 8.0
    for g in grads:
        opt.apply([x * 4.0 for x in g], variables)
    assert opt.optimizers == [adam, sgd, rms]
    assert all(o.loss_scale_factor == 4.0 for o in opt.optimizers)
    for got, want in zip(variables, _by_hand(values, grads)):
        np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-6)


def test_stateless_apply_equals_apply():
    variables, grads = _variables(2)
    stateful, _ = _make()
    stateless, _ = _make()
    stateless.build(variables)
    tv, ov = run_stateless(stateless, variables, grads)
    assert int(_np(stateless.iterations)) == 0  # nothing stateful moved
    for g in grads:
        stateful.apply(g, variables)
    for got, want in zip(list(tv) + list(ov), variables + stateful.variables):
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6, atol=1e-7)


def test_config_round_trip():
    opt, _ = _make(loss_scale_factor=2.0)
    config = opt.get_config()
    assert list(config) == ["optimizer_map", "loss_scale_factor", "name"]
    assert config["optimizer_map"]["class_name"] == "OptimizerMap"
    assert list(config["optimizer_map"]["config"]) == ["default_optimizer", "optimizer_map"]
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is MultiOptimizer and again.get_config() == config
    assert [type(o).__name__ for o in again.optimizers] == ["Adam", "SGD", "RMSprop"]
    assert again._optimizer_map["enc/dense/bias"].name == "enc_adam"


def test_optimizer_map_lookup_rules():
    default, exact = optimizers.SGD(name="d"), optimizers.SGD(name="e")
    pattern = optimizers.SGD(name="p")
    m = OptimizerMap(default)
    m["enc/dense"] = exact
    m["enc/.*"] = pattern
    assert m["enc/dense"] is exact  # an exact key wins over a matching regex
    assert m["enc/dense/kernel"] is pattern
    assert m["enc"] is default and m["xenc/dense/kernel"] is default  # the whole path must match
    assert len(m) == 2 and list(m) == ["enc/dense", "enc/.*"]
    m[".*/kernel"] = optimizers.SGD()
    with pytest.raises(ValueError, match="enc/dense/kernel.*several"):
        m["enc/dense/kernel"]
    del m[".*/kernel"]
    with pytest.raises(ValueError, match="already mapped"):
        m["enc/.*"] = optimizers.SGD()
    with pytest.raises(ValueError, match="strings"):
        m[3] = optimizers.SGD()
    with pytest.raises(ValueError, match="Optimizer"):
        m["x"] = "adam"
    with pytest.raises(ValueError, match="nested"):
        m["y"] = MultiOptimizer(OptimizerMap(optimizers.SGD()))
    with pytest.raises(TypeError, match="default_optimizer"):
        OptimizerMap("sgd")
    with pytest.raises(TypeError, match="optimizer_map"):
        OptimizerMap(default, [("a", exact)])


def test_multi_optimizer_errors():
    variables, grads = _variables()
    opt, _ = _make()
    with pytest.raises(AttributeError, match="learning rate"):
        opt.learning_rate
    with pytest.raises(AttributeError, match="learning rate"):
        opt.learning_rate = 0.1
    with pytest.raises(TypeError, match="optimizer_map"):
        MultiOptimizer({"enc/.*": optimizers.SGD()})
    with pytest.raises(ValueError, match="build"):
        opt.apply(grads[0])
    opt.apply(grads[0], variables)
    other = Variable(np.zeros(2, "float32"), name="other")
    with pytest.raises(ValueError, match="other"):
        opt.apply([np.zeros(2, "float32")], [other])
    bad = MultiOptimizer(lambda v: "sgd")
    with pytest.raises(ValueError, match="enc/dense/kernel"):
        bad.build(variables)
