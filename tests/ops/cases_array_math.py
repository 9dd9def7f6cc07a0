"""Op cases for element-wise math, bitwise and comparison ops (kiln.ops._array_math)."""

import numpy as np  # noqa: F401

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


def cases():
    return []


def grad_cases():
    return []
