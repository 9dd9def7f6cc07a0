"""Regression metrics: running mean errors, cosine similarity, log-cosh and R2.

Example:
    >>> import kiln
    >>> float(kiln.metrics.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
"""

from kiln import ops
from kiln.losses.loss import squeeze_or_expand_to_same_rank
from kiln.losses.losses import (
    cosine_similarity,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from kiln.metrics.reduction_metrics import Mean, MeanMetricWrapper
from kiln.metrics.metric import Metric


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of the per-sample mean squared error.

    Example:
        >>> import kiln
        >>> float(MeanSquaredError()([[0.0, 2.0]], [[1.0, 0.0]]))
        2.5
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of the per-sample mean absolute error.

    Example:
        >>> import kiln
        >>> float(MeanAbsoluteError()([[0.0, 2.0]], [[1.0, 0.0]]))
        1.5
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The running mean of the per-sample mean absolute percentage error.

    Example:
        >>> import kiln
        >>> float(MeanAbsolutePercentageError()([[1.0, 4.0]], [[1.5, 3.0]]))
        37.5
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(fn=mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The running mean of the per-sample mean squared logarithmic error.

    Example:
        >>> import kiln, math
        >>> m = MeanSquaredLogarithmicError()
        >>> round(float(m([[0.0, 0.0]], [[math.e - 1.0, 0.0]])), 5)
        0.5
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(fn=mean_squared_logarithmic_error, name=name, dtype=dtype)


def _cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample cosine similarity: the loss's value with its sign flipped (1 = same direction)."""
    return ops.negative(cosine_similarity(y_true, y_pred, axis=axis))


class CosineSimilarity(MeanMetricWrapper):
    """The running mean of the cosine similarity between labels and predictions.

    Unlike the loss of the same name, 1 means the vectors point the same way
    and -1 opposite ways.

    Args:
        name, dtype: as for :class:`Metric`.
        axis: the axis along which the similarity is computed.

    Example:
        >>> import kiln
        >>> m = CosineSimilarity()
        >>> round(float(m([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])), 5)
        0.5
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(fn=_cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class LogCoshError(MeanMetricWrapper):
    """The running mean of the per-sample mean of ``log(cosh(y_pred - y_true))``.

    Example:
        >>> import kiln
        >>> round(float(LogCoshError()([[0.0, 0.0]], [[1.0, 0.0]])), 5)
        0.21689
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(fn=log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the running (weighted) mean of the per-sample squared error.

    Each sample contributes the mean of its squared errors over the last axis;
    the root is taken of the mean over every sample seen, not per batch.

    Example:
        >>> import kiln
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(ops.square(ops.subtract(y_pred, y_true)),
                                    sample_weight=sample_weight)

    def result(self):
        return ops.sqrt(super().result())


_CLASS_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination, ``1 - SS_res / SS_tot``, per output then aggregated.

    Inputs are 2D, ``(batch_size, num_outputs)``. Sums of ``y``, ``y**2``, the
    squared residuals and the weights are kept per output (the state is
    created by the first batch, when the number of outputs is known), so the
    score is exact over all batches seen.

    Args:
        class_aggregation: how per-output scores combine: ``"uniform_average"``
            (their mean), ``"variance_weighted_average"`` (weighted by each
            output's total sum of squares) or None (one score per output).
        num_regressors: the number of independent regressors: above 0 gives
            the adjusted R2, ``1 - (1 - R2) * (n - 1) / (n - num_regressors - 1)``
            where ``n`` counts every label entry seen; when ``n - 1`` does not
            exceed ``num_regressors`` the plain R2 is returned.
        name, dtype: as for :class:`Metric`.

    Example:
        >>> import kiln
        >>> m = R2Score()
        >>> m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _CLASS_AGGREGATIONS:
            raise ValueError(
                f"R2Score: invalid value for argument `class_aggregation`: expected one of "
                f"{_CLASS_AGGREGATIONS}, received class_aggregation={class_aggregation!r}")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, int) or num_regressors < 0:
            raise ValueError(
                f"R2Score: invalid value for argument `num_regressors`: expected an int >= 0, "
                f"received num_regressors={num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", dtype="int32",
                                             name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"R2Score expects 2D inputs with shape (batch_size, output_dim); received "
                f"y_true shape {tuple(y_true_shape)} and y_pred shape {tuple(y_pred_shape)}")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                f"R2Score needs a known last dimension (output_dim); received y_true shape "
                f"{tuple(y_true_shape)} and y_pred shape {tuple(y_pred_shape)}")
        num_outputs = y_pred_shape[-1]
        # Keras' names and order, so weight files interchange.
        self.squared_sum = self.add_variable((num_outputs,), "zeros", name="squared_sum")
        self.sum = self.add_variable((num_outputs,), "zeros", name="sum")
        self.total_mse = self.add_variable((num_outputs,), "zeros", name="residual")
        self.count = self.add_variable((num_outputs,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if sample_weight is None:
            sample_weight = ops.ones_like(y_true)
        else:
            sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            if len(sample_weight.shape) == 1:
                sample_weight = ops.expand_dims(sample_weight, 1)
            sample_weight = ops.broadcast_to(sample_weight, ops.shape(y_true))
        weighted_true = ops.multiply(y_true, sample_weight)
        self.sum.assign_add(ops.sum(weighted_true, axis=0))
        self.squared_sum.assign_add(ops.sum(ops.multiply(y_true, weighted_true), axis=0))
        residual = ops.square(ops.subtract(y_true, y_pred))
        self.total_mse.assign_add(ops.sum(ops.multiply(residual, sample_weight), axis=0))
        self.count.assign_add(ops.sum(sample_weight, axis=0))
        self.num_samples.assign_add(ops.cast(ops.size(y_true), "int32"))

    def result(self):
        if not self._built:
            raise ValueError("R2Score.result(): the metric has seen no data yet (its state is "
                             "created by the first update_state call)")
        mean = ops.divide(self.sum.value, self.count.value)
        total = ops.subtract(self.squared_sum.value, ops.multiply(self.sum.value, mean))
        raw_scores = ops.subtract(1.0, ops.divide(self.total_mse.value, total))
        raw_scores = ops.where(ops.isinf(raw_scores), ops.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.divide(ops.sum(ops.multiply(total, raw_scores)), ops.sum(total))
        else:
            score = raw_scores
        if self.num_regressors == 0:
            return score
        n = ops.cast(self.num_samples.value, self.dtype)
        p = float(self.num_regressors)
        dof = ops.subtract(ops.subtract(n, p), 1.0)
        valid = ops.greater(dof, 0.0)
        adjusted = ops.subtract(1.0, ops.divide(
            ops.multiply(ops.subtract(1.0, score), ops.subtract(n, 1.0)),
            ops.where(valid, dof, ops.ones_like(dof))))
        # Fewer samples than regressors + 2: the adjustment is undefined, keep the plain R2.
        return ops.where(valid, adjusted, score)

    def reset_state(self):
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
