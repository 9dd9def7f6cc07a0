"""Muon and ScheduleFreeAdamW: 20 steps vs NumPy references of their update rules, routing,
slot order, train/eval swaps, stateless_apply, config round trip and bad arguments."""

import numpy as np
import pytest

import kiln
from kiln import optimizers
from kiln.backend import Variable

import numpy_optimizers
from stateless_runner import run_stateless

STEPS = 20


def _np(x):
    return np.asarray(kiln.ops.convert_to_numpy(x))


def _variables(specs, seed):
    """``specs``: [(scope or None, name, shape)] -> (start values, Variables, 20 steps of grads)."""
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=shape).astype("float32") for _, _, shape in specs]
    grads = [[rng.normal(size=shape).astype("float32") for _, _, shape in specs]
             for _ in range(STEPS)]
    variables = []
    for (scope, name, _), value in zip(specs, values):
        if scope is None:
            variables.append(Variable(value.copy(), name=name))
        else:
            with kiln.name_scope(scope):
                variables.append(Variable(value.copy(), name=name))
    return values, variables, grads


def _run(opt, variables, grads):
    for step_grads in grads:
        opt.apply(step_grads, variables)


# -- Muon -----------------------------------------------------------------------------------
def newton_schulz(x, steps, a=3.4445, b=-4.775, c=2.0315):
    tall = x.shape[0] > x.shape[1]
    x = x.T if tall else x
    x = x / (np.sqrt(np.sum(x * x)) + 1e-7)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def muon_rule(w, g, state, t, lr, momentum=0.95, nesterov=True, ns_steps=5, rms_rate=0.2):
    """Muon's step for a 2D variable: momentum, Newton-Schulz direction, RMS matching."""
    m = momentum * state.get("momentum", np.zeros_like(w)) + g
    state["momentum"] = m
    update = lr * newton_schulz(g + momentum * m if nesterov else m, ns_steps)
    if rms_rate is not None:
        update = update * np.sqrt(max(w.shape)) * rms_rate
    return w - update


def muon_adamw_rule(w, g, state, t, lr, adam_lr_ratio=1.0, **adam_hyper):
    """Muon's AdamW step: Adam at ``lr * adam_lr_ratio`` (the decay uses ``lr`` itself)."""
    return numpy_optimizers.RULES["adam"](w, g, state, t, lr * adam_lr_ratio, **adam_hyper)


numpy_optimizers.register("muon", muon_rule)
numpy_optimizers.register("muon_adamw", muon_adamw_rule)


def muon_reference(values, grads, adamw_flags, lr=0.01, momentum=0.95, nesterov=True, ns_steps=5,
                   rms_rate=0.2, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=0.004,
                   adam_weight_decay=0.004, adam_lr_ratio=1.0):
    """Both groups through the shared runner (each variable's update is independent)."""
    out = [None] * len(values)
    for adamw in (False, True):
        idx = [i for i, flag in enumerate(adamw_flags) if flag == adamw]
        params, seq = [values[i] for i in idx], [[step[i] for i in idx] for step in grads]
        if adamw:
            got = numpy_optimizers.run_reference(
                "muon_adamw", params, seq, learning_rate=lr, weight_decay=adam_weight_decay,
                adam_lr_ratio=adam_lr_ratio, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        else:
            got = numpy_optimizers.run_reference(
                "muon", params, seq, learning_rate=lr, weight_decay=weight_decay,
                momentum=momentum, nesterov=nesterov, ns_steps=ns_steps, rms_rate=rms_rate)
        for i, w in zip(idx, got):
            out[i] = w
    return out


MUON_SPECS = [("dense", "kernel", (3, 4)), ("dense", "bias", (4,)), ("tall", "kernel", (4, 2)),
              ("token_embedding", "embeddings", (5, 3)), ("head", "kernel", (2, 2)),
              ("conv", "kernel", (2, 2, 3))]
MUON_ADAMW = [False, True, False, True, True, True]


@pytest.mark.parametrize("kwargs", [
    {},
    {"nesterov": False, "rms_rate": None, "weight_decay": None, "adam_lr_ratio": 0.5,
     "ns_steps": 3, "momentum": 0.9},
], ids=["defaults", "variant"])
def test_muon_twenty_steps_match_numpy(kwargs):
    values, variables, grads = _variables(MUON_SPECS, seed=3)
    opt = optimizers.Muon(learning_rate=0.01, exclude_layers=["head"], **kwargs)
    _run(opt, variables, grads)
    want = muon_reference(values, grads, MUON_ADAMW, **kwargs)
    for variable, expected in zip(variables, want):
        np.testing.assert_allclose(_np(variable), expected, rtol=1e-5, atol=1e-6,
                                   err_msg=variable.path)
    assert int(_np(opt.iterations)) == STEPS


def test_muon_routing_and_slot_order():
    _, variables, _ = _variables(MUON_SPECS, seed=0)
    opt = optimizers.Muon(exclude_layers=["head"], name="mu")
    opt.build(variables)
    assert [v.path for v in opt.variables] == [
        "mu/iteration", "mu/learning_rate",
        "mu/dense_kernel_momentum", "mu/dense_bias_momentum", "mu/dense_bias_velocity",
        "mu/tall_kernel_momentum", "mu/token_embedding_embeddings_momentum",
        "mu/token_embedding_embeddings_velocity", "mu/head_kernel_momentum",
        "mu/head_kernel_velocity", "mu/conv_kernel_momentum", "mu/conv_kernel_velocity"]
    assert [opt._should_use_adamw(v) for v in variables] == MUON_ADAMW
    keep = optimizers.Muon(exclude_embeddings=False)
    assert not keep._should_use_adamw(variables[3])


def test_muon_newton_schulz_orthogonalizes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6)).astype("float32")
    out = _np(optimizers.Muon().zeropower_via_newtonschulz5(kiln.ops.convert_to_tensor(x), 5))
    np.testing.assert_allclose(out, newton_schulz(x.astype("float64"), 5), rtol=1e-4, atol=1e-5)
    # Singular values end up near 1 (the quintic leaves them in roughly [0.7, 1.2]).
    singular = np.linalg.svd(out, compute_uv=False)
    assert singular.min() > 0.5 and singular.max() < 1.3


def test_muon_config_round_trip_and_errors():
    opt = optimizers.Muon(learning_rate=0.02, exclude_layers=["out"], rms_rate=None, ns_steps=4)
    config = opt.get_config()
    assert list(config)[11:] == ["adam_beta_1", "adam_beta_2", "epsilon", "exclude_layers",
                                 "muon_a", "muon_b", "muon_c", "adam_lr_ratio", "momentum", "ns_steps",
                                 "nesterov", "exclude_embeddings", "adam_weight_decay", "rms_rate"]
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is optimizers.Muon and again.get_config() == config
    with pytest.raises(ValueError, match="Muon.*ns_steps"):
        optimizers.Muon(ns_steps=-1)
    with pytest.raises(TypeError, match="Muon.*exclude_layers"):
        optimizers.Muon(exclude_layers="head")
    with pytest.raises(ValueError, match="Muon.*adam_weight_decay"):
        optimizers.Muon(adam_weight_decay="big")


# -- ScheduleFreeAdamW --------------------------------------------------------------------
def schedule_free_rule(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                       decay=None):
    """One step on ``y`` (what the variable holds); ``z`` starts at the undecayed variable, so
    the decoupled decay runs here rather than in the shared runner."""
    z_old = state.get("z", w)
    if decay is not None:
        w = w - w * decay * lr
    if warmup_steps:
        lr = lr * min(t / warmup_steps, 1.0)
    v_old = state.get("velocity", np.zeros_like(w))
    v = v_old + (g * g - v_old) * (1 - beta_2)
    z = z_old - lr * g / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
    x_old = (w - (1 - beta_1) * z_old) / beta_1
    x = (1 - 1 / t) * x_old + z / t
    state["z"], state["velocity"] = z, v
    return (1 - beta_1) * z + beta_1 * x


numpy_optimizers.register("schedule_free_adamw", schedule_free_rule, learning_rate=0.0025)


def schedule_free_reference(values, grads, lr=0.01, weight_decay=None, **hyper):
    ys, state = numpy_optimizers.run_reference("schedule_free_adamw", values, grads,
                                               learning_rate=lr, return_state=True,
                                               decay=weight_decay, **hyper)
    return ys, [slots["z"] for slots in state["slots"]]


SF_SPECS = [(None, "kernel", (3, 2)), (None, "bias", (2,))]


@pytest.mark.parametrize("kwargs", [{}, {"warmup_steps": 5, "weight_decay": 0.1, "beta_1": 0.8}],
                         ids=["defaults", "warmup-decay"])
def test_schedule_free_twenty_steps_match_numpy(kwargs):
    values, variables, grads = _variables(SF_SPECS, seed=4)
    opt = optimizers.ScheduleFreeAdamW(learning_rate=0.01, **kwargs)
    _run(opt, variables, grads)
    ys, zs = schedule_free_reference(values, grads, **kwargs)
    for variable, y, z, slot in zip(variables, ys, zs, opt._momentums):
        np.testing.assert_allclose(_np(variable), y, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_np(slot), z, rtol=1e-5, atol=1e-6)
    # eval holds x = (y - (1 - beta_1) z) / beta_1; train goes back to y.
    beta_1 = kwargs.get("beta_1", 0.9)
    opt.swap_to_eval()
    for variable, y, z in zip(variables, ys, zs):
        np.testing.assert_allclose(_np(variable), (y - (1 - beta_1) * z) / beta_1, rtol=1e-4,
                                   atol=1e-5)
    opt.train()
    for variable, y in zip(variables, ys):
        np.testing.assert_allclose(_np(variable), y, rtol=1e-5, atol=1e-5)


def test_schedule_free_slots_start_at_the_variables():
    values, variables, _ = _variables(SF_SPECS, seed=5)
    opt = optimizers.ScheduleFreeAdamW(name="sf")
    opt.build(variables)
    assert [v.path for v in opt.variables] == [
        "sf/iteration", "sf/learning_rate", "sf/kernel_momentum", "sf/kernel_velocity",
        "sf/bias_momentum", "sf/bias_velocity"]
    np.testing.assert_array_equal(_np(opt.variables[2]), values[0])
    np.testing.assert_array_equal(_np(opt.variables[3]), np.zeros((3, 2), "float32"))
    config = opt.get_config()
    assert list(config)[11:] == ["beta_1", "beta_2", "epsilon", "warmup_steps"]
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config() == config
    with pytest.raises(ValueError, match="ScheduleFreeAdamW.*warmup_steps"):
        optimizers.ScheduleFreeAdamW(warmup_steps=-2)


@pytest.mark.parametrize("cls,kwargs,specs", [
    (optimizers.Muon, {"learning_rate": 0.01, "exclude_layers": ["head"]}, MUON_SPECS),
    (optimizers.ScheduleFreeAdamW, {"learning_rate": 0.01, "warmup_steps": 2}, SF_SPECS),
], ids=["Muon", "ScheduleFreeAdamW"])
def test_stateless_apply_equals_apply(cls, kwargs, specs):
    _, variables, grads = _variables(specs, seed=6)
    grads = grads[:3]
    stateless = cls(**kwargs)
    stateless.build(variables)
    tv, ov = run_stateless(stateless, variables, grads)
    stateful = cls(**kwargs)
    _run(stateful, variables, grads)
    for got, variable in zip(tv, variables):
        np.testing.assert_allclose(_np(got), _np(variable), rtol=1e-5, atol=1e-6)
    for got, variable in zip(ov, stateful.variables):
        np.testing.assert_allclose(_np(got), _np(variable), rtol=1e-5, atol=1e-6)
