"""Metrics: accumulation over batches, reset, stateless twins agree with stateful, config, get."""

import numpy as np
import pytest

from kiln import metrics, ops

RNG = np.random.default_rng(1)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _f(x):
    return float(_np(x))


def _batches(kind, n_batches=3, n=5, c=4):
    out = []
    for _ in range(n_batches):
        pred = RNG.uniform(size=(n, c)).astype("float32")
        if kind == "sparse":
            y = RNG.integers(0, c, n).astype("int32")
        elif kind == "sparse_col":
            y = RNG.integers(0, c, (n, 1)).astype("int32")
        elif kind == "categorical":
            y = np.eye(c, dtype="float32")[RNG.integers(0, c, n)]
        elif kind == "binary":
            y = (RNG.uniform(size=(n, c)) > 0.5).astype("float32")
        elif kind == "exact":
            y = RNG.integers(0, 3, (n, c)).astype("float32")
            pred = np.where(RNG.uniform(size=(n, c)) > 0.5, y, y + 1).astype("float32")
        else:
            y = RNG.normal(size=(n, c)).astype("float32")
        out.append((y, pred, RNG.uniform(0, 2, n).astype("float32")))
    return out


def _ref_per_sample(kind, y, p, threshold=0.5):
    if kind in ("sparse", "sparse_col"):
        return (np.argmax(p, -1) == y.reshape(-1)).astype("float32")
    if kind == "categorical":
        return (np.argmax(p, -1) == np.argmax(y, -1)).astype("float32")
    if kind == "binary":
        return np.mean((p > threshold).astype("float32") == y, axis=-1)
    if kind == "exact":
        return np.mean(y == p, axis=-1)
    if kind == "mse":
        return np.mean((y - p) ** 2, -1)
    return np.mean(np.abs(y - p), -1)


CASES = [
    (metrics.SparseCategoricalAccuracy, "sparse", {}),
    (metrics.SparseCategoricalAccuracy, "sparse_col", {}),
    (metrics.CategoricalAccuracy, "categorical", {}),
    (metrics.BinaryAccuracy, "binary", {}),
    (metrics.BinaryAccuracy, "binary", {"threshold": 0.3}),
    (metrics.Accuracy, "exact", {}),
    (metrics.MeanSquaredError, "mse", {}),
    (metrics.MeanAbsoluteError, "mae", {}),
]
IDS = [f"{c[0].__name__}-{c[1]}-{c[2]}" for c in CASES]


@pytest.mark.parametrize("cls,kind,kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_accumulates_like_numpy_and_resets(cls, kind, kwargs, weighted):
    metric = cls(**kwargs)
    batches = _batches(kind)
    values, weights = [], []
    for y, p, sw in batches:
        metric.update_state(y, p, sample_weight=sw if weighted else None)
        values.append(_ref_per_sample(kind, y, p, **kwargs))
        weights.append(sw if weighted else np.ones_like(sw))
    values, weights = np.concatenate(values), np.concatenate(weights)
    np.testing.assert_allclose(_f(metric.result()), (values * weights).sum() / weights.sum(),
                               rtol=1e-5, atol=1e-6)
    metric.reset_state()
    assert _f(metric.result()) == 0.0
    assert all(float(_np(v)) == 0.0 for v in metric.variables)


@pytest.mark.parametrize("cls,kind,kwargs", CASES, ids=IDS)
def test_stateless_matches_stateful_and_is_pure(cls, kind, kwargs):
    stateful, stateless = cls(**kwargs), cls(**kwargs)
    state = [v.value for v in stateless.variables]
    for y, p, sw in _batches(kind):
        stateful.update_state(y, p, sample_weight=sw)
        state = stateless.stateless_update_state(state, y, p, sample_weight=sw)
    np.testing.assert_allclose(_f(stateless.stateless_result(state)), _f(stateful.result()),
                               rtol=1e-6)
    # The stateless metric's own variables never moved.
    assert all(float(_np(v)) == 0.0 for v in stateless.variables)
    fresh = stateless.stateless_reset_state()
    assert len(fresh) == len(stateless.variables)
    assert all(float(_np(v)) == 0.0 for v in fresh)
    # stateless_reset_state leaves a used metric's variables alone.
    before = [float(_np(v)) for v in stateful.variables]
    stateful.stateless_reset_state()
    assert [float(_np(v)) for v in stateful.variables] == before


def test_stateless_wrong_count():
    with pytest.raises(ValueError, match="expected 2"):
        metrics.Mean().stateless_update_state([ops.zeros(())], [1.0])


def test_mean_and_sum():
    m = metrics.Mean()
    assert [v.path for v in m.variables] == ["mean/total", "mean/count"]
    m.update_state([1.0, 3.0])
    m.update_state(5.0)
    assert _f(m.result()) == 3.0
    m.reset_state()
    m.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.0])
    assert _f(m.result()) == 1.5
    s = metrics.Sum()
    s.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 0.0])
    s.update_state([10.0])
    assert _f(s.result()) == 13.0
    assert _f(s([1.0])) == 14.0  # __call__ = update + result
    assert _f(metrics.Mean().result()) == 0.0  # no division by zero


def test_sparse_categorical_accuracy_label_shapes():
    pred = np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]], "float32")
    for y in ([[2], [1]], [2, 1], np.array([2.0, 1.0], "float32")):
        assert _f(metrics.SparseCategoricalAccuracy()(y, pred)) == 0.5
    out = metrics.sparse_categorical_accuracy(np.array([[2], [1]]), pred)
    assert tuple(out.shape) == (2, 1)


def test_mean_metric_wrapper_config_round_trip():
    w = metrics.MeanMetricWrapper(metrics.mean_absolute_error, name="l1")
    env = metrics.serialize(w)
    again = metrics.deserialize(env)
    assert again.name == "l1" and again._fn is metrics.mean_absolute_error
    b = metrics.BinaryAccuracy(threshold=0.3)
    assert b.get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
    assert metrics.deserialize(metrics.serialize(b)).threshold == 0.3
    assert metrics.SparseCategoricalAccuracy().get_config() == {
        "name": "sparse_categorical_accuracy", "dtype": "float32"}


def test_custom_metric_subclass():
    class Count(metrics.Metric):
        def __init__(self, name="count", dtype=None):
            super().__init__(name=name, dtype=dtype)
            self.n = self.add_variable((), "zeros", name="n")

        def update_state(self, values):
            self.n.assign_add(ops.cast(ops.size(ops.convert_to_tensor(values)), self.dtype))

        def result(self):
            return self.n.value

    c = Count()
    assert _f(c([1, 2, 3])) == 3.0
    assert c.variables[0].path == "count/n" and not c.variables[0].trainable
    assert _f(c.stateless_result(c.stateless_update_state([ops.zeros(())], [1]))) == 1.0


def test_get():
    assert metrics.get("mse") is metrics.mean_squared_error
    assert metrics.get("mae") is metrics.mean_absolute_error
    assert metrics.get("binary_accuracy") is metrics.binary_accuracy
    assert metrics.get("sparse_categorical_accuracy") is metrics.sparse_categorical_accuracy
    assert metrics.get("categorical_accuracy") is metrics.categorical_accuracy
    assert isinstance(metrics.get("CategoricalAccuracy"), metrics.CategoricalAccuracy)
    assert metrics.get(None) is None
    m = metrics.Mean()
    assert metrics.get(m) is m
    with pytest.raises(ValueError, match="binary_accuracy"):
        metrics.get("accuracy")
    with pytest.raises(ValueError, match="sparse_categorical_accuracy"):
        metrics.get("nope")


def test_default_names_are_unique_per_class():
    # As Keras: a second unnamed AUC is "auc_1" (so two compiled AUCs log under different keys);
    # a metric whose signature has a default name string keeps it; clear_session restarts the count.
    import kiln

    assert [metrics.AUC().name, metrics.AUC().name, metrics.AUC(name="x").name] == ["auc", "auc_1", "x"]
    assert metrics.Precision().name == "precision" and metrics.Precision().name == "precision_1"
    assert metrics.MeanSquaredError().name == metrics.MeanSquaredError().name == "mean_squared_error"
    second = metrics.AUC()
    assert second.variables[0].path == "auc_2/true_positives"
    assert metrics.AUC.from_config(second.get_config()).name == "auc_2"
    kiln.backend.clear_session()
    assert metrics.AUC().name == "auc"
