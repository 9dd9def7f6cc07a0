"""Eager ``optimizer.apply`` throughput: Kiln's fused fast path vs its generic rule vs native.

    python bench/optimizers.py                        # jax, torch (tensorflow on request)
    python bench/optimizers.py --backends torch --repeats 5 --number 20

Each backend runs in its own subprocess (``KILN_BACKEND`` set, pinned to one
core with ``taskset -c 1`` when available, one intra-op thread). The workload
is AdamW (lr 1e-3, weight decay 0.004) over a list of 32 float32 variables
(16 kernels 256×256 and 16 biases: 1,052,672 parameters) with fixed random
gradients. For each contender it times ``number`` back-to-back steps,
alternating the contenders ``repeats`` times, and reports the median steps/s
and the ratios to Kiln's generic path and to the native optimizer:

- ``kiln fused``: ``optimizer.apply`` with the backend hook (torch
  ``_foreach_*`` kernels; on JAX one jitted ``stateless_apply``; on
  TensorFlow one ``tf.function`` of ``apply``);
- ``kiln generic``: the same call with the hook switched off (the ops-based
  rule, a dozen small ops per variable);
- ``native``: ``torch.optim.AdamW(foreach=True)`` / ``optax.adamw`` under
  ``jax.jit`` (TensorFlow has no native contender here: its high-level optimizers are Keras').

JAX steps block until the new values are ready, so async dispatch hides nothing.
"""

import argparse
import json
import os
import statistics
import sys
import time

from pinned_worker import run_pinned_worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("jax", "torch")
RESULT_PREFIX = "OPTIMIZER_RESULT "
SHAPES = [(256, 256), (256,)] * 16
LR, WEIGHT_DECAY, BETAS, EPSILON = 1e-3, 0.004, (0.9, 0.999), 1e-7


def _arrays():
    import numpy as np

    rng = np.random.RandomState(0)
    values = [rng.randn(*s).astype("float32") * 0.05 for s in SHAPES]
    grads = [rng.randn(*s).astype("float32") * 0.01 for s in SHAPES]
    return values, grads


def _native_step(backend, values, grads):
    """A zero-argument function running one native AdamW step, or None."""
    if backend == "torch":
        import torch

        params = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        opt = torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPSILON, weight_decay=WEIGHT_DECAY,
                                foreach=True)
        return opt.step
    if backend == "jax":
        import jax
        import optax

        tx = optax.adamw(LR, b1=BETAS[0], b2=BETAS[1], eps=EPSILON, weight_decay=WEIGHT_DECAY)
        params = [jax.numpy.asarray(v) for v in values]
        jgrads = [jax.numpy.asarray(g) for g in grads]
        state = {"params": params, "opt": tx.init(params)}

        @jax.jit
        def update(params, opt_state, g):
            updates, opt_state = tx.update(g, opt_state, params)
            return optax.apply_updates(params, updates), opt_state

        def step():
            state["params"], state["opt"] = update(state["params"], state["opt"], jgrads)
            jax.block_until_ready(state["params"])

        return step
    return None


def _kiln_step(backend, values, grads, fused):
    import kiln
    from kiln.optimizers import base_optimizer

    variables = [kiln.Variable(v.copy(), name=f"w{i}") for i, v in enumerate(values)]
    tensors = [kiln.ops.convert_to_tensor(g) for g in grads]
    opt = kiln.optimizers.AdamW(learning_rate=LR, weight_decay=WEIGHT_DECAY, beta_1=BETAS[0],
                                beta_2=BETAS[1], epsilon=EPSILON)
    opt.build(variables)
    switch = [] if fused else [True]

    def step():
        base_optimizer._FUSED_UNAVAILABLE[:] = switch
        opt.apply(tensors, variables)
        if backend == "jax":
            variables[-1].value.block_until_ready()

    return step


def _steps_per_second(step, number):
    start = time.perf_counter()
    for _ in range(number):
        step()
    return number / (time.perf_counter() - start)


def worker(backend, repeats, number):
    values, grads = _arrays()
    if backend == "torch":
        import torch

        torch.set_num_threads(1)
    contenders = {"fused": _kiln_step(backend, values, grads, True),
                  "generic": _kiln_step(backend, values, grads, False)}
    native = _native_step(backend, values, grads)
    if native is not None:
        contenders["native"] = native
    for step in contenders.values():  # warm-up: compile caches, first-call paths
        _steps_per_second(step, 3)
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, step in contenders.items():
            times[name].append(_steps_per_second(step, number))
    result = {name: statistics.median(t) for name, t in times.items()}
    result["params"] = sum(int(v.size) for v in values)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def _run_backend(backend, repeats, number):
    return run_pinned_worker(__file__, backend, repeats, number, RESULT_PREFIX, extra_env={"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}, error_tail=800)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--number", type=int, default=20)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.repeats, args.number)
        return 0
    print(f"{'backend':<11} {'params':>9} {'fused/s':>9} {'generic/s':>10} {'native/s':>9} "
          f"{'fused/generic':>14} {'fused/native':>13}")
    for backend in args.backends.split(","):
        r = _run_backend(backend, args.repeats, args.number)
        if "error" in r:
            print(f"{backend:<11} error: {r['error']}")
            continue
        native = r.get("native")
        native_s = f"{native:>9.1f}" if native else f"{'-':>9}"
        vs_native = f"{r['fused'] / native:>13.2f}" if native else f"{'-':>13}"
        print(f"{backend:<11} {r['params']:>9} {r['fused']:>9.1f} {r['generic']:>10.1f} {native_s} "
              f"{r['fused'] / r['generic']:>14.2f} {vs_native}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
