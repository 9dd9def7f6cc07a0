"""Optimizers: update rules vs NumPy over 3 steps, stateless_apply, variable order, config, get."""

import numpy as np
import pytest

import kiln
from kiln import ops, optimizers
from kiln.backend import Variable
from stateless_runner import run_stateless

RNG = np.random.default_rng(2)
SHAPES = [(3, 2), (2,)]
STEPS = 3


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _problem():
    values = [RNG.normal(size=s).astype("float32") for s in SHAPES]
    grads = [[RNG.normal(size=s).astype("float32") for s in SHAPES] for _ in range(STEPS)]
    variables = [Variable(v.copy(), name=n) for v, n in zip(values, ("kernel", "bias"))]
    return values, grads, variables


# -- NumPy references (one step; state is a dict per variable) -----------------------------
def ref_sgd(w, g, state, t, learning_rate=0.01, momentum=0.0, nesterov=False):
    lr = learning_rate
    if momentum == 0:
        return w - lr * g
    m = state.get("m", np.zeros_like(w))
    m = momentum * m - lr * g
    state["m"] = m
    return w + (momentum * m - lr * g if nesterov else m)


def ref_adam(w, g, state, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    lr = learning_rate
    m = state.get("m", np.zeros_like(w))
    v = state.get("v", np.zeros_like(w))
    m = m + (g - m) * (1 - beta_1)
    v = v + (g * g - v) * (1 - beta_2)
    state["m"], state["v"] = m, v
    if amsgrad:
        v = np.maximum(state.get("vhat", np.zeros_like(w)), v)
        state["vhat"] = v
    alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - m * alpha / (np.sqrt(v) + epsilon)


def ref_rmsprop(w, g, state, t, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    lr = learning_rate
    v = rho * state.get("v", np.zeros_like(w)) + (1 - rho) * g * g
    state["v"] = v
    if centered:
        a = rho * state.get("a", np.zeros_like(w)) + (1 - rho) * g
        state["a"] = a
        denom = v - a * a + epsilon
    else:
        denom = v + epsilon
    inc = lr * g / np.sqrt(denom)
    if momentum > 0:
        m = momentum * state.get("m", np.zeros_like(w)) + inc
        state["m"] = m
        return w - m
    return w - inc


def ref_adagrad(w, g, state, t, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    lr = learning_rate
    acc = state.get("acc", np.full_like(w, initial_accumulator_value)) + g * g
    state["acc"] = acc
    return w - lr * g / np.sqrt(acc + epsilon)


CASES = [
    (optimizers.SGD, ref_sgd, {"learning_rate": 0.1}),
    (optimizers.SGD, ref_sgd, {"learning_rate": 0.1, "momentum": 0.9}),
    (optimizers.SGD, ref_sgd, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    (optimizers.Adam, ref_adam, {"learning_rate": 0.05}),
    (optimizers.Adam, ref_adam, {"learning_rate": 0.05, "amsgrad": True}),
    (optimizers.RMSprop, ref_rmsprop, {"learning_rate": 0.01}),
    (optimizers.RMSprop, ref_rmsprop, {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    (optimizers.Adagrad, ref_adagrad, {"learning_rate": 0.1}),
]
IDS = [f"{c[0].__name__}-{c[2]}" for c in CASES]


def _reference(ref, values, grads, kwargs, decay=None):
    states = [{} for _ in values]
    ws = [v.copy() for v in values]
    for t, step_grads in enumerate(grads, start=1):
        for i, g in enumerate(step_grads):
            w = ws[i]
            if decay:
                w = w - w * decay * kwargs["learning_rate"]
            ws[i] = ref(w, g, states[i], t, **kwargs)
    return ws


@pytest.mark.parametrize("cls,ref,kwargs", CASES, ids=IDS)
def test_three_steps_match_numpy(cls, ref, kwargs):
    values, grads, variables = _problem()
    opt = cls(**kwargs)
    for step_grads in grads:
        opt.apply(step_grads, variables)
    for got, want in zip(variables, _reference(ref, values, grads, kwargs)):
        np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-6)
    assert int(_np(opt.iterations)) == STEPS


@pytest.mark.parametrize("cls,ref,kwargs", CASES, ids=IDS)
def test_stateless_apply_equals_apply_and_is_pure(cls, ref, kwargs):
    values, grads, variables = _problem()
    stateful = cls(**kwargs)
    stateful.build(variables)
    stateless = cls(**kwargs)
    stateless.build(variables)
    opt_values = [v.value for v in stateless.variables]
    opt_before = [_np(v).copy() for v in stateless.variables]
    train_values = [v.value for v in variables]
    for step_grads in grads:
        train_values, opt_values = stateless.stateless_apply(opt_values, step_grads, train_values)
    # Nothing stateful moved.
    for v, want in zip(variables, values):
        np.testing.assert_array_equal(_np(v), want)
    for v, want in zip(stateless.variables, opt_before):
        np.testing.assert_array_equal(_np(v), want)
    for step_grads in grads:
        stateful.apply(step_grads, variables)
    for got, v in zip(train_values, variables):
        np.testing.assert_allclose(_np(got), _np(v), rtol=1e-6, atol=1e-7)
    for got, v in zip(opt_values, stateful.variables):
        np.testing.assert_allclose(_np(got), _np(v), rtol=1e-6, atol=1e-7)


def test_stateless_apply_errors():
    _, grads, variables = _problem()
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="build"):
        opt.stateless_apply([v.value for v in opt.variables], grads[0], [v.value for v in variables])
    opt.build(variables)
    with pytest.raises(ValueError, match="expected 6"):
        opt.stateless_apply([], grads[0], [v.value for v in variables])


def test_stateless_apply_under_jax_jit():
    if kiln.backend.backend() != "jax":
        pytest.skip("jax.jit only exists on the jax backend")
    values, grads, variables = _problem()
    opt = optimizers.Adam(0.05, clipnorm=1.0, weight_decay=0.01)
    opt.build(variables)
    tv, ov = run_stateless(opt, variables, grads)  # jax.jit-compiled steps
    for g in grads:
        opt.apply(g, variables)
    for got, v in zip(tv, variables):
        np.testing.assert_allclose(_np(got), _np(v), rtol=1e-5, atol=1e-6)


def test_variable_order_matches_keras_format():
    _, _, variables = _problem()
    adam = optimizers.Adam()
    assert [v.path for v in adam.variables] == ["adam/iteration", "adam/learning_rate"]
    adam.build(variables)
    assert [v.path for v in adam.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/kernel_momentum", "adam/kernel_velocity",
        "adam/bias_momentum", "adam/bias_velocity"]
    assert adam.variables[0].dtype == "int32" and adam.variables[1].dtype == "float32"
    assert [tuple(v.shape) for v in adam.variables[2:]] == [(3, 2), (3, 2), (2,), (2,)]
    assert all(not v.trainable for v in adam.variables)
    ams = optimizers.Adam(amsgrad=True)
    ams.build(variables)
    assert [v.path.split("/")[1] for v in ams.variables[2:]] == [
        "kernel_momentum", "kernel_velocity", "bias_momentum", "bias_velocity",
        "kernel_velocity_hat", "bias_velocity_hat"]
    plain = optimizers.SGD()
    plain.build(variables)
    assert len(plain.variables) == 2
    mom = optimizers.SGD(momentum=0.5)
    mom.build(variables)
    assert [v.path for v in mom.variables][2:] == ["sgd_1/kernel_momentum", "sgd_1/bias_momentum"]
    rms = optimizers.RMSprop(momentum=0.1, centered=True)
    rms.build(variables)
    assert [v.path.split("/")[1] for v in rms.variables[2:]] == [
        "kernel_velocity", "bias_velocity", "kernel_momentum", "bias_momentum",
        "kernel_average_gradient", "bias_average_gradient"]
    ema = optimizers.Adam(use_ema=True, name="e")
    ema.build(variables)
    assert [v.path.split("/")[1] for v in ema.variables[2:4]] == ["kernel_average", "bias_average"]
    scheduled = optimizers.Adam(optimizers.schedules.ExponentialDecay(0.1, 10, 0.5), name="s")
    scheduled.build(variables)
    assert [v.path for v in scheduled.variables][:2] == ["s/iteration", "s/kernel_momentum"]


def test_slot_paths_use_variable_paths():
    with kiln.name_scope("model"):
        with kiln.name_scope("dense"):
            w = Variable(np.zeros((2, 2), "float32"), name="kernel")
    opt = optimizers.Adam()
    with kiln.name_scope("somewhere"):
        opt.build([w])
    assert opt.variables[2].path == "adam/model_dense_kernel_momentum"


def test_clipping():
    g = np.array([3.0, 4.0], "float32")
    for kwargs, expected in (({"clipnorm": 1.0}, g / 5.0), ({"clipvalue": 3.5}, np.array([3.0, 3.5])),
                             ({"global_clipnorm": 2.5}, g / 2.0), ({"clipnorm": 10.0}, g)):
        w = Variable(np.zeros(2, "float32"), name="w")
        optimizers.SGD(1.0, **kwargs).apply([g], [w])
        np.testing.assert_allclose(_np(w), -expected, rtol=1e-6, err_msg=str(kwargs))
    # Global norm couples the tensors.
    a, b = Variable(np.zeros(1, "float32")), Variable(np.zeros(1, "float32"))
    optimizers.SGD(1.0, global_clipnorm=1.0).apply([np.array([3.0], "float32"),
                                                    np.array([4.0], "float32")], [a, b])
    np.testing.assert_allclose([_np(a)[0], _np(b)[0]], [-0.6, -0.8], rtol=1e-6)
    with pytest.raises(ValueError, match="only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_and_exclusion():
    values, grads, variables = _problem()
    opt = optimizers.Adam(0.05, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    for g in grads:
        opt.apply(g, variables)
    kw = {"learning_rate": 0.05}
    decayed = _reference(ref_adam, values, grads, kw, decay=0.1)
    plain = _reference(ref_adam, values, grads, kw)
    np.testing.assert_allclose(_np(variables[0]), decayed[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(variables[1]), plain[1], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="before"):
        opt.exclude_from_weight_decay(var_names=["kernel"])
    adamw = optimizers.AdamW(0.05)
    assert adamw.weight_decay == 0.004 and adamw.name == "adam_w"


def test_ema_and_finalize():
    w = Variable(np.array([1.0], "float32"), name="w")
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    expected_w, expected_avg = 1.0, None
    for _ in range(3):
        opt.apply([np.array([1.0], "float32")], [w])
        expected_w -= 1.0
        expected_avg = expected_w if expected_avg is None else 0.5 * expected_avg + 0.5 * expected_w
    np.testing.assert_allclose(_np(opt.variables[2]), [expected_avg])
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(_np(w), [expected_avg])


def test_gradient_accumulation():
    w = Variable(np.array([0.0], "float32"), name="w")
    opt = optimizers.SGD(1.0, gradient_accumulation_steps=2)
    opt.apply([np.array([1.0], "float32")], [w])
    np.testing.assert_allclose(_np(w), [0.0])
    opt.apply([np.array([3.0], "float32")], [w])
    np.testing.assert_allclose(_np(w), [-2.0])
    np.testing.assert_allclose(_np(opt.variables[2]), [0.0])  # accumulator reset
    assert int(_np(opt.iterations)) == 2


def test_overwrite_with_gradient_and_none_gradients():
    w = Variable(np.array([1.0, 1.0], "float32"), name="w")
    s = Variable(np.array([5.0], "float32"), name="scale")
    s.overwrite_with_gradient = True
    opt = optimizers.SGD(0.5)
    opt.apply([np.array([2.0, 2.0], "float32"), np.array([7.0], "float32")], [w, s])
    np.testing.assert_allclose(_np(w), [0.0, 0.0])
    np.testing.assert_allclose(_np(s), [7.0])
    with pytest.warns(UserWarning, match="scale"):
        opt.apply([np.array([2.0, 2.0], "float32"), None], [w, s])
    with pytest.raises(ValueError, match="no gradients"):
        opt.apply([None, None], [w, s])


def test_apply_gradients_and_unknown_variable():
    w = Variable(np.array([1.0], "float32"), name="w")
    opt = optimizers.SGD(0.5)
    it = opt.apply_gradients([(np.array([1.0], "float32"), w)])
    assert int(_np(it)) == 1
    np.testing.assert_allclose(_np(w), [0.5])
    other = Variable(np.array([1.0], "float32"), name="other")
    with pytest.raises(ValueError, match="other"):
        opt.apply([np.array([1.0], "float32")], [other])
    opt.apply([np.array([1.0], "float32")])  # built: variables may be omitted
    np.testing.assert_allclose(_np(w), [0.0])
    with pytest.raises(ValueError, match="build"):
        optimizers.SGD().apply([np.array([1.0], "float32")])


def test_learning_rate_property_setter_and_schedule():
    opt = optimizers.SGD(0.1)
    assert abs(float(_np(opt.learning_rate)) - 0.1) < 1e-7
    opt.learning_rate = 0.5
    assert float(_np(opt.learning_rate)) == 0.5
    assert opt.get_config()["learning_rate"] == 0.5
    schedule = optimizers.schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    w = Variable(np.array([0.0], "float32"), name="w")
    sched_opt = optimizers.SGD(schedule)
    for _ in range(3):
        sched_opt.apply([np.array([1.0], "float32")], [w])
    np.testing.assert_allclose(_np(w), [-(1.0 + 0.5 + 0.25)], rtol=1e-6)
    assert float(_np(sched_opt.learning_rate)) == 0.125
    with pytest.raises(TypeError):
        sched_opt.learning_rate = 0.1


def test_loss_scale_factor():
    w = Variable(np.array([0.0], "float32"), name="w")
    opt = optimizers.SGD(1.0, loss_scale_factor=4.0)
    assert float(_np(opt.scale_loss(2.0))) == 8.0
    opt.apply([np.array([8.0], "float32")], [w])
    np.testing.assert_allclose(_np(w), [-2.0])


def test_config_matches_keras_layout():
    cfg = optimizers.Adam(learning_rate=0.01).get_config()
    assert list(cfg) == ["name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm",
                         "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                         "loss_scale_factor", "gradient_accumulation_steps", "beta_1", "beta_2",
                         "epsilon", "amsgrad"]
    assert cfg["name"] == "adam" and cfg["learning_rate"] == float(np.float32(0.01))
    assert cfg["epsilon"] == 1e-7 and isinstance(cfg["ema_momentum"], float)
    assert list(optimizers.SGD().get_config())[-2:] == ["momentum", "nesterov"]
    sched = optimizers.schedules.ExponentialDecay(0.002, 4, 0.9)
    env = optimizers.serialize(optimizers.Adam(learning_rate=sched, clipnorm=1.0))
    assert env["module"] == "keras.optimizers" and env["class_name"] == "Adam"
    assert env["config"]["learning_rate"] == {
        "module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.002, "decay_steps": 4, "decay_rate": 0.9,
                   "staircase": False, "name": "ExponentialDecay"}, "registered_name": None}
    again = optimizers.deserialize(env)
    assert isinstance(again._learning_rate, optimizers.schedules.ExponentialDecay)
    assert again.get_config() == env["config"]
    # Keras' torch backend names its Adam module differently; the class name still resolves.
    torch_env = dict(env, module="keras.src.backend.torch.optimizers.torch_adam",
                     registered_name="Adam")
    assert type(optimizers.deserialize(torch_env)) is optimizers.Adam


def test_get():
    for name, cls in (("adam", optimizers.Adam), ("Adam", optimizers.Adam), ("sgd", optimizers.SGD),
                      ("rmsprop", optimizers.RMSprop), ("adamw", optimizers.AdamW),
                      ("adagrad", optimizers.Adagrad)):
        assert type(optimizers.get(name)) is cls
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="adam, adamax, adamw"):
        optimizers.get("adamax_typo")
    with pytest.raises(ValueError):
        optimizers.get(3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(foo=1)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)


def test_fused_apply_hook_is_consulted(monkeypatch):
    from kiln.optimizers import base_optimizer

    calls = []

    def fused(optimizer, grads, variables):
        calls.append(len(grads))
        return True

    backend_optimizer = getattr(kiln.backend.current, "optimizer", None)
    if backend_optimizer is None:
        pytest.skip("this backend has no optimizer module yet")
    monkeypatch.setattr(backend_optimizer, "fused_apply", fused)
    monkeypatch.setattr(base_optimizer, "_FUSED_UNAVAILABLE", [])
    w = Variable(np.array([1.0], "float32"), name="w")
    opt = optimizers.SGD(1.0)
    opt.apply([np.array([1.0], "float32")], [w])
    assert calls == [1] and float(_np(w)[0]) == 1.0  # the hook did (here: skipped) the work
    opt.build([w])
    tv, _ = opt.stateless_apply([v.value for v in opt.variables], [np.array([1.0], "float32")], [w.value])
    assert calls == [1] and float(_np(tv[0])[0]) == 0.0  # never inside a StatelessScope
