"""``Progbar``: a text progress bar with metrics, throughput and ETA.

Values are converted to Python floats only when the bar is redrawn (at most
every ``interval`` seconds), so a compiled training step is not forced to
synchronize on every batch.

Example:
    >>> bar = Progbar(target=2, verbose=2)
    >>> bar.update(1, {"loss": 0.5}); bar.update(2, {"loss": 0.25}, finalize=True)  # doctest: +ELLIPSIS
    2/2 - ...
"""

import sys
import time

import numpy as np


def _as_float(value):
    try:
        return float(np.asarray(value))
    except Exception:
        from kiln.backend import current

        return float(current.core.convert_to_numpy(value))


def _format_duration(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{(seconds % 3600) // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


class Progbar:
    """Displays ``step/target [====>....] - ETA - samples/s - metric: value ...``.

    Args:
        target: total number of steps (None if unknown).
        width: bar width in characters.
        verbose: 1 = redraw in place, 2 = one line at the end, 0 = silent.
        interval: minimum seconds between redraws.
        batch_size: samples per step, to print samples/s.
        unit_name: what a step is called.

    Example:
        >>> Progbar(target=10).target
        10
    """

    def __init__(self, target, width=30, verbose=1, interval=0.1, stateful_metrics=None,
                 unit_name="step", batch_size=None, stream=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.batch_size = batch_size
        self.stream = stream or sys.stdout
        self.seen_steps = 0
        self._start = time.perf_counter()
        self._first_step_end = None
        self._last_draw = 0.0
        self._logs = None
        self._dynamic = self.stream.isatty() if hasattr(self.stream, "isatty") else False

    def update(self, current, values=None, finalize=None):
        """Record progress ``current`` (steps done) with the latest metric values."""
        now = time.perf_counter()
        self.seen_steps = current
        if values is not None:
            self._logs = values
        if self._first_step_end is None and current >= 1:
            self._first_step_end = now
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if not self.verbose:
            return
        if self.verbose == 2 and not finalize:
            return
        if not finalize and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        self._draw(current, now, finalize)

    def _draw(self, current, now, finalize):
        elapsed = now - self._start
        parts = []
        if self.target is not None:
            digits = len(str(self.target))
            head = f"{current:{digits}d}/{self.target}"
        else:
            head = f"{current}"
        if self.verbose == 1:
            if self.target:
                done = int(self.width * min(current, self.target) / self.target)
                bar = "=" * max(done - 1, 0) + (">" if done < self.width else "=") + "." * (self.width - done)
                head += f" [{bar}]"
        parts.append(head)
        # Throughput after the first step, which includes compilation.
        steady = now - self._first_step_end if self._first_step_end else 0.0
        steps_after_first = current - 1
        rate = steps_after_first / steady if steady > 0 and steps_after_first > 0 else (
            current / elapsed if elapsed > 0 else 0.0)
        if not finalize and self.target is not None and rate > 0:
            parts.append(f"ETA: {_format_duration((self.target - current) / rate)}")
        else:
            parts.append(_format_duration(elapsed))
        if rate > 0:
            if self.batch_size:
                parts.append(f"{rate * self.batch_size:,.0f} samples/s")
            else:
                parts.append(f"{1000.0 / rate:.0f}ms/{self.unit_name}")
        for key, value in (self._logs or {}).items():
            try:
                parts.append(f"{key}: {_as_float(value):.4f}")
            except (TypeError, ValueError):
                continue
        line = " - ".join(parts)
        if self.verbose == 1 and self._dynamic:
            self.stream.write("\r" + line + "\033[K")
            if finalize:
                self.stream.write("\n")
        elif finalize or self.verbose == 1:
            if finalize or not self._dynamic:
                if finalize:
                    self.stream.write(line + "\n")
        self.stream.flush()
