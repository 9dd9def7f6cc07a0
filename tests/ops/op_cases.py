"""The shared op test table: each Case names an op, its arguments and a NumPy reference.

Cases live in one module per op family (``cases_<family>.py``, listed in
:data:`FAMILIES`); each defines ``cases()`` and may define ``grad_cases()``.
``test_op_values`` checks every case's value, shape and dtype on the active
backend; ``test_symbolic`` replays every case on KerasTensors (static and
unknown first dimension); ``test_op_gradients`` checks every grad case.
"""

import importlib

import numpy as np

RNG = np.random.RandomState(0)


def _f32(shape, low=0.5, high=2.0):
    return RNG.uniform(low, high, size=shape).astype("float32")


def _i32(shape, low=1, high=5):
    return RNG.randint(low, high, size=shape).astype("int32")


F = _f32((2, 3))
FN = _f32((2, 3), -2.0, 2.0)
F2 = _f32((2, 3))
I = _i32((2, 3))
I2 = _i32((2, 3))
B = np.array([[True, False, True], [False, False, True]])
M = _f32((3, 4))
SQ = (_f32((3, 3)) + 3 * np.eye(3)).astype("float32")
SPD = (SQ @ SQ.T).astype("float32")


class Case:
    """One op call: ``getattr(kiln.ops, name)(*args, **kwargs)`` vs ``ref(*args, **kwargs)``.

    ``dtype`` is the expected result dtype; by default the reference's dtype with
    64-bit types narrowed to 32 bits (the rule every Kiln backend follows).
    ``none_ok``: the op can take tensors whose first dimension is unknown.
    """

    def __init__(self, name, *args, ref=None, dtype=None, rtol=1e-5, atol=1e-6, none_ok=True,
                 id=None, **kwargs):
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.ref = ref
        self.dtype = dtype
        self.rtol = rtol
        self.atol = atol
        self.none_ok = none_ok
        self.id = id or name

    def __repr__(self):
        return self.id


_EAGER_RESULTS = {}


def eager_result(case):
    """Run a case eagerly once per test session (JAX compiles every new op call, so reuse it)."""
    if case.id not in _EAGER_RESULTS:
        from kiln import ops

        _EAGER_RESULTS[case.id] = getattr(ops, case.name)(*case.args, **case.kwargs)
    return _EAGER_RESULTS[case.id]


def narrow(dtype):
    dtype = np.dtype(dtype).name
    return {"float64": "float32", "int64": "int32", "uint64": "uint32"}.get(dtype, dtype)


FAMILIES = ("numpy", "array_math", "array_stats", "array_shape", "nn", "math", "linalg", "core", "image")


def _family_module(family):
    return importlib.import_module(f"cases_{family}")


def all_cases():
    """Every value case of every family, in a stable order."""
    out = []
    for family in FAMILIES:
        out.extend(_family_module(family).cases())
    return out


def all_grad_cases():
    """Every gradient case (``GradCase``) of every family that defines ``grad_cases()``."""
    out = []
    for family in FAMILIES:
        module = _family_module(family)
        if hasattr(module, "grad_cases"):
            out.extend(module.grad_cases())
    return out


class GradCase:
    """A differentiable op call: gradients w.r.t. the float arrays in ``args`` are checked.

    ``args`` are NumPy arrays (differentiated when floating) or constants;
    ``kwargs`` are passed through. The test casts float arrays to float64 for
    the finite-difference check and to float32 for the cross-backend check.
    ``wrt``: indices of the args to differentiate (default: every float array).
    """

    def __init__(self, name, *args, wrt=None, rtol=1e-4, atol=1e-5, id=None, **kwargs):
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.wrt = wrt
        self.rtol = rtol
        self.atol = atol
        self.id = id or f"grad-{name}"

    def __repr__(self):
        return self.id


def check_result(result, expected, case):
    """Compare an op result (tensor or list/tuple of tensors) with the NumPy reference."""
    from kiln import ops

    if isinstance(expected, (list, tuple)):
        assert isinstance(result, (list, tuple)), f"{case.id}: expected a sequence, got {type(result)}"
        assert len(result) == len(expected)
        for r, e in zip(result, expected):
            check_result(r, e, case)
        return
    expected = np.asarray(expected)
    got = ops.convert_to_numpy(result)
    assert tuple(ops.shape(result)) == expected.shape, f"{case.id}: shape {tuple(ops.shape(result))} != {expected.shape}"
    assert got.shape == expected.shape, f"{case.id}: shape"
    want_dtype = case.dtype or narrow(expected.dtype)
    assert ops.dtype(result) == want_dtype, f"{case.id}: dtype {ops.dtype(result)} != {want_dtype}"
    if expected.dtype == bool:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got.astype("complex128" if np.iscomplexobj(got) else "float64"),
                                   expected.astype("complex128" if np.iscomplexobj(expected) else "float64"),
                                   rtol=case.rtol, atol=case.atol, equal_nan=True)


def compiled(fn):
    """``fn`` under the active backend's graph compiler (jax.jit, tf.function); eager elsewhere.

    torch and numpy run ``fn`` as is: torch.compile costs seconds per function on CPU, so
    compiled torch use is tested once, in test_control_flow.
    """
    from kiln.backend import current

    if current.NAME == "jax":
        import jax

        return jax.jit(fn)
    if current.NAME == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, autograph=False)
    return fn
