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
