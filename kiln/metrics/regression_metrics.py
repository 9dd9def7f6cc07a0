"""Regression metrics: running mean squared and mean absolute error.

Example:
    >>> import kiln
    >>> float(kiln.metrics.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
"""

from kiln.losses.losses import mean_absolute_error, mean_squared_error
from kiln.metrics.reduction_metrics import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of the per-sample mean squared error.

    Example:
        >>> import kiln
        >>> float(MeanSquaredError()([[0.0, 2.0]], [[1.0, 0.0]]))
        2.5
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of the per-sample mean absolute error.

    Example:
        >>> import kiln
        >>> float(MeanAbsoluteError()([[0.0, 2.0]], [[1.0, 0.0]]))
        1.5
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
