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


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(callback, hook):
    cls = type(callback)
    if getattr(cls, hook) is not getattr(Callback, hook):
        return True
    alias = _ALIASES.get(hook)
    return alias is not None and getattr(cls, alias) is not getattr(Callback, alias)


class CallbackList(Callback):
    """A container that forwards each hook to its callbacks.

    Adds a :class:`History` (for ``fit``) and a :class:`ProgbarLogger` (when
    verbose) unless the user already passed one.

    Example:
        >>> import kiln
        >>> seen = []
        >>> hooks = kiln.callbacks.CallbackList(
        ...     [kiln.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))])
        >>> hooks.on_epoch_end(3)
        >>> seen
        [3]
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
        # Per hook, only the callbacks that override it: per-batch hooks run on every
        # step, and calling empty base methods there is pure overhead.
        self._hooks = {}
        for hook in _HOOKS:
            self._hooks[hook] = [getattr(cb, hook) for cb in callbacks if _overrides(cb, hook)]

    def _call(self, hook, *args):
        for method in self._hooks[hook]:
            method(*args)

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
