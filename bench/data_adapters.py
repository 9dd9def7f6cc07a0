"""W2 (CNN on 28x28x1, batch 128) trained by Kiln's ``fit`` from every input kind.

    python bench/data_adapters.py                              # jax, torch, tensorflow
    python bench/data_adapters.py --backends torch,jax --epochs 3 --repeats 3
    python bench/data_adapters.py --kinds numpy,pydataset_w1,pydataset_w2 --samples 10000

Each backend runs in its own subprocess (``KILN_BACKEND`` set, pinned to one
core with ``taskset -c 1`` unless ``--cores`` says otherwise, one intra-op
thread). One compiled model is warmed up once, then every input kind trains it
for ``--epochs`` epochs, kinds interleaved ``--repeats`` times. The first epoch
of every ``fit`` call is left out (it starts the source: worker threads, a
tf.data graph); a kind's throughput is the median over repeats of its other epochs' median
samples/s; its ratio to the NumPy-array path (1.00 = as fast) is the median of
the per-repeat ratios, so slow drifts of a shared machine cancel.

The kinds feed the same samples in the same order (no shuffling):

- ``numpy``: ``fit(x, y, batch_size=128)``.
- ``generator``: a Python generator of ``(x, y)`` slices (``steps_per_epoch``).
- ``pydataset_w1`` / ``pydataset_w2``: a ``PyDataset`` with ``workers=1`` / ``2``
  (threads) whose ``__getitem__`` does an image pipeline's per-batch work:
  uint8 pixels -> float32 in [0, 1], a random horizontal flip per sample and a
  1-pixel random shift (pad + crop), then normalisation (and, with
  ``--read-latency-ms``, a wait as if reading the files). Both rows do the same
  work, so workers=2 vs workers=1 isolates the concurrency; their ratio to
  ``numpy`` includes that work.
- ``tf_data``: ``tf.data.Dataset.from_tensor_slices((x, y)).batch(128)``.
- ``torch_dataloader``: ``DataLoader(TensorDataset(x, y), batch_size=128)``.
- ``grain``: ``grain.MapDataset.source(samples).batch(128)`` (when grain imports).
- pandas is not run: a DataFrame holds one scalar per cell, so 28x28x1 images
  would have to be flattened into 784 columns and reshaped by the model, which
  is not W2 any more.
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
from bench.run import _set_threads  # noqa: E402

BACKENDS = ("jax", "torch", "tensorflow")
KINDS = ("numpy", "generator", "pydataset_w1", "pydataset_w2", "torch_dataloader", "grain", "tf_data")
NOT_APPLICABLE = {"pandas": "images do not fit a DataFrame's one scalar per cell (see the module docstring)"}
RESULT_PREFIX = "DATA_BENCH_RESULT "
WORKLOAD = "W2"


# -- the input kinds (inside the worker) ---------------------------------------------------------
def _image_dataset_class(kiln):
    import numpy as np

    class AugmentedImages(kiln.utils.PyDataset):
        """Batch ``i``: uint8 images decoded to float32, flipped/shifted at random, normalised."""

        def __init__(self, pixels, labels, batch_size, read_latency_s=0.0, seed=0, **kwargs):
            super().__init__(**kwargs)
            self.pixels, self.labels, self.batch_size, self.seed = pixels, labels, batch_size, seed
            self.read_latency_s = read_latency_s

        def __len__(self):
            return -(-len(self.pixels) // self.batch_size)

        def __getitem__(self, index):
            if self.read_latency_s:
                time.sleep(self.read_latency_s)  # waiting for storage: the core is free meanwhile
            rng = np.random.default_rng([self.seed, index])  # the same batch whichever worker builds it
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            images = self.pixels[rows].astype(np.float32) * (1.0 / 255.0)
            flip = rng.random(len(images)) < 0.5
            images[flip] = images[flip, :, ::-1]
            padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
            dy, dx = rng.integers(0, 3, 2)
            images = padded[:, dy:dy + 28, dx:dx + 28]
            images = (images - 0.5) * 2.0
            return np.ascontiguousarray(images, dtype=np.float32), self.labels[rows]

    return AugmentedImages


def _source(kind, kiln, x, y, pixels, batch_size, read_latency_s=0.0):
    """``(fit's data argument, extra fit kwargs)`` for one input kind."""
    n = len(x)
    steps = -(-n // batch_size)
    if kind == "numpy":
        return (x, y), {"batch_size": batch_size}
    if kind == "generator":
        def batches():
            while True:
                for start in range(0, n, batch_size):
                    yield x[start:start + batch_size], y[start:start + batch_size]

        return (batches(),), {"steps_per_epoch": steps}
    if kind in ("pydataset_w1", "pydataset_w2"):
        workers = 2 if kind == "pydataset_w2" else 1
        dataset = _image_dataset_class(kiln)(pixels, y, batch_size, read_latency_s, workers=workers, max_queue_size=4)
        return (dataset,), {}
    if kind == "tf_data":
        import tensorflow as tf

        return (tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size),), {}
    if kind == "torch_dataloader":
        import torch

        dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
        return (torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False),), {}
    if kind == "grain":
        import grain

        class Samples:
            def __len__(self):
                return n

            def __getitem__(self, index):
                return x[index], y[index]

        return (grain.MapDataset.source(Samples()).batch(batch_size),), {}
    raise ValueError(kind)


def _available(kind):
    """None when ``kind`` can run here, else why not."""
    if kind in NOT_APPLICABLE:
        return NOT_APPLICABLE[kind]
    module = {"tf_data": "tensorflow", "torch_dataloader": "torch", "grain": "grain"}.get(kind)
    if module is None:
        return None
    import importlib.util

    return None if importlib.util.find_spec(module) is not None else f"n/a ({module} is not installed)"


def worker(backend, kinds, samples, epochs, repeats, read_latency_s=0.0):
    import numpy as np

    import kiln

    batch_size = W.WORKLOADS[WORKLOAD].batch_size
    x, y = W.make_data(WORKLOAD, samples)
    pixels = np.round(x * 255.0).astype(np.uint8)
    model = W.kiln_model(kiln, WORKLOAD)
    times = []

    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)  # compile once
    warmup_s = time.perf_counter() - start
    rates = {kind: [] for kind in kinds}  # per repeat: the median samples/s of the timed epochs
    errors = {}
    for repeat in range(repeats):
        # Every other repeat runs the kinds in reverse, so no kind always follows the same neighbour.
        for kind in (kinds if repeat % 2 == 0 else kinds[::-1]):
            if kind in errors:
                continue
            try:
                data, extra = _source(kind, kiln, x, y, pixels, batch_size, read_latency_s)
                del times[:]
                model.fit(*data, epochs=epochs, shuffle=False, verbose=0, callbacks=[W.epoch_timer(kiln, times)], **extra)
                rates[kind].append(statistics.median(samples / t for t in times[1:]))
            except Exception as e:
                errors[kind] = f"{type(e).__name__}: {e}"[:300]
    result = {"backend": backend, "samples": samples, "epochs": epochs, "repeats": repeats,
              "warmup_s": warmup_s, "tensorflow_imported": "tensorflow" in sys.modules, "kinds": {},
              "facts": _facts(backend)}
    for kind in kinds:
        entry = {"repeat_samples_per_s": rates[kind]}
        if rates[kind]:
            entry["samples_per_s"] = statistics.median(rates[kind])
            # Paired with the NumPy path of the same repeat: the machine's slow drifts cancel.
            if rates.get("numpy") and len(rates["numpy"]) == len(rates[kind]):
                entry["ratio_to_numpy"] = statistics.median(r / b for r, b in zip(rates[kind], rates["numpy"]))
            if kind == "pydataset_w2" and len(rates.get("pydataset_w1", ())) == len(rates[kind]):
                entry["ratio_to_workers_1"] = statistics.median(
                    r / b for r, b in zip(rates[kind], rates["pydataset_w1"]))
        if kind in errors:
            entry["error"] = errors[kind]
        result["kinds"][kind] = entry
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def _facts(backend):
    facts = {}
    if backend == "torch":
        import torch

        facts.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    elif backend == "jax":
        import jax

        facts.update(jax=jax.__version__)
    elif backend == "tensorflow":
        import tensorflow as tf

        facts.update(tensorflow=tf.__version__)
    return facts


# -- orchestrator -----------------------------------------------------------------------------
def _run_backend(backend, kinds, args):
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3",
               XLA_FLAGS=(os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                          " intra_op_parallelism_threads=1").strip(),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, os.path.abspath(__file__), "--worker", backend, "--kinds", ",".join(kinds),
               "--samples", str(args.samples), "--epochs", str(args.epochs), "--repeats", str(args.repeats),
               "--read-latency-ms", str(args.read_latency_ms)]
    if args.cores != "none" and shutil.which("taskset"):
        command = ["taskset", "-c", args.cores] + command
    try:
        proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    return {"error": (proc.stderr or proc.stdout).strip()[-600:] or f"worker exited {proc.returncode}"}


def print_report(results, kinds, args):
    print("Machine:")
    print(f"  cpu cores: {os.cpu_count()}; pinned: {'taskset -c ' + args.cores if args.cores != 'none' else 'no'};"
          f" python {platform.python_version()}; {platform.machine()}")
    print(f"  W2 CNN 28x28x1, batch 128, {args.samples:,} samples/epoch; {args.epochs} epochs per fit call "
          f"(the first left out), {args.repeats} repeats interleaved; median samples/s;"
          f" ratios are medians of per-repeat ratios")
    print()
    header = f"{'backend':<11} {'input kind':<18} {'samples/s':>10} {'vs numpy':>9}  note"
    print(header)
    print("-" * len(header))
    for backend, result in results.items():
        if "error" in result:
            print(f"{backend:<11} (no result: {result['error']})")
            continue
        for kind in kinds:
            entry = result["kinds"].get(kind, {})
            rate = entry.get("samples_per_s")
            ratio = f"{entry['ratio_to_numpy']:.2f}" if "ratio_to_numpy" in entry else "-"
            note = entry.get("error", "")
            if kind in ("pydataset_w1", "pydataset_w2"):
                note = note or ("decode uint8 + flip + shift + normalise per batch" + (
                    f" + {args.read_latency_ms:g} ms simulated read" if args.read_latency_ms else ""))
            print(f"{backend:<11} {kind:<18} {(f'{rate:,.0f}' if rate else 'error'):>10} {ratio:>9}  {note}")
        for kind, why in NOT_APPLICABLE.items():
            print(f"{backend:<11} {kind:<18} {'n/a':>10} {'-':>9}  {why}")
        paired = result["kinds"].get("pydataset_w2", {}).get("ratio_to_workers_1")
        if paired is not None:
            verdict = "OK (not slower)" if paired >= 0.97 else "SLOWER"
            print(f"{backend:<11} PyDataset workers=2 / workers=1 (median of paired repeats): {paired:.2f}  {verdict}")
        print(f"{backend:<11} " + ", ".join(f"{k}={v}" for k, v in result.get("facts", {}).items())
              + f"; first (compiling) epoch {result['warmup_s']:.1f} s")
        print(f"{backend:<11} tensorflow imported in the worker: {result['tensorflow_imported']}"
              f"{' (tf_data was run)' if 'tf_data' in kinds else ''}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated: jax,torch,tensorflow")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated input kinds: " + ", ".join(KINDS))
    parser.add_argument("--samples", type=int, default=W.WORKLOADS[WORKLOAD].size("quick") * 2,
                        help="samples per epoch (BENCHMARKS.md's W2 has 10,000; the default keeps a run short)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit call; the first is left out")
    parser.add_argument("--repeats", type=int, default=3, help="fit calls per kind, interleaved across kinds")
    parser.add_argument("--read-latency-ms", type=float, default=0.0,
                        help="PyDataset kinds also wait this long per batch, as if reading files (default 0)")
    parser.add_argument("--cores", default="1", help="taskset core list for the workers, or 'none'")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per backend")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for kind in kinds:
        if kind not in KINDS:
            parser.error(f"unknown input kind {kind}; valid: {', '.join(KINDS)}"
                         + (f" ({kind}: {NOT_APPLICABLE[kind]})" if kind in NOT_APPLICABLE else ""))
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch of each fit call is left out)")
    if args.samples < W.WORKLOADS[WORKLOAD].batch_size or args.repeats < 1:
        parser.error("--samples must hold at least one batch (128) and --repeats must be >= 1")

    if args.worker:
        _set_threads(args.worker)
        worker(args.worker, [k for k in kinds if _available(k) is None], args.samples, args.epochs, args.repeats,
               args.read_latency_ms / 1000.0)
        return 0

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for backend in backends:
        if backend not in BACKENDS:
            parser.error(f"unknown backend {backend}; valid: {', '.join(BACKENDS)}")
    skipped = {kind: _available(kind) for kind in kinds if _available(kind) is not None}
    start = time.perf_counter()
    results = {}
    for backend in backends:
        print(f"running {backend} ...", flush=True)
        t0 = time.perf_counter()
        results[backend] = _run_backend(backend, kinds, args)
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    print()
    print_report(results, [k for k in kinds if k not in skipped], args)
    for kind, why in skipped.items():
        print(f"{'(all)':<11} {kind:<18} {'n/a':>10} {'-':>9}  {why}")
    print(f"\nTotal {time.perf_counter() - start:.0f} s.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
