"""``ProgbarLogger``: the progress bar ``fit``/``evaluate``/``predict`` print.

Example:
    >>> ProgbarLogger().verbose
    1
"""

from kiln.callbacks.callback import Callback
from kiln.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints every metric, samples per second, time per step and the ETA while a loop runs.

    The verbosity comes from the loop (``fit(verbose=...)``): 1 draws a bar redrawn in place
    on a terminal and one line per epoch otherwise; 2 prints one line per epoch; 0 prints
    nothing. The logs are the loop's running metric values, shown as they are; they are
    read only when the bar is drawn.

    Example:
        >>> logger = ProgbarLogger()
        >>> logger.set_params({"verbose": 2, "epochs": 3, "steps": 10})
        >>> logger.verbose, logger.epochs, logger.target
        (2, 3, 10)
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._samples_per_step = None
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")
        self._samples_per_step = params.get("batch_size")

    def _new_bar(self, header=None):
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose, stateless_metrics=(),
                               unit_name="step")
        self.progbar.samples_per_step = self._samples_per_step
        if header and self.verbose:
            if self.progbar.dynamic:
                self.progbar._console().file.write(header + "\n")
            else:
                self.progbar.prefix = header

    def _update(self, batch, logs):
        self.seen = batch + 1
        self.progbar.update(self.seen, logs, finalize=False)

    def _finalize(self, logs):
        if self.progbar is not None:
            self.progbar.update(self.seen, logs, finalize=True)
            self.progbar = None

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar(f"Epoch {epoch + 1}/{self.epochs}" if self.epochs > 1 else None)

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_predict_end(self, logs=None):
        self._finalize(None)
