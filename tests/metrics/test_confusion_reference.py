"""Confusion-matrix metrics against NumPy references written here by hand.

Counts at thresholds, Precision/Recall (thresholds, top_k, class_id), AUC (ROC and
PR; interpolation, minoring, majoring; multi_label, label_weights, from_logits)
and the "X at Y" metrics, over several weighted batches, through the shared
reference-table harness (stateful, stateless, reset, config round trip).
"""

import numpy as np
import pytest

from kiln import backend, metrics, ops
from reference_table import Case, check_error_names, check_metric, ids

RNG = np.random.default_rng(7)
EPS = 1e-7  # kiln.config.epsilon(): AUC's end thresholds are -EPS and 1 + EPS


def _batches(n_batches=3, n=6, c=3, weighted=True, logits=False):
    out = []
    for _ in range(n_batches):
        y = (RNG.uniform(size=(n, c)) > 0.5).astype("float32")
        p = (RNG.normal(size=(n, c)) * 2.0 if logits else RNG.uniform(size=(n, c))).astype("float32")
        kwargs = {"sample_weight": RNG.uniform(0.0, 2.0, n).astype("float32")} if weighted else {}
        out.append(((y, p), kwargs))
    return out


# -- the NumPy reference: loops over thresholds, nothing shared with the library ----------------
def np_counts(batches, thresholds, top_k=None, class_id=None, multi_label=False, label_weights=None,
              from_logits=False):
    """Summed (tp, fp, tn, fn), each of shape (T,) or (T, labels)."""
    thresholds = np.asarray(thresholds, dtype="float32")
    totals = None
    for (y, p), kwargs in batches:
        y = np.asarray(y, "float64")
        p = np.asarray(p, "float32")
        if from_logits:
            p = (1.0 / (1.0 + np.exp(-p.astype("float64")))).astype("float32")
        w = np.ones(p.shape) if "sample_weight" not in kwargs else \
            np.broadcast_to(np.asarray(kwargs["sample_weight"], "float64")[:, None], p.shape)
        if label_weights is not None and not multi_label:
            w = w * np.asarray(label_weights, "float64")[None, :]
        if top_k is not None:
            keep = np.zeros(p.shape, bool)
            for row in range(p.shape[0]):
                keep[row, np.argsort(-p[row], kind="stable")[:top_k]] = True
            p = np.where(keep, p, np.float32(-1e10))
        if class_id is not None:
            y, p, w = y[:, [class_id]], p[:, [class_id]], w[:, [class_id]]
        rows = []
        for t in thresholds:
            pos, lab = p > t, y != 0
            parts = [(lab & pos), (~lab & pos), (~lab & ~pos), (lab & ~pos)]
            rows.append([np.sum(m * w, axis=0) if multi_label else np.sum(m * w) for m in parts])
        counts = [np.array([r[i] for r in rows]) for i in range(4)]
        totals = counts if totals is None else [a + b for a, b in zip(totals, counts)]
    return totals


def _div(a, b):
    a, b = np.broadcast_arrays(np.asarray(a, "float64"), np.asarray(b, "float64"))
    out = np.zeros(a.shape)
    np.divide(a, b, out=out, where=b != 0)
    return out


def auc_thresholds(num_thresholds):
    return [-EPS] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1 + EPS]


def np_auc(batches, num_thresholds=200, curve="ROC", summation="interpolation", multi_label=False,
           label_weights=None, thresholds=None, from_logits=False):
    ths = auc_thresholds(num_thresholds) if thresholds is None else [-EPS] + sorted(thresholds) + [1 + EPS]
    tp, fp, tn, fn = np_counts(batches, ths, multi_label=multi_label,
                               label_weights=None if multi_label else label_weights,
                               from_logits=from_logits)
    if curve == "PR" and summation == "interpolation":
        per_curve = _pr_interpolated(tp, fp, fn)
    else:
        if curve == "ROC":
            x, y = _div(fp, fp + tn), _div(tp, tp + fn)
        else:
            x, y = _div(tp, tp + fn), _div(tp, tp + fp)
        if summation == "interpolation":
            h = (y[:-1] + y[1:]) / 2
        elif summation == "minoring":
            h = np.minimum(y[:-1], y[1:])
        else:
            h = np.maximum(y[:-1], y[1:])
        per_curve = np.sum((x[:-1] - x[1:]) * h, axis=0)
    if not multi_label:
        return float(per_curve)
    if label_weights is None:
        return float(np.mean(per_curve))
    lw = np.asarray(label_weights, "float64")
    return float(np.sum(per_curve * lw) / np.sum(lw))


def _pr_interpolated(tp, fp, fn):
    """Davis & Goadrich: between two thresholds tp grows linearly with the number of
    predicted positives P; integrate precision = tp(P) / P over recall = tp(P) / positives
    numerically (midpoint rule), segment by segment."""
    tp, fp, fn = (np.asarray(a, "float64") for a in (tp, fp, fn))
    if tp.ndim == 1:
        return _pr_interpolated(tp[:, None], fp[:, None], fn[:, None])[0]
    out = np.zeros(tp.shape[1])
    for label in range(tp.shape[1]):
        area = 0.0
        for i in range(tp.shape[0] - 1):
            p_hi, p_lo = tp[i, label] + fp[i, label], tp[i + 1, label] + fp[i + 1, label]
            positives = tp[i + 1, label] + fn[i + 1, label]
            if p_hi <= p_lo or positives <= 0:
                continue
            slope = (tp[i, label] - tp[i + 1, label]) / (p_hi - p_lo)
            edges = np.linspace(p_lo, p_hi, 4001)
            mid = (edges[:-1] + edges[1:]) / 2
            tp_at = tp[i + 1, label] + slope * (mid - p_lo)
            precision = tp_at / mid
            d_recall = slope * np.diff(edges) / positives
            area += np.sum(precision * d_recall)
        out[label] = area
    return out


def np_rate_at(batches, kind, value, num_thresholds=200, class_id=None):
    if num_thresholds == 1:
        ths = [0.5]
    else:
        ths = [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
    tp, fp, tn, fn = np_counts(batches, ths, class_id=class_id)
    rates = {"recall": _div(tp, tp + fn), "precision": _div(tp, tp + fp), "specificity": _div(tn, tn + fp)}
    constrained, dependent = {"SensitivityAtSpecificity": ("specificity", "recall"),
                              "SpecificityAtSensitivity": ("recall", "specificity"),
                              "PrecisionAtRecall": ("recall", "precision"),
                              "RecallAtPrecision": ("precision", "recall")}[kind]
    feasible = rates[constrained] >= np.float32(value)
    return float(np.max(np.where(feasible, rates[dependent], 0.0)))


# -- the table ---------------------------------------------------------------------------------------
B = _batches()
B_PLAIN = _batches(weighted=False)
B_LOGITS = _batches(logits=True)
B_COLUMN = [((y[:, :1], p[:, :1]), kw) for (y, p), kw in _batches()]
THS = [0.2, 0.5, 0.8]


def _count_case(cls, index, thresholds, batches, tag):
    expected = np_counts(batches, [0.5] if thresholds is None else thresholds)[index]
    return Case(f"{cls.__name__}_{tag}", lambda: cls(thresholds=thresholds), batches,
                expected[0] if thresholds is None else expected)


def _pr_case(kind, batches, tag, **kwargs):
    cls = getattr(metrics, kind)
    thresholds = kwargs.get("thresholds")
    top_k, class_id = kwargs.get("top_k"), kwargs.get("class_id")
    ths = thresholds if thresholds is not None else ([0.5] if top_k is None else [-1e10])
    tp, fp, _, fn = np_counts(batches, ths, top_k=top_k, class_id=class_id)
    value = _div(tp, tp + (fp if kind == "Precision" else fn))
    return Case(f"{kind}_{tag}", lambda: cls(**kwargs), batches,
                value if thresholds is not None and len(ths) > 1 else value[0])


def _auc_case(tag, batches, **kwargs):
    ref_kwargs = {k: v for k, v in kwargs.items() if k != "num_labels"}
    ref_kwargs["summation"] = ref_kwargs.pop("summation_method", "interpolation")
    return Case(f"AUC_{tag}", lambda: metrics.AUC(**kwargs), batches, np_auc(batches, **ref_kwargs),
                rtol=1e-4, atol=1e-5)


def _rate_case(kind, value, batches, tag, **kwargs):
    cls = getattr(metrics, kind)
    return Case(f"{kind}_{tag}", lambda: cls(value, **kwargs), batches,
                np_rate_at(batches, kind, value, **kwargs), rtol=1e-5, atol=1e-6)


CASES = [
    _count_case(metrics.TruePositives, 0, None, B, "weighted"),
    _count_case(metrics.FalsePositives, 1, THS, B, "thresholds_weighted"),
    _count_case(metrics.TrueNegatives, 2, THS, B_PLAIN, "thresholds"),
    _count_case(metrics.FalseNegatives, 3, None, B, "weighted"),
    _count_case(metrics.TruePositives, 0, [0.0, 0.5, 1.0], B_COLUMN, "column_ends"),
    _pr_case("Precision", B, "default_weighted"),
    _pr_case("Precision", B, "thresholds", thresholds=THS),
    _pr_case("Precision", B_PLAIN, "top_k2", top_k=2),
    _pr_case("Precision", B, "top_k1_class1", top_k=1, class_id=1),
    _pr_case("Precision", B_COLUMN, "column"),
    _pr_case("Recall", B, "default_weighted"),
    _pr_case("Recall", B_PLAIN, "thresholds", thresholds=THS),
    _pr_case("Recall", B, "top_k2", top_k=2),
    _pr_case("Recall", B, "class2_thresholds", thresholds=[0.3, 0.6, 0.9], class_id=2),
    _auc_case("roc", B),
    _auc_case("roc_minoring", B, num_thresholds=20, summation_method="minoring"),
    _auc_case("roc_majoring_plain", B_PLAIN, num_thresholds=20, summation_method="majoring"),
    _auc_case("pr_interpolation", B, curve="PR"),
    _auc_case("pr_interpolation_few", B_PLAIN, num_thresholds=20, curve="PR"),
    _auc_case("pr_majoring", B, num_thresholds=20, curve="PR", summation_method="majoring"),
    _auc_case("pr_minoring", B, num_thresholds=20, curve="PR", summation_method="minoring"),
    _auc_case("multi_label_roc", B, num_thresholds=20, multi_label=True, num_labels=3),
    _auc_case("multi_label_pr_label_weights", B, num_thresholds=20, curve="PR", multi_label=True,
              num_labels=3, label_weights=[0.5, 1.0, 2.0]),
    _auc_case("label_weights_flat", B, num_thresholds=20, label_weights=[0.2, 1.0, 3.0]),
    _auc_case("explicit_thresholds", B, thresholds=[0.7, 0.1, 0.4] + [0.05 * i for i in range(1, 16)]),
    _auc_case("from_logits", B_LOGITS, num_thresholds=20, from_logits=True),
    _rate_case("SensitivityAtSpecificity", 0.6, B, "weighted"),
    _rate_case("SpecificityAtSensitivity", 0.4, B, "weighted_class1", num_thresholds=20, class_id=1),
    _rate_case("PrecisionAtRecall", 0.7, B, "weighted"),
    _rate_case("RecallAtPrecision", 0.6, B_PLAIN, "few", num_thresholds=20),
    _rate_case("RecallAtPrecision", 1.0, B, "unreachable_is_zero_or_best"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_reference_table(case):
    check_metric(case)


def test_hand_computed_values():
    # Small enough to check on paper.
    y, p = [0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9]
    auc = metrics.AUC(num_thresholds=3)  # thresholds -eps, 0.5, 1 + eps
    auc.update_state(y, p)
    # ROC points (fpr, tpr): (1, 1), (0, 0.5), (0, 0) -> 0.5 * 0.75 + 0
    assert float(auc.result()) == pytest.approx(0.75)
    tp = metrics.TruePositives(thresholds=[0.0, 0.4, 0.95])
    tp.update_state(y, p, sample_weight=[1.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(ops.convert_to_numpy(tp.result()), [5.0, 3.0, 0.0])
    # top_k: only the two highest scores of each row can be positive.
    prec = metrics.Precision(top_k=2)
    prec.update_state([[0, 0, 1, 1]], [[0.9, 0.8, 0.7, 0.1]])
    assert float(prec.result()) == 0.0
    rec = metrics.Recall(top_k=3)
    rec.update_state([[0, 0, 1, 1]], [[0.9, 0.8, 0.7, 0.1]])
    assert float(rec.result()) == pytest.approx(0.5)


def test_variables_match_keras_names_shapes_and_order():
    def layout(m):
        return [(v.name, tuple(v.shape)) for v in m.variables]

    assert layout(metrics.TruePositives(thresholds=[0.1, 0.2])) == [("accumulator", (2,))]
    assert layout(metrics.Precision()) == [("true_positives", (1,)), ("false_positives", (1,))]
    assert layout(metrics.Recall(thresholds=THS)) == [("true_positives", (3,)), ("false_negatives", (3,))]
    four = ["true_positives", "false_positives", "true_negatives", "false_negatives"]
    assert layout(metrics.AUC(num_thresholds=10)) == [(n, (10,)) for n in four]
    multi = metrics.AUC(multi_label=True, num_labels=4, thresholds=[0.5])
    assert layout(multi) == [(n, (3, 4)) for n in four]
    assert layout(metrics.PrecisionAtRecall(0.5, num_thresholds=5)) == [(n, (5,)) for n in four]


def test_multi_label_auc_builds_from_the_first_batch():
    m = metrics.AUC(num_thresholds=20, multi_label=True)
    assert m.variables == []
    (y, p), kw = B[0]
    m.update_state(y, p, **kw)
    assert [tuple(v.shape) for v in m.variables] == [(20, 3)] * 4
    assert float(m.result()) == pytest.approx(np_auc(B[:1], num_thresholds=20, multi_label=True), rel=1e-4)


def test_config_keys_and_serialization():
    auc = metrics.AUC(curve="pr", summation_method="Majoring", thresholds=[0.3, 0.6], name="auc_pr")
    config = auc.get_config()
    assert config["curve"] == "PR" and config["summation_method"] == "majoring"
    assert config["num_thresholds"] == 4 and config["thresholds"] == [0.3, 0.6]
    assert set(config) == {"name", "dtype", "num_thresholds", "curve", "summation_method", "multi_label",
                           "num_labels", "label_weights", "from_logits", "thresholds"}
    assert set(metrics.AUC().get_config()) == set(config) - {"thresholds"}
    assert set(metrics.Precision().get_config()) == {"name", "dtype", "thresholds", "top_k", "class_id"}
    assert set(metrics.FalseNegatives().get_config()) == {"name", "dtype", "thresholds"}
    assert set(metrics.RecallAtPrecision(0.8).get_config()) == {"name", "dtype", "class_id",
                                                                "num_thresholds", "precision"}
    clone = metrics.deserialize(metrics.serialize(auc))
    assert type(clone) is metrics.AUC and clone.thresholds == auc.thresholds
    assert type(metrics.get("Precision")) is metrics.Precision


def _compile(fn):
    name = backend.backend()
    if name == "jax":
        import jax

        return jax.jit(fn)
    if name == "tensorflow":
        import tensorflow as tf

        return tf.function(fn)
    return fn  # torch and numpy: the same pure path, eagerly


def _f1_built():
    (y, p), _ = B[0]
    m = metrics.F1Score(average="macro", threshold=0.5)
    m.update_state(y, p, sample_weight=np.zeros(len(y), "float32"))  # creates its variables
    return m


B_CLASSES = [((np.argmax(y, -1), np.argmax(p, -1)), kw) for (y, p), kw in B]


@pytest.mark.parametrize("make, batches", [
    (lambda: metrics.AUC(num_thresholds=20, curve="PR"), B),
    (lambda: metrics.Precision(top_k=2, class_id=1), B),
    (lambda: metrics.SpecificityAtSensitivity(0.5, num_thresholds=20), B),
    (_f1_built, B),
    (lambda: metrics.MeanIoU(3, ignore_class=0), B_CLASSES),
], ids=["auc_pr", "precision_top_k", "specificity_at_sensitivity", "f1_macro", "mean_iou"])
def test_stateless_update_runs_compiled(make, batches):
    # Metrics update inside compiled train steps: no Python decision on tensor values.
    metric = make()
    step = _compile(lambda values, y, p, w: metric.stateless_update_state(values, y, p, sample_weight=w))
    values = [v.value for v in metric.variables]
    for (y, p), kw in batches:
        values = step(values, ops.convert_to_tensor(y), ops.convert_to_tensor(p),
                      ops.convert_to_tensor(kw["sample_weight"]))
    reference = make()
    for (y, p), kw in batches:
        reference.update_state(y, p, **kw)
    np.testing.assert_allclose(ops.convert_to_numpy(metric.stateless_result(values)),
                               ops.convert_to_numpy(reference.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make, words", [
    (lambda: metrics.Precision(thresholds=[0.5, 1.5]), ["Precision", "thresholds", "1.5"]),
    (lambda: metrics.TruePositives(thresholds=-0.1), ["TruePositives", "thresholds", "[0, 1]"]),
    (lambda: metrics.Recall(top_k=0), ["Recall", "top_k"]),
    (lambda: metrics.AUC(curve="DET"), ["AUC", "curve", "'ROC'", "'PR'"]),
    (lambda: metrics.AUC(summation_method="simpson"), ["AUC", "summation_method", "'minoring'"]),
    (lambda: metrics.AUC(num_thresholds=1), ["AUC", "num_thresholds", "> 1"]),
    (lambda: metrics.AUC(thresholds=[0.2, 2.0]), ["AUC", "thresholds"]),
    (lambda: metrics.AUC(num_labels=3), ["AUC", "num_labels", "multi_label"]),
    (lambda: metrics.AUC(label_weights=[1.0, -1.0]), ["AUC", "label_weights"]),
    (lambda: metrics.PrecisionAtRecall(1.2), ["PrecisionAtRecall", "recall", "[0, 1]"]),
    (lambda: metrics.SensitivityAtSpecificity(0.5, num_thresholds=0), ["SensitivityAtSpecificity",
                                                                       "num_thresholds"]),
], ids=["threshold_above_1", "threshold_negative", "top_k_0", "curve", "summation", "num_thresholds",
        "auc_thresholds", "num_labels", "label_weights", "recall_range", "rate_num_thresholds"])
def test_bad_arguments_are_named(make, words):
    check_error_names(make, words)


def test_multi_label_needs_rank_2():
    m = metrics.AUC(multi_label=True)
    with pytest.raises(ValueError, match="AUC.*rank 2"):
        m.update_state(np.ones((2, 3, 1)), np.ones((2, 3, 1)))


def test_keras_documented_examples():
    # The values Keras' documentation gives for its own examples (same semantics, same numbers).
    def run(metric, *args, **kwargs):
        metric.update_state(*args, **kwargs)
        return float(metric.result())

    y5, p5 = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    assert run(metrics.SensitivityAtSpecificity(0.5), y5, p5, sample_weight=[1, 1, 2, 2, 1]) == \
        pytest.approx(1 / 3, rel=1e-5)
    assert run(metrics.SpecificityAtSensitivity(0.5), y5, p5, sample_weight=[1, 1, 2, 2, 2]) == \
        pytest.approx(0.5, rel=1e-5)
    assert run(metrics.PrecisionAtRecall(0.5), y5, p5, sample_weight=[2, 2, 2, 1, 1]) == \
        pytest.approx(1 / 3, rel=1e-5)
    y4, p4 = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]
    assert run(metrics.RecallAtPrecision(0.8), y4, p4, sample_weight=[1, 0, 0, 1]) == pytest.approx(1.0)
    assert run(metrics.AUC(num_thresholds=3), y4, p4, sample_weight=[1, 0, 0, 1]) == pytest.approx(1.0)
    assert run(metrics.Precision(top_k=4), [[0, 0, 1, 1]], [[1, 1, 1, 0]]) == pytest.approx(0.5)
    assert run(metrics.FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1], sample_weight=[0, 0, 1, 0]) == 1.0


def test_evenly_spaced_thresholds_count_ties_and_out_of_range_like_a_comparison():
    # Evenly spaced thresholds are counted from a histogram, other lists by comparing with each
    # threshold: both must give `y_pred > threshold` exactly, ties and values beyond [0, 1] included.
    y = np.array([[1, 0, 1, 1, 0, 1, 0, 1], [0, 1, 1, 0, 1, 0, 1, 1]], "float32")
    p = np.array([[-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 0.3], [0.0, 0.25, 1.0, 0.75, 0.5, 0.1, 0.0, 0.9]],
                 "float32")
    w = np.array([1.0, 2.0], "float32")
    batches = [((y, p), {"sample_weight": w})]
    even = [0.0, 0.25, 0.5, 0.75, 1.0]
    expected = np_counts(batches, even)
    for index, cls in enumerate((metrics.TruePositives, metrics.FalsePositives, metrics.TrueNegatives,
                                 metrics.FalseNegatives)):
        m = cls(thresholds=even)
        m.update_state(y, p, sample_weight=w)
        np.testing.assert_allclose(ops.convert_to_numpy(m.result()), expected[index], err_msg=cls.__name__)
    auc = metrics.AUC(num_thresholds=5, multi_label=True, num_labels=8)
    auc.update_state(y, p, sample_weight=w)
    tp, fp, tn, fn = np_counts(batches, auc_thresholds(5), multi_label=True)
    for variable, reference in zip(auc.variables, (tp, fp, tn, fn)):
        np.testing.assert_allclose(ops.convert_to_numpy(variable.value), reference, err_msg=variable.name)
