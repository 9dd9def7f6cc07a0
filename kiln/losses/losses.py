"""Built-in losses: per-sample loss functions and the Loss classes that wrap them.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.losses.mean_squared_error([[1.0, 2.0]], [[1.0, 4.0]])).tolist()
    [2.0]
    >>> float(kiln.losses.MeanAbsoluteError()([[1.0, 2.0]], [[1.0, 4.0]]))
    1.0
"""

from kiln import ops
from kiln.losses.loss import Loss, squeeze_or_expand_to_same_rank


class LossFunctionWrapper(Loss):
    """A Loss built from a function ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses.

    Args:
        fn: the loss function.
        reduction, name, dtype: as for :class:`Loss`.
        **kwargs: extra keyword arguments passed to ``fn``.

    Example:
        >>> import kiln
        >>> loss = LossFunctionWrapper(kiln.losses.mean_absolute_error, name="l1")
        >>> float(loss([[0.0, 0.0]], [[1.0, -3.0]]))
        2.0
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        from kiln.saving import serialization_lib

        config = super().get_config()
        config["fn"] = serialization_lib.serialize_kiln_object(self.fn)
        config.update(serialization_lib.serialize_kiln_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        from kiln.saving import serialization_lib

        config = dict(config)
        if "fn" in config:
            config["fn"] = serialization_lib.deserialize_kiln_object(config["fn"])
        return cls(**config)


class MeanSquaredError(LossFunctionWrapper):
    """Mean of the squared differences over the last axis, then reduced.

    Example:
        >>> import kiln
        >>> float(MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]))
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of the absolute differences over the last axis, then reduced.

    Example:
        >>> import kiln
        >>> float(MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 3.0]]))
        1.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)


class _SmoothedCrossentropy(LossFunctionWrapper):
    """Shared arguments and config of the binary and categorical cross-entropies."""

    def __init__(self, fn, from_logits, label_smoothing, axis, reduction, name, dtype):
        super().__init__(fn, name=name, reduction=reduction, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                       "axis": self.axis})
        return config


class BinaryCrossentropy(_SmoothedCrossentropy):
    """Cross-entropy between binary labels and predicted probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits instead of probabilities.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged over (default -1).

    Example:
        >>> import kiln
        >>> round(float(BinaryCrossentropy(from_logits=True)([[1.0]], [[0.0]])), 4)
        0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype)


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """Cross-entropy between one-hot labels and predicted class probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis (default -1).

    Example:
        >>> import kiln
        >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 4)
        0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between integer class labels and predicted probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label value whose entries contribute no loss (e.g. padding).
        axis: the class axis of ``y_pred`` (default -1).

    Example:
        >>> import kiln
        >>> round(float(SparseCategoricalCrossentropy()([1], [[0.5, 0.5]])), 4)
        0.6931
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def _values_mask(self, y_true, y_pred):
        # With ignore_class, mean reductions average over the kept entries only.
        return _ignore_class_mask(y_true, y_pred, self.ignore_class)

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "ignore_class": self.ignore_class})
        return config


# -- functions ----------------------------------------------------------------------------

def _pred_and_true(y_true, y_pred):
    """Tensors of y_pred (float) and y_true in y_pred's dtype."""
    y_pred = ops.convert_to_tensor(y_pred)
    if not _is_float(y_pred):
        y_pred = ops.cast(y_pred, _floatx())
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    return y_true, y_pred


def _is_float(x):
    from kiln.backend.common import dtypes

    return dtypes.is_float(dtypes.standardize_dtype(x.dtype))


def _floatx():
    from kiln import config

    return config.floatx()


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error: ``mean(square(y_true - y_pred), axis=-1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(mean_squared_error([[0.0, 2.0]], [[1.0, 0.0]])).tolist()
        [2.5]
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error: ``mean(abs(y_true - y_pred), axis=-1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(mean_absolute_error([[0.0, 2.0]], [[1.0, 0.0]])).tolist()
        [1.5]
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, averaged over ``axis``.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(
        ...     binary_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])).tolist()]
        [0.6931]
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy between one-hot labels and predictions.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(
        ...     categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])).tolist()]
        [0.6931]
    """
    if isinstance(axis, bool):
        raise ValueError(f"categorical_crossentropy: `axis` must be an int, received axis={axis}")
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    if label_smoothing:
        num_classes = ops.cast(ops.shape(y_true)[axis], y_pred.dtype)
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing),
                         ops.divide(label_smoothing, num_classes))
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample cross-entropy between integer labels and class predictions.

    ``y_true`` has the shape of ``y_pred`` without the class axis (a trailing
    size-1 axis is accepted). Entries whose label equals ``ignore_class`` give 0.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(
        ...     sparse_categorical_crossentropy([0, 1], [[0.5, 0.5], [0.2, 0.8]])).tolist()]
        [0.6931, 0.2231]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if not _is_float(y_pred):
        y_pred = ops.cast(y_pred, _floatx())
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(y_true, ops.cast(ignore_class, y_true.dtype))
        # Ignored entries get a valid label so the computation stays finite (and so do
        # gradients through the `where` below).
        y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    y_true = ops.cast(y_true, "int32")
    result = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    if valid is not None:
        result = ops.where(valid, result, ops.zeros_like(result))
    return result


def _ignore_class_mask(y_true, y_pred, ignore_class):
    """Boolean mask of the entries whose label is not ``ignore_class`` (None if no class ignored)."""
    if ignore_class is None:
        return None
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    return ops.not_equal(y_true, ops.cast(ignore_class, y_true.dtype))
