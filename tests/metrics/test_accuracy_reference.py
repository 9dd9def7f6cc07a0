"""Top-k accuracies against NumPy references written here by hand.

TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy (several k, labels
(N,) and (N, 1), sequence predictions, from_sorted_ids) over several weighted
batches, through the shared reference-table harness, plus the functions.
"""

import numpy as np
import pytest

from kiln import metrics, ops
from reference_table import Case, check_metric, ids

RNG = np.random.default_rng(5)
C = 5


def _scores(shape):
    # Distinct values per row: no ties, so "top k" is unambiguous on every backend.
    return RNG.permutation(np.prod(shape)).reshape(shape).astype("float32") / np.prod(shape)


def _batches(kind, n_batches=3, n=6, weighted=True, seq=None):
    out = []
    for _ in range(n_batches):
        lead = (n,) if seq is None else (n, seq)
        labels = RNG.integers(0, C, lead)
        pred = _scores(lead + (C,))
        if kind == "onehot":
            y = np.eye(C, dtype="float32")[labels]
        elif kind == "sparse_col":
            y = labels[..., None].astype("int32")
        elif kind == "sorted_ids":
            y = labels.astype("int32")
            pred = np.argsort(-pred, axis=-1).astype("int32")  # ids by decreasing score
        else:
            y = labels.astype("int32")
        kwargs = {"sample_weight": RNG.uniform(0.1, 2.0, n).astype("float32")} if weighted else {}
        out.append(((y, pred), kwargs))
    return out


def np_hits(y, pred, k, kind):
    """1.0 where the label's class is among the k best, shaped like the labels (no class axis)."""
    y, pred = np.asarray(y), np.asarray(pred)
    if kind == "onehot":
        labels = np.argmax(y, axis=-1)
    else:
        labels = y.reshape(pred.shape[:-1]) if kind != "sparse_col" else y[..., 0]
    if kind == "sorted_ids":
        top = pred[..., :k]
    else:
        top = np.argsort(-pred, axis=-1)[..., :k]
    hits = np.any(top == labels[..., None], axis=-1).astype("float64")
    return hits


def np_top_k(batches, k, kind):
    num = den = 0.0
    for (y, pred), kwargs in batches:
        hits = np_hits(y, pred, k, kind)
        per_sample = hits.reshape(len(hits), -1).mean(axis=1)
        w = np.asarray(kwargs.get("sample_weight", np.ones(len(per_sample))), "float64")
        num += np.sum(per_sample * w)
        den += np.sum(w)
    return num / den


ONEHOT = _batches("onehot")
SPARSE = _batches("sparse")
SPARSE_COL = _batches("sparse_col")
SORTED = _batches("sorted_ids")
SEQ = _batches("sparse", weighted=False, seq=2)
ONEHOT_UNW = _batches("onehot", weighted=False)

CASES = [
    Case("top_k_default_k5_weighted", lambda: metrics.TopKCategoricalAccuracy(), ONEHOT,
         np_top_k(ONEHOT, 5, "onehot")),
    Case("top_k_k2_weighted", lambda: metrics.TopKCategoricalAccuracy(k=2), ONEHOT,
         np_top_k(ONEHOT, 2, "onehot")),
    Case("top_k_k1", lambda: metrics.TopKCategoricalAccuracy(k=1), ONEHOT_UNW,
         np_top_k(ONEHOT_UNW, 1, "onehot")),
    Case("sparse_top_k_k2_weighted", lambda: metrics.SparseTopKCategoricalAccuracy(k=2), SPARSE,
         np_top_k(SPARSE, 2, "sparse")),
    Case("sparse_top_k_k3_label_column", lambda: metrics.SparseTopKCategoricalAccuracy(k=3),
         SPARSE_COL, np_top_k(SPARSE_COL, 3, "sparse_col")),
    Case("sparse_top_k_sequence", lambda: metrics.SparseTopKCategoricalAccuracy(k=2), SEQ,
         np_top_k(SEQ, 2, "sparse")),
    Case("sparse_top_k_from_sorted_ids", lambda: metrics.SparseTopKCategoricalAccuracy(
        k=2, from_sorted_ids=True), SORTED, np_top_k(SORTED, 2, "sorted_ids")),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_top_k_metric_matches_numpy(case):
    check_metric(case)


def test_functions_keep_the_label_shape():
    (y, pred), _ = SEQ[0]
    out = ops.convert_to_numpy(metrics.sparse_top_k_categorical_accuracy(y, pred, k=2))
    np.testing.assert_array_equal(out, np_hits(y, pred, 2, "sparse"))
    assert out.shape == y.shape
    (y, pred), _ = ONEHOT[0]
    out = ops.convert_to_numpy(metrics.top_k_categorical_accuracy(y, pred, k=3))
    np.testing.assert_array_equal(out, np_hits(y, pred, 3, "onehot"))


def test_from_sorted_ids_counts_a_repeated_id_once():
    out = metrics.sparse_top_k_categorical_accuracy([1, 0], [[1, 1, 2], [2, 2, 0]], k=2,
                                                    from_sorted_ids=True)
    np.testing.assert_array_equal(ops.convert_to_numpy(out), [1.0, 0.0])


def test_configs_and_bad_k():
    assert metrics.SparseTopKCategoricalAccuracy(k=3).get_config() == {
        "name": "sparse_top_k_categorical_accuracy", "dtype": "float32", "k": 3}
    assert metrics.SparseTopKCategoricalAccuracy(from_sorted_ids=True).get_config()[
        "from_sorted_ids"] is True
    assert metrics.TopKCategoricalAccuracy(k=2).get_config()["k"] == 2
    with pytest.raises(ValueError, match="TopKCategoricalAccuracy: `k`"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="sparse_top_k_categorical_accuracy: `k`"):
        metrics.sparse_top_k_categorical_accuracy([0], [[1.0, 0.0]], k=2.5)
