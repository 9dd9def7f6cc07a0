"""``kiln.optimizers.legacy``: the Keras 2 optimizers, which Keras 3 (and so Kiln) does not offer.

The names exist so that code importing them still imports; constructing any of
them raises ImportError saying what to use instead.

Example:
    >>> import kiln
    >>> try:
    ...     kiln.optimizers.legacy.Adam(learning_rate=0.01)
    ... except ImportError as error:
    ...     print(type(error).__name__, "kiln.optimizers.Adam" in str(error))
    ImportError True
"""

__all__ = ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]


class _LegacyOptimizer:
    """Constructing one raises ImportError: the Keras 2 optimizers do not exist in Keras 3.

    Example:
        >>> try:
        ...     SGD()
        ... except ImportError as error:
        ...     "kiln.optimizers.SGD" in str(error)
        True
    """

    def __init__(self, *args, **kwargs):
        name = type(self).__name__
        raise ImportError(
            f"Legacy optimizers (`keras.optimizers.legacy.{name}`) are not supported in Keras 3 "
            f"or Kiln. Use `kiln.optimizers.{name}`, whose arguments follow the Keras 3 "
            "optimizers (e.g. `learning_rate`, not `lr`; no `decay`: use a learning-rate "
            "schedule). Code that needs the Keras 2 optimizers themselves must run on Keras 2 "
            "(the separate legacy Keras 2 package)."
        )


def _legacy(name):
    doc = (f"Keras 2's ``{name}`` optimizer: not supported; constructing it raises ImportError.\n\n"
           "    Example:\n"
           "        >>> try:\n"
           f"        ...     {name}()\n"
           "        ... except ImportError:\n"
           "        ...     print('not supported')\n"
           "        not supported\n")
    return type(name, (_LegacyOptimizer,), {"__doc__": doc, "__module__": __name__})


Adagrad = _legacy("Adagrad")
Adam = _legacy("Adam")
Ftrl = _legacy("Ftrl")
Optimizer = _legacy("Optimizer")
RMSprop = _legacy("RMSprop")
SGD = _legacy("SGD")
