"""Pearson and concordance correlation against NumPy references written here by hand.

Metrics over several weighted batches (axis -1 and axis 1 of rank-3 inputs)
through the shared reference-table harness, plus the functions themselves,
Keras' documented example values and the zero-variance case.
"""

import numpy as np
import pytest

from kiln import metrics, ops
from reference_table import Case, check_metric, ids

RNG = np.random.default_rng(3)


def _batches(n_batches=3, shape=(5, 4), weighted=True):
    out = []
    for _ in range(n_batches):
        y = RNG.normal(size=shape).astype("float32")
        p = (0.8 * y + 0.3 + RNG.normal(scale=0.5, size=shape)).astype("float32")
        kwargs = {"sample_weight": RNG.uniform(0.1, 2.0, shape[0]).astype("float32")} if weighted else {}
        out.append(((y, p), kwargs))
    return out


def np_pearson(y, p, axis=-1):
    y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
    yc = y - y.mean(axis=axis, keepdims=True)
    pc = p - p.mean(axis=axis, keepdims=True)
    return (yc * pc).mean(axis=axis) / (y.std(axis=axis) * p.std(axis=axis))


def np_concordance(y, p, axis=-1):
    y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
    my, mp = y.mean(axis=axis), p.mean(axis=axis)
    cov = ((y - np.expand_dims(my, axis)) * (p - np.expand_dims(mp, axis))).mean(axis=axis)
    return 2 * cov / (y.var(axis=axis) + p.var(axis=axis) + (my - mp) ** 2)


def _weighted_mean(batches, fn, axis=-1):
    num = den = 0.0
    for (y, p), kwargs in batches:
        v = fn(y, p, axis)
        v = v.reshape(len(v), -1).mean(axis=1)
        w = np.asarray(kwargs.get("sample_weight", np.ones(len(v))), "float64")
        num += np.sum(v * w)
        den += np.sum(w)
    return num / den


W = _batches()
CUBE = _batches(shape=(4, 3, 2), weighted=False)

CASES = [
    Case("pearson_weighted", lambda: metrics.PearsonCorrelation(), W, _weighted_mean(W, np_pearson),
         rtol=1e-4),
    Case("pearson_axis1_rank3", lambda: metrics.PearsonCorrelation(axis=1), CUBE,
         _weighted_mean(CUBE, np_pearson, 1), rtol=1e-4),
    Case("concordance_weighted", lambda: metrics.ConcordanceCorrelation(), W,
         _weighted_mean(W, np_concordance), rtol=1e-4),
    Case("concordance_axis1_rank3", lambda: metrics.ConcordanceCorrelation(axis=1), CUBE,
         _weighted_mean(CUBE, np_concordance, 1), rtol=1e-4),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_correlation_metric_matches_numpy(case):
    check_metric(case)


@pytest.mark.parametrize("fn,ref", [(metrics.pearson_correlation, np_pearson),
                                    (metrics.concordance_correlation, np_concordance)])
def test_functions_match_numpy_per_sample(fn, ref):
    (y, p), _ = W[0]
    np.testing.assert_allclose(ops.convert_to_numpy(fn(y, p)), ref(y, p), rtol=1e-4, atol=1e-6)
    (y, p), _ = CUBE[0]
    np.testing.assert_allclose(ops.convert_to_numpy(fn(y, p, axis=1)), ref(y, p, 1), rtol=1e-4,
                               atol=1e-6)


def test_documented_example_values():
    y = [[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]]
    p = [[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]]
    np.testing.assert_allclose(ops.convert_to_numpy(metrics.concordance_correlation(y, p)),
                               [0.97560976, 0.98765432], rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(metrics.pearson_correlation(y, p)),
                               [1.0, 0.99339927], rtol=1e-5)


def test_constant_sample_scores_zero_not_nan():
    out = ops.convert_to_numpy(metrics.pearson_correlation([[1.0, 1.0, 1.0]], [[0.0, 1.0, 2.0]]))
    np.testing.assert_array_equal(out, [0.0])
    out = ops.convert_to_numpy(metrics.concordance_correlation([[2.0, 2.0]], [[2.0, 2.0]]))
    np.testing.assert_array_equal(out, [0.0])


def test_configs_keep_axis():
    assert metrics.PearsonCorrelation(axis=1).get_config() == {
        "name": "pearson_correlation", "dtype": "float32", "axis": 1}
    assert metrics.ConcordanceCorrelation().get_config()["axis"] == -1
