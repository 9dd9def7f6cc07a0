"""Losses against NumPy references: values, from_logits, label smoothing, weights, reductions."""

import numpy as np
import pytest

import kiln
from kiln import losses, ops
from reference_table import ref_bce, ref_cce, ref_mae, ref_mse, ref_scce, softmax

RNG = np.random.default_rng(0)
N, C = 6, 4


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _data(kind, from_logits):
    if kind == "regression":
        return RNG.normal(size=(N, C)).astype("float32"), RNG.normal(size=(N, C)).astype("float32")
    if from_logits:
        pred = RNG.normal(size=(N, C)).astype("float32") * 2
    elif kind == "binary":
        pred = RNG.uniform(0.05, 0.95, size=(N, C)).astype("float32")
    else:
        pred = softmax(RNG.normal(size=(N, C))).astype("float32")
    if kind == "binary":
        return (RNG.uniform(size=(N, C)) > 0.5).astype("float32"), pred
    if kind == "categorical":
        return np.eye(C, dtype="float32")[RNG.integers(0, C, N)], pred
    return RNG.integers(0, C, N).astype("int32"), pred


CASES = [
    # (loss class, function, reference, data kind, kwargs)
    (losses.MeanSquaredError, losses.mean_squared_error, ref_mse, "regression", {}),
    (losses.MeanAbsoluteError, losses.mean_absolute_error, ref_mae, "regression", {}),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, ref_bce, "binary", {}),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, ref_bce, "binary", {"from_logits": True}),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, ref_bce, "binary", {"label_smoothing": 0.2}),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, ref_cce, "categorical", {}),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, ref_cce, "categorical",
     {"from_logits": True}),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, ref_cce, "categorical",
     {"from_logits": True, "label_smoothing": 0.1}),
    (losses.SparseCategoricalCrossentropy, losses.sparse_categorical_crossentropy, ref_scce,
     "sparse", {}),
    (losses.SparseCategoricalCrossentropy, losses.sparse_categorical_crossentropy, ref_scce,
     "sparse", {"from_logits": True}),
]
IDS = [f"{c[0].__name__}-{c[4]}" for c in CASES]


@pytest.mark.parametrize("cls,fn,ref,kind,kwargs", CASES, ids=IDS)
def test_function_matches_numpy(cls, fn, ref, kind, kwargs):
    y, p = _data(kind, kwargs.get("from_logits", False))
    out = fn(y, p, **kwargs)
    assert tuple(out.shape) == (N,)
    np.testing.assert_allclose(_np(out), ref(y, p, **kwargs), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean", "none", None,
                                       "mean_with_sample_weight"])
@pytest.mark.parametrize("cls,fn,ref,kind,kwargs", CASES, ids=IDS)
def test_class_reductions_and_sample_weight(cls, fn, ref, kind, kwargs, reduction):
    y, p = _data(kind, kwargs.get("from_logits", False))
    sw = RNG.uniform(0, 2, size=(N,)).astype("float32")
    loss = cls(reduction=reduction, **kwargs)
    per_sample = ref(y, p, **kwargs)
    for weights in (None, sw):
        values = per_sample if weights is None else per_sample * weights
        if reduction in (None, "none"):
            expected = values
        elif reduction == "sum":
            expected = values.sum()
        elif reduction == "mean_with_sample_weight" and weights is not None:
            expected = values.sum() / weights.sum()
        else:
            expected = values.sum() / values.size
        out = loss(y, p, sample_weight=weights)
        np.testing.assert_allclose(_np(out), expected, rtol=1e-4, atol=1e-5)
        assert kiln.backend.standardize_dtype(out.dtype) == "float32"


def test_sample_weight_shape_n_by_1_and_scalar():
    y, p = _data("regression", False)
    per = ref_mse(y, p)
    sw = np.arange(1, N + 1, dtype="float32")
    np.testing.assert_allclose(_np(losses.MeanSquaredError()(y, p, sample_weight=sw[:, None])),
                               (per * sw).mean(), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.MeanSquaredError()(y, p, sample_weight=2.0)),
                               2 * per.mean(), rtol=1e-5)


def test_sparse_labels_with_trailing_axis_and_ignore_class():
    y, p = _data("sparse", True)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(_np(loss(y[:, None], p)), _np(loss(y, p)), rtol=1e-6)
    y = y.copy()
    y[:2] = C - 1
    kept = y != C - 1
    ignoring = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=C - 1)
    expected = ref_scce(np.where(kept, y, 0), p, from_logits=True)[kept].mean()
    np.testing.assert_allclose(_np(ignoring(y, p)), expected, rtol=1e-5)
    per = _np(losses.sparse_categorical_crossentropy(y, p, from_logits=True, ignore_class=C - 1))
    assert np.all(per[~kept] == 0)


def test_mse_rank_mismatch_is_aligned():
    y = np.array([1.0, 2.0, 3.0], "float32")
    p = y[:, None] + 1.0
    np.testing.assert_allclose(_np(losses.mean_squared_error(y, p)), [1.0, 1.0, 1.0])


def test_config_round_trip_and_envelope():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert loss.get_config() == {"name": "sparse_categorical_crossentropy",
                                 "reduction": "sum_over_batch_size", "from_logits": True,
                                 "ignore_class": None}
    env = losses.serialize(loss)
    assert env["module"] == "keras.losses" and env["class_name"] == "SparseCategoricalCrossentropy"
    again = losses.deserialize(env)
    assert type(again) is losses.SparseCategoricalCrossentropy and again.from_logits
    bce = losses.BinaryCrossentropy(label_smoothing=0.1, reduction="sum", name="b")
    assert losses.BinaryCrossentropy.from_config(bce.get_config()).get_config() == bce.get_config()
    assert losses.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                      "reduction": "sum_over_batch_size"}
    assert losses.deserialize(losses.serialize(losses.mean_absolute_error)) is losses.mean_absolute_error


def test_get():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert losses.get(None) is None
    custom = losses.MeanSquaredError()
    assert losses.get(custom) is custom
    assert isinstance(losses.get(losses.serialize(custom)), losses.MeanSquaredError)
    with pytest.raises(ValueError, match="mean_squared_error"):
        losses.get("not_a_loss")
    with pytest.raises(ValueError):
        losses.get(3)


def test_invalid_reduction():
    with pytest.raises(ValueError, match="sum_over_batch_size"):
        losses.MeanSquaredError(reduction="average")


def test_custom_loss_subclass_and_wrapper():
    class Diff(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.abs(ops.subtract(y_true, y_pred))

    assert Diff().name == "diff"
    np.testing.assert_allclose(_np(Diff()(np.zeros(4, "float32"), np.ones(4, "float32"))), 1.0)
    wrapped = losses.LossFunctionWrapper(losses.binary_crossentropy, from_logits=True, name="w")
    y, p = _data("binary", True)
    np.testing.assert_allclose(_np(wrapped(y, p)), ref_bce(y, p, from_logits=True).mean(), rtol=1e-5)
    assert wrapped.get_config()["from_logits"] is True
