"""``CallbackList``: calls every callback's hook in order.

Example:
    >>> from kiln.callbacks.history import History
    >>> cl = CallbackList([History()], epochs=1, steps=1)
    >>> len(cl.callbacks)
    1
"""

from kiln.callbacks.callback import Callback
from kiln.callbacks.history import History
from kiln.callbacks.progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """A container that forwards each hook to its callbacks.

    Adds a :class:`History` (for ``fit``) and a :class:`ProgbarLogger` (when
    verbose) unless the user already passed one.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be kiln.callbacks.Callback instances, received {type(cb).__name__}")
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in callbacks):
            callbacks.append(ProgbarLogger())
        if add_history and not any(isinstance(c, History) for c in callbacks):
            history = History()
            callbacks.append(history)
            if model is not None:
                model.history = history
        self.callbacks = callbacks
        for cb in callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(dict(params))

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)
