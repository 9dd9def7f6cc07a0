"""Accuracy metrics: exact-match, binary, categorical, sparse categorical and top-k accuracy.

Example:
    >>> import kiln
    >>> m = kiln.metrics.SparseCategoricalAccuracy()
    >>> float(m([1, 0], [[0.2, 0.8], [0.3, 0.7]]))
    0.5
"""

from kiln import config, ops
from kiln.losses.loss import squeeze_or_expand_to_same_rank
from kiln.metrics.reduction_metrics import MeanMetricWrapper


def _floatx():
    return config.floatx()


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` element-wise, else 0.0.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(accuracy([1, 2], [1, 3])).tolist()
        [1.0, 0.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(ops.equal(y_true, y_pred), _floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per-sample fraction of entries where ``(y_pred > threshold)`` matches ``y_true``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]])).tolist()
        [1.0, 0.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = ops.cast(ops.greater(y_pred, ops.cast(threshold, y_pred.dtype)), y_true.dtype)
    return ops.mean(ops.cast(ops.equal(y_true, predicted), _floatx()), axis=-1)


def _sparse_matches(y_true, y_pred):
    """1.0 where the integer label ``y_true`` is the argmax of ``y_pred``, shaped like y_true."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    true_shape = tuple(y_true.shape)
    squeezed = False
    if len(true_shape) == len(y_pred.shape) and true_shape and true_shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
        squeezed = True
    predicted = ops.argmax(y_pred, axis=-1)
    if ops.dtype(predicted) != ops.dtype(y_true):
        predicted = ops.cast(predicted, ops.dtype(y_true))
    matches = ops.cast(ops.equal(y_true, predicted), _floatx())
    if squeezed:
        matches = ops.expand_dims(matches, -1)
    return matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals the argmax of the predictions, else 0.0.

    ``y_true`` may have shape ``(N,)`` or ``(N, 1)`` for predictions ``(N, C)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(sparse_categorical_accuracy([1, 1], [[0.2, 0.8], [0.9, 0.1]])).tolist()
        [1.0, 0.0]
    """
    return _sparse_matches(y_true, y_pred)


def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of the one-hot labels equals the argmax of the predictions.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.1, 0.9]])).tolist()
        [1.0, 0.0]
    """
    return _sparse_matches(ops.argmax(ops.convert_to_tensor(y_true), axis=-1), y_pred)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Example:
        >>> import kiln
        >>> float(Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]))
        0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions (``y_pred > threshold``) match binary labels.

    Example:
        >>> import kiln
        >>> float(BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]))
        0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if threshold is not None and not isinstance(threshold, (int, float)):
            raise ValueError(
                f"BinaryAccuracy: `threshold` must be a float, received threshold={threshold!r}")
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the one-hot label.

    Example:
        >>> import kiln
        >>> float(CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
        0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) matches the integer label.

    Labels may have shape ``(N,)`` or ``(N, 1)``.

    Example:
        >>> import kiln
        >>> float(SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))
        0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)


def _flatten_for_top_k(y_true, y_pred):
    """Labels as a vector and predictions as a matrix, plus the label shape to restore (or None)."""
    restore = None
    if len(y_pred.shape) > 2:
        y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    if len(y_true.shape) > 1:
        restore = ops.shape(y_true)
        y_true = ops.reshape(y_true, (-1,))
    return y_true, y_pred, restore


def _check_k(owner, k):
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"{owner}: `k` must be an int >= 1, received k={k!r}")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the ``k`` highest predictions, else 0.0.

    The result has the shape of ``y_true`` without its class axis.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(top_k_categorical_accuracy(
        ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.15, 0.05, 0.8]], k=2)).tolist()
        [1.0, 0.0]
    """
    _check_k("top_k_categorical_accuracy", k)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    y_true, y_pred, restore = _flatten_for_top_k(y_true, y_pred)
    matches = ops.cast(ops.in_top_k(ops.cast(y_true, "int32"), y_pred, k), _floatx())
    return matches if restore is None else ops.reshape(matches, restore)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest predictions, else 0.0.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids already sorted by
    decreasing score (shape ``(N, >= k)``) rather than scores; a label counts
    once even if its id repeats among the first ``k``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(sparse_top_k_categorical_accuracy(
        ...     [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.15, 0.8]], k=2)).tolist()
        [1.0, 1.0]
        >>> kiln.ops.convert_to_numpy(sparse_top_k_categorical_accuracy(
        ...     [2, 1], [[1, 2, 0], [2, 0, 1]], k=2, from_sorted_ids=True)).tolist()
        [1.0, 0.0]
    """
    _check_k("sparse_top_k_categorical_accuracy", k)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype if from_sorted_ids else "int32")
    y_true, y_pred, restore = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        # The first k ids are the top k; any() so a repeated id counts once.
        hits = ops.equal(ops.expand_dims(y_true, 1), y_pred[:, :k])
        matches = ops.any(hits, axis=1)
    else:
        matches = ops.in_top_k(y_true, y_pred, k)
    matches = ops.cast(matches, _floatx())
    return matches if restore is None else ops.reshape(matches, restore)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest predictions.

    Args:
        k: how many top predictions count as a hit (default 5).
        name, dtype: as for :class:`Metric`.

    Example:
        >>> import kiln
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> float(m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        _check_k("TopKCategoricalAccuracy", k)
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions.

    Args:
        k: how many top predictions count as a hit (default 5).
        name, dtype: as for :class:`Metric`.
        from_sorted_ids: when True, ``y_pred`` holds class ids sorted by
            decreasing score instead of scores.

    Example:
        >>> import kiln
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> float(m([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        _check_k("SparseTopKCategoricalAccuracy", k)
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        # Written only when set, as Keras does, so older readers still load the config.
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
