"""Metrics that reduce values over batches: ``Sum``, ``Mean`` and ``MeanMetricWrapper``.

Example:
    >>> import kiln
    >>> m = kiln.metrics.Mean()
    >>> m.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 1.0, 0.0])
    >>> float(m.result())
    1.5
"""

from kiln import ops
from kiln.losses.loss import apply_mask, get_mask, squeeze_or_expand_to_same_rank

# A positive count floor per dtype (a normal number there), used by Mean.result.
_TINY = {"float16": 6.2e-5, "bfloat16": 1e-30, "float32": 1e-30, "float64": 1e-300}
from kiln.metrics.metric import Metric


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Weight ``values`` and reduce them to one value per sample (axis 0).

    Returns ``(values, sample_weight)``: ``values`` of rank <= 1, already
    multiplied by the weights, and the weights reduced the same way (or None).
    """
    mask = get_mask(values)
    values = ops.cast(ops.convert_to_tensor(values), dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype, "sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(sample_weight.shape), len(values.shape)
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
        values = ops.multiply(values, sample_weight)
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    values_ndim = len(values.shape)
    if values_ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values_ndim)))
    return values, sample_weight


class Sum(Metric):
    """The running (weighted) sum of the values it is given.

    Example:
        >>> import kiln
        >>> m = Sum()
        >>> m.update_state([1.0, 3.0, 5.0])
        >>> float(m.result())
        9.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype)
        self.total.assign_add(ops.sum(values))

    def result(self):
        return ops.cast(self.total.value, self.dtype)


class Mean(Metric):
    """The running (weighted) mean of the values it is given.

    Values of rank > 1 are first averaged per sample; the mean is then taken
    over samples, weighted by ``sample_weight``.

    Example:
        >>> import kiln
        >>> m = Mean()
        >>> m.update_state([1.0, 3.0])
        >>> m.update_state([5.0])
        >>> float(m.result())
        3.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        if isinstance(sample_weight, (int, float)) and len(getattr(values, "shape", (0,))) == 0:
            # A scalar with a count (the trainer's loss tracker, every step): two updates.
            self.total.assign_add(ops.multiply(ops.cast(values, self.dtype), float(sample_weight)))
            self.count.assign_add(float(sample_weight))
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, ops.mean, self.dtype)
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            count = ops.sum(sample_weight)
        else:
            # values has rank <= 1 here, so its size is the number of samples (1 for a
            # scalar); size also works when the batch dimension is unknown while tracing.
            count = ops.size(values)
        self.count.assign_add(ops.cast(count, self.dtype))

    def result(self):
        # count is never negative; dividing by max(count, tiny) gives 0 for an empty metric
        # (total is 0 then) with two ops instead of a guarded divide.
        count = ops.cast(self.count.value, self.dtype)
        return ops.divide(ops.cast(self.total.value, self.dtype), ops.maximum(count, _TINY.get(self.dtype, 1e-30)))


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
        fn: a function returning one value per sample (e.g. a loss function).
        name, dtype: as for :class:`Metric`.
        **kwargs: extra keyword arguments for ``fn``.

    Example:
        >>> import kiln
        >>> m = MeanMetricWrapper(kiln.losses.mean_absolute_error, name="mae")
        >>> float(m([[0.0, 0.0]], [[1.0, 3.0]]))
        2.0
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean_metric_wrapper",
                         dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if sample_weight is not None and mask is not None:
            sample_weight = apply_mask(ops.convert_to_tensor(sample_weight), mask, self.dtype, "sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        from kiln.saving import serialization_lib

        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = _serialize_fn(self._fn, serialization_lib)
        config.update(serialization_lib.serialize_kiln_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = _deserialize_fn(config["fn"])
        return cls(**config)


class _LossMean(MeanMetricWrapper):
    """A running mean of a loss function (hinge, cross-entropy, ...): lower is better.

    ``_direction`` tells ``mode="auto"`` of EarlyStopping/ModelCheckpoint to minimize it; each
    keyword option of the function (``from_logits``, ``axis``, ...) is also an attribute.
    """

    _direction = "down"

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(fn, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)


def _serialize_fn(fn, serialization_lib):
    from kiln import metrics

    if getattr(metrics, getattr(fn, "__name__", ""), None) is fn:
        return {"module": "keras.metrics", "class_name": "function", "config": fn.__name__,
                "registered_name": fn.__name__}
    return serialization_lib.serialize_kiln_object(fn)


def _deserialize_fn(config):
    from kiln import metrics
    from kiln.saving import serialization_lib

    if isinstance(config, str):
        return metrics.get(config)
    if isinstance(config, dict) and config.get("class_name") == "function":
        # Only names in the metrics table: a file must not reach any other kiln.metrics attribute.
        found = metrics.ALL_OBJECTS_DICT.get(str(config.get("config")))
        if callable(found):
            return found
    return serialization_lib.deserialize_kiln_object(config)
