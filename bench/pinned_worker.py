"""Run one benchmark worker on one backend in a fresh process pinned to core 1.

A benchmark script calls itself with ``--worker <backend>``; the worker prints
one line ``<prefix><json>`` with its results, which this reads back.

Example:
    >>> run_pinned_worker("/nonexistent.py", "numpy", 1, 1, "X ")["error"] != ""
    True
"""

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_pinned_worker(script, backend, repeats, number, prefix, extra_env=None, error_tail=800):
    """The worker's JSON result dict, or ``{"error": <the end of its output>}``."""
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), **(extra_env or {}))
    command = [sys.executable, os.path.abspath(script), "--worker", backend,
               "--repeats", str(repeats), "--number", str(number)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "1"] + command
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith(prefix):
            return json.loads(line[len(prefix):])
    return {"error": (proc.stderr or proc.stdout)[-error_tail:]}
