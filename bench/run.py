"""Kiln ``fit`` vs a hand-written native training loop, per backend, in the same run.

    python bench/run.py                       # every backend, W1-W5, full sizes
    python bench/run.py --quick               # fewer samples per epoch
    python bench/run.py --backends jax,torch --workloads W1,W5

Each backend runs in its own subprocess (KILN_BACKEND set, pinned to one core
with ``taskset -c 1`` when available, one intra-op thread). Per workload the
subprocess times Kiln's ``fit`` and the native loop of the same framework:
the first epoch (warm-up: tracing/compilation) is reported separately, and
throughput is the median samples/s of the timed epochs after it.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench import workloads as W  # noqa: E402

BACKENDS = ("jax", "torch", "tensorflow")
NATIVE_MODULE = {"jax": "bench.native_jax", "torch": "bench.native_torch", "tensorflow": "bench.native_tf"}
RESULT_PREFIX = "BENCH_RESULT "


# -- worker (one backend, inside its own process) --------------------------------------------
def _set_threads(backend):
    if backend == "torch":
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    elif backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)


def _time_kiln(kiln, workload_id, x, y, epochs):
    model = W.kiln_model(kiln, workload_id)
    times = []

    model.fit(x, y, batch_size=W.WORKLOADS[workload_id].batch_size, epochs=epochs, shuffle=False,
              verbose=0, callbacks=[W.epoch_timer(kiln, times)])
    return times


def _summarize(times, samples):
    if not times:
        return None
    steady = times[1:] or times
    return {"first_epoch_s": times[0], "epoch_s": times,
            "samples_per_s": samples / statistics.median(steady)}


def worker(backend, workload_ids, mode, epochs):
    import importlib

    native = importlib.import_module(NATIVE_MODULE[backend])
    try:
        import kiln

        kiln_error = None
    except Exception as e:  # report, still run the native loops
        kiln, kiln_error = None, f"import kiln failed: {type(e).__name__}: {e}"
    results = {}
    for wid in workload_ids:
        w = W.WORKLOADS[wid]
        samples = w.size(mode)
        x, y = W.make_data(wid, samples)
        entry = {"samples": samples}
        try:
            entry["native"] = _summarize(native.run(wid, x, y, epochs), samples)
        except Exception as e:
            entry["native_error"] = f"{type(e).__name__}: {e}"[:300]
        if kiln is None:
            entry["kiln_error"] = kiln_error
        elif W.kiln_missing(kiln, w):
            entry["kiln_error"] = "n/a (needs " + ", ".join(W.kiln_missing(kiln, w)) + ")"
        else:
            try:
                entry["kiln"] = _summarize(_time_kiln(kiln, wid, x, y, epochs), samples)
            except Exception as e:
                entry["kiln_error"] = f"error: {type(e).__name__}: {e}"[:300]
        results[wid] = entry
        print(RESULT_PREFIX + json.dumps({"workload": wid, "result": entry}), flush=True)
    return results


def _facts_in_worker(backend):
    facts = {"backend": backend}
    if backend == "torch":
        import torch

        facts.update(torch=torch.__version__, torch_threads=torch.get_num_threads(),
                     torch_interop_threads=torch.get_num_interop_threads())
    elif backend == "jax":
        import jax

        facts.update(jax=jax.__version__, jax_devices=str(jax.devices()))
    elif backend == "tensorflow":
        import tensorflow as tf

        facts.update(tensorflow=tf.__version__,
                     tf_intra_threads=tf.config.threading.get_intra_op_parallelism_threads())
    try:
        import kiln

        facts["kiln"] = getattr(kiln, "__version__", "?")
    except Exception:
        facts["kiln"] = "import failed"
    return facts


# -- orchestrator -------------------------------------------------------------------------------
def _run_backend(backend, workload_ids, mode, epochs, timeout):
    env = dict(os.environ)
    env.update(KILN_BACKEND=backend, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", TF_CPP_MIN_LOG_LEVEL="2",
               XLA_FLAGS=(env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                          " intra_op_parallelism_threads=1").strip(),
               PYTHONPATH=ROOT + os.pathsep + env.get("PYTHONPATH", ""))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend,
           "--workloads", ",".join(workload_ids), "--epochs", str(epochs), "--size", mode]
    pinned = False
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", "1"] + cmd
        pinned = True
    results, facts, error = {}, {}, None
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        output = proc.stdout
        if proc.returncode != 0:
            error = f"worker exited {proc.returncode}: " + proc.stderr.strip().splitlines()[-1:][0] \
                if proc.stderr.strip() else f"worker exited {proc.returncode}"
    except subprocess.TimeoutExpired as e:
        output = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        error = f"timed out after {timeout} s"
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            item = json.loads(line[len(RESULT_PREFIX):])
            if "facts" in item:
                facts = item["facts"]
            else:
                results[item["workload"]] = item["result"]
    facts["pinned"] = "taskset -c 1" if pinned else "no"
    return results, facts, error


def _fmt_rate(side):
    return f"{side['samples_per_s']:,.0f}" if side else "-"


def print_table(all_results, workload_ids, backends):
    header = (f"{'workload':<26} {'backend':<11} {'kiln samples/s':>20} {'native samples/s':>17} "
              f"{'ratio':>6} {'1st epoch kiln/native (s)':>26} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for wid in workload_ids:
        for backend in backends:
            results, _, error = all_results[backend]
            entry = results.get(wid)
            label = f"{wid} {W.WORKLOADS[wid].title}"
            if entry is None:
                print(f"{label:<26} {backend:<11} {'(no result: ' + (error or 'not run') + ')'}")
                continue
            kiln_side, native_side = entry.get("kiln"), entry.get("native")
            kiln_error = entry.get("kiln_error", "-")
            kiln_text = _fmt_rate(kiln_side) if kiln_side else (
                kiln_error if kiln_error.startswith("n/a") else "error")
            native_text = _fmt_rate(native_side) if native_side else "error"
            if kiln_side and native_side:
                ratio = f"{kiln_side['samples_per_s'] / native_side['samples_per_s']:.2f}"
                first = f"{kiln_side['first_epoch_s']:.2f} / {native_side['first_epoch_s']:.2f}"
                first_ratio = f"{kiln_side['first_epoch_s'] / native_side['first_epoch_s']:.2f}"
            else:
                ratio, first_ratio = "-", "-"
                first = f"- / {native_side['first_epoch_s']:.2f}" if native_side else "-"
            print(f"{label:<26} {backend:<11} {kiln_text:>20} {native_text:>17} {ratio:>6} {first:>26} "
                  f"{first_ratio:>6}")
            for key in ("kiln_error", "native_error"):
                if key in entry and not entry[key].startswith("n/a"):
                    print(f"{'':<26} {'':<11}   {key}: {entry[key]}")


def print_facts(all_facts, mode, epochs):
    print("Machine:")
    print(f"  cpu cores: {os.cpu_count()} (usable by this process: "
          f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}); "
          f"{platform.processor() or platform.machine()}")
    print(f"  python {platform.python_version()}, {platform.system()} {platform.release()}")
    try:
        import numpy

        print(f"  numpy {numpy.__version__}")
    except ImportError:
        pass
    for backend, facts in all_facts.items():
        details = ", ".join(f"{k}={v}" for k, v in facts.items() if k != "backend")
        print(f"  {backend}: {details}")
    print(f"  epochs per measurement: 1 warm-up + {epochs - 1} timed (median); "
          f"{mode} sizes (samples/epoch: "
          f"{', '.join(f'{w.id} {w.size(mode):,}' for w in W.WORKLOADS.values())}); shuffle off on both sides")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="comma-separated: jax,torch,tensorflow (default: all)")
    parser.add_argument("--workloads", default=",".join(W.WORKLOADS), help="comma-separated: W1..W5")
    parser.add_argument("--quick", action="store_true", help="fewer samples per epoch (a smoke run)")
    parser.add_argument("--full", action="store_true", help="BENCHMARKS.md's sizes for W2 too (a longer run)")
    parser.add_argument("--size", choices=("quick", "default", "full"), help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run: 1 warm-up + the rest timed")
    parser.add_argument("--timeout", type=int, default=400, help="seconds allowed per backend")
    parser.add_argument("--json", help="also write all results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    workload_ids = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    for wid in workload_ids:
        if wid not in W.WORKLOADS:
            parser.error(f"unknown workload {wid}; valid: {', '.join(W.WORKLOADS)}")
    if args.epochs < 4:
        parser.error("--epochs must be at least 4 (1 warm-up + at least 3 timed)")

    if args.quick and args.full:
        parser.error("--quick and --full exclude each other")
    mode = args.size or ("quick" if args.quick else "full" if args.full else "default")

    if args.worker:
        _set_threads(args.worker)  # before anything initializes the framework's thread pools
        facts = _facts_in_worker(args.worker)
        print(RESULT_PREFIX + json.dumps({"facts": facts}), flush=True)
        worker(args.worker, workload_ids, mode, args.epochs)
        return 0

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in backends:
        if b not in BACKENDS:
            parser.error(f"unknown backend {b}; valid: {', '.join(BACKENDS)}")
    start = time.perf_counter()
    all_results, all_facts = {}, {}
    for backend in backends:
        print(f"running {backend} ...", flush=True)
        t0 = time.perf_counter()
        results, facts, error = _run_backend(backend, workload_ids, mode, args.epochs, args.timeout)
        all_results[backend] = (results, facts, error)
        all_facts[backend] = facts
        print(f"  done in {time.perf_counter() - t0:.0f} s" + (f" ({error})" if error else ""), flush=True)
    print()
    print_facts(all_facts, mode, args.epochs)
    print()
    print_table(all_results, workload_ids, backends)
    print(f"\nTotal {time.perf_counter() - start:.0f} s. Ratio = Kiln / native (>= 1.00 means Kiln is as fast).")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({b: {"results": r, "facts": fa, "error": e} for b, (r, fa, e) in all_results.items()},
                      f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
