"""F-scores: the weighted harmonic mean of precision and recall (``FBetaScore``, ``F1Score``).

Example:
    >>> import kiln
    >>> m = kiln.metrics.F1Score(average="micro", threshold=0.5)
    >>> m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.7, 0.6]])
    >>> round(float(m.result()), 4)
    0.8
"""

from kiln import config, ops
from kiln.metrics.metric import Metric

AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score of multi-label or multi-class predictions of shape ``(samples, classes)``.

    ``F = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)``,
    with precision and recall from the (weighted) counts of true positives, false
    positives and false negatives per class. A prediction is positive when it is
    above ``threshold``; with ``threshold=None`` the highest (non-zero) score of
    each row is the positive one.

    Args:
        average: ``None`` (one score per class), ``"micro"`` (counts pooled over
            classes), ``"macro"`` (mean of the per-class scores) or ``"weighted"``
            (per-class scores weighted by the number of true instances).
        beta: the weight of recall relative to precision, a float > 0.
        threshold: a float in (0, 1], or None for "argmax of each row".
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(float(v), 4) for v in m.result()]
        [0.3846, 0.9091, 0.8333]
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        if average not in AVERAGES:
            raise ValueError(f"{owner}: unknown `average` {average!r}; valid values are {list(AVERAGES)}")
        if not isinstance(beta, float):
            raise ValueError(f"{owner}: `beta` must be a Python float, received beta={beta!r} "
                             f"of type {type(beta).__name__}")
        if beta <= 0.0:
            raise ValueError(f"{owner}: `beta` must be > 0, received beta={beta!r}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"{owner}: `threshold` must be a Python float or None, received "
                                 f"threshold={threshold!r} of type {type(threshold).__name__}")
            if not 0.0 < threshold <= 1.0:
                raise ValueError(f"{owner}: `threshold` must satisfy 0 < threshold <= 1, "
                                 f"received threshold={threshold!r}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        # Micro pools every class into scalar counts; the others keep one count per class.
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        owner = type(self).__name__
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{owner}: expects inputs of shape (batch_size, num_classes); received "
                             f"y_true.shape={tuple(y_true_shape)} and y_pred.shape={tuple(y_pred_shape)}")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"{owner}: the last axis (num_classes) must be known; received "
                             f"y_true.shape={tuple(y_true_shape)} and y_pred.shape={tuple(y_pred_shape)}")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, name, self.add_variable(shape=shape, initializer="zeros", dtype=self.dtype,
                                                  name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's per-class (or pooled) weighted tp, fp, fn and label counts."""
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            # The row's maximum is the prediction; an all-zero row predicts nothing.
            top = ops.max(y_pred, axis=-1, keepdims=True)
            predicted = ops.logical_and(ops.greater_equal(y_pred, top), ops.greater(ops.abs(y_pred), 1e-9))
        else:
            predicted = ops.greater(y_pred, self.threshold)
        y_pred = ops.cast(predicted, self.dtype)
        if sample_weight is not None:
            sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            if len(sample_weight.shape) == 1:
                sample_weight = ops.expand_dims(sample_weight, 1)

        def weighted_sum(values):
            if sample_weight is not None:
                values = ops.multiply(values, sample_weight)
            return ops.sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(ops.multiply(y_pred, y_true)))
        self.false_positives.assign_add(weighted_sum(ops.multiply(y_pred, ops.subtract(1.0, y_true))))
        self.false_negatives.assign_add(weighted_sum(ops.multiply(ops.subtract(1.0, y_pred), y_true)))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        if not self._built:
            return ops.convert_to_tensor(0.0, dtype=self.dtype)
        eps = config.epsilon()
        tp = self.true_positives.value
        precision = ops.divide(tp, ops.add(ops.add(tp, self.false_positives.value), eps))
        recall = ops.divide(tp, ops.add(ops.add(tp, self.false_negatives.value), eps))
        beta2 = self.beta ** 2
        harmonic = ops.divide(ops.multiply(precision, recall),
                              ops.add(ops.add(ops.multiply(precision, beta2), recall), eps))
        score = ops.multiply(harmonic, 1.0 + beta2)
        if self.average == "weighted":
            counts = self.intermediate_weights.value
            weights = ops.divide(counts, ops.add(ops.sum(counts), eps))
            return ops.sum(ops.multiply(score, weights))
        if self.average is not None:  # micro (already a scalar) or macro
            return ops.mean(score)
        return score

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: :class:`FBetaScore` with ``beta=1``, the harmonic mean of precision and recall.

    Args:
        average: ``None``, ``"micro"``, ``"macro"`` or ``"weighted"`` (see FBetaScore).
        threshold: a float in (0, 1], or None for "argmax of each row".
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(float(v), 4) for v in m.result()]
        [0.5, 0.8, 0.6667]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
