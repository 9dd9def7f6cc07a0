"""The ``Loss`` base class and the weighting/reduction helpers every loss shares.

A loss object turns ``(y_true, y_pred)`` into per-sample values with ``call``,
then ``__call__`` multiplies them by ``sample_weight`` and reduces them to a
scalar according to ``reduction``.

Example:
    >>> import kiln
    >>> class Diff(kiln.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return kiln.ops.abs(y_true - y_pred)
    >>> float(Diff()(kiln.ops.zeros((2,)), kiln.ops.ones((2,))))
    1.0
"""

from kiln import config, ops, tree
from kiln.backend.common import global_state

REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    """Validate a reduction name (None and ``"none"`` both mean no reduction).

    Example:
        >>> standardize_reduction("sum")
        'sum'
    """
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`: expected one of {REDUCTIONS} or None, "
            f"received reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make two tensors whose ranks differ by a trailing size-1 axis the same rank.

    The one with the extra trailing 1 is squeezed, except that a rank-1 partner
    is expanded instead when ``expand_rank_1`` (so ``(N,)`` vs ``(N, 1)`` gives
    two ``(N, 1)`` tensors).

    Example:
        >>> import kiln
        >>> a, b = squeeze_or_expand_to_same_rank(kiln.ops.ones((3, 1)), kiln.ops.ones((3, 4, 1)))
        >>> tuple(a.shape), tuple(b.shape)
        ((3, 1), (3, 4))
    """
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def divide_no_nan(x, y):
    """``x / y``, with 0 wherever ``y`` is 0."""
    zero = ops.equal(y, 0)
    safe = ops.where(zero, ops.ones_like(y), y)
    return ops.where(zero, ops.zeros_like(x), ops.divide(x, safe))


def get_mask(x):
    """The Keras-style mask attached to a tensor (``x._keras_mask``), or None."""
    return getattr(x, "_keras_mask", None)


def apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a boolean mask into ``sample_weight``.

    With a mean-type reduction the mask is rescaled so that the mean runs over
    the unmasked entries only.
    """
    if mask is None:
        return sample_weight
    mask = ops.cast(mask, dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        total = ops.cast(ops.size(mask), dtype)
        valid = ops.sum(mask)
        mask = ops.multiply(mask, divide_no_nan(total, valid))
    if sample_weight is None:
        return mask
    sample_weight = ops.cast(sample_weight, dtype)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return ops.multiply(sample_weight, mask)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduce (already weighted) values to a scalar following ``reduction``."""
    if reduction is None or reduction == "none" or len(values.shape) == 0:
        return values
    loss = ops.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.cast(ops.sum(sample_weight), loss.dtype)
    else:
        count = _static_size(values)
        if count:
            # Known, non-zero element count: one division instead of a guarded divide
            # (this runs every training step).
            return ops.divide(loss, count)
        divisor = ops.cast(ops.size(values), loss.dtype)
    return divide_no_nan(loss, divisor)


def _static_size(x):
    """Number of elements when every dimension is a known int, else None."""
    count = 1
    for d in x.shape:
        if type(d) is not int:
            return None
        count *= d
    return count


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Cast, weight (sample_weight and mask) and reduce per-sample loss values.

    Example:
        >>> import kiln
        >>> float(reduce_weighted_values(kiln.ops.convert_to_tensor([1.0, 3.0]), [1.0, 0.0]))
        0.5
    """
    reduction = standardize_reduction(reduction)
    dtype = dtype or config.floatx()
    values = ops.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
    sample_weight = apply_mask(sample_weight, mask, dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = ops.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


def _is_plain_nested_list(x):
    if isinstance(x, (list, tuple)):
        return all(_is_plain_nested_list(item) for item in x)
    return isinstance(x, (bool, int, float))


def _convert_structure(x, dtype):
    """Tensors of ``dtype``; a nested list of plain numbers is one tensor, not a structure."""
    if _is_plain_nested_list(x) or not isinstance(x, (list, tuple, dict)):
        return ops.cast(ops.convert_to_tensor(x), dtype)
    return tree.map_structure(lambda item: ops.cast(ops.convert_to_tensor(item), dtype), x)


class Loss:
    """Base class of loss objects.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses;
    ``__call__`` adds casting, ``sample_weight`` and the reduction.

    Args:
        name: the loss name (default: snake_case of the class name).
        reduction: ``"sum_over_batch_size"`` (sum divided by the number of
            elements), ``"sum"``, ``"mean"`` (same as sum_over_batch_size),
            ``"mean_with_sample_weight"`` (sum divided by the sum of weights),
            ``"none"`` or None (no reduction).
        dtype: the dtype computations run in (default ``floatx()``).

    Example:
        >>> import kiln
        >>> loss = kiln.losses.MeanSquaredError(reduction="sum")
        >>> float(loss([[0.0, 0.0]], [[1.0, 3.0]]))
        5.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or global_state.to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        if dtype is not None and not isinstance(dtype, str):
            dtype = getattr(dtype, "compute_dtype", None) or getattr(dtype, "name", dtype)
        self._dtype = dtype or config.floatx()

    @property
    def dtype(self):
        """The dtype the loss computes in."""
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        mask = get_mask(y_pred)
        dtype = self._dtype
        y_pred = _convert_structure(y_pred, dtype)
        y_true = _convert_structure(y_true, dtype)
        values = self.call(y_true, y_pred)
        values_mask = self._values_mask(y_true, y_pred, values)
        if values_mask is not None:
            mask = values_mask if mask is None else ops.logical_and(
                ops.cast(mask, "bool"), ops.cast(values_mask, "bool"))
        return reduce_weighted_values(values, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=dtype)

    def _values_mask(self, y_true, y_pred, values):
        """A boolean mask of the per-sample ``values`` that count (None: all of them)."""
        return None

    def call(self, y_true, y_pred):
        """Per-sample losses; override in subclasses."""
        raise NotImplementedError(f"Loss '{self.name}' ({type(self).__name__}) does not implement call()")

    def get_config(self):
        """``{"name", "reduction"}``; subclasses add their own arguments."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """Rebuild the loss from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, reduction={self.reduction}>"
