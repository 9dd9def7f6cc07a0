"""The loss-wrapping metrics (cross-entropies, KL divergence, Poisson, hinge family) vs NumPy.

Each row feeds several batches with sample weights; the reference is the
weighted mean of hand-written per-sample NumPy values over every sample seen.
``check_metric`` also checks the stateless twins, ``reset_state`` and the
config round trip.
"""

import numpy as np
import pytest

from kiln import losses, metrics
from reference_table import (
    Case, check_metric, ids, ref_bce, ref_categorical_hinge, ref_cce, ref_hinge, ref_kld, ref_poisson,
    ref_scce, softmax,
)

RNG = np.random.default_rng(77)
C = 3
SIZES = (4, 3, 5)


def _f32(x):
    return np.asarray(x, dtype="float32")


def _batches(kind):
    """Three batches ``(y_true, y_pred, sample_weight)`` of the given kind."""
    out = []
    for n in SIZES:
        weights = _f32(RNG.uniform(0.0, 2.0, size=n))
        labels = RNG.integers(0, C, n).astype("int32")
        if kind == "binary":
            y, p = _f32(RNG.uniform(size=(n, C)) > 0.5), _f32(RNG.uniform(0.05, 0.95, (n, C)))
        elif kind == "logits_binary":
            y, p = _f32(RNG.uniform(size=(n, C)) > 0.5), _f32(RNG.normal(size=(n, C)) * 2)
        elif kind == "one_hot":
            y, p = _f32(np.eye(C)[labels]), _f32(softmax(RNG.normal(size=(n, C))))
        elif kind == "one_hot_logits":
            y, p = _f32(np.eye(C)[labels]), _f32(RNG.normal(size=(n, C)) * 2)
        elif kind == "sparse_logits":
            y, p = labels, _f32(RNG.normal(size=(n, C)) * 2)
        elif kind == "distribution":
            y, p = _f32(softmax(RNG.normal(size=(n, C)))), _f32(softmax(RNG.normal(size=(n, C))))
        elif kind == "counts":
            y, p = _f32(RNG.poisson(2.0, size=(n, C))), _f32(RNG.uniform(0.2, 4.0, (n, C)))
        else:  # "signed": -1/1 labels and real-valued scores
            y, p = _f32(np.where(RNG.uniform(size=(n, C)) > 0.5, 1, -1)), _f32(RNG.normal(size=(n, C)))
        out.append((y, p, weights))
    return out


def case(id, make, kind, per_sample, weighted=True, keep=None):
    """Weighted mean of ``per_sample(y, p)`` over every batch; ``keep(y)`` zeroes some weights."""
    batches, total, count = [], 0.0, 0.0
    for y, p, w in _batches(kind):
        weights = w if weighted else np.ones(len(y))
        if keep is not None:
            weights = weights * keep(y)
        values = per_sample(y.astype("float64"), p.astype("float64"))
        total += float(np.sum(values * weights))
        count += float(np.sum(weights))
        batches.append(((y, p), {"sample_weight": w} if weighted else {}))
    return Case(id, make, batches, total / count, rtol=1e-4, atol=1e-5)


CASES = [
    case("bce", lambda: metrics.BinaryCrossentropy(), "binary", ref_bce),
    case("bce_logits_smoothing", lambda: metrics.BinaryCrossentropy(from_logits=True,
                                                                   label_smoothing=0.1),
         "logits_binary", lambda y, p: ref_bce(y, p, True, 0.1)),
    case("cce_unweighted", lambda: metrics.CategoricalCrossentropy(), "one_hot", ref_cce,
         weighted=False),
    case("cce_logits_smoothing", lambda: metrics.CategoricalCrossentropy(from_logits=True,
                                                                        label_smoothing=0.2),
         "one_hot_logits", lambda y, p: ref_cce(y, p, True, 0.2)),
    case("scce_logits", lambda: metrics.SparseCategoricalCrossentropy(from_logits=True),
         "sparse_logits", lambda y, p: ref_scce(y.astype(int), p, True)),
    case("scce_ignore_class", lambda: metrics.SparseCategoricalCrossentropy(from_logits=True,
                                                                           ignore_class=2),
         "sparse_logits", lambda y, p: ref_scce(np.where(y == 2, 0, y).astype(int), p, True),
         keep=lambda y: (y != 2).astype("float64")),
    case("kld", lambda: metrics.KLDivergence(), "distribution", ref_kld),
    case("poisson", lambda: metrics.Poisson(), "counts", ref_poisson),
    case("hinge_binary_labels", lambda: metrics.Hinge(), "logits_binary", ref_hinge),
    case("hinge_signed_labels", lambda: metrics.Hinge(), "signed", ref_hinge),
    case("squared_hinge", lambda: metrics.SquaredHinge(), "signed",
         lambda y, p: ref_hinge(y, p, squared=True)),
    case("categorical_hinge", lambda: metrics.CategoricalHinge(), "one_hot_logits",
         ref_categorical_hinge),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_metric_matches_numpy_reference(case):
    check_metric(case)


CONFIGS = [
    (metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
     {"name": "binary_crossentropy", "dtype": "float32", "from_logits": True,
      "label_smoothing": 0.1}),
    (metrics.CategoricalCrossentropy(axis=1),
     {"name": "categorical_crossentropy", "dtype": "float32", "from_logits": False,
      "label_smoothing": 0, "axis": 1}),
    (metrics.SparseCategoricalCrossentropy(ignore_class=0),
     {"name": "sparse_categorical_crossentropy", "dtype": "float32", "from_logits": False,
      "ignore_class": 0, "axis": -1}),
    (metrics.KLDivergence(), {"name": "kl_divergence", "dtype": "float32"}),
    (metrics.Poisson(name="p"), {"name": "p", "dtype": "float32"}),
    (metrics.Hinge(), {"name": "hinge", "dtype": "float32"}),
    (metrics.SquaredHinge(), {"name": "squared_hinge", "dtype": "float32"}),
    (metrics.CategoricalHinge(), {"name": "categorical_hinge", "dtype": "float32"}),
]


@pytest.mark.parametrize("metric,config", CONFIGS, ids=[type(m).__name__ for m, _ in CONFIGS])
def test_config_keys_and_variables_are_keras(metric, config):
    assert metric.get_config() == config
    # Keras' Mean state: total then count, scalars.
    assert [v.name for v in metric.variables] == ["total", "count"]
    assert metric._direction == "down"
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == config


FUNCTIONS = ["binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
             "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber",
             "kl_divergence", "log_cosh", "mean_absolute_percentage_error",
             "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
             "squared_hinge"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_metric_functions_are_the_loss_functions(name):
    assert getattr(metrics, name) is getattr(losses, name)
    assert metrics.get(name) is getattr(losses, name)


def test_metric_aliases():
    assert metrics.get("bce") is losses.binary_crossentropy
    assert metrics.get("mape") is losses.mean_absolute_percentage_error
    assert metrics.get("MSLE") is losses.mean_squared_logarithmic_error
    assert type(metrics.get("KLDivergence")) is metrics.KLDivergence
