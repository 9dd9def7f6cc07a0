"""Benchmarks: Kiln fit vs hand-written native loops (see bench/run.py)."""
