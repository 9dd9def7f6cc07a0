"""Intersection-over-union metrics, from an accumulated (weighted) confusion matrix.

``IoU`` is ``tp / (tp + fp + fn)`` per class; ``MeanIoU`` averages it over every
class, ``BinaryIoU`` thresholds scores into two classes and the ``OneHot*``
variants take one-hot labels. The state is one ``(num_classes, num_classes)``
variable, ``total_confusion_matrix`` (rows: true class, columns: predicted).

Example:
    >>> import kiln
    >>> m = kiln.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> float(m.result())
    0.3333333432674408
"""

from kiln import config, ops
from kiln.metrics.metric import Metric


def weighted_confusion_matrix(labels, predictions, num_classes, weights, dtype):
    """``cm[i, j]`` = the summed weights of entries with label ``i`` predicted as ``j``.

    ``labels``/``predictions`` are flat integer class ids; pairs outside
    ``[0, num_classes)`` are dropped. Uses a segment sum with a static number of
    segments, so it runs under jit.
    """
    cell = ops.add(ops.multiply(ops.cast(labels, "int32"), num_classes), ops.cast(predictions, "int32"))
    valid = ops.logical_and(
        ops.logical_and(ops.greater_equal(labels, 0), ops.less(labels, num_classes)),
        ops.logical_and(ops.greater_equal(predictions, 0), ops.less(predictions, num_classes)))
    weights = ops.where(valid, weights, ops.zeros_like(weights))
    cell = ops.where(valid, cell, ops.zeros_like(cell))
    flat = ops.segment_sum(weights, cell, num_segments=num_classes * num_classes)
    return ops.reshape(ops.cast(flat, dtype), (num_classes, num_classes))


def _check_classes(owner, num_classes, target_class_ids=None):
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"{owner}: `num_classes` must be an integer >= 1, "
                         f"received num_classes={num_classes!r}")
    if target_class_ids is None:
        return None
    if isinstance(target_class_ids, int):
        raise ValueError(f"{owner}: `target_class_ids` must be a list or tuple of class ids, "
                         f"received target_class_ids={target_class_ids!r}")
    ids = list(target_class_ids)
    bad = [i for i in ids if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < num_classes]
    if not ids or bad:
        raise ValueError(f"{owner}: every value of `target_class_ids` must be a class id in "
                         f"[0, {num_classes}); received target_class_ids={ids!r}")
    return ids


class _IoUBase(Metric):
    """The confusion-matrix state and update shared by the IoU metrics."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "float32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), initializer="zeros",
                                          dtype=self.dtype, name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add this batch's weighted confusion matrix (entries of ``ignore_class`` weigh 0)."""
        y_true = ops.convert_to_tensor(y_true)
        y_pred = ops.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        if sample_weight is None:
            weights = ops.ones(ops.shape(y_true), dtype=self.dtype)
        else:
            # Per-entry weights, or per-sample ones broadcast over the other label axes.
            weights = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            if len(weights.shape) > len(y_true.shape):
                weights = ops.reshape(weights, ops.shape(y_true))
            while 0 < len(weights.shape) < len(y_true.shape):
                weights = ops.expand_dims(weights, -1)
            weights = ops.broadcast_to(weights, ops.shape(y_true))
        y_true = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        y_pred = ops.reshape(ops.cast(y_pred, "int32"), (-1,))
        weights = ops.reshape(weights, (-1,))
        if self.ignore_class is not None:
            keep = ops.not_equal(y_true, self.ignore_class)
            weights = ops.where(keep, weights, ops.zeros_like(weights))
        self.total_cm.assign_add(weighted_confusion_matrix(y_true, y_pred, self.num_classes, weights,
                                                           self.dtype))

    def _class_iou(self):
        """(tp, tp + fp + fn) per class."""
        cm = self.total_cm.value
        predicted = ops.sum(cm, axis=0)
        actual = ops.sum(cm, axis=1)
        tp = ops.diagonal(cm)
        return tp, ops.subtract(ops.add(predicted, actual), tp)

    def _mean_over(self, class_ids):
        tp, union = self._class_iou()
        ids = ops.convert_to_tensor(list(class_ids), dtype="int32")
        tp = ops.take(tp, ids, axis=-1)
        union = ops.take(union, ids, axis=-1)
        # A class that never appears (neither labelled nor predicted) does not count.
        present = ops.sum(ops.cast(ops.greater(union, 1e-9), self.dtype))
        iou = ops.divide(tp, ops.add(union, config.epsilon()))
        return ops.divide(ops.sum(iou, axis=self.axis), ops.add(present, config.epsilon()))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """Intersection over union ``tp / (tp + fp + fn)``, averaged over ``target_class_ids``.

    Classes absent from both labels and predictions are left out of the mean.

    Args:
        num_classes: the number of classes (the confusion matrix is square of that size).
        target_class_ids: the class ids whose IoU is averaged.
        name, dtype: as for every metric (dtype defaults to float32).
        ignore_class: a label value whose entries are not counted (e.g. "void").
        sparse_y_true: labels are class ids (True) or one-hot/scores along ``axis``.
        sparse_y_pred: predictions are class ids (True) or scores along ``axis``.
        axis: the class axis of non-sparse inputs.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        ids = _check_classes(type(self).__name__, num_classes, target_class_ids)
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        self.target_class_ids = ids

    def result(self):
        return self._mean_over(self.target_class_ids)

    def get_config(self):
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class BinaryIoU(IoU):
    """IoU of binary predictions: scores ``>= threshold`` are class 1, the others class 0.

    Args:
        target_class_ids: which of the classes 0 and 1 to average (default both).
        threshold: the score from which a prediction is class 1.
        name, dtype: as for every metric.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise ValueError(f"BinaryIoU: `threshold` must be a number, received threshold={threshold!r}")
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Threshold the scores into classes 0/1, then add the confusion matrix."""
        y_pred = ops.convert_to_tensor(y_pred)
        y_pred = ops.greater_equal(ops.cast(y_pred, self.dtype), ops.cast(self.threshold, self.dtype))
        return super().update_state(y_true, ops.cast(y_pred, "int32"), sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "target_class_ids": self.target_class_ids,
                "threshold": self.threshold}


class MeanIoU(_IoUBase):
    """IoU averaged over every class (those absent from labels and predictions excepted).

    Args:
        num_classes: the number of classes.
        name, dtype: as for every metric (dtype defaults to float32).
        ignore_class: a label value whose entries are not counted.
        sparse_y_true, sparse_y_pred, axis: as for :class:`IoU`.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.MeanIoU(num_classes=3, ignore_class=2)
        >>> m.update_state([0, 0, 1, 2], [0, 1, 1, 0])
        >>> float(m.result())
        0.5
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        _check_classes(type(self).__name__, num_classes)
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        self.target_class_ids = list(range(num_classes))

    def result(self):
        return self._mean_over(self.target_class_ids)


class _OneHotLabels:
    """Mixin of the ``OneHot*`` IoU metrics: labels are always one-hot, so no ``sparse_y_true`` key."""

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotIoU(_OneHotLabels, IoU):
    """:class:`IoU` for one-hot labels (and, by default, score predictions) along ``axis``.

    Args:
        num_classes: the number of classes.
        target_class_ids: the class ids whose IoU is averaged.
        name, dtype: as for every metric.
        ignore_class: a class id whose entries are not counted.
        sparse_y_pred: predictions are class ids (True) or scores (False, default).
        axis: the class axis.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
        >>> round(float(m.result()), 4)
        0.1667
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)


class OneHotMeanIoU(_OneHotLabels, MeanIoU):
    """:class:`MeanIoU` for one-hot labels (and, by default, score predictions) along ``axis``.

    Args:
        num_classes: the number of classes.
        name, dtype: as for every metric.
        ignore_class: a class id whose entries are not counted.
        sparse_y_pred: predictions are class ids (True) or scores (False, default).
        axis: the class axis.

    Example:
        >>> import kiln
        >>> m = kiln.metrics.OneHotMeanIoU(num_classes=3)
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
        >>> round(float(m.result()), 4)
        0.1111
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)
