"""``Progbar``: a progress bar with every metric, throughput, time per step and ETA.

On a terminal (``verbose=1``) the bar is drawn with ``rich`` and redrawn in place at most
every ``interval`` seconds. Otherwise (output piped to a file or a log, or ``verbose=2``) it
prints one line when it finishes. Metric values are converted to Python floats only when
something is drawn, so a compiled training step is not forced to synchronize on every
batch (metrics that the bar averages itself are the exception: each update reads them).

Example:
    >>> bar = Progbar(target=2, verbose=2)
    >>> bar.update(1, [("loss", 0.5)]); bar.update(2, [("loss", 0.25)])  # doctest: +ELLIPSIS
    2/2 - ... - loss: 0.2500
"""

import time

import numpy as np

from kiln.utils import io_utils
from kiln.utils.io_utils import is_interactive_logging_enabled


def to_float(value):
    """A one-element number, array or backend tensor as a Python float.

    Example:
        >>> to_float(np.float32(0.5))
        0.5
    """
    try:
        return float(value)
    except (TypeError, ValueError):
        from kiln import ops

        array = ops.convert_to_numpy(value)
        if np.size(array) != 1:
            raise
        return float(np.reshape(array, ()))


def _format_duration(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{(seconds % 3600) // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def _format_time_per_unit(seconds, unit_name):
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_value(value):
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


_DEFAULT_CONSOLE = []


def default_console():
    """The shared ``rich`` console on ``sys.stdout`` (looked up at each write)."""
    if not _DEFAULT_CONSOLE:
        from rich.console import Console

        _DEFAULT_CONSOLE.append(Console(highlight=False))
    return _DEFAULT_CONSOLE[0]


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, None if unknown.
        width: width of the bar, in characters.
        verbose: 0 silent, 1 a bar redrawn in place (one line at the end when the output is
            not a terminal), 2 one line at the end.
        interval: minimum seconds between two redraws.
        stateful_metrics: names of metrics shown as given; all others are averaged over the
            updates. Do not pass together with ``stateless_metrics``.
        stateless_metrics: names of metrics averaged over the updates; all others are shown
            as given. With neither argument, every metric is averaged.
        unit_name: what one step is called (``"step"``, ``"sample"``).

    Besides the Keras arguments, ``samples_per_step`` (an attribute, None by default) adds a
    ``samples/s`` figure, ``prefix`` starts the one-line summary (``"Epoch 2/5"``) and
    ``console`` is the ``rich.console.Console`` written to (None: one on ``sys.stdout``).

    Example:
        >>> bar = Progbar(target=3, verbose=2, stateful_metrics=["accuracy"])
        >>> for step in range(1, 4):
        ...     bar.update(step, [("accuracy", step / 4)])  # doctest: +ELLIPSIS
        3/3 - ... - accuracy: 0.7500
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar: pass `stateful_metrics` or `stateless_metrics`, not both; received "
                f"stateful_metrics={stateful_metrics!r}, stateless_metrics={stateless_metrics!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: `verbose` must be 0, 1 or 2, received {verbose!r}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        # The bar reads values at every update only when it has to average some of them.
        self._averages = stateful_metrics is not None or bool(self.stateless_metrics) or (
            self.stateless_metrics is None)
        self.samples_per_step = None
        self.prefix = None
        self.console = None
        self._seen_so_far = 0
        self._sums = {}  # name -> [weighted sum, weight] of averaged metrics
        self._order = []
        self._latest = {}  # name -> last value (not yet converted) of as-is metrics
        self._latest_source = None  # a logs mapping kept unread until the next draw
        self._start = time.perf_counter()
        self._time_after_first_step = None
        self._last_draw = 0.0
        self._drawn_lines = 0
        self._dynamic = None

    # -- Keras API ---------------------------------------------------------------------
    def update(self, current, values=None, finalize=None):
        """Record that ``current`` steps are done, with ``values`` = ``[(name, value), ...]``.

        ``values`` may also be a logs dict. ``finalize`` (default: ``current >= target``)
        ends the bar: the final line is printed.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if values is not None:
            self._record(current, values, finalize)
        now = time.perf_counter()
        if self._time_after_first_step is None and current >= 1:
            self._time_after_first_step = now
        self._seen_so_far = current
        if not self.verbose:
            return
        if not finalize:
            if not self.dynamic or now - self._last_draw < self.interval:
                return
        self._last_draw = now
        self._draw(current, now, finalize)

    def add(self, n, values=None):
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    # -- state -----------------------------------------------------------------------
    def _averaged(self, name):
        if self.stateless_metrics is not None:
            return name in self.stateless_metrics
        return name not in self.stateful_metrics

    def _record(self, current, values, finalize):
        if not self._averages and isinstance(values, dict):
            # Kept as is: a lazily computed logs dict stays unread until a draw needs it.
            self._latest_source = values
            return
        self._flush_latest_source()
        items = values.items() if isinstance(values, dict) else values
        weight = max(current - self._seen_so_far, 1)
        for name, value in items:
            if name not in self._order:
                self._order.append(name)
            if not self._averaged(name):
                self._latest[name] = value
                continue
            self._latest.pop(name, None)
            if finalize:
                self._sums[name] = [to_float(value), 1]
            else:
                entry = self._sums.setdefault(name, [0.0, 0])
                entry[0] += to_float(value) * weight
                entry[1] += weight

    def _flush_latest_source(self):
        source, self._latest_source = self._latest_source, None
        if source is not None:
            for name, value in source.items():
                if name not in self._order:
                    self._order.append(name)
                self._latest[name] = value

    def metric_values(self):
        """``[(name, float), ...]`` as the bar shows them now (reads pending values)."""
        self._flush_latest_source()
        shown = []
        for name in self._order:
            if name in self._latest:
                try:
                    shown.append((name, to_float(self._latest[name])))
                except (TypeError, ValueError):
                    continue
            elif name in self._sums:
                total, weight = self._sums[name]
                shown.append((name, total / max(weight, 1)))
        return shown

    # -- drawing -----------------------------------------------------------------------
    def _console(self):
        return self.console if self.console is not None else default_console()

    @property
    def dynamic(self):
        """Whether the bar is redrawn in place (``verbose=1`` on a terminal); fixed at first use."""
        if self._dynamic is None:
            self._dynamic = (self.verbose == 1 and is_interactive_logging_enabled()
                             and self._console().is_terminal)
        return self._dynamic

    def _timing(self, current, now, finalize):
        """The time, time-per-step and throughput fields."""
        elapsed = now - self._start
        if current > 1 and self._time_after_first_step is not None and now > self._time_after_first_step:
            # Measured after the first step, which includes compilation.
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = elapsed / current if current else 0.0
        fields = []
        if not finalize and self.target is not None and per_step > 0:
            fields.append(f"ETA: {_format_duration(per_step * max(self.target - current, 0))}")
        else:
            fields.append(_format_duration(elapsed))
        if per_step > 0:
            fields.append(_format_time_per_unit(per_step, self.unit_name))
            if self.samples_per_step:
                fields.append(f"{self.samples_per_step / per_step:,.0f} samples/s")
        return fields

    def _counter(self, current):
        if self.target is None:
            return f"{current}"
        return f"{current:{len(str(self.target))}d}/{self.target}"

    def _draw(self, current, now, finalize):
        fields = self._timing(current, now, finalize)
        fields += [f"{name}: {_format_value(value)}" for name, value in self.metric_values()]
        console = self._console()
        if self.dynamic:
            self._draw_in_place(console, current, fields, finalize)
            return
        line = " - ".join(([self.prefix] if self.prefix else []) + [self._counter(current)] + fields)
        if not is_interactive_logging_enabled():
            io_utils.logger.info(line)
            return
        console.file.write(line + "\n")
        console.file.flush()

    def _draw_in_place(self, console, current, fields, finalize):
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        grid = Table.grid(padding=(0, 1))
        cells = [Text(self._counter(current))]
        if self.target:
            cells.append(ProgressBar(total=self.target, completed=min(current, self.target),
                                     width=self.width))
        cells.append(Text(" - ".join(fields), overflow="fold"))
        for i in range(len(cells)):
            grid.add_column(no_wrap=i < len(cells) - 1)
        grid.add_row(*cells)
        with console.capture() as capture:
            console.print(grid, end="")
        text = capture.get().rstrip("\n")
        # Back to the start of what was drawn last time, clear it, draw again.
        erase = "\r" + "\x1b[1A" * max(self._drawn_lines - 1, 0) + "\x1b[J"
        console.file.write(erase + text + ("\n" if finalize else ""))
        console.file.flush()
        self._drawn_lines = 0 if finalize else text.count("\n") + 1
