"""The backend fast path (``optimizer.fused_apply``: torch ``_foreach_*``, one jitted update on
JAX, one tf.function on TensorFlow) gives the generic rule's numbers: both run 5 steps from the
same start (atol 1e-6)."""

import numpy as np
import pytest

import kiln
from kiln import optimizers
from kiln.backend import Variable
from kiln.optimizers import base_optimizer

SHAPES = [(4, 3), (3,), (2, 2, 2)]
STEPS = 5

# (name, factory, handled by the torch fast path)
CASES = [
    ("sgd", lambda: optimizers.SGD(0.1), True),
    ("sgd-nesterov-decay", lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True,
                                                  weight_decay=0.05), True),
    ("adam", lambda: optimizers.Adam(0.05), True),
    ("adamw", lambda: optimizers.AdamW(0.05, weight_decay=0.1), True),
    ("rmsprop", lambda: optimizers.RMSprop(0.01), True),
    ("rmsprop-centered-momentum", lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
     True),
    ("adagrad", lambda: optimizers.Adagrad(0.1), True),
    ("adamax", lambda: optimizers.Adamax(0.05, weight_decay=0.01), True),
    ("nadam", lambda: optimizers.Nadam(0.05), True),
    ("adam-amsgrad-schedule", lambda: optimizers.Adam(
        optimizers.schedules.ExponentialDecay(0.05, 2, 0.5), amsgrad=True), False),
]


def _np(x):
    return np.asarray(kiln.ops.convert_to_numpy(x))


def _run(factory, fused, monkeypatch):
    rng = np.random.default_rng(7)
    variables = [Variable(rng.normal(size=s).astype("float32"), name=f"v{i}")
                 for i, s in enumerate(SHAPES)]
    opt = factory()
    opt.exclude_from_weight_decay(var_names=["v1"])
    grads = [[kiln.ops.convert_to_tensor(rng.normal(size=s).astype("float32")) for s in SHAPES]
             for _ in range(STEPS)]
    backend_optimizer = kiln.backend.current.optimizer
    original = backend_optimizer.fused_apply
    handled = []

    def counting(optimizer, g, v):
        done = original(optimizer, g, v)
        handled.append(done)
        return done

    monkeypatch.setattr(backend_optimizer, "fused_apply", counting)
    monkeypatch.setattr(base_optimizer, "_FUSED_UNAVAILABLE", [] if fused else [True])
    for step_grads in grads:
        opt.apply(step_grads, variables)
    monkeypatch.undo()
    return [_np(v) for v in variables], [_np(v) for v in opt.variables], sum(handled)


@pytest.mark.parametrize("name,factory,torch_handles", CASES, ids=[c[0] for c in CASES])
def test_fused_equals_generic(name, factory, torch_handles, monkeypatch):
    fused_vars, fused_slots, handled = _run(factory, True, monkeypatch)
    plain_vars, plain_slots, plain_handled = _run(factory, False, monkeypatch)
    assert plain_handled == 0
    backend = kiln.backend.backend()
    expected = {"jax": STEPS, "tensorflow": STEPS,
                "torch": STEPS if torch_handles else 0}.get(backend, 0)
    assert handled == expected, f"{backend} fast path ran {handled} of {STEPS} steps"
    assert len(fused_slots) == len(plain_slots)
    for got, want in zip(fused_vars + fused_slots, plain_vars + plain_slots):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_fast_path_declines_what_it_cannot_do(monkeypatch):
    """A missing gradient or a callable learning rate takes the generic path (on JAX and
    TensorFlow also a subset of the built variables: the compiled update covers all of them)."""
    fused = kiln.backend.current.optimizer.fused_apply
    a = Variable(np.ones(2, "float32"), name="a")
    b = Variable(np.ones(2, "float32"), name="b")
    opt = optimizers.SGD(0.5)
    opt.build([a, b])
    g = kiln.ops.ones((2,))
    if kiln.backend.backend() in ("jax", "tensorflow"):
        assert fused(opt, [g], [a]) is False
    assert fused(opt, [g, None], [a, b]) is False
    callable_lr = optimizers.SGD(lambda: 0.5)
    callable_lr.build([a, b])
    assert fused(callable_lr, [g, g], [a, b]) is False
    np.testing.assert_array_equal(_np(a), [1.0, 1.0])  # declining changed nothing
    if kiln.backend.backend() != "numpy":
        assert fused(opt, [g, g], [a, b]) is True
        np.testing.assert_allclose(_np(a), [0.5, 0.5])
        assert int(_np(opt.iterations)) == 1


def test_compiled_update_follows_a_hyperparameter_change():
    """The cached jitted update is keyed by the hyper-parameters a trace bakes in."""
    w = Variable(np.zeros(1, "float32"), name="w")
    opt = optimizers.SGD(1.0, momentum=0.0)
    g = [kiln.ops.ones((1,))]
    opt.apply(g, [w])
    opt.clipvalue = 0.25  # set after the first (compiled) step
    opt.apply(g, [w])
    np.testing.assert_allclose(_np(w), [-1.25])
