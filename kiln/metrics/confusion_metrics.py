"""Metrics computed from thresholded confusion-matrix counts.

Counts (true/false positives/negatives) at one or more decision thresholds, and
what is derived from them: Precision, Recall, the area under the ROC or PR curve
(AUC), and one rate at a fixed value of another (PrecisionAtRecall, ...).

All of them share :func:`confusion_counts`: weighted sums of the four outcomes
at every threshold at once. Evenly spaced thresholds (AUC's and the "X at Y"
metrics') are counted from one histogram of how many thresholds each prediction
exceeds (O(samples) memory); any other list by comparing every prediction with
every threshold. Nothing branches on tensor values, so the metrics run inside
jitted steps.

Example:
    >>> import kiln
    >>> m = kiln.metrics.Precision(thresholds=[0.3, 0.7])
    >>> m.update_state([0, 1, 1, 1], [0.4, 0.5, 0.8, 0.9])
    >>> [round(float(v), 4) for v in m.result()]
    [0.75, 1.0]
"""

import functools

import numpy as np

from kiln import config, ops
from kiln.losses.loss import divide_no_nan
from kiln.metrics.metric import Metric

# The score given to predictions outside the top k (Keras' NEG_INF): below every threshold.
NEG_INF = -1e10

TRUE_POSITIVES = "true_positives"
FALSE_POSITIVES = "false_positives"
TRUE_NEGATIVES = "true_negatives"
FALSE_NEGATIVES = "false_negatives"
CONDITIONS = (TRUE_POSITIVES, FALSE_POSITIVES, TRUE_NEGATIVES, FALSE_NEGATIVES)

AUC_CURVES = ("ROC", "PR")
AUC_SUMMATION_METHODS = ("interpolation", "majoring", "minoring")


# -- argument checks ----------------------------------------------------------------------
def _as_list(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.reshape(-1).tolist()
    return [value]


def check_thresholds(owner, thresholds, argument="thresholds"):
    """``thresholds`` as a list of floats in [0, 1], or a ValueError naming ``owner`` and the argument."""
    values = _as_list(thresholds)
    invalid = [t for t in values
               if isinstance(t, bool) or not isinstance(t, (int, float, np.floating, np.integer))
               or not 0.0 <= float(t) <= 1.0]
    if invalid or not values:
        raise ValueError(
            f"{owner}: every value of `{argument}` must be a number in [0, 1]; received "
            f"{argument}={thresholds!r} (invalid: {invalid if values else 'empty list'})")
    return [float(t) for t in values]


def _check_int(owner, argument, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}: `{argument}` must be an integer >= {minimum}, "
                         f"received {argument}={value!r}")
    return int(value)


def _check_rate(owner, argument, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{owner}: `{argument}` must be a number in [0, 1], "
                         f"received {argument}={value!r}")
    return value


def _choice(owner, argument, value, valid, case_insensitive=True):
    if isinstance(value, str):
        for name in valid:
            if value == name or (case_insensitive and value.lower() == name.lower()):
                return name
    raise ValueError(f"{owner}: unknown `{argument}` {value!r}; valid values are {list(valid)}")


# -- the shared update ----------------------------------------------------------------------
def _align_weights(weights, y_pred, dtype):
    """Broadcast per-sample (leading-axis) weights to ``y_pred``'s shape."""
    weights = ops.cast(ops.convert_to_tensor(weights), dtype)
    rank, pred_rank = len(weights.shape), len(y_pred.shape)
    if rank == pred_rank + 1 and weights.shape[-1] == 1:
        weights = ops.squeeze(weights, -1)
    elif 0 < rank < pred_rank:
        for _ in range(pred_rank - rank):
            weights = ops.expand_dims(weights, -1)
    return ops.broadcast_to(weights, ops.shape(y_pred))


def filter_top_k(y_pred, k):
    """Keep the ``k`` largest scores of the last axis; the others become ``NEG_INF``."""
    _, indices = ops.top_k(y_pred, k, sorted=False)
    kept = ops.sum(ops.one_hot(indices, ops.shape(y_pred)[-1], dtype=y_pred.dtype), axis=-2)
    return ops.where(ops.greater(kept, 0), y_pred, ops.cast(NEG_INF, y_pred.dtype))


def confusion_counts(y_true, y_pred, thresholds, conditions=CONDITIONS, dtype="float32",
                     top_k=None, class_id=None, sample_weight=None, multi_label=False,
                     label_weights=None, owner="metric"):
    """Weighted confusion-matrix counts at every threshold, as ``{condition: counts}``.

    A prediction is positive at threshold ``t`` when ``y_pred > t``; a label is
    positive when non-zero. ``top_k`` keeps only the k highest scores of each row
    (the others count as negative whatever the threshold); ``class_id`` then keeps
    one column. ``sample_weight`` broadcasts from the leading axes; ``label_weights``
    (one per column) multiplies it. Counts have shape ``(T,)``, or ``(T, labels)``
    when ``multi_label`` (``y_pred`` of rank 2, one curve per column).
    """
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), dtype)
    y_true = ops.cast(ops.convert_to_tensor(y_true), dtype)
    if len(y_pred.shape) == 0:
        y_pred = ops.reshape(y_pred, (1,))
    if len(y_true.shape) == 0:
        y_true = ops.reshape(y_true, (1,))
    if len(y_true.shape) == len(y_pred.shape) + 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    elif len(y_pred.shape) == len(y_true.shape) + 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, -1)
    weights = None if sample_weight is None else _align_weights(sample_weight, y_pred, dtype)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) < 2:
            raise ValueError(f"{owner}: with `class_id` the predictions must have shape "
                             f"(samples, classes); received y_pred of shape {tuple(y_pred.shape)}")
        y_true = ops.take(y_true, [class_id], axis=-1)
        y_pred = ops.take(y_pred, [class_id], axis=-1)
        if weights is not None:
            weights = ops.take(weights, [class_id], axis=-1)
    if label_weights is not None and not multi_label:
        per_label = ops.broadcast_to(ops.cast(label_weights, dtype), ops.shape(y_pred))
        weights = per_label if weights is None else ops.multiply(weights, per_label)

    if multi_label:
        if len(y_pred.shape) != 2:
            raise ValueError(f"{owner}: with multi_label=True, y_pred must have rank 2 "
                             f"(samples, labels); received shape {tuple(y_pred.shape)}")
    else:
        y_pred = ops.reshape(y_pred, (-1, 1))
        y_true = ops.reshape(y_true, (-1, 1))
        if weights is not None:
            weights = ops.reshape(weights, (-1, 1))
    positive = ops.cast(ops.not_equal(y_true, 0), dtype)
    negative = ops.subtract(1.0, positive)
    if weights is not None:
        positive = ops.multiply(positive, weights)
        negative = ops.multiply(negative, weights)
    if evenly_spaced(thresholds):
        counts = _counts_by_bucket(y_pred, positive, negative, thresholds, conditions)
    else:
        counts = _counts_by_comparison(y_pred, positive, negative, thresholds, conditions, dtype)
    return counts if multi_label else {c: ops.reshape(v, (-1,)) for c, v in counts.items()}


def evenly_spaced(thresholds):
    """Whether the inner thresholds are ``i / (T - 1)`` (i = 1..T-2) and the ends at or beyond 0 and 1."""
    if isinstance(thresholds, (list, tuple)):
        # A metric passes the same list on every update: answer it once (the check is ~0.1 ms).
        return _evenly_spaced_values(tuple(thresholds))
    return _evenly_spaced_values.__wrapped__(thresholds)


@functools.lru_cache(maxsize=64)
def _evenly_spaced_values(thresholds):
    values = np.asarray(thresholds, dtype="float64").reshape(-1)
    n = values.size
    if n < 3 or values[0] > 0.0 or values[-1] < 1.0:
        return False
    return bool(np.allclose(values[1:-1], np.arange(1, n - 1) / (n - 1), rtol=0.0, atol=1e-9))


def _counts_by_comparison(y_pred, positive, negative, thresholds, conditions, dtype):
    """Any thresholds: a (T, N, L) comparison of every prediction with every threshold."""
    thresholds = ops.cast(ops.convert_to_tensor(thresholds), dtype)
    above = ops.cast(ops.greater(ops.expand_dims(y_pred, 0), ops.reshape(thresholds, (-1, 1, 1))), dtype)
    below = None
    counts = {}
    for condition in conditions:
        label = positive if condition in (TRUE_POSITIVES, FALSE_NEGATIVES) else negative
        if condition in (TRUE_POSITIVES, FALSE_POSITIVES):
            predicted = above
        else:
            below = ops.subtract(1.0, above) if below is None else below
            predicted = below
        counts[condition] = ops.sum(ops.multiply(predicted, label), axis=1)
    return counts


def _counts_by_bucket(y_pred, positive, negative, thresholds, conditions):
    """Evenly spaced thresholds: O(N) memory instead of O(T * N).

    How many thresholds each prediction exceeds is computed directly (the inner
    ones are ``i / (T - 1)``, so ``ceil(p * (T - 1)) - 1`` of them lie strictly
    below ``p``); the label weights are summed per count with a segment sum, and
    a prediction is above threshold ``j`` exactly when its count is > j, so the
    counts at every threshold are (reverse) cumulative sums of those histograms.
    """
    n = len(thresholds)
    dtype = y_pred.dtype
    inner = ops.clip(ops.subtract(ops.ceil(ops.multiply(y_pred, float(n - 1))), 1.0), 0.0, float(n - 2))
    above_last = ops.cast(ops.greater(y_pred, float(thresholds[-1])), dtype)
    count = ops.where(ops.greater(y_pred, float(thresholds[0])), ops.add(ops.add(inner, 1.0), above_last),
                      ops.zeros_like(y_pred))
    labels = y_pred.shape[-1]
    segments = ops.add(ops.multiply(ops.cast(count, "int32"), labels),
                       ops.expand_dims(ops.arange(labels, dtype="int32"), 0))
    segments = ops.reshape(segments, (-1,))

    def histogram(values):  # (T + 1, L): summed weights per count
        sums = ops.segment_sum(ops.reshape(values, (-1,)), segments, num_segments=(n + 1) * labels)
        return ops.reshape(sums, (n + 1, labels))

    def at_or_above(hist):  # [j] = sum of hist[j:]
        return ops.flip(ops.cumsum(ops.flip(hist, axis=0), axis=0), axis=0)

    counts, hists = {}, {}
    for condition in conditions:
        key = "pos" if condition in (TRUE_POSITIVES, FALSE_NEGATIVES) else "neg"
        if key not in hists:
            hists[key] = histogram(positive if key == "pos" else negative)
        hist = hists[key]
        if condition in (TRUE_POSITIVES, FALSE_POSITIVES):
            counts[condition] = at_or_above(hist)[1:]  # count > j
        else:
            counts[condition] = ops.cumsum(hist, axis=0)[:-1]  # count <= j
    return counts


def _add_counts(variables, y_true, y_pred, thresholds, **kwargs):
    counts = confusion_counts(y_true, y_pred, thresholds, conditions=tuple(variables),
                              dtype=next(iter(variables.values())).dtype, **kwargs)
    for condition, variable in variables.items():
        variable.assign_add(counts[condition])


def _single(value, thresholds):
    return value[0] if len(thresholds) == 1 else value


# -- counts -----------------------------------------------------------------------------------
class _ConditionCount(Metric):
    """One confusion-matrix count per threshold, in a variable named ``accumulator``."""

    _condition = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        self.init_thresholds = thresholds
        self.thresholds = [0.5] if thresholds is None else check_thresholds(owner, thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros",
                                             name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the (weighted) count of this batch at each threshold."""
        _add_counts({self._condition: self.accumulator}, y_true, y_pred, self.thresholds,
                    sample_weight=sample_weight, owner=type(self).__name__)

    def result(self):
        return _single(ops.convert_to_tensor(self.accumulator.value), self.thresholds)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The (weighted) number of true positives: label non-zero and ``y_pred > threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); with a list
            the result has one count per threshold.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
        >>> float(m.result())
        1.0
    """

    _condition = TRUE_POSITIVES


class FalsePositives(_ConditionCount):
    """The (weighted) number of false positives: label zero and ``y_pred > threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    _condition = FALSE_POSITIVES


class TrueNegatives(_ConditionCount):
    """The (weighted) number of true negatives: label zero and ``y_pred <= threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.TrueNegatives(thresholds=[0.0, 0.5])
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
        >>> kiln.ops.convert_to_numpy(m.result()).tolist()
        [2.0, 2.0]
    """

    _condition = TRUE_NEGATIVES


class FalseNegatives(_ConditionCount):
    """The (weighted) number of false negatives: label non-zero and ``y_pred <= threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    _condition = FALSE_NEGATIVES


# -- precision and recall ---------------------------------------------------------------------
class _PrecisionRecall(Metric):
    _second = None  # FALSE_POSITIVES (precision) or FALSE_NEGATIVES (recall)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        self.init_thresholds = thresholds
        if top_k is not None:
            _check_int(owner, "top_k", top_k, 1)
        if class_id is not None:
            _check_int(owner, "class_id", class_id, 0)
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = [default] if thresholds is None else check_thresholds(owner, thresholds)
        self.true_positives = self.add_variable(shape=(len(self.thresholds),), initializer="zeros",
                                                name=TRUE_POSITIVES)
        setattr(self, self._second, self.add_variable(shape=(len(self.thresholds),),
                                                      initializer="zeros", name=self._second))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's true positives and false positives (precision) / negatives (recall)."""
        _add_counts({TRUE_POSITIVES: self.true_positives, self._second: getattr(self, self._second)},
                    y_true, y_pred, self.thresholds, top_k=self.top_k, class_id=self.class_id,
                    sample_weight=sample_weight, owner=type(self).__name__)

    def result(self):
        tp = self.true_positives.value
        value = divide_no_nan(tp, ops.add(tp, getattr(self, self._second).value))
        return _single(value, self.thresholds)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """The fraction of positive predictions that are right: ``tp / (tp + fp)``.

    A prediction is positive when ``y_pred > threshold``. With ``top_k`` only the
    k highest scores of each row can be positive (and the default threshold then
    accepts all of them); with ``class_id`` only that column is scored.

    Args:
        thresholds: a float or list of floats in [0, 1]; one result per threshold
            (default 0.5, or every top-k score when ``top_k`` is set).
        top_k: count only the k highest predictions of each row.
        class_id: score only this column of a ``(samples, classes)`` input.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.Precision(top_k=2)
        >>> m.update_state([[0, 0, 1, 1]], [[0.9, 0.8, 0.7, 0.1]])
        >>> float(m.result())
        0.0
        >>> float(kiln.metrics.Precision()([0, 1, 1, 1], [1, 0, 1, 1]))
        0.6666666865348816
    """

    _second = FALSE_POSITIVES


class Recall(_PrecisionRecall):
    """The fraction of positive labels that are predicted positive: ``tp / (tp + fn)``.

    Arguments as for :class:`Precision`.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5, or every
            top-k score when ``top_k`` is set).
        top_k: count only the k highest predictions of each row.
        class_id: score only this column of a ``(samples, classes)`` input.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
        >>> float(m.result())
        1.0
    """

    _second = FALSE_NEGATIVES


# -- one rate at a fixed value of another -------------------------------------------------------
class _RateAtRate(Metric):
    """Shared state of the "X at Y" metrics: the four counts at ``num_thresholds`` thresholds."""

    _value_name = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        owner = type(self).__name__
        self.value = _check_rate(owner, self._value_name, value)
        setattr(self, self._value_name, self.value)  # e.g. `self.recall` for PrecisionAtRecall
        self.num_thresholds = _check_int(owner, "num_thresholds", num_thresholds, 1)
        if class_id is not None:
            _check_int(owner, "class_id", class_id, 0)
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
        for condition in CONDITIONS:
            setattr(self, condition, self.add_variable(shape=(num_thresholds,), initializer="zeros",
                                                       name=condition))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's four counts at every threshold."""
        _add_counts({c: getattr(self, c) for c in CONDITIONS}, y_true, y_pred, self.thresholds,
                    class_id=self.class_id, sample_weight=sample_weight, owner=type(self).__name__)

    def _rate(self, kind):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        if kind == "recall":
            return divide_no_nan(tp, ops.add(tp, fn))
        if kind == "precision":
            return divide_no_nan(tp, ops.add(tp, fp))
        return divide_no_nan(tn, ops.add(tn, fp))  # specificity

    def result(self):
        # The largest dependent rate over thresholds where the constrained one reaches the target,
        # else 0 (every rate is >= 0, so zeroing the infeasible ones gives that).
        constrained, dependent = self._rate(self._constrained), self._rate(self._dependent)
        feasible = ops.greater_equal(constrained, ops.cast(self.value, constrained.dtype))
        return ops.max(ops.multiply(dependent, ops.cast(feasible, dependent.dtype)))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_name: self.value}


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) over thresholds whose specificity is >= ``specificity``.

    Sensitivity is ``tp / (tp + fn)``, specificity ``tn / (tn + fp)``; both are
    computed at ``num_thresholds`` evenly spaced thresholds from 0 to 1.

    Args:
        specificity: the required specificity, in [0, 1].
        num_thresholds: how many thresholds (default 200).
        class_id: score only this column of a ``(samples, classes)`` input.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.SensitivityAtSpecificity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    _value_name = "specificity"
    _constrained, _dependent = "specificity", "recall"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity over thresholds whose sensitivity (recall) is >= ``sensitivity``.

    Args:
        sensitivity: the required sensitivity, in [0, 1].
        num_thresholds: how many thresholds (default 200).
        class_id: score only this column of a ``(samples, classes)`` input.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.SpecificityAtSensitivity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _value_name = "sensitivity"
    _constrained, _dependent = "recall", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_RateAtRate):
    """The best precision over thresholds whose recall is >= ``recall``.

    Args:
        recall: the required recall, in [0, 1].
        num_thresholds: how many thresholds (default 200).
        class_id: score only this column of a ``(samples, classes)`` input.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.PrecisionAtRecall(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    _value_name = "recall"
    _constrained, _dependent = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_RateAtRate):
    """The best recall over thresholds whose precision is >= ``precision``.

    Args:
        precision: the required precision, in [0, 1].
        num_thresholds: how many thresholds (default 200).
        class_id: score only this column of a ``(samples, classes)`` input.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.RecallAtPrecision(0.8)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.5
    """

    _value_name = "precision"
    _constrained, _dependent = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)


# -- area under the curve -------------------------------------------------------------------------
class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    The four confusion counts are accumulated at ``num_thresholds`` thresholds
    (``-epsilon``, evenly spaced inner values, ``1 + epsilon``) and the curve is
    integrated with a Riemann sum: ``"interpolation"`` uses the mean of the two
    ends of each step (for the PR curve, the Davis & Goadrich interpolation, which
    is exact between thresholds), ``"minoring"``/``"majoring"`` their min/max.

    Args:
        num_thresholds: the number of thresholds, > 1 (default 200).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        name, dtype: as for every metric.
        thresholds: explicit inner thresholds in [0, 1] (``num_thresholds`` is
            then ``len(thresholds) + 2``).
        multi_label: one curve per column of a rank-2 ``y_pred``, averaged (or
            weighted by ``label_weights``); else all entries form one curve.
        num_labels: the number of columns when ``multi_label`` (else found from
            the first batch).
        label_weights: one non-negative weight per column: the weights of the
            per-label average (multi_label) or of each column's samples.
        from_logits: apply a sigmoid to ``y_pred`` first.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        super().__init__(name=name, dtype=dtype)
        self.curve = _choice("AUC", "curve", curve, AUC_CURVES)
        self.summation_method = _choice("AUC", "summation_method", summation_method,
                                        AUC_SUMMATION_METHODS)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(check_thresholds("AUC", thresholds))
            self.num_thresholds = len(inner) + 2
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(f"AUC: `num_thresholds` must be an integer > 1, "
                                 f"received num_thresholds={num_thresholds!r}")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._thresholds = [0.0 - config.epsilon()] + inner + [1.0 + config.epsilon()]
        if label_weights is not None:
            weights = np.asarray(ops.convert_to_numpy(label_weights), dtype="float64").reshape(-1)
            if (weights < 0).any():
                raise ValueError(f"AUC: every value of `label_weights` must be >= 0, "
                                 f"received label_weights={weights.tolist()}")
            label_weights = [float(w) for w in weights]
        self.label_weights = label_weights
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build((None, _check_int("AUC", "num_labels", num_labels, 1)))
        else:
            if num_labels:
                raise ValueError(f"AUC: `num_labels` is only used with multi_label=True, "
                                 f"received num_labels={num_labels!r} with multi_label=False")
            self._build(None)

    @property
    def thresholds(self):
        """Every threshold, the ``-epsilon`` and ``1 + epsilon`` ends included."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if shape is None or len(shape) != 2:
                raise ValueError(f"AUC: with multi_label=True, y_pred must have rank 2 "
                                 f"(samples, labels); received shape {shape}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, shape[1])
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for condition in CONDITIONS:
            setattr(self, condition, self.add_variable(shape=variable_shape, initializer="zeros",
                                                       name=condition))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's four counts at every threshold (per label when multi_label)."""
        y_pred = ops.convert_to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        label_weights = None if self.multi_label else self.label_weights
        _add_counts({c: getattr(self, c) for c in CONDITIONS}, y_true, y_pred, self._thresholds,
                    sample_weight=sample_weight, multi_label=self.multi_label,
                    label_weights=label_weights, owner="AUC")

    def _average_labels(self, per_label):
        if self.label_weights is None:
            return ops.mean(per_label)
        weights = ops.cast(ops.convert_to_tensor(self.label_weights), per_label.dtype)
        return divide_no_nan(ops.sum(ops.multiply(per_label, weights)), ops.sum(weights))

    def _sum(self, terms):
        if self.multi_label:
            return self._average_labels(ops.sum(terms, axis=0))
        return ops.sum(terms)

    def interpolate_pr_auc(self):
        """PR-AUC with Davis & Goadrich's interpolation between thresholds.

        Between two thresholds precision moves along ``tp / (tp + fp)`` with tp
        and fp linear in each other, so the area of each step has a closed form
        (a slope term plus a log term).
        """
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        n = self.num_thresholds
        d_tp = ops.subtract(tp[: n - 1], tp[1:])
        predicted = ops.add(tp, fp)
        d_predicted = ops.subtract(predicted[: n - 1], predicted[1:])
        slope = divide_no_nan(d_tp, ops.maximum(d_predicted, 0.0))
        intercept = ops.subtract(tp[1:], ops.multiply(slope, predicted[1:]))
        both_positive = ops.logical_and(ops.greater(predicted[: n - 1], 0), ops.greater(predicted[1:], 0))
        ratio = ops.where(both_positive,
                          divide_no_nan(predicted[: n - 1], ops.maximum(predicted[1:], 0.0)),
                          ops.ones_like(predicted[1:]))
        area = ops.multiply(slope, ops.add(d_tp, ops.multiply(intercept, ops.log(ratio))))
        terms = divide_no_nan(area, ops.maximum(ops.add(tp[1:], fn[1:]), 0.0))
        return self._sum(terms)

    def result(self):
        if not self._built:
            return ops.convert_to_tensor(0.0, dtype=self.dtype)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, ops.add(tp, fn))
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, ops.add(fp, tn)), recall
        else:
            x, y = recall, divide_no_nan(tp, ops.add(tp, fp))
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = ops.multiply(ops.add(y[: n - 1], y[1:]), 0.5)
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[: n - 1], y[1:])
        else:
            heights = ops.maximum(y[: n - 1], y[1:])
        return self._sum(ops.multiply(ops.subtract(x[: n - 1], x[1:]), heights))

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": self.label_weights,
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            # Only the inner thresholds: the constructor adds the two ends again.
            config["thresholds"] = self.thresholds[1:-1]
        return config
