"""The shared reference table harness for losses and metrics.

Every loss and metric is checked against a value computed by hand with NumPy in
the test file of its family (``tests/losses/test_*_reference.py``,
``tests/metrics/test_*_reference.py``). Each row is a :class:`Case`; the
checks below are the same for every row, on every backend:

- a loss: ``loss(y_true, y_pred, sample_weight=...)`` equals the reference, and
  the loss survives a ``get_config``/``from_config`` round trip;
- a metric: ``update_state`` over every batch then ``result`` equals the
  reference; the stateless twins (``stateless_update_state`` /
  ``stateless_result``) give the same value and leave the metric untouched;
  ``reset_state`` forgets everything; a config round trip gives the same value.

Example:
    >>> import numpy as np, kiln
    >>> case = Case("mse", lambda: kiln.losses.MeanSquaredError(),
    ...             [((np.zeros((2, 1)), np.ones((2, 1))), {})], expected=1.0)
    >>> check_loss(case)
"""

import numpy as np

from kiln import ops


class Case:
    """One row of the table.

    Args:
        id: the pytest id (e.g. ``"auc_pr_weighted"``).
        make: a zero-argument callable returning a fresh Loss or Metric.
        batches: a list of ``(args, kwargs)`` calls, e.g.
            ``[((y_true, y_pred), {"sample_weight": w})]``. A loss uses the first.
        expected: the NumPy reference value (scalar or array).
        rtol, atol: tolerances of the comparison.
    """

    def __init__(self, id, make, batches, expected, rtol=1e-5, atol=1e-6):
        self.id = id
        self.make = make
        self.batches = batches
        self.expected = expected
        self.rtol = rtol
        self.atol = atol

    def __repr__(self):
        return f"Case({self.id})"


def ids(cases):
    """pytest ids for a list of cases: ``pytest.mark.parametrize("case", CASES, ids=ids(CASES))``."""
    return [c.id for c in cases]


def _np(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def _assert_close(actual, case, what):
    np.testing.assert_allclose(_np(actual), np.asarray(case.expected, dtype="float64"),
                               rtol=case.rtol, atol=case.atol,
                               err_msg=f"{case.id}: {what} differs from the NumPy reference")


def check_loss(case):
    """A loss matches its reference and survives a config round trip."""
    args, kwargs = case.batches[0]
    loss = case.make()
    _assert_close(loss(*args, **kwargs), case, "loss value")
    clone = type(loss).from_config(loss.get_config())
    _assert_close(clone(*args, **kwargs), case, "loss value after from_config(get_config())")


def _run_stateful(metric, batches):
    for args, kwargs in batches:
        metric.update_state(*args, **kwargs)
    return metric.result()


def check_metric(case):
    """A metric matches its reference statefully, statelessly, after reset and after a round trip."""
    metric = case.make()
    _assert_close(_run_stateful(metric, case.batches), case, "result()")

    fresh = case.make()
    initial = [_np(v.value) for v in fresh.variables]
    values = [v.value for v in fresh.variables]
    for args, kwargs in case.batches:
        values = fresh.stateless_update_state(values, *args, **kwargs)
    _assert_close(fresh.stateless_result(values), case, "stateless_result()")
    for variable, before in zip(fresh.variables, initial):
        np.testing.assert_array_equal(_np(variable.value), before,
                                      err_msg=f"{case.id}: stateless_update_state changed "
                                              f"the metric variable {variable.path}")

    metric.reset_state()
    for variable, before in zip(metric.variables, initial):
        np.testing.assert_allclose(_np(variable.value), before,
                                   err_msg=f"{case.id}: reset_state left {variable.path} changed")
    _assert_close(_run_stateful(metric, case.batches), case, "result() after reset_state()")

    clone = type(metric).from_config(metric.get_config())
    _assert_close(_run_stateful(clone, case.batches), case, "result() after from_config(get_config())")


def check_error_names(make, words, error=ValueError):
    """``make()`` raises ``error`` whose message contains every one of ``words``.

    Example:
        >>> check_error_names(lambda: int("x"), ["int", "'x'"])
    """
    try:
        make()
    except error as exc:
        for word in words:
            assert word in str(exc), (word, str(exc))
        return
    raise AssertionError(f"{error.__name__} not raised")


# -- per-sample NumPy references shared by a loss and the metric of the same name ----------------
# (float64 math on the inputs; reduced over the last axis like the Keras per-sample functions)

EPS = 1e-7  # kiln.config.epsilon()


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ref_mse(y, p):
    return np.mean((y - p) ** 2, -1)


def ref_mae(y, p):
    return np.mean(np.abs(y - p), -1)


def ref_mape(y, p):
    return 100.0 * np.mean(np.abs(y - p) / np.maximum(np.abs(y), EPS), -1)


def ref_msle(y, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2, -1)


def ref_log_cosh(y, p):
    return np.mean(np.log(np.cosh(p - y)), -1)


def ref_kld(y, p):
    y, p = np.clip(y, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(y * np.log(y / p), -1)


def ref_poisson(y, p):
    return np.mean(p - y * np.log(p + EPS), -1)


def bce_elements(y, p):
    """Element-wise binary cross-entropy of probabilities clipped to [EPS, 1 - EPS]."""
    pc = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(pc) + (1 - y) * np.log(1 - pc))


def ref_bce(y, p, from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    p = sigmoid(p) if from_logits else p
    return np.mean(bce_elements(y, p), -1)


def ref_cce(y, p, from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    p = softmax(p) if from_logits else p / p.sum(-1, keepdims=True)
    return -np.sum(y * np.log(np.clip(p, EPS, 1 - EPS)), -1)


def ref_scce(labels, p, from_logits=False):
    p = softmax(p) if from_logits else p / p.sum(-1, keepdims=True)
    return -np.log(np.clip(p, EPS, 1 - EPS)[np.arange(len(labels)), np.asarray(labels).astype(int)])


def ref_hinge(y, p, squared=False):
    if np.all((y == 0) | (y == 1)):
        y = 2 * y - 1
    margin = np.maximum(1 - y * p, 0)
    return np.mean(margin ** 2 if squared else margin, -1)


def ref_categorical_hinge(y, p):
    return np.maximum(np.max((1 - y) * p, -1) - np.sum(y * p, -1) + 1, 0)
