"""FBetaScore / F1Score against NumPy references written here by hand: every average,
several betas, a threshold or the row's argmax, weighted batches."""

import numpy as np
import pytest

from kiln import metrics, ops
from reference_table import Case, check_error_names, check_metric, ids

RNG = np.random.default_rng(11)
EPS = 1e-7


def _batches(n_batches=3, n=5, c=3, weighted=True, one_hot=False):
    out = []
    for _ in range(n_batches):
        if one_hot:
            y = np.eye(c, dtype="float32")[RNG.integers(0, c, n)]
        else:
            y = (RNG.uniform(size=(n, c)) > 0.5).astype("float32")
        p = RNG.uniform(size=(n, c)).astype("float32")
        kwargs = {"sample_weight": RNG.uniform(0.0, 2.0, n).astype("float32")} if weighted else {}
        out.append(((y, p), kwargs))
    return out


def np_fbeta(batches, average=None, beta=1.0, threshold=None):
    tp = fp = fn = support = 0.0
    for (y, p), kwargs in batches:
        y = np.asarray(y, "float64")
        if threshold is None:
            pred = (p == p.max(axis=1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            pred = p > threshold
        pred = pred.astype("float64")
        w = np.asarray(kwargs.get("sample_weight", np.ones(len(y))), "float64")[:, None]
        tp = tp + np.sum(pred * y * w, axis=0)
        fp = fp + np.sum(pred * (1 - y) * w, axis=0)
        fn = fn + np.sum((1 - pred) * y * w, axis=0)
        support = support + np.sum(y * w, axis=0)
    if average == "micro":
        tp, fp, fn, support = tp.sum(), fp.sum(), fn.sum(), support.sum()
    precision = tp / (tp + fp + EPS)
    recall = tp / (tp + fn + EPS)
    score = (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall + EPS)
    if average == "weighted":
        return float(np.sum(score * support / (np.sum(support) + EPS)))
    if average in ("micro", "macro"):
        return float(np.mean(score))
    return score


def _built(metric, batches):
    """FBetaScore creates its variables from the first input shape; give it that shape
    with a zero-weight batch (which counts nothing) so its variables exist up front."""
    (y, p), _ = batches[0]
    metric.update_state(y, p, sample_weight=np.zeros(len(y), "float32"))
    return metric


B = _batches()
B_PLAIN = _batches(weighted=False)
B_ONE_HOT = _batches(one_hot=True)


def _case(tag, batches, cls=metrics.FBetaScore, **kwargs):
    return Case(f"{cls.__name__}_{tag}", lambda: _built(cls(**kwargs), batches), batches,
                np_fbeta(batches, **kwargs), rtol=1e-5, atol=1e-6)


CASES = [
    _case("none_argmax", B_ONE_HOT, cls=metrics.F1Score),
    _case("micro_threshold", B, cls=metrics.F1Score, average="micro", threshold=0.5),
    _case("macro_threshold_plain", B_PLAIN, cls=metrics.F1Score, average="macro", threshold=0.4),
    _case("weighted_argmax", B, cls=metrics.F1Score, average="weighted"),
    _case("beta2_none", B, beta=2.0, threshold=0.5),
    _case("beta05_micro", B_PLAIN, beta=0.5, average="micro", threshold=0.3),
    _case("beta2_macro_argmax", B_ONE_HOT, beta=2.0, average="macro"),
    _case("beta05_weighted", B, beta=0.5, average="weighted", threshold=0.6),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_reference_table(case):
    check_metric(case)


def test_hand_computed_value():
    # Per class with threshold 0.5: class 0 tp=1 fn=2 -> P=1, R=1/3, F1=0.5;
    # class 1 tp=2 fp=1 -> F1=0.8; class 2 tp=1 fp=1 -> F1=2/3.
    m = metrics.F1Score(threshold=0.5)
    m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]], [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    np.testing.assert_allclose(ops.convert_to_numpy(m.result()), [0.5, 0.8, 2 / 3], rtol=1e-5)
    # An all-zero row predicts nothing under threshold=None (it is not every class at once).
    z = metrics.F1Score(average="micro")
    z.update_state([[1.0, 0.0]], [[0.0, 0.0]])
    assert float(z.result()) == 0.0


def test_variables_and_config_match_keras():
    m = _built(metrics.FBetaScore(average="macro", beta=2.0), B)
    assert [(v.name, tuple(v.shape)) for v in m.variables] == [
        ("true_positives", (3,)), ("false_positives", (3,)), ("false_negatives", (3,)),
        ("intermediate_weights", (3,))]
    micro = _built(metrics.F1Score(average="micro"), B)
    assert [tuple(v.shape) for v in micro.variables] == [()] * 4
    assert set(m.get_config()) == {"name", "dtype", "average", "beta", "threshold"}
    assert set(micro.get_config()) == {"name", "dtype", "average", "threshold"}
    assert metrics.F1Score().name == "f1_score" and metrics.FBetaScore().name == "fbeta_score"


@pytest.mark.parametrize("make, words", [
    (lambda: metrics.FBetaScore(average="samples"), ["FBetaScore", "average", "'micro'", "'weighted'"]),
    (lambda: metrics.FBetaScore(beta=2), ["FBetaScore", "beta", "float"]),
    (lambda: metrics.FBetaScore(beta=-1.0), ["FBetaScore", "beta", "> 0"]),
    (lambda: metrics.F1Score(threshold=1.5), ["F1Score", "threshold"]),
    (lambda: metrics.F1Score(threshold=1), ["F1Score", "threshold", "float"]),
], ids=["average", "beta_type", "beta_sign", "threshold_range", "threshold_type"])
def test_bad_arguments_are_named(make, words):
    check_error_names(make, words)


def test_inputs_must_be_two_dimensional():
    with pytest.raises(ValueError, match="FBetaScore.*batch_size, num_classes"):
        metrics.FBetaScore().update_state(np.ones((4,)), np.ones((4,)))
