"""20 steps of every optimizer (and of every shared option) against the NumPy rules of
``numpy_optimizers``, through ``apply`` and through ``stateless_apply`` (jitted on jax).

Start: a float32 (4, 3) kernel and a (3,) bias; 20 steps of gradients drawn up front with a
fixed seed. Tolerance: rtol 1e-5, plus atol 1e-6 for entries that end near zero (a relative
tolerance says nothing there; Ftrl's L1 puts entries at exactly zero, and float32 rounding of
numbers of size ~1 is ~1e-7 per step).

Also here: the new optimizers' variable layout (Keras 3's names and order), config round
trips, ``get`` by name, bad arguments and ``kiln.optimizers.legacy``.
"""

import numpy as np
import pytest

import kiln
from kiln import ops, optimizers
from kiln.backend import Variable
from kiln.optimizers import schedules
from numpy_optimizers import cosine_decay_restarts, run_reference
from stateless_runner import run_stateless

STEPS = 20
SHAPES = [(4, 3), (3,)]
NAMES = ("kernel", "bias")
RTOL, ATOL = 1e-5, 1e-6


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _problem():
    rng = np.random.default_rng(20)
    start = [rng.normal(size=s).astype("float32") for s in SHAPES]
    grads = [[rng.normal(size=s).astype("float32") for s in SHAPES] for _ in range(STEPS)]
    return start, grads


def _variables(start):
    return [Variable(v.copy(), name=n) for v, n in zip(start, NAMES)]


# (optimizer class name, constructor kwargs). The NumPy rule is the lower-cased class name and
# gets the same kwargs (schedules and exclusions translated by _reference_kwargs). Plain SGD
# momentum, RMSprop, Adamax and Lion run in the option cases below (jax compiles every case).
CASES = [
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True}),
    ("Adam", {"learning_rate": 0.05}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-3}),
    ("Adafactor", {"learning_rate": 0.1}),
    ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.5, "clip_threshold": 0.5,
                   "epsilon_2": 0.01}),
    ("Ftrl", {"learning_rate": 0.1}),
    ("Ftrl", {"learning_rate": 0.2, "learning_rate_power": -0.7, "initial_accumulator_value": 0.2,
              "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.01,
              "l2_shrinkage_regularization_strength": 0.02, "beta": 0.5}),
    ("Nadam", {"learning_rate": 0.05}),
    ("Lamb", {"learning_rate": 0.05}),
    # The shared options, each on at least one optimizer.
    ("Adam", {"learning_rate": 0.05, "clipnorm": 0.5}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "clipvalue": 0.3}),
    ("RMSprop", {"learning_rate": 0.01, "global_clipnorm": 1.0}),
    ("Lamb", {"learning_rate": 0.05, "weight_decay": 0.05, "exclude": ["bias"]}),
    ("Adam", {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.9,
              "ema_overwrite_frequency": 5}),
    ("Lion", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.8}),
    ("Nadam", {"learning_rate": 0.05, "gradient_accumulation_steps": 3}),
    ("Adamax", {"learning_rate": 0.05, "loss_scale_factor": 128.0}),
    ("Adam", {"learning_rate": schedules.ExponentialDecay(0.05, 5, 0.5)}),
    ("Adafactor", {"learning_rate": schedules.CosineDecayRestarts(0.1, 4, t_mul=2.0, m_mul=0.5)}),
]


def _case_id(case):
    name, kwargs = case
    parts = []
    for key, value in kwargs.items():
        if isinstance(value, schedules.LearningRateSchedule):
            value = type(value).__name__
        parts.append(f"{key}={value}")
    return f"{name}[{','.join(parts)}]"


def _reference_kwargs(kwargs):
    out = dict(kwargs)
    lr = out.get("learning_rate")
    if isinstance(lr, schedules.ExponentialDecay):
        out["learning_rate"] = lambda step, s=lr: (
            s.initial_learning_rate * s.decay_rate ** (step / s.decay_steps))
    elif isinstance(lr, schedules.CosineDecayRestarts):
        config = lr.get_config()
        config.pop("name")
        out["learning_rate"] = lambda step, c=config: cosine_decay_restarts(step, **c)
    if "exclude" in out:
        out["exclude_from_weight_decay"] = [NAMES.index(n) for n in out.pop("exclude")]
    return out


def _make(name, kwargs, variables):
    kwargs = dict(kwargs)
    exclude = kwargs.pop("exclude", None)
    opt = getattr(optimizers, name)(**kwargs)
    if exclude:
        opt.exclude_from_weight_decay(var_names=exclude)
    opt.build(variables)
    return opt


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_twenty_steps_match_numpy_reference(case):
    name, kwargs = case
    start, grads = _problem()
    want, state = run_reference(name.lower(), start, grads, return_state=True,
                                **_reference_kwargs(kwargs))

    # Eager: optimizer.apply on the variables.
    variables = _variables(start)
    opt = _make(name, kwargs, variables)
    for step_grads in grads:
        opt.apply(step_grads, variables)
    assert int(_np(opt.iterations)) == STEPS
    for v, w in zip(variables, want):
        np.testing.assert_allclose(_np(v), w, rtol=RTOL, atol=ATOL, err_msg=f"apply: {v.path}")
    if kwargs.get("use_ema"):
        opt.finalize_variable_values(variables)
        for v, w in zip(variables, state["averages"]):
            np.testing.assert_allclose(_np(v), w, rtol=RTOL, atol=ATOL, err_msg=f"EMA: {v.path}")

    # Pure: stateless_apply threaded through 20 steps (one jitted function on jax).
    variables = _variables(start)
    opt = _make(name, kwargs, variables)
    trainable, opt_values = run_stateless(opt, variables, grads)
    for got, w, v in zip(trainable, want, variables):
        np.testing.assert_allclose(_np(got), w, rtol=RTOL, atol=ATOL,
                                   err_msg=f"stateless_apply: {v.path}")
    np.testing.assert_array_equal(_np(variables[0]), start[0])  # the variables did not move
    assert int(_np(opt_values[0])) == STEPS


# -- variable layout, config, lookup ----------------------------------------------------------
NEW = ["Adadelta", "Adafactor", "Adamax", "Ftrl", "Nadam", "Lion", "Lamb"]
# The variables each builds for [kernel (4, 3), bias (3,)] after iteration and learning_rate:
# Keras 3's names and order (saved optimizer state is positional).
LAYOUTS = {
    "Adadelta": ["kernel_accumulated_grad", "kernel_accumulated_delta_var",
                 "bias_accumulated_grad", "bias_accumulated_delta_var"],
    "Adamax": ["kernel_momentum", "kernel_norm", "bias_momentum", "bias_norm"],
    "Ftrl": ["kernel_accumulator", "kernel_linear", "bias_accumulator", "bias_linear"],
    "Nadam": ["kernel_momentum", "kernel_velocity", "bias_momentum", "bias_velocity", "u_product"],
    "Lion": ["kernel_momentum", "bias_momentum"],
    "Lamb": ["kernel_momentum", "kernel_velocity", "bias_momentum", "bias_velocity"],
    "Adafactor": ["kernel_r", "kernel_c", "kernel_velocity", "bias_r", "bias_c", "bias_velocity"],
}
CONFIG_KEYS = {
    "Adadelta": ["rho", "epsilon"],
    "Adafactor": ["beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step"],
    "Adamax": ["beta_1", "beta_2", "epsilon"],
    "Ftrl": ["learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
             "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta"],
    "Nadam": ["beta_1", "beta_2", "epsilon"],
    "Lion": ["beta_1", "beta_2"],
    "Lamb": ["beta_1", "beta_2", "epsilon"],
}


@pytest.mark.parametrize("name", NEW)
def test_variable_layout_matches_keras(name):
    start, _ = _problem()
    opt = getattr(optimizers, name)(name="opt")
    opt.build(_variables(start))
    paths = [v.path for v in opt.variables]
    assert paths == ["opt/iteration", "opt/learning_rate"] + [f"opt/{n}" for n in LAYOUTS[name]]
    if name == "Adafactor":
        assert [tuple(v.shape) for v in opt.variables[2:]] == [(4,), (3,), (4, 3), (), (), (3,)]
    if name == "Nadam":
        assert float(_np(opt.variables[-1])) == 1.0


@pytest.mark.parametrize("name", NEW)
def test_config_round_trip(name):
    cls = getattr(optimizers, name)
    opt = cls(learning_rate=0.02, clipnorm=1.0, name="custom")
    config = opt.get_config()
    base = ["name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
            "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
            "gradient_accumulation_steps"]
    assert list(config) == base + CONFIG_KEYS[name]
    again = cls.from_config(config)
    assert type(again) is cls and again.get_config() == config
    envelope = optimizers.serialize(opt)
    assert envelope["class_name"] == name
    assert optimizers.deserialize(envelope).get_config() == config
    assert type(optimizers.get(name.lower())) is cls and type(optimizers.get(name)) is cls


def test_schedule_in_config_round_trips():
    opt = optimizers.Adafactor(learning_rate=schedules.CosineDecayRestarts(0.1, 10))
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(again._learning_rate, schedules.CosineDecayRestarts)
    assert again.get_config() == opt.get_config()


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="adadelta, adafactor.*lamb.*lion.*nadam"):
        optimizers.get("adamx")


@pytest.mark.parametrize("name,kwargs,match", [
    ("Adadelta", {"learning_rate": -0.1}, "Adadelta: `learning_rate` must be >= 0"),
    ("Adadelta", {"rho": -0.5}, "Adadelta: `rho` must be >= 0, received rho=-0.5"),
    ("Adamax", {"epsilon": -1e-7}, "Adamax: `epsilon` must be >= 0"),
    ("Nadam", {"beta_1": 1.5}, r"Nadam: `beta_1` must be in \[0, 1\]"),
    ("Lamb", {"beta_2": "high"}, "Lamb: `beta_2` must be a number"),
    ("Lion", {"beta_1": 0.0}, r"Lion: `beta_1` must be in \(0, 1\]"),
    ("Ftrl", {"learning_rate_power": 0.5}, "Ftrl: `learning_rate_power` must be a number <= 0"),
    ("Ftrl", {"l1_regularization_strength": -1.0}, "Ftrl: `l1_regularization_strength`"),
    ("Ftrl", {"initial_accumulator_value": -0.1}, "Ftrl: `initial_accumulator_value`"),
    ("Adafactor", {"beta_2_decay": 0.8}, "Adafactor: `beta_2_decay` must be a number <= 0"),
    ("Adafactor", {"epsilon_2": -1.0}, "Adafactor: `epsilon_2` must be >= 0"),
])
def test_bad_arguments(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(optimizers, name)(**kwargs)


def test_a_schedule_learning_rate_is_not_range_checked():
    opt = optimizers.Lion(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5))
    assert abs(float(_np(opt.learning_rate)) - 0.1) < 1e-7


@pytest.mark.parametrize("name", ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"])
def test_legacy_optimizers_raise_import_error(name):
    cls = getattr(optimizers.legacy, name)
    with pytest.raises(ImportError, match=f"not supported in Keras 3.*kiln.optimizers.{name}"):
        cls(learning_rate=0.1)


def test_numpy_scalar_hyperparameters_are_accepted():
    opt = optimizers.Ftrl(learning_rate=np.float32(0.5), learning_rate_power=np.float64(-0.5),
                          l1_regularization_strength=np.float32(0.25))
    assert opt.get_config()["l1_regularization_strength"] == 0.25
    assert optimizers.Adafactor(beta_2_decay=np.float32(-0.5)).get_config()["beta_2_decay"] == -0.5
