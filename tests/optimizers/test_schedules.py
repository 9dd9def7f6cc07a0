"""Learning-rate schedules against closed-form NumPy values, plus config round trips."""

import math

import numpy as np
import pytest

from kiln import ops
from kiln.optimizers import schedules
from numpy_optimizers import cosine_decay_restarts


def _f(x):
    return float(np.asarray(ops.convert_to_numpy(x)))


CASES = [
    (schedules.ExponentialDecay(0.1, 10, 0.5), lambda s: 0.1 * 0.5 ** (s / 10)),
    (schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True), lambda s: 0.1 * 0.5 ** (s // 10)),
    (schedules.InverseTimeDecay(0.1, 10, 0.5), lambda s: 0.1 / (1 + 0.5 * s / 10)),
    (schedules.PiecewiseConstantDecay([5, 15], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 5 else 0.5 if s <= 15 else 0.1),
    (schedules.PolynomialDecay(0.1, 20, end_learning_rate=0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
    (schedules.CosineDecay(0.1, 20, alpha=0.1),
     lambda s: 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20)) + 0.1)),
    (schedules.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=5),
     lambda s: 0.1 * s / 5 if s < 5 else 0.1 * 0.5 * (1 + math.cos(math.pi * min(s - 5, 20) / 20))),
    # SGDR: periods of 3, 6, 12, 24 steps (restarts at 3, 9, 21) and of 4 steps (t_mul=1).
    (schedules.CosineDecayRestarts(0.1, 3, t_mul=2.0, m_mul=0.5, alpha=0.1),
     lambda s: cosine_decay_restarts(s, 0.1, 3, t_mul=2.0, m_mul=0.5, alpha=0.1)),
    (schedules.CosineDecayRestarts(0.1, 4, t_mul=1.0, m_mul=0.8),
     lambda s: cosine_decay_restarts(s, 0.1, 4, t_mul=1.0, m_mul=0.8)),
]


@pytest.mark.parametrize("schedule,ref", CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_values(schedule, ref):
    for step in (0, 1, 5, 7, 10, 16, 30):
        assert abs(_f(schedule(step)) - ref(step)) < 1e-6, step
    assert abs(_f(schedule(ops.convert_to_tensor(7))) - ref(7)) < 1e-6


@pytest.mark.parametrize("schedule,ref", CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_config_round_trip(schedule, ref):
    env = schedules.serialize(schedule)
    assert env["module"] == "keras.optimizers.schedules"
    again = schedules.deserialize(env)
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()


def test_invalid():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="one more"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])
    with pytest.raises(ValueError, match="CosineDecayRestarts: `first_decay_steps` must be > 0"):
        schedules.CosineDecayRestarts(0.1, 0)


def test_cosine_decay_restarts_by_hand():
    # First period 10 steps (1.0 -> 0), then 20 steps from 0.5, then 40 from 0.25.
    s = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5)
    by_hand = {0: 1.0, 5: 0.5, 10: 0.5, 20: 0.25, 30: 0.25, 50: 0.125}
    for step, want in by_hand.items():
        assert abs(_f(s(step)) - want) < 1e-6, step
    config = s.get_config()
    assert config == {"initial_learning_rate": 1.0, "first_decay_steps": 10, "t_mul": 2.0,
                      "m_mul": 0.5, "alpha": 0.0, "name": "SGDRDecay"}
