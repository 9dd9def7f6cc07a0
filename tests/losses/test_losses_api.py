"""losses.get aliases, config keys, and bad input: errors name the loss, the argument and the values."""

import numpy as np
import pytest

from kiln import losses, ops


@pytest.mark.parametrize("alias,function", [
    ("mse", "mean_squared_error"), ("MAE", "mean_absolute_error"),
    ("mape", "mean_absolute_percentage_error"), ("MAPE", "mean_absolute_percentage_error"),
    ("msle", "mean_squared_logarithmic_error"), ("MSLE", "mean_squared_logarithmic_error"),
    ("kld", "kl_divergence"), ("KLD", "kl_divergence"), ("bce", "binary_crossentropy"),
    ("huber_loss", "huber"), ("logcosh", "log_cosh"), ("ctc", "ctc"), ("circle", "circle"),
])
def test_get_resolves_keras_aliases_to_the_function(alias, function):
    assert losses.get(alias) is getattr(losses, function)
    envelope = {"module": "keras.losses", "class_name": "function", "config": alias,
                "registered_name": alias}
    assert losses.deserialize(envelope) is getattr(losses, function)


def test_get_class_name_gives_default_instance_and_serialize_round_trips():
    loss = losses.get("CategoricalFocalCrossentropy")
    assert type(loss) is losses.CategoricalFocalCrossentropy and loss.gamma == 2.0
    tversky = losses.deserialize(losses.serialize(losses.Tversky(alpha=0.2, beta=0.8, axis=(1,))))
    assert (tversky.alpha, tversky.beta, tuple(tversky.axis)) == (0.2, 0.8, (1,))
    assert losses.serialize(losses.poisson) == {"module": "keras.losses", "class_name": "function",
                                                 "config": "poisson", "registered_name": "poisson"}


CONFIG_KEYS = [
    (losses.BinaryFocalCrossentropy(), {"apply_class_balancing", "alpha", "gamma", "from_logits",
                                        "label_smoothing", "axis"}),
    (losses.CategoricalFocalCrossentropy(), {"alpha", "gamma", "from_logits", "label_smoothing",
                                             "axis"}),
    (losses.CategoricalGeneralizedCrossEntropy(), {"q"}),
    (losses.Huber(), {"delta"}),
    (losses.CosineSimilarity(), {"axis"}),
    (losses.Dice(), {"axis"}),
    (losses.Tversky(), {"alpha", "beta", "axis"}),
    (losses.Circle(), {"gamma", "margin", "remove_diagonal"}),
    (losses.SparseCategoricalCrossentropy(), {"from_logits", "ignore_class"}),  # no axis: as Keras 3.15
    (losses.CTC(), set()), (losses.Hinge(), set()), (losses.LogCosh(), set()),
    (losses.KLDivergence(), set()), (losses.MeanAbsolutePercentageError(), set()),
]


@pytest.mark.parametrize("loss,extra", CONFIG_KEYS, ids=[type(l).__name__ for l, _ in CONFIG_KEYS])
def test_config_keys(loss, extra):
    config = loss.get_config()
    assert set(config) == {"name", "reduction"} | extra
    assert type(loss).from_config(config).get_config() == config


def test_default_names_follow_keras():
    assert losses.Huber().name == "huber_loss"
    assert losses.CTC().name == "ctc"
    assert losses.CategoricalGeneralizedCrossEntropy().name == "categorical_generalized_cross_entropy"


def test_unknown_reduction_lists_the_valid_ones():
    with pytest.raises(ValueError, match="reduction") as info:
        losses.Huber(reduction="average")
    message = str(info.value)
    assert "average" in message
    for valid in ("sum_over_batch_size", "mean_with_sample_weight", "'sum'", "'none'"):
        assert valid in message


def test_unknown_loss_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        losses.get("hubber")
    message = str(info.value)
    assert "hubber" in message
    for valid in ("huber", "Huber", "mape", "categorical_focal_crossentropy", "CTC"):
        assert valid in message


SHAPE_MISMATCHES = [
    ("mean_squared_error", (2, 3), (2, 4)), ("mean_absolute_error", (2, 3), (2, 4)),
    ("mean_absolute_percentage_error", (2, 3), (2, 4)),
    ("mean_squared_logarithmic_error", (2, 3), (2, 4)), ("cosine_similarity", (2, 3), (2, 4)),
    ("huber", (2, 3), (2, 4)), ("log_cosh", (2, 3), (2, 4)), ("kl_divergence", (2, 3), (2, 4)),
    ("poisson", (2, 3), (2, 4)), ("hinge", (2, 3), (2, 4)), ("squared_hinge", (2, 3), (2, 4)),
    ("categorical_hinge", (2, 3), (2, 4)), ("binary_crossentropy", (2, 3), (2, 4)),
    ("binary_focal_crossentropy", (2, 3), (2, 4)), ("categorical_crossentropy", (2, 3), (2, 4)),
    ("categorical_focal_crossentropy", (2, 3), (2, 4)), ("dice", (2, 3), (2, 4)),
    ("tversky", (2, 3), (2, 4)), ("categorical_generalized_cross_entropy", (3,), (2, 4)),
    ("circle", (3,), (2, 4)), ("ctc", (3, 2), (2, 5, 4)),
]


@pytest.mark.parametrize("name,true_shape,pred_shape", SHAPE_MISMATCHES,
                         ids=[m[0] for m in SHAPE_MISMATCHES])
def test_mismatched_shapes_name_the_loss_and_both_shapes(name, true_shape, pred_shape):
    y_true = np.ones(true_shape, "float32")
    y_pred = np.full(pred_shape, 0.5, "float32")
    with pytest.raises(ValueError) as info:
        getattr(losses, name)(y_true, y_pred, **({"q": 0.5} if "generalized" in name else {}))
    message = str(info.value)
    assert name in message and str(true_shape) in message and str(pred_shape) in message


def test_mismatched_shapes_through_the_loss_class():
    with pytest.raises(ValueError, match=r"huber.*\(2, 3\).*\(2, 4\)"):
        losses.Huber()(np.zeros((2, 3)), np.zeros((2, 4)))


def test_rank_one_labels_against_rank_two_predictions_are_aligned():
    # (N,) labels with (N, 1) predictions give one value per sample, as in Keras.
    y = np.array([1.0, 0.0, 1.0], "float32")
    p = np.array([[0.8], [0.3], [0.6]], "float32")
    expected = -np.mean(np.log([0.8, 0.7, 0.6]))
    np.testing.assert_allclose(ops.convert_to_numpy(losses.BinaryCrossentropy()(y, p)), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(losses.Hinge(reduction="none")(y, p)),
                               [0.2, 1.3, 0.4], rtol=1e-5)


@pytest.mark.parametrize("delta", [0, -1.0])
def test_huber_delta_must_be_positive(delta):
    with pytest.raises(ValueError, match=r"Huber.*delta.*positive"):
        losses.Huber(delta=delta)


@pytest.mark.parametrize("q", [0, 1, 1.5, -0.2])
def test_generalized_cross_entropy_q_in_open_unit_interval(q):
    with pytest.raises(ValueError, match=r"CategoricalGeneralizedCrossEntropy.*q.*\(0, 1\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=q)


def test_ctc_rank_errors():
    with pytest.raises(ValueError, match=r"ctc: y_true.*\(batch_size, max_label_length\).*\(2,\)"):
        losses.ctc(np.ones((2,)), np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"ctc: y_pred.*\(2, 5\)"):
        losses.ctc(np.ones((2, 3)), np.zeros((2, 5)))


def test_circle_rank_error_and_focal_axis_type():
    with pytest.raises(ValueError, match=r"circle: y_pred.*\(3,\)"):
        losses.circle([0, 1, 0], np.zeros((3,)))
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_focal_crossentropy(np.eye(2), np.eye(2), axis=True)


def test_label_target_losses_are_known():
    from kiln.losses.losses import LossFunctionWrapper, takes_label_targets

    for loss in (losses.CTC(), losses.Circle(), losses.CategoricalGeneralizedCrossEntropy(),
                 losses.SparseCategoricalCrossentropy(), losses.ctc, losses.circle,
                 LossFunctionWrapper(losses.sparse_categorical_crossentropy)):
        assert takes_label_targets(loss), loss
    for loss in (losses.Huber(), losses.CategoricalCrossentropy(), losses.dice, "ctc", None):
        assert not takes_label_targets(loss), loss


_T, _P = [[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]
_FOCAL_T, _FOCAL_P = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
_CAT_T, _CAT_P = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
DOCUMENTED = [
    # Values printed in the Keras documentation's usage examples (3 decimals there).
    ("bfce_fn", lambda: losses.binary_focal_crossentropy(_T, _P, gamma=2), [0.330, 0.206]),
    ("bfce_logits", lambda: losses.BinaryFocalCrossentropy(gamma=2, from_logits=True)(
        [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.691),
    ("bfce_balanced", lambda: losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, gamma=2, from_logits=True)([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]),
     0.510),
    ("bfce_gamma3", lambda: losses.BinaryFocalCrossentropy(gamma=3, from_logits=True)(_FOCAL_T, _FOCAL_P),
     0.647),
    ("bfce_balanced_gamma3", lambda: losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, gamma=3, from_logits=True)(_FOCAL_T, _FOCAL_P), 0.482),
    ("cfce", lambda: losses.CategoricalFocalCrossentropy()(_CAT_T, _CAT_P), 0.233),
    ("cfce_weighted", lambda: losses.CategoricalFocalCrossentropy()(_CAT_T, _CAT_P,
                                                                 sample_weight=[0.3, 0.7]), 0.163),
    ("huber", lambda: losses.Huber()(_T, _P), 0.155),
    ("log_cosh", lambda: losses.LogCosh()(_T, [[1.0, 1.0], [0.0, 0.0]]), 0.108),
    ("kld", lambda: losses.KLDivergence()(_T, _P), 0.458),
    ("cosine", lambda: losses.CosineSimilarity(axis=1)([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]),
     -0.5),
    ("mape", lambda: losses.MeanAbsolutePercentageError()([[2.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [1.0, 0.0]]),
     50.0),
    ("msle", lambda: losses.MeanSquaredLogarithmicError()(_T, [[1.0, 1.0], [1.0, 0.0]]), 0.240),
    ("poisson", lambda: losses.Poisson()(_T, [[1.0, 1.0], [0.0, 0.0]]), 0.5),
    ("hinge", lambda: losses.Hinge()(_T, _P), 1.3),
    ("squared_hinge", lambda: losses.SquaredHinge()(_T, _P), 1.86),
    ("categorical_hinge", lambda: losses.CategoricalHinge()(_T, _P), 1.4),
]


@pytest.mark.parametrize("compute,expected", [d[1:] for d in DOCUMENTED], ids=[d[0] for d in DOCUMENTED])
def test_keras_documented_values(compute, expected):
    np.testing.assert_allclose(ops.convert_to_numpy(compute()), expected, atol=1e-3)
