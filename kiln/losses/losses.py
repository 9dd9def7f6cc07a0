"""Built-in losses: per-sample loss functions and the Loss classes that wrap them.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.losses.mean_squared_error([[1.0, 2.0]], [[1.0, 4.0]])).tolist()
    [2.0]
    >>> float(kiln.losses.MeanAbsoluteError()([[1.0, 2.0]], [[1.0, 4.0]]))
    1.0
"""

import math

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
        if _is_tensor_like(y_true) and _is_tensor_like(y_pred):
            # (N,) labels against (N, 1) predictions: one rank, as every built-in expects.
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
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


class _BuiltinLoss(LossFunctionWrapper):
    """A built-in loss: ``fn`` called with fixed ``options``.

    Each option is also an attribute and a config key (the function itself is
    not stored: the class names it), so every built-in has Keras' config.
    """

    def __init__(self, fn, reduction, name, dtype, **options):
        super().__init__(fn, name=name, reduction=reduction, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self):
        config = Loss.get_config(self)
        config.update({key: getattr(self, key) for key in self._fn_kwargs})
        return config


class MeanSquaredError(_BuiltinLoss):
    """Mean of the squared differences over the last axis, then reduced.

    Example:
        >>> import kiln
        >>> float(MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]))
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of the absolute differences over the last axis, then reduced.

    Example:
        >>> import kiln
        >>> float(MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 3.0]]))
        1.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


class BinaryCrossentropy(_BuiltinLoss):
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
        super().__init__(binary_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_BuiltinLoss):
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
        super().__init__(categorical_crossentropy, reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_BuiltinLoss):
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
        super().__init__(sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def _values_mask(self, y_true, y_pred, values):
        # With ignore_class, mean reductions average over the kept entries only.
        return _ignore_class_mask(y_true, y_pred, self.ignore_class)

    def get_config(self):
        config = super().get_config()
        if config.get("axis") == -1:
            # Keras 3.15 writes no `axis` for this loss; leaving the default out keeps files alike.
            del config["axis"]
        return config


class MeanAbsolutePercentageError(_BuiltinLoss):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))`` over the last axis, then reduced.

    Example:
        >>> import kiln
        >>> float(MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]]))
        37.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean over the last axis of ``(log(1 + y_pred) - log(1 + y_true))**2`` (inputs floored at epsilon).

    Example:
        >>> import kiln, math
        >>> v = float(MeanSquaredLogarithmicError()([[0.0]], [[math.e - 1.0]]))
        >>> round(v, 5)
        1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


class CosineSimilarity(_BuiltinLoss):
    """The negated cosine similarity along ``axis``: -1 for vectors pointing the same way.

    Args:
        axis: the axis the similarity is computed along (default -1).

    Example:
        >>> import kiln
        >>> float(CosineSimilarity()([[1.0, 0.0]], [[2.0, 0.0]]))
        -1.0
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


class Huber(_BuiltinLoss):
    """Quadratic for errors up to ``delta``, linear beyond, averaged over the last axis.

    Per element ``0.5 * e**2`` when ``|e| <= delta``, else ``delta * |e| - 0.5 * delta**2``.

    Args:
        delta: the positive error size where the loss turns linear (default 1.0).

    Example:
        >>> import kiln
        >>> float(Huber()([[0.0, 0.0]], [[0.5, 3.0]]))
        1.3125
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        if isinstance(delta, (int, float)) and not delta > 0:
            raise ValueError(f"Huber: `delta` must be a positive number, received delta={delta!r}")
        super().__init__(huber, reduction, name, dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    """Mean over the last axis of ``log(cosh(y_pred - y_true))``.

    Example:
        >>> import kiln
        >>> round(float(LogCosh()([[0.0]], [[1.0]])), 5)
        0.43378
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` over the last axis.

    Both inputs are clipped to ``[epsilon, 1]`` first.

    Example:
        >>> import kiln
        >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 5)
        0.14384
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


class Poisson(_BuiltinLoss):
    """Poisson loss: mean over the last axis of ``y_pred - y_true * log(y_pred + epsilon)``.

    Example:
        >>> import kiln
        >>> round(float(Poisson()([[1.0]], [[1.0]])), 5)
        1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)


class Hinge(_BuiltinLoss):
    """Hinge loss ``mean(max(1 - y_true * y_pred, 0))`` over the last axis.

    Labels are expected in {-1, 1}; labels that are all 0 or 1 are mapped to -1/1.

    Example:
        >>> import kiln
        >>> float(Hinge()([[1.0, 0.0]], [[0.5, 0.5]]))
        1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss ``mean(max(1 - y_true * y_pred, 0)**2)`` over the last axis.

    Labels that are all 0 or 1 are mapped to -1/1, as for :class:`Hinge`.

    Example:
        >>> import kiln
        >>> float(SquaredHinge()([[1.0, 0.0]], [[0.5, 0.5]]))
        1.25
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


class CategoricalHinge(_BuiltinLoss):
    """``max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred))`` per sample (one-hot labels).

    Example:
        >>> import kiln
        >>> round(float(CategoricalHinge()([[0.0, 1.0]], [[0.4, 0.6]])), 5)
        0.8
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary cross-entropy scaled by the focal factor ``(1 - p_t)**gamma``.

    ``p_t`` is the predicted probability of the true label, so confident right
    answers weigh little. With ``apply_class_balancing`` positives are also
    weighted by ``alpha`` and negatives by ``1 - alpha``.

    Args:
        apply_class_balancing: whether to apply the ``alpha`` weighting.
        alpha: the weight of the positive class when balancing (default 0.25).
        gamma: the focusing exponent (default 2.0; 0 gives plain cross-entropy).
        from_logits, label_smoothing, axis: as for :class:`BinaryCrossentropy`.

    Example:
        >>> import kiln
        >>> round(float(BinaryFocalCrossentropy(gamma=2.0)([[1.0]], [[0.5]])), 5)
        0.17329
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction, name, dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical cross-entropy scaled per class by ``alpha * (1 - p)**gamma``.

    Args:
        alpha: the weighting factor of every class (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits, label_smoothing, axis: as for :class:`CategoricalCrossentropy`.

    Example:
        >>> import kiln
        >>> round(float(CategoricalFocalCrossentropy()([[0.0, 1.0]], [[0.5, 0.5]])), 5)
        0.04332
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction, name, dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)


class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized cross-entropy ``(1 - p**q) / q`` of the true class's probability ``p``.

    Robust to noisy labels: it moves from cross-entropy (q -> 0) to mean
    absolute error (q -> 1). ``y_true`` holds integer class indices.

    Args:
        q: in the open interval (0, 1) (default 0.5).

    Example:
        >>> import kiln
        >>> round(float(CategoricalGeneralizedCrossEntropy(q=0.5)([1], [[0.75, 0.25]])), 5)
        1.0
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 < q < 1:
            raise ValueError("CategoricalGeneralizedCrossEntropy: `q` must be a number in the "
                             f"open interval (0, 1), received q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)


class Dice(_BuiltinLoss):
    """Dice loss ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)``.

    Args:
        axis: the axes summed over; None (default) sums everything, giving one
            value for the whole batch.

    Example:
        >>> import kiln
        >>> float(Dice()([[1.0, 0.0]], [[1.0, 0.0]]))
        0.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


class Tversky(_BuiltinLoss):
    """Tversky loss ``1 - TP / (TP + alpha * FP + beta * FN + epsilon)`` with soft counts.

    The soft counts follow Keras: ``TP = sum(y_true * y_pred)``, ``FP =
    sum(y_true * (1 - y_pred))``, ``FN = sum((1 - y_true) * y_pred)``.
    ``alpha = beta = 0.5`` gives the Dice loss.

    Args:
        alpha: the weight of the ``FP`` term (default 0.5).
        beta: the weight of the ``FN`` term (default 0.5).
        axis: the axes summed over (None: everything).

    Example:
        >>> import kiln
        >>> round(float(Tversky()([[1.0, 0.0]], [[0.5, 0.5]])), 5)
        0.5
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)


class Circle(_BuiltinLoss):
    """Circle loss over the pairs of a batch of embeddings (metric learning).

    ``y_true`` holds integer class labels ``(batch,)``, ``y_pred`` embeddings
    ``(batch, dim)``. Pairs of the same label are pulled together and pairs of
    different labels pushed apart, each weighted by how far it is from its
    optimum. Samples whose loss is 0 are left out of mean reductions.

    Args:
        gamma: the scale factor (default 80.0).
        margin: the relaxation margin (default 0.4).
        remove_diagonal: whether a sample is not its own positive pair.

    Example:
        >>> import kiln
        >>> loss = Circle(reduction="none")
        >>> out = loss([0, 0, 1], [[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
        >>> tuple(out.shape)
        (3,)
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, reduction, name, dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def _values_mask(self, y_true, y_pred, values):
        return ops.greater(values, 0)


class CTC(_BuiltinLoss):
    """Connectionist temporal classification loss for unaligned label sequences.

    ``y_true``: integer labels ``(batch, max_label_length)`` padded with 0,
    which is also the blank class; ``y_pred``: logits ``(batch, time, classes)``.

    Example:
        >>> import kiln
        >>> round(float(CTC()([[1]], kiln.ops.zeros((1, 2, 2)))), 4)
        0.2877
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction, name, dtype)


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


def _epsilon():
    from kiln import config

    return config.epsilon()


def _is_tensor_like(x):
    """True for a tensor, an array or a nested list of numbers (not a structure of tensors)."""
    if isinstance(x, dict):
        return False
    if isinstance(x, (list, tuple)):
        return all(isinstance(item, (bool, int, float, list, tuple)) for item in x)
    return hasattr(x, "shape")


def _check_shapes(name, y_true, y_pred):
    """Raise a ValueError naming the loss when the known dimensions cannot broadcast."""
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    for a, b in zip(reversed(true_shape), reversed(pred_shape)):
        if type(a) is int and type(b) is int and a != b and a != 1 and b != 1:
            raise ValueError(
                f"{name}: y_true and y_pred must have the same shape (or broadcast), received "
                f"y_true.shape={true_shape} and y_pred.shape={pred_shape}")


def _check_batch_size(name, y_true, y_pred):
    """Raise a ValueError naming the loss when the known batch sizes differ."""
    a, b = y_true.shape[0], y_pred.shape[0]
    if type(a) is int and type(b) is int and a != b:
        raise ValueError(
            f"{name}: y_true and y_pred must have the same batch size, received "
            f"y_true.shape={tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}")


def _aligned(name, y_true, y_pred):
    """``(y_true, y_pred)`` as float tensors of one rank, their shapes checked against each other."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_shapes(name, y_true, y_pred)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error: ``mean(square(y_true - y_pred), axis=-1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(mean_squared_error([[0.0, 2.0]], [[1.0, 0.0]])).tolist()
        [2.5]
    """
    y_true, y_pred = _aligned("mean_squared_error", y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error: ``mean(abs(y_true - y_pred), axis=-1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(mean_absolute_error([[0.0, 2.0]], [[1.0, 0.0]])).tolist()
        [1.5]
    """
    y_true, y_pred = _aligned("mean_absolute_error", y_true, y_pred)
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


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample ``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]])).tolist()
        [37.5]
    """
    y_true, y_pred = _aligned("mean_absolute_percentage_error", y_true, y_pred)
    scale = ops.maximum(ops.abs(y_true), _epsilon())
    return ops.multiply(ops.mean(ops.abs(ops.divide(ops.subtract(y_true, y_pred), scale)), axis=-1),
                        100.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample ``mean((log(1 + y_pred) - log(1 + y_true))**2, axis=-1)``, inputs floored at epsilon.

    Example:
        >>> import kiln, math
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(
        ...     mean_squared_logarithmic_error([[0.0]], [[math.e - 1.0]])).tolist()]
        [1.0]
    """
    y_true, y_pred = _aligned("mean_squared_logarithmic_error", y_true, y_pred)
    eps = _epsilon()
    log_pred = ops.log1p(ops.maximum(y_pred, eps))
    log_true = ops.log1p(ops.maximum(y_true, eps))
    return ops.mean(ops.square(ops.subtract(log_pred, log_true)), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample negated cosine similarity along ``axis`` (-1: same direction, 1: opposite).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(cosine_similarity([[1.0, 0.0], [1.0, 0.0]],
        ...                                             [[3.0, 0.0], [-1.0, 0.0]])).tolist()
        [-1.0, 1.0]
    """
    y_true, y_pred = _aligned("cosine_similarity", y_true, y_pred)
    y_true = ops.normalize(y_true, axis=axis)
    y_pred = ops.normalize(y_pred, axis=axis)
    return ops.negative(ops.sum(ops.multiply(y_true, y_pred), axis=axis))


def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss: quadratic up to ``delta``, linear beyond, averaged over the last axis.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(huber([[0.0, 0.0]], [[0.5, 3.0]])).tolist()
        [1.3125]
    """
    y_true, y_pred = _aligned("huber", y_true, y_pred)
    error = ops.subtract(y_pred, y_true)
    abs_error = ops.abs(error)
    quadratic = ops.multiply(ops.square(error), 0.5)
    linear = ops.subtract(ops.multiply(abs_error, delta), 0.5 * delta * delta)
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """Per-sample ``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow.

    Example:
        >>> import kiln
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(log_cosh([[0.0]], [[1.0]])).tolist()]
        [0.43378]
    """
    y_true, y_pred = _aligned("log_cosh", y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    # log(cosh(x)) = x + log(1 + exp(-2x)) - log(2): finite for any |x|.
    values = ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2.0))), math.log(2.0))
    return ops.mean(values, axis=-1)


def kl_divergence(y_true, y_pred):
    """Per-sample ``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to [epsilon, 1].

    Example:
        >>> import kiln
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(
        ...     kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])).tolist()]
        [0.14384]
    """
    y_true, y_pred = _aligned("kl_divergence", y_true, y_pred)
    eps = _epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """Per-sample Poisson loss ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.

    Example:
        >>> import kiln
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(poisson([[1.0]], [[1.0]])).tolist()]
        [1.0]
    """
    y_true, y_pred = _aligned("poisson", y_true, y_pred)
    log_pred = ops.log(ops.add(y_pred, _epsilon()))
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, log_pred)), axis=-1)


def _signed_labels(y_true):
    """Labels that are all 0 or 1 become -1/1; any other labels are kept (no Python branch)."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(is_binary, ops.subtract(ops.multiply(y_true, 2.0), 1.0), y_true)


def _hinge_margins(name, y_true, y_pred):
    y_true, y_pred = _aligned(name, y_true, y_pred)
    y_true = _signed_labels(y_true)
    return ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0)


def hinge(y_true, y_pred):
    """Per-sample hinge loss ``mean(max(1 - y_true * y_pred, 0), axis=-1)``.

    Labels should be -1 or 1; labels that are all 0 or 1 are mapped to -1/1.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(hinge([[1.0, 0.0]], [[0.5, 0.5]])).tolist()
        [1.0]
    """
    return ops.mean(_hinge_margins("hinge", y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    """Per-sample squared hinge loss ``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(squared_hinge([[1.0, 0.0]], [[0.5, 0.5]])).tolist()
        [1.25]
    """
    return ops.mean(ops.square(_hinge_margins("squared_hinge", y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Per-sample ``max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred))`` (one-hot labels).

    Example:
        >>> import kiln
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(
        ...     categorical_hinge([[0.0, 1.0]], [[0.4, 0.6]])).tolist()]
        [0.8]
    """
    y_true, y_pred = _aligned("categorical_hinge", y_true, y_pred)
    positive = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    negative = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(negative, positive), 1.0), 0.0)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary focal cross-entropy, averaged over ``axis``.

    Each element's cross-entropy is scaled by ``(1 - p_t)**gamma``, ``p_t`` the
    predicted probability of its label; with ``apply_class_balancing`` also by
    ``alpha`` (positives) or ``1 - alpha`` (negatives).

    Example:
        >>> import kiln
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(
        ...     binary_focal_crossentropy([[1.0]], [[0.5]])).tolist()]
        [0.17329]
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    _check_shapes("binary_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    not_true = ops.subtract(1.0, y_true)
    p_t = ops.add(ops.multiply(y_true, y_pred), ops.multiply(not_true, ops.subtract(1.0, y_pred)))
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), gamma), bce)
    if apply_class_balancing:
        weight = ops.add(ops.multiply(y_true, alpha), ops.multiply(not_true, 1.0 - alpha))
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Per-sample categorical focal cross-entropy: ``sum(alpha * (1 - p)**gamma * -y_true * log(p))``.

    ``p`` are the predicted class probabilities (renormalized to sum to 1 and
    clipped to [epsilon, 1 - epsilon]); the sum runs over ``axis``.

    Example:
        >>> import kiln
        >>> [round(v, 5) for v in kiln.ops.convert_to_numpy(
        ...     categorical_focal_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])).tolist()]
        [0.04332]
    """
    if isinstance(axis, bool):
        raise ValueError(f"categorical_focal_crossentropy: `axis` must be an int, received axis={axis}")
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    _check_shapes("categorical_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        num_classes = ops.cast(ops.shape(y_true)[-1], y_pred.dtype)
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing),
                         ops.divide(label_smoothing, num_classes))
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    probs = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    eps = _epsilon()
    probs = ops.clip(probs, eps, 1.0 - eps)
    cross_entropy = ops.negative(ops.multiply(y_true, ops.log(probs)))
    factor = ops.multiply(ops.power(ops.subtract(1.0, probs), gamma), alpha)
    return ops.sum(ops.multiply(factor, cross_entropy), axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Per-sample generalized cross-entropy ``(1 - p**q) / q``, ``p`` the true class's probability.

    ``y_true`` holds integer class indices ``(batch,)`` or ``(batch, 1)``;
    ``y_pred`` class probabilities ``(batch, num_classes)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(categorical_generalized_cross_entropy([1], [[0.75, 0.25]], q=0.5)).tolist()
        [1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if not _is_float(y_pred):
        y_pred = ops.cast(y_pred, _floatx())
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    _check_batch_size("categorical_generalized_cross_entropy", y_true, y_pred)
    one_hot = ops.one_hot(ops.cast(y_true, "int32"), y_pred.shape[-1], dtype=y_pred.dtype)
    p_true = ops.sum(ops.multiply(y_pred, one_hot), axis=-1)
    return ops.divide(ops.subtract(1.0, ops.power(p_true, q)), q)


def dice(y_true, y_pred, axis=None):
    """Dice loss ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)``.

    The sums run over ``axis`` (None: every element, giving a scalar).

    Example:
        >>> import kiln
        >>> round(float(dice([[1.0, 1.0]], [[1.0, 0.0]])), 5)
        0.33333
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    _check_shapes("dice", y_true, y_pred)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), _epsilon())
    return ops.subtract(1.0, ops.divide(ops.multiply(intersection, 2.0), total))


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss ``1 - TP / (TP + alpha * FP + beta * FN + epsilon)`` with soft counts over ``axis``.

    As in Keras, ``FP = sum(y_true * (1 - y_pred))`` and ``FN = sum((1 - y_true) * y_pred)``.

    Example:
        >>> import kiln
        >>> round(float(tversky([[1.0, 0.0]], [[0.5, 0.5]], alpha=0.5, beta=0.5)), 5)
        0.5
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    _check_shapes("tversky", y_true, y_pred)
    true_positive = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    false_positive = ops.sum(ops.multiply(y_true, ops.subtract(1.0, y_pred)), axis=axis)
    false_negative = ops.sum(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=axis)
    denominator = ops.add(ops.add(ops.add(true_positive, ops.multiply(false_positive, alpha)),
                                  ops.multiply(false_negative, beta)), _epsilon())
    return ops.subtract(1.0, ops.divide(true_positive, denominator))


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80,
           margin=0.4):
    """Per-sample circle loss of embeddings ``y_pred`` with integer labels ``y_true``.

    Pairs are formed with ``ref_embeddings``/``ref_labels`` (default: the batch
    itself). With ``d`` the cosine distance of a pair (floored at 0), a positive
    pair contributes ``-gamma * max(margin + d, 0) * (margin - d)`` and a
    negative pair ``gamma * max(1 + margin - d, 0) * (1 - margin - d)``; the
    loss is ``softplus(logsumexp(positives) + logsumexp(negatives))`` per row.

    Example:
        >>> import kiln
        >>> out = circle([0, 0, 1], [[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
        >>> tuple(out.shape)
        (3,)
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if not _is_float(y_pred):
        y_pred = ops.cast(y_pred, _floatx())
    y_true = ops.convert_to_tensor(y_true)
    if len(y_pred.shape) != 2:
        raise ValueError(f"circle: y_pred must be embeddings of shape (batch_size, dim), received "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    _check_batch_size("circle", y_true, y_pred)
    y_true = ops.reshape(ops.cast(y_true, "int32"), (-1, 1))
    if ref_embeddings is None:
        ref_embeddings = y_pred
    else:
        ref_embeddings = ops.cast(ops.convert_to_tensor(ref_embeddings), y_pred.dtype)
    if ref_labels is None:
        ref_labels = y_true
    else:
        ref_labels = ops.reshape(ops.cast(ops.convert_to_tensor(ref_labels), "int32"), (-1, 1))

    similarity = ops.matmul(ops.normalize(y_pred, axis=-1),
                            ops.transpose(ops.normalize(ref_embeddings, axis=-1)))
    distance = ops.maximum(ops.subtract(1.0, similarity), 0.0)
    positive = ops.equal(y_true, ops.transpose(ref_labels))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        off_diagonal = ops.logical_not(ops.cast(
            ops.eye(ops.shape(y_true)[0], ops.shape(ref_labels)[0]), "bool"))
        positive = ops.logical_and(positive, off_diagonal)
    positive_f = ops.cast(positive, distance.dtype)
    negative_f = ops.cast(negative, distance.dtype)
    positive_weight = ops.maximum(ops.multiply(ops.add(distance, margin), positive_f), 0.0)
    negative_weight = ops.maximum(ops.multiply(ops.subtract(1.0 + margin, distance), negative_f), 0.0)
    positive_term = ops.multiply(ops.multiply(positive_weight, ops.subtract(margin, distance)), -gamma)
    negative_term = ops.multiply(ops.multiply(negative_weight, ops.subtract(1.0 - margin, distance)),
                                 gamma)
    minus_inf = float("-inf")
    positive_lse = ops.logsumexp(ops.where(positive, positive_term, minus_inf), axis=1)
    negative_lse = ops.logsumexp(ops.where(negative, negative_term, minus_inf), axis=1)
    return ops.softplus(ops.add(positive_lse, negative_lse))


def ctc(y_true, y_pred):
    """Per-sample CTC loss: labels ``(batch, max_label_length)`` padded with 0 (the blank), logits
    ``(batch, time, classes)``; every sample uses all ``time`` steps.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(ctc([[1]], kiln.ops.zeros((1, 2, 2)))).tolist()]
        [0.2877]
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = ops.convert_to_tensor(y_pred)
    if len(y_true.shape) != 2:
        raise ValueError("ctc: y_true must be integer labels of shape (batch_size, max_label_length), "
                         f"received y_true.shape={tuple(y_true.shape)}")
    if len(y_pred.shape) != 3:
        raise ValueError("ctc: y_pred must be logits of shape (batch_size, max_time, num_classes), "
                         f"received y_pred.shape={tuple(y_pred.shape)}")
    _check_batch_size("ctc", y_true, y_pred)
    if not _is_float(y_pred):
        y_pred = ops.cast(y_pred, _floatx())
    labels = ops.cast(y_true, "int32")
    label_length = ops.sum(ops.cast(ops.not_equal(labels, 0), "int32"), axis=-1)
    output_length = ops.sum(ops.ones_like(y_pred[:, :, 0], dtype="int32"), axis=-1)
    return ops.ctc_loss(labels, y_pred, label_length, output_length, mask_index=0)


# The losses whose y_true holds integer labels rather than values shaped like y_pred.
_LABEL_TARGET_FUNCTIONS = (sparse_categorical_crossentropy, categorical_generalized_cross_entropy,
                           circle, ctc)


def takes_label_targets(loss):
    """Whether ``loss`` (a Loss, a wrapped function or a function) takes integer label targets.

    For such a loss only the batch sizes of ``y_true`` and ``y_pred`` must agree.

    Example:
        >>> import kiln
        >>> takes_label_targets(kiln.losses.CTC()), takes_label_targets(kiln.losses.Huber())
        (True, False)
    """
    fn = getattr(loss, "fn", loss)
    return any(fn is known for known in _LABEL_TARGET_FUNCTIONS)


def _ignore_class_mask(y_true, y_pred, ignore_class):
    """Boolean mask of the entries whose label is not ``ignore_class`` (None if no class ignored)."""
    if ignore_class is None:
        return None
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    return ops.not_equal(y_true, ops.cast(ignore_class, y_true.dtype))
