"""Correlation metrics: Pearson and concordance correlation, averaged over samples.

Each function scores every sample (a slice along ``axis``); the metric
classes keep the running (weighted) mean of those per-sample scores.

Example:
    >>> import kiln
    >>> m = kiln.metrics.PearsonCorrelation()
    >>> float(m([[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]]))
    1.0
"""

from kiln import ops
from kiln.losses.loss import divide_no_nan, squeeze_or_expand_to_same_rank
from kiln.metrics.reduction_metrics import MeanMetricWrapper


def _true_and_pred(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``.

    ``mean((y_true - mean(y_true)) * (y_pred - mean(y_pred))) / (std(y_true) * std(y_pred))``,
    population statistics taken along ``axis`` (0 where a standard deviation is 0).

    Example:
        >>> import kiln
        >>> [round(v, 6) for v in kiln.ops.convert_to_numpy(pearson_correlation(
        ...     [[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])).tolist()]
        [1.0, 0.993399]
    """
    y_true, y_pred = _true_and_pred(y_true, y_pred)
    true_dev = ops.subtract(y_true, ops.mean(y_true, axis=axis, keepdims=True))
    pred_dev = ops.subtract(y_pred, ops.mean(y_pred, axis=axis, keepdims=True))
    covariance = ops.mean(ops.multiply(true_dev, pred_dev), axis=axis)
    scale = ops.multiply(ops.std(y_true, axis=axis), ops.std(y_pred, axis=axis))
    return divide_no_nan(covariance, scale)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``.

    ``2 * cov(y_true, y_pred) / (var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred))**2)``,
    population statistics taken along ``axis`` (0 where the denominator is 0).
    Unlike Pearson's coefficient it also penalises a shift or a scale change.

    Example:
        >>> import kiln
        >>> [round(v, 6) for v in kiln.ops.convert_to_numpy(concordance_correlation(
        ...     [[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])).tolist()]
        [0.97561, 0.987654]
    """
    y_true, y_pred = _true_and_pred(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_dev = ops.subtract(y_true, true_mean)
    pred_dev = ops.subtract(y_pred, pred_mean)
    covariance = ops.mean(ops.multiply(true_dev, pred_dev), axis=axis)
    denominator = ops.add(
        ops.add(ops.mean(ops.square(true_dev), axis=axis), ops.mean(ops.square(pred_dev), axis=axis)),
        ops.squeeze(ops.square(ops.subtract(true_mean, pred_mean)), axis=axis))
    return divide_no_nan(ops.multiply(2.0, covariance), denominator)


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of Pearson's correlation coefficient over samples.

    Args:
        name, dtype: as for :class:`Metric`.
        axis: the axis along which each sample's correlation is computed.

    Example:
        >>> import kiln
        >>> m = PearsonCorrelation()
        >>> m.update_state([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])
        >>> round(float(m.result()), 6)
        0.9967
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of the concordance correlation coefficient over samples.

    Args:
        name, dtype: as for :class:`Metric`.
        axis: the axis along which each sample's coefficient is computed.

    Example:
        >>> import kiln
        >>> m = ConcordanceCorrelation()
        >>> m.update_state([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]], [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]])
        >>> round(float(m.result()), 6)
        0.981632
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
