"""Regression metrics against NumPy references written here by hand.

MAPE, MSLE, RMSE, cosine similarity, log-cosh and R2 (every class_aggregation,
adjusted R2 and its fallback) over several weighted batches, through the shared
reference-table harness (stateful, stateless, reset, config round trip).
"""

import numpy as np
import pytest

from kiln import metrics
from reference_table import Case, check_metric, ids, ref_log_cosh, ref_mape, ref_mse, ref_msle

RNG = np.random.default_rng(11)


def _batches(n_batches=3, n=5, c=3, weighted=True, positive=False, shape=None):
    out = []
    for _ in range(n_batches):
        full = shape or (n, c)
        if positive:
            y = RNG.uniform(0.5, 3.0, full).astype("float32")
            p = RNG.uniform(0.0, 3.0, full).astype("float32")
        else:
            y = RNG.normal(size=full).astype("float32")
            p = (y + RNG.normal(scale=0.7, size=full)).astype("float32")
        kwargs = {"sample_weight": RNG.uniform(0.1, 2.0, full[0]).astype("float32")} if weighted else {}
        out.append(((y, p), kwargs))
    return out


def _weighted_mean(batches, per_sample):
    """sum(w * per_sample(y, p)) / sum(w) over every batch, w = 1 when unweighted."""
    num = den = 0.0
    for (y, p), kwargs in batches:
        v = per_sample(np.asarray(y, "float64"), np.asarray(p, "float64"))
        w = np.asarray(kwargs.get("sample_weight", np.ones(len(v))), "float64")
        num += np.sum(v * w)
        den += np.sum(w)
    return num / den


def _cosine(axis):
    def per_sample(y, p):
        yn = y / np.linalg.norm(y, axis=axis, keepdims=True)
        pn = p / np.linalg.norm(p, axis=axis, keepdims=True)
        value = np.sum(yn * pn, axis=axis)
        return value.reshape(len(value), -1).mean(axis=1)
    return per_sample


def np_r2(batches, class_aggregation="uniform_average", num_regressors=0):
    s = ss = res = cnt = 0.0
    n = 0
    for (y, p), kwargs in batches:
        y, p = np.asarray(y, "float64"), np.asarray(p, "float64")
        w = np.asarray(kwargs.get("sample_weight", np.ones(len(y))), "float64")[:, None]
        w = np.broadcast_to(w, y.shape)
        s = s + np.sum(w * y, axis=0)
        ss = ss + np.sum(w * y * y, axis=0)
        res = res + np.sum(w * (y - p) ** 2, axis=0)
        cnt = cnt + np.sum(w, axis=0)
        n += y.size  # Keras counts every label entry, not rows
    total = ss - s * (s / cnt)  # weighted total sum of squares about the weighted mean
    raw = 1.0 - res / total
    if class_aggregation == "uniform_average":
        score = raw.mean()
    elif class_aggregation == "variance_weighted_average":
        score = np.sum(total * raw) / np.sum(total)
    else:
        score = raw
    if num_regressors and n - 1 > num_regressors:
        score = 1.0 - (1.0 - score) * (n - 1) / (n - num_regressors - 1)
    return score


def _built_r2(c, **kwargs):
    # The harness reads the state before the first batch: create it as the first batch would.
    metric = metrics.R2Score(**kwargs)
    metric._build((None, c), (None, c))
    return metric


W = _batches()
POS = _batches(positive=True)
UNW = _batches(weighted=False)
CUBE = _batches(weighted=False, shape=(4, 3, 2))
ONE_OUT = _batches(c=1)
SMALL = _batches(n_batches=1, n=2, c=1)

CASES = [
    Case("mape_weighted", lambda: metrics.MeanAbsolutePercentageError(), POS,
         _weighted_mean(POS, ref_mape), rtol=1e-5),
    Case("msle_weighted", lambda: metrics.MeanSquaredLogarithmicError(), POS,
         _weighted_mean(POS, ref_msle)),
    Case("rmse", lambda: metrics.RootMeanSquaredError(), UNW, np.sqrt(_weighted_mean(UNW, ref_mse))),
    Case("rmse_weighted", lambda: metrics.RootMeanSquaredError(), W, np.sqrt(_weighted_mean(W, ref_mse))),
    Case("cosine_weighted", lambda: metrics.CosineSimilarity(), W, _weighted_mean(W, _cosine(-1))),
    Case("cosine_axis1_rank3", lambda: metrics.CosineSimilarity(axis=1), CUBE,
         _weighted_mean(CUBE, _cosine(1))),
    Case("logcosh_weighted", lambda: metrics.LogCoshError(), W, _weighted_mean(W, ref_log_cosh)),
    Case("r2_uniform", lambda: _built_r2(3), UNW, np_r2(UNW)),
    Case("r2_uniform_weighted", lambda: _built_r2(3), W, np_r2(W), rtol=1e-4),
    Case("r2_variance_weighted", lambda: _built_r2(3, class_aggregation="variance_weighted_average"),
         W, np_r2(W, "variance_weighted_average"), rtol=1e-4),
    Case("r2_per_output", lambda: _built_r2(3, class_aggregation=None), W, np_r2(W, None), rtol=1e-4),
    Case("r2_adjusted", lambda: _built_r2(1, num_regressors=3), ONE_OUT,
         np_r2(ONE_OUT, num_regressors=3), rtol=1e-4),
    # n - 1 = 1 <= num_regressors: the adjustment is undefined, the plain R2 comes back.
    Case("r2_adjusted_fallback", lambda: _built_r2(1, num_regressors=5), SMALL, np_r2(SMALL), rtol=1e-4),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_regression_metric_matches_numpy(case):
    check_metric(case)


def test_r2_builds_its_state_from_the_first_batch():
    metric = metrics.R2Score()
    assert [v.path for v in metric.variables] == ["r2_score/num_samples"]
    (y, p), kwargs = W[0]
    metric.update_state(y, p, **kwargs)
    assert [v.path.split("/")[-1] for v in metric.variables] == [
        "num_samples", "squared_sum", "sum", "residual", "count"]
    assert tuple(metric.variables[1].shape) == (3,)
    np.testing.assert_allclose(float(metric.result()), np_r2(W[:1]), rtol=1e-4)


def test_r2_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="median")
    with pytest.raises(ValueError, match="num_regressors"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="R2Score expects 2D"):
        metrics.R2Score().update_state(np.ones((4,)), np.ones((4,)))
    with pytest.raises(ValueError, match="seen no data"):
        metrics.R2Score().result()


def test_configs_keep_their_arguments():
    assert metrics.CosineSimilarity(axis=1).get_config() == {
        "name": "cosine_similarity", "dtype": "float32", "axis": 1}
    assert metrics.R2Score("variance_weighted_average", 2).get_config() == {
        "name": "r2_score", "dtype": "float32",
        "class_aggregation": "variance_weighted_average", "num_regressors": 2}
    assert metrics.LogCoshError().name == "logcosh"


def test_compiled_evaluate_accumulates_r2_and_rmse_over_batches():
    # The R2 state is created up front: the jax trainer takes the metric state before the
    # first (traced) step, so state a metric creates on its first batch is not carried yet.
    import kiln

    x = RNG.normal(size=(12, 3)).astype("float32")
    kernel = RNG.normal(size=(3, 2)).astype("float32")
    y = (x @ kernel + RNG.normal(scale=0.5, size=(12, 2))).astype("float32")
    model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2, use_bias=False)])
    model.set_weights([kernel])
    model.compile(loss="mse", metrics=[_built_r2(2), metrics.RootMeanSquaredError()])
    results = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    pred = x.astype("float64") @ kernel
    batch = [((y, pred), {})]
    np.testing.assert_allclose(results["r2_score"], np_r2(batch), rtol=1e-4)
    np.testing.assert_allclose(results["root_mean_squared_error"],
                               np.sqrt(np.mean((y - pred) ** 2)), rtol=1e-4)
