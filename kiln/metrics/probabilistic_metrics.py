"""Probabilistic metrics: running means of the cross-entropies, KL divergence and Poisson loss.

Each is a :class:`~kiln.metrics.MeanMetricWrapper` around the loss function of
the same name in :mod:`kiln.losses`, so a metric and its loss always agree.

Example:
    >>> import kiln
    >>> m = kiln.metrics.KLDivergence()
    >>> m.update_state([[0.5, 0.5]], [[0.25, 0.75]])
    >>> round(float(m.result()), 5)
    0.14384
"""

from kiln import ops
from kiln.losses.loss import squeeze_or_expand_to_same_rank
from kiln.losses.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from kiln.metrics.reduction_metrics import _LossMean


class KLDivergence(_LossMean):
    """The running mean of the per-sample Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``.

    Example:
        >>> import kiln
        >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 5)
        0.14384
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)


class Poisson(_LossMean):
    """The running mean of the per-sample Poisson loss ``mean(y_pred - y_true * log(y_pred))``.

    Example:
        >>> import kiln
        >>> round(float(Poisson()([[1.0, 0.0]], [[1.0, 2.0]])), 5)
        1.5
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)


class BinaryCrossentropy(_LossMean):
    """The running mean of the binary cross-entropy between labels and predictions.

    Args:
        from_logits: whether ``y_pred`` holds logits instead of probabilities.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + 0.5 * s``.

    Example:
        >>> import kiln
        >>> m = BinaryCrossentropy()
        >>> m.update_state([[1.0], [0.0]], [[0.5], [0.5]])
        >>> round(float(m.result()), 4)
        0.6931
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_LossMean):
    """The running mean of the categorical cross-entropy between one-hot labels and predictions.

    Args:
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis (default -1).

    Example:
        >>> import kiln
        >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
        0.6931
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_LossMean):
    """The running mean of the cross-entropy between integer labels and class predictions.

    Args:
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label whose entries are left out of the mean (e.g. padding).
        axis: the class axis of ``y_pred`` (default -1).

    Example:
        >>> import kiln
        >>> m = SparseCategoricalCrossentropy(ignore_class=-1)
        >>> m.update_state([1, -1], [[0.5, 0.5], [0.9, 0.1]])
        >>> round(float(m.result()), 4)
        0.6931
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is not None:
            # Ignored entries weigh 0, so they count in neither the total nor the count.
            labels = ops.convert_to_tensor(y_true)
            if len(labels.shape) == len(ops.shape(y_pred)) and labels.shape[-1] == 1:
                labels = ops.squeeze(labels, -1)
            kept = ops.cast(ops.not_equal(labels, ops.cast(self.ignore_class, labels.dtype)),
                            self.dtype)
            if sample_weight is None:
                sample_weight = kept
            else:
                sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
                sample_weight, kept = squeeze_or_expand_to_same_rank(sample_weight, kept)
                sample_weight = ops.multiply(sample_weight, kept)
        return super().update_state(y_true, y_pred, sample_weight=sample_weight)
