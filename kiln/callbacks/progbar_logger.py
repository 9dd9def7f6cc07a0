"""``ProgbarLogger``: the progress bar ``fit``/``evaluate``/``predict`` print.

Example:
    >>> ProgbarLogger().verbose
    1
"""

from kiln.callbacks.callback import Callback
from kiln.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints a progress bar with loss/metrics, samples per second and ETA.

    ``verbose=1``: an updating bar; ``verbose=2``: one line per epoch.

    Example:
        >>> ProgbarLogger(verbose=2).verbose
        2
    """

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self.progbar = None
        self.epochs = 1

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", self.verbose)
        self.epochs = params.get("epochs", 1)

    def _new_bar(self):
        self.progbar = Progbar(target=self.params.get("steps"), verbose=self.verbose,
                               batch_size=self.params.get("batch_size"))

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.progbar.update(self.progbar.seen_steps, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if self.params.get("mode") == "test":
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("mode") == "test":
            self.progbar.update(batch + 1, logs, finalize=False)

    def on_test_end(self, logs=None):
        if self.params.get("mode") == "test":
            self.progbar.update(self.progbar.seen_steps, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self.progbar.update(batch + 1, None, finalize=False)

    def on_predict_end(self, logs=None):
        self.progbar.update(self.progbar.seen_steps, None, finalize=True)
