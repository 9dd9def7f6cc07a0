"""``LambdaCallback``: build a callback from plain functions.

Example:
    >>> import kiln
    >>> seen = []
    >>> cb = kiln.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> cb.on_epoch_end(0, {}); seen
    [0]
"""

from kiln.callbacks.callback import Callback

_HOOKS = tuple(name for name in vars(Callback) if name.startswith("on_"))
# Hooks whose base implementation forwards to an alias (on_train_batch_* -> on_batch_*).
_ALIASED = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given.

    Each argument, when not None, replaces the hook of that name and is called
    with the hook's positional arguments:

    - ``on_epoch_begin`` / ``on_epoch_end``: ``(epoch, logs)``
    - ``on_train_begin`` / ``on_train_end``: ``(logs)``
    - ``on_train_batch_begin`` / ``on_train_batch_end``: ``(batch, logs)``
    - ``**kwargs``: any other hook by name, e.g. ``on_test_begin``,
      ``on_predict_batch_end``, ``on_batch_end``.

    Example:
        >>> import kiln
        >>> log = []
        >>> cb = kiln.callbacks.LambdaCallback(on_train_begin=lambda logs: log.append("start"),
        ...                                    on_test_end=lambda logs: log.append("tested"))
        >>> cb.on_train_begin(); cb.on_test_end(); log
        ['start', 'tested']
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        unknown = sorted(set(kwargs) - set(_HOOKS))
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hooks {unknown}; valid hook names are {list(_HOOKS)}")
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, function in given.items():
            if function is not None and not callable(function):
                raise TypeError(f"LambdaCallback: `{name}` must be callable or None, received {function!r}")
        self._functions = {name: function for name, function in given.items() if function is not None}


def _forwarder(hook):
    alias = _ALIASED.get(hook)
    takes_index = "batch" in hook or "epoch" in hook

    def call(self, args):
        function = self._functions.get(hook)
        if function is not None:
            function(*args)
        elif alias is not None:
            getattr(self, alias)(*args)

    # The functions always receive `logs` (None when the caller gave none), as from fit.
    if takes_index:
        def method(self, index, logs=None):
            call(self, (index, logs))
    else:
        def method(self, logs=None):
            call(self, (logs,))

    method.__name__ = hook
    method.__doc__ = f"Calls the function given as `{hook}`, if any."
    return method


# Hooks are class methods (not instance attributes), so CallbackList sees them as overridden.
for _hook in _HOOKS:
    setattr(LambdaCallback, _hook, _forwarder(_hook))
del _hook
