"""LSTM forward+backward on torch: Kiln's fused path vs its generic loop vs ``torch.nn.LSTM``.

    KILN_BACKEND=torch taskset -c 1 python bench/lstm_paths.py [--steps 50 --batch 64 --units 64]

Each row times one training-style step (forward of a ``(batch, steps, features)``
batch, sum of the last output, backward) and reports the median over repeats
and samples/s; the three steps run round-robin, so load changes hit all alike. The fused path runs ``torch._VF.lstm`` on views of the layer's
Keras-layout variables; the generic path (``use_cudnn=False``) is the Python
loop over time; the native row is ``torch.nn.LSTM`` with the same shapes.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KILN_BACKEND", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import kiln  # noqa: E402


def _interleaved_medians(steps, repeats, warmup=2):
    """Median seconds of each step, timing them round-robin so load changes hit all alike."""
    for step in steps:
        for _ in range(warmup):
            step()
    times = [[] for _ in steps]
    for _ in range(repeats):
        for i, step in enumerate(steps):
            start = time.perf_counter()
            step()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def kiln_step(layer, x):
    def step():
        out = layer(x, training=True)
        out.sum().backward()
        for v in layer.trainable_variables:
            v.value.grad = None
    return step


def native_step(module, x):
    def step():
        _, (h, _) = module(x)
        h[-1].sum().backward()
        module.zero_grad(set_to_none=True)
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    if kiln.backend.backend() != "torch":
        raise SystemExit("bench/lstm_paths.py compares torch paths: run it with KILN_BACKEND=torch")
    torch.set_num_threads(1)
    x_np = np.random.default_rng(0).standard_normal((args.batch, args.steps, args.features)).astype("float32")
    x = torch.from_numpy(x_np)
    fused = kiln.layers.LSTM(args.units)
    generic = kiln.layers.LSTM(args.units, use_cudnn=False)
    fused(x)
    generic(x)
    generic.set_weights(fused.get_weights())
    np.testing.assert_allclose(kiln.ops.convert_to_numpy(fused(x)), kiln.ops.convert_to_numpy(generic(x)),
                               atol=1e-5)
    native = torch.nn.LSTM(args.features, args.units, batch_first=True)
    names = ["torch.nn.LSTM (native)", "kiln LSTM fused (use_cudnn='auto')",
             "kiln LSTM generic (use_cudnn=False)"]
    medians = _interleaved_medians([native_step(native, x), kiln_step(fused, x), kiln_step(generic, x)],
                                   args.repeats)
    rows = list(zip(names, medians))
    print(f"torch {torch.__version__}, threads=1; batch {args.batch}, steps {args.steps}, "
          f"features {args.features}, units {args.units}; forward + backward per step")
    native_time = rows[0][1]
    print(f"{'path':40s} {'ms/step':>9s} {'samples/s':>11s} {'vs native':>10s}")
    for name, seconds in rows:
        print(f"{name:40s} {seconds * 1e3:9.2f} {args.batch / seconds:11,.0f} {native_time / seconds:10.2f}")


if __name__ == "__main__":
    main()
