"""Hinge metrics: running means of the hinge, squared hinge and categorical hinge losses.

Example:
    >>> import kiln
    >>> m = kiln.metrics.Hinge()
    >>> m.update_state([[1.0, -1.0]], [[0.5, 0.5]])
    >>> float(m.result())
    1.0
"""

from kiln.losses.losses import categorical_hinge, hinge, squared_hinge
from kiln.metrics.reduction_metrics import _LossMean


class Hinge(_LossMean):
    """The running mean of the per-sample hinge loss ``mean(max(1 - y_true * y_pred, 0))``.

    Labels should be -1 or 1; labels that are all 0 or 1 are mapped to -1/1.

    Example:
        >>> import kiln
        >>> float(Hinge()([[1.0, 0.0]], [[0.5, 0.5]]))
        1.0
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)


class SquaredHinge(_LossMean):
    """The running mean of the per-sample squared hinge loss ``mean(max(1 - y_true * y_pred, 0)**2)``.

    Example:
        >>> import kiln
        >>> float(SquaredHinge()([[1.0, 0.0]], [[0.5, 0.5]]))
        1.25
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_LossMean):
    """The running mean of the per-sample categorical hinge loss (one-hot labels).

    Per sample ``max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred))``.

    Example:
        >>> import kiln
        >>> round(float(CategoricalHinge()([[0.0, 1.0]], [[0.4, 0.6]])), 5)
        0.8
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
