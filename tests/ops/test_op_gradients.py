"""Gradients of every differentiable op: autodiff against finite differences, and across backends.

Every ``GradCase`` of every family (``op_cases.all_grad_cases()``) is checked on
jax, torch and tensorflow:

(a) the float64 gradient of ``sum(op(*args) * w)`` (``w``: a fixed random
    cotangent per output) taken with the backend's own autodiff equals central
    finite differences in float64. The differences are taken along a few random
    directions, so a case costs a handful of op calls whatever its size;
(b) the float32 gradient equals the float64 one (the case's ``rtol``/``atol``).
    Every backend matching the same float64 truth means the backends agree;
(c) (slow) the float32 gradients agree with those of the next backend
    (jax -> torch -> tensorflow -> jax), computed in one subprocess; over the
    backend runs of ``make test`` every pair is compared.

JAX is imported by Kiln with x64 disabled, so on jax the float64 work runs in a
subprocess started with ``JAX_ENABLE_X64=1``. NumPy has no autodiff: the module
is not collected there. Run as a script (``python test_op_gradients.py MODE OUT``)
this file is that subprocess.
"""

import os
import subprocess
import sys
import zlib

import numpy as np

if __name__ != "__main__":
    import pytest

    from kiln import config

    if config.backend() == "numpy":
        pytest.skip("the numpy backend has no autodiff", allow_module_level=True)

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from op_cases import all_grad_cases  # noqa: E402

CASES = all_grad_cases()
DIRECTIONS = 3  # random directions per case for the finite differences
JAX_JIT = os.environ.get("KILN_GRAD_JIT", "1") == "1"
STEP = 1e-5


# -- building the function to differentiate ---------------------------------------------
def _is_float_array(a):
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def _has_float_array(a):
    if isinstance(a, (list, tuple)):
        return any(_has_float_array(item) for item in a)
    return _is_float_array(a)


def _wrt(case):
    """Indices of the differentiated arguments (default: every float array or list of them)."""
    if case.wrt is not None:
        return tuple(case.wrt)
    return tuple(i for i, a in enumerate(case.args) if _has_float_array(a))


def _leaves(case):
    """The float arrays differentiated, in order (arrays inside tuples/lists included)."""
    out = []

    def collect(a):
        if _is_float_array(a):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            for item in a:
                collect(item)

    for i in _wrt(case):
        collect(case.args[i])
    return out


def _rebuild(case, tensors, dtype):
    """The case's arguments with the differentiated leaves replaced by ``tensors`` and every
    other float array cast to ``dtype``."""
    wrt = set(_wrt(case))
    queue = list(tensors)

    def swap(a, differentiated):
        if _is_float_array(a):
            return queue.pop(0) if differentiated else a.astype(dtype)
        if isinstance(a, (list, tuple)):
            return type(a)(swap(item, differentiated) for item in a)
        return a

    args = [swap(a, i in wrt) for i, a in enumerate(case.args)]
    kwargs = {k: swap(v, False) for k, v in case.kwargs.items()}
    return args, kwargs


def _flat_outputs(out):
    if isinstance(out, (list, tuple)):
        items = []
        for o in out:
            items.extend(_flat_outputs(o))
        return items
    return [out]


def make_loss(case, dtype):
    """``loss(tensors) -> scalar``: the op's outputs contracted with fixed random weights."""
    from kiln import config, ops

    fn = getattr(ops, case.name)
    rng = np.random.RandomState(zlib.crc32(case.id.encode()))
    leaves = [a.astype(dtype) for a in _leaves(case)]
    if config.backend() == "jax":  # shapes by tracing: no compilation
        import jax

        def probe(xs):
            args, kwargs = _rebuild(case, list(xs), dtype)
            return _flat_outputs(fn(*args, **kwargs))

        outputs = jax.eval_shape(probe, leaves)
    else:
        args, kwargs = _rebuild(case, leaves, dtype)
        outputs = _flat_outputs(fn(*args, **kwargs))
    weights = []
    for out in outputs:
        if ops.dtype(out) in ("float16", "bfloat16", "float32", "float64"):
            weights.append(rng.normal(size=tuple(out.shape)).astype(dtype))
        else:
            weights.append(None)  # integer outputs (indices...) carry no gradient

    def loss(tensors):
        args, kwargs = _rebuild(case, tensors, dtype)
        total = 0.0
        for out, w in zip(_flat_outputs(fn(*args, **kwargs)), weights):
            if w is not None:
                total = ops.add(total, ops.sum(ops.multiply(ops.cast(out, dtype), w)))
        return total

    return loss


# -- the backends' autodiff ---------------------------------------------------------------
def backend_grad(loss, leaves, backend):
    """(value function as NumPy -> float, gradient arrays) for ``loss`` at ``leaves``."""
    if backend == "jax":
        import jax

        def value(xs):
            return loss(list(xs))

        # One compilation per case and dtype: the finite differences reuse it.
        both = jax.value_and_grad(value)
        if JAX_JIT:
            both = jax.jit(both)
        grads = both([jax.numpy.asarray(x) for x in leaves])[1]
        return (lambda xs: float(both([jax.numpy.asarray(x) for x in xs])[0]),
                [np.asarray(g) for g in grads])
    if backend == "torch":
        import torch

        tensors = [torch.tensor(x, requires_grad=True) for x in leaves]
        grads = torch.autograd.grad(loss(tensors), tensors, allow_unused=True)
        grads = [np.zeros_like(x) if g is None else g.detach().cpu().numpy()
                 for x, g in zip(leaves, grads)]

        def value(xs):
            with torch.no_grad():
                return float(loss([torch.tensor(x) for x in xs]))

        return value, grads
    if backend == "tensorflow":
        import tensorflow as tf

        tensors = [tf.constant(x) for x in leaves]
        with tf.GradientTape() as tape:
            for t in tensors:
                tape.watch(t)
            total = loss(tensors)
        grads = tape.gradient(total, tensors, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return (lambda xs: float(loss([tf.constant(x) for x in xs])), [g.numpy() for g in grads])
    raise ValueError(f"no autodiff on the {backend} backend")


def _jax_joint(case):
    """JAX, full mode: one compiled function gives the float64 value and gradients and the
    float32 gradients (each compilation costs more than running it)."""
    import jax

    loss64, loss32 = make_loss(case, "float64"), make_loss(case, "float32")
    x64 = [jax.numpy.asarray(a.astype("float64")) for a in _leaves(case)]
    x32 = [jax.numpy.asarray(a.astype("float32")) for a in _leaves(case)]

    def joint(xs64, xs32):
        value, g64 = jax.value_and_grad(lambda xs: loss64(list(xs)))(xs64)
        return value, g64, jax.grad(lambda xs: loss32(list(xs)))(xs32)

    if JAX_JIT:
        joint = jax.jit(joint)
    _, g64, g32 = joint(x64, x32)
    g64 = [np.asarray(g) for g in g64]
    return (lambda xs: float(joint([jax.numpy.asarray(x) for x in xs], x32)[0]), g64,
            [np.asarray(g) for g in g32])


def compute(case, mode, backend):
    """NumPy results for one case: float32 gradients, and with ``mode="full"`` float64
    gradients plus directional derivatives (autodiff and finite differences)."""
    result = {}
    dtypes = ("float32",) if mode == "f32" else ("float64", "float32")
    joint = _jax_joint(case) if backend == "jax" and mode == "full" else None
    for dtype in dtypes:
        leaves = [a.astype(dtype) for a in _leaves(case)]
        if joint is not None:
            value, grads = joint[0], (joint[1] if dtype == "float64" else joint[2])
        else:
            value, grads = backend_grad(make_loss(case, dtype), leaves, backend)
        for k, g in enumerate(grads):
            result[f"{dtype}/{k}"] = np.asarray(g, dtype="float64")
        if dtype == "float64":
            rng = np.random.RandomState(1)
            fd, ad, scale = [], [], []
            for _ in range(DIRECTIONS):
                vs = [rng.normal(size=x.shape) for x in leaves]
                plus = value([x + STEP * v for x, v in zip(leaves, vs)])
                minus = value([x - STEP * v for x, v in zip(leaves, vs)])
                fd.append((plus - minus) / (2 * STEP))
                ad.append(sum(float(np.sum(g * v)) for g, v in zip(grads, vs)))
                scale.append(sum(float(np.sum(np.abs(g * v))) for g, v in zip(grads, vs)))
            result["fd"], result["ad"], result["scale"] = np.array(fd), np.array(ad), np.array(scale)
    return result


def run_all(mode, backend):
    """Every case's results as a flat dict ``{"<case id>|<key>": array}`` (errors as strings)."""
    out = {}
    for case in CASES:
        try:
            for key, value in compute(case, mode, backend).items():
                out[f"{case.id}|{key}"] = value
        except Exception as e:  # noqa: BLE001 - reported by the test of that case
            out[f"{case.id}|error"] = np.array(f"{type(e).__name__}: {e}"[:2000])
    return out


def _in_subprocess(backend, mode, path, extra_env=None):
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1", **(extra_env or {}))
    done = subprocess.run([sys.executable, os.path.abspath(__file__), mode, path], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{backend} gradient worker failed:\n{done.stderr[-3000:]}"
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


# -- the tests ----------------------------------------------------------------------------
if __name__ != "__main__":
    _IDS = [c.id for c in CASES]

    @pytest.fixture(scope="module")
    def results(tmp_path_factory):
        backend = config.backend()
        if backend == "jax":  # float64 needs x64, which must be on before Kiln imports jax
            path = str(tmp_path_factory.mktemp("grads") / "jax.npz")
            return _in_subprocess("jax", "full", path, {"JAX_ENABLE_X64": "1"})
        return run_all("full", backend)

    def _case_results(results, case):
        prefix = case.id + "|"
        got = {k[len(prefix):]: v for k, v in results.items() if k.startswith(prefix)}
        if "error" in got:
            pytest.fail(f"{case.id}: {got['error']}")
        return got

    def test_grad_case_ids_are_unique():
        assert len(_IDS) == len(set(_IDS)), sorted({i for i in _IDS if _IDS.count(i) > 1})

    @pytest.mark.parametrize("case", CASES, ids=repr)
    def test_gradient_matches_finite_differences(case, results):
        got = _case_results(results, case)
        scale = float(np.max(got["scale"])) + 1.0
        np.testing.assert_allclose(got["fd"], got["ad"], rtol=1e-5, atol=1e-6 * scale,
                                   err_msg=f"{case.id}: float64 autodiff vs finite differences")

    @pytest.mark.parametrize("case", CASES, ids=repr)
    def test_float32_gradient_matches_float64(case, results):
        got = _case_results(results, case)
        for k in range(len(_leaves(case))):
            np.testing.assert_allclose(got[f"float32/{k}"], got[f"float64/{k}"], rtol=case.rtol,
                                       atol=case.atol, err_msg=f"{case.id}: argument {k}")

    @pytest.mark.slow
    def test_float32_gradients_agree_with_the_next_backend(results, tmp_path):
        """This backend's float32 gradients equal those of the next one (jax -> torch -> tensorflow
        -> jax): over the backend runs of ``make test`` every pair is compared, one worker each."""
        import importlib.util

        order = [b for b in ("jax", "torch", "tensorflow") if importlib.util.find_spec(b) is not None]
        if len(order) < 2:
            pytest.skip("fewer than two autodiff backends installed")
        here = config.backend()
        other = order[(order.index(here) + 1) % len(order)]
        theirs = _in_subprocess(other, "f32", str(tmp_path / f"{other}.npz"))
        wrong = []
        for case in CASES:
            for k in range(len(_leaves(case))):
                key = f"{case.id}|float32/{k}"
                if key not in results or key not in theirs:
                    continue  # the case fails on one of them: its own tests report it
                a, b = results[key], theirs[key]
                if a.shape != b.shape or not np.allclose(b, a, rtol=1e-4, atol=case.atol):
                    wrong.append(f"{case.id} argument {k}: {here} vs {other}, max diff "
                                 f"{np.max(np.abs(a - b)) if a.shape == b.shape else 'shape'}")
        assert not wrong, wrong

if __name__ == "__main__":
    _mode, _path = sys.argv[1], sys.argv[2]
    from kiln import config as _config

    np.savez(_path, **run_all(_mode, _config.backend()))
