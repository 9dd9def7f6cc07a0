"""Per-call overhead of small eager ops: ``kiln.ops.<op>`` vs the backend's own call, same run.

    python bench/op_overhead.py                    # jax, torch, tensorflow
    python bench/op_overhead.py --backends torch --repeats 9

Each backend runs in its own subprocess (``KILN_BACKEND`` set, pinned to one
core with ``taskset -c 1`` when available, one intra-op thread). For each op
on 8×8 float32 tensors it times ``number`` back-to-back calls of Kiln's op and
of the native call, alternating the two ``repeats`` times, and reports the
median microseconds per call and their ratio (target: <= 1.5 on torch and jax).
JAX calls block until the result is ready, so async dispatch does not hide work.
"""

import argparse
import json
import os
import statistics
import sys
import time

from pinned_worker import run_pinned_worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("jax", "torch", "tensorflow")
OPS = ("add", "matmul", "relu")
RESULT_PREFIX = "OVERHEAD_RESULT "


def _native_calls(backend):
    """``{op: (fn, args)}`` with the framework's own eager call on 8×8 float32 tensors."""
    import numpy as np

    a = np.random.RandomState(0).rand(8, 8).astype("float32")
    b = np.random.RandomState(1).rand(8, 8).astype("float32")
    if backend == "torch":
        import torch

        torch.set_num_threads(1)
        x, y = torch.from_numpy(a), torch.from_numpy(b)
        return {"add": (torch.add, (x, y)), "matmul": (torch.matmul, (x, y)),
                "relu": (torch.relu, (x,))}, (x, y)
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        x, y = jnp.asarray(a), jnp.asarray(b)

        def ready(fn):
            return lambda *args: fn(*args).block_until_ready()

        return {"add": (ready(jnp.add), (x, y)), "matmul": (ready(jnp.matmul), (x, y)),
                "relu": (ready(jax.nn.relu), (x,))}, (x, y)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    x, y = tf.constant(a), tf.constant(b)
    return {"add": (tf.add, (x, y)), "matmul": (tf.matmul, (x, y)), "relu": (tf.nn.relu, (x,))}, (x, y)


def _per_call_us(fn, args, number):
    start = time.perf_counter()
    for _ in range(number):
        fn(*args)
    return (time.perf_counter() - start) / number * 1e6


def worker(backend, repeats, number):
    native, (x, y) = _native_calls(backend)  # first: TF fixes its thread pools at first use
    import kiln

    results = {}
    for name in OPS:
        native_fn, args = native[name]
        kiln_op = getattr(kiln.ops, name)
        if backend == "jax":
            kiln_fn = lambda *a, _op=kiln_op: _op(*a).block_until_ready()  # noqa: E731
        else:
            kiln_fn = kiln_op
        for fn in (native_fn, kiln_fn):  # warm-up: compile caches, first-call paths
            _per_call_us(fn, args, 50)
        kiln_times, native_times = [], []
        for _ in range(repeats):
            native_times.append(_per_call_us(native_fn, args, number))
            kiln_times.append(_per_call_us(kiln_fn, args, number))
        kiln_us, native_us = statistics.median(kiln_times), statistics.median(native_times)
        results[name] = {"kiln_us": kiln_us, "native_us": native_us, "ratio": kiln_us / native_us}
    print(RESULT_PREFIX + json.dumps(results), flush=True)


def _run_backend(backend, repeats, number):
    return run_pinned_worker(__file__, backend, repeats, number, RESULT_PREFIX, error_tail=500)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.repeats, args.number)
        return 0
    print(f"{'backend':<11} {'op':<7} {'kiln us':>8} {'native us':>10} {'ratio':>6}")
    for backend in args.backends.split(","):
        results = _run_backend(backend, args.repeats, args.number)
        if "error" in results:
            print(f"{backend:<11} error: {results['error']}")
            continue
        for name, r in results.items():
            print(f"{backend:<11} {name:<7} {r['kiln_us']:>8.2f} {r['native_us']:>10.2f} {r['ratio']:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
