"""IoU metrics against NumPy references written here by hand: weighted confusion
matrices over several batches, target classes, ignore_class, one-hot inputs,
binary thresholds, multi-dimensional (segmentation-like) inputs."""

import numpy as np
import pytest

from kiln import metrics, ops
from reference_table import Case, check_error_names, check_metric, ids

RNG = np.random.default_rng(5)
EPS = 1e-7
C = 4


def _batches(n_batches=3, shape=(2, 3), weighted=True, num_classes=C):
    out = []
    for _ in range(n_batches):
        y = RNG.integers(0, num_classes, shape).astype("int32")
        p = RNG.integers(0, num_classes, shape).astype("int32")
        kwargs = {"sample_weight": RNG.uniform(0.0, 2.0, shape).astype("float32")} if weighted else {}
        out.append(((y, p), kwargs))
    return out


def np_iou(batches, target_class_ids, num_classes=C, ignore_class=None):
    cm = np.zeros((num_classes, num_classes))
    for (y, p), kwargs in batches:
        w = np.broadcast_to(np.asarray(kwargs.get("sample_weight", 1.0), "float64"), np.shape(y)).reshape(-1)
        y, p = np.asarray(y).reshape(-1), np.asarray(p).reshape(-1)
        for true, pred, weight in zip(y, p, w):
            if ignore_class is not None and true == ignore_class:
                continue
            cm[true, pred] += weight
    ious, present = [], 0
    for k in target_class_ids:
        union = cm[k, :].sum() + cm[:, k].sum() - cm[k, k]
        present += union > 1e-9
        ious.append(cm[k, k] / (union + EPS))
    return float(np.sum(ious) / (present + EPS))


def _one_hot(batches, scores_for_pred=True):
    out = []
    for (y, p), kwargs in batches:
        y1 = np.eye(C, dtype="float32")[y]
        noise = RNG.uniform(0.0, 0.4, p.shape + (C,)).astype("float32")
        p1 = (np.eye(C, dtype="float32")[p] + noise) if scores_for_pred else p
        out.append(((y1, p1), kwargs))
    return out


B = _batches()
B_PLAIN = _batches(weighted=False)
B_FLAT = _batches(shape=(6,))
# Per-sample weights of (2, 3) label maps: each weighs every entry of its sample.
B_PER_SAMPLE = [((y, p), {"sample_weight": RNG.uniform(0.0, 2.0, 2).astype("float32")}) for (y, p), _ in B]
B_PER_SAMPLE_REF = [(yp, {"sample_weight": np.repeat(kw["sample_weight"][:, None], 3, 1)})
                    for yp, kw in B_PER_SAMPLE]
B_ONE_HOT = _one_hot(B)
B_ONE_HOT_SPARSE_PRED = _one_hot(B_PLAIN, scores_for_pred=False)
B_BINARY = [((y % 2, RNG.uniform(size=y.shape).astype("float32")), kw) for (y, _), kw in B]


def _binary_ref(batches, threshold, target_class_ids):
    as_classes = [((y, (p >= np.float32(threshold)).astype("int32")), kw) for (y, p), kw in batches]
    return np_iou(as_classes, target_class_ids, num_classes=2)


CASES = [
    Case("IoU_targets_weighted", lambda: metrics.IoU(C, [0, 2]), B, np_iou(B, [0, 2])),
    Case("IoU_one_target_flat", lambda: metrics.IoU(C, target_class_ids=[3]), B_FLAT, np_iou(B_FLAT, [3])),
    Case("IoU_ignore_class", lambda: metrics.IoU(C, [0, 1, 3], ignore_class=1), B,
         np_iou(B, [0, 1, 3], ignore_class=1)),
    Case("MeanIoU_weighted", lambda: metrics.MeanIoU(C), B, np_iou(B, range(C))),
    Case("MeanIoU_per_sample_weights", lambda: metrics.MeanIoU(C), B_PER_SAMPLE,
         np_iou(B_PER_SAMPLE_REF, range(C))),
    Case("MeanIoU_plain", lambda: metrics.MeanIoU(num_classes=C), B_PLAIN, np_iou(B_PLAIN, range(C))),
    Case("MeanIoU_ignore_class", lambda: metrics.MeanIoU(C, ignore_class=0), B,
         np_iou(B, range(C), ignore_class=0)),
    Case("MeanIoU_dense_inputs", lambda: metrics.MeanIoU(C, sparse_y_true=False, sparse_y_pred=False),
         B_ONE_HOT, np_iou(B, range(C))),
    Case("OneHotIoU", lambda: metrics.OneHotIoU(C, [1, 2]), B_ONE_HOT, np_iou(B, [1, 2])),
    Case("OneHotIoU_ignore_class", lambda: metrics.OneHotIoU(C, [0, 1, 2, 3], ignore_class=2), B_ONE_HOT,
         np_iou(B, range(C), ignore_class=2)),
    Case("OneHotMeanIoU", lambda: metrics.OneHotMeanIoU(C), B_ONE_HOT, np_iou(B, range(C))),
    Case("OneHotMeanIoU_sparse_pred", lambda: metrics.OneHotMeanIoU(C, sparse_y_pred=True),
         B_ONE_HOT_SPARSE_PRED, np_iou(B_PLAIN, range(C))),
    Case("BinaryIoU_both", lambda: metrics.BinaryIoU(), B_BINARY, _binary_ref(B_BINARY, 0.5, [0, 1])),
    Case("BinaryIoU_class1_threshold", lambda: metrics.BinaryIoU(target_class_ids=[1], threshold=0.3),
         B_BINARY, _binary_ref(B_BINARY, 0.3, [1])),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_reference_table(case):
    check_metric(case)


def test_hand_computed_values():
    # cm (rows true, cols pred) with weights: [[0.3, 0.3], [0.3, 0.1]]
    # IoU0 = 0.3 / (0.6 + 0.6 - 0.3) = 1/3, IoU1 = 0.1 / (0.4 + 0.4 - 0.1) = 1/7
    m = metrics.IoU(num_classes=2, target_class_ids=[0, 1])
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    assert float(m.result()) == pytest.approx((1 / 3 + 1 / 7) / 2, rel=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(m.variables[0].value), [[0.3, 0.3], [0.3, 0.1]],
                               rtol=1e-6)
    # A class absent from labels and predictions is left out of the mean.
    mean = metrics.MeanIoU(num_classes=3)
    mean.update_state([0, 1], [0, 1])
    assert float(mean.result()) == pytest.approx(1.0, rel=1e-5)


def test_variables_and_config_match_keras():
    m = metrics.MeanIoU(3)
    assert [(v.name, tuple(v.shape), v.dtype) for v in m.variables] == [
        ("total_confusion_matrix", (3, 3), "float32")]
    assert set(metrics.IoU(3, [1]).get_config()) == {"name", "dtype", "num_classes", "target_class_ids",
                                                     "ignore_class", "sparse_y_true", "sparse_y_pred", "axis"}
    assert set(m.get_config()) == {"name", "dtype", "num_classes", "ignore_class", "sparse_y_true",
                                   "sparse_y_pred", "axis"}
    assert set(metrics.BinaryIoU().get_config()) == {"name", "dtype", "target_class_ids", "threshold"}
    assert set(metrics.OneHotIoU(3, [0]).get_config()) == {"name", "dtype", "num_classes", "target_class_ids",
                                                           "ignore_class", "sparse_y_pred", "axis"}
    assert set(metrics.OneHotMeanIoU(3).get_config()) == {"name", "dtype", "num_classes", "ignore_class",
                                                          "sparse_y_pred", "axis"}


@pytest.mark.parametrize("make, words", [
    (lambda: metrics.IoU(3, [0, 3]), ["IoU", "target_class_ids", "[0, 3)"]),
    (lambda: metrics.IoU(0, [0]), ["IoU", "num_classes"]),
    (lambda: metrics.MeanIoU(2.5), ["MeanIoU", "num_classes"]),
    (lambda: metrics.BinaryIoU(target_class_ids=[2]), ["BinaryIoU", "target_class_ids"]),
    (lambda: metrics.BinaryIoU(threshold="high"), ["BinaryIoU", "threshold"]),
], ids=["target_out_of_range", "num_classes_zero", "num_classes_float", "binary_target", "binary_threshold"])
def test_bad_arguments_are_named(make, words):
    check_error_names(make, words)


def test_keras_documented_examples():
    # The values Keras' documentation gives for its own examples.
    def run(metric, *args, **kwargs):
        metric.update_state(*args, **kwargs)
        return float(metric.result())

    assert run(metrics.MeanIoU(2), [0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1]) == \
        pytest.approx(0.2380952, rel=1e-5)
    assert run(metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3), [0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7],
               sample_weight=[0.2, 0.3, 0.4, 0.1]) == pytest.approx(0.17361111, rel=1e-5)
    y = [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]
    p = [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]
    w = [0.1, 0.2, 0.3, 0.4]
    assert run(metrics.OneHotIoU(3, [0, 2]), y, p, sample_weight=w) == pytest.approx(0.07142857, rel=1e-5)
    assert run(metrics.OneHotMeanIoU(3), y, p, sample_weight=w) == pytest.approx(0.04761905, rel=1e-5)
