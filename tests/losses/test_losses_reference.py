"""Every loss class against a NumPy reference written out by hand (shared table harness).

Each row computes its expected value from the per-sample formulas below and a
hand-written reduction (sample weights, masks, every reduction mode), then
``check_loss`` compares the loss and its config round trip on the current
backend. CTC is checked against a NumPy forward (alpha) recursion.
"""

import numpy as np
import pytest

from kiln import losses
from reference_table import (
    EPS, Case, bce_elements, check_loss, ids, ref_bce, ref_categorical_hinge, ref_cce, ref_hinge, ref_kld,
    ref_log_cosh, ref_mae, ref_mape, ref_mse, ref_msle, ref_poisson, ref_scce, sigmoid, softmax,
)

RNG = np.random.default_rng(1234)
N, C = 4, 3


# -- data ---------------------------------------------------------------------------------

def _f32(x):
    return np.asarray(x, dtype="float32")


REG_TRUE = _f32(RNG.normal(size=(N, C)))
REG_PRED = _f32(RNG.normal(size=(N, C)))
POS_TRUE = _f32(RNG.uniform(0.1, 3.0, size=(N, C)))
POS_PRED = _f32(RNG.uniform(0.1, 3.0, size=(N, C)))
BIN_TRUE = _f32(RNG.uniform(size=(N, C)) > 0.5)
PROB = _f32(RNG.uniform(0.05, 0.95, size=(N, C)))
LOGITS = _f32(RNG.normal(size=(N, C)) * 2.0)
LABELS = np.array([0, 2, 1, 2], dtype="int32")
ONE_HOT = _f32(np.eye(C)[LABELS])
DIST_TRUE = _f32(softmax(RNG.normal(size=(N, C))))
DIST_PRED = _f32(softmax(RNG.normal(size=(N, C))))
SIGNED_TRUE = _f32(np.where(BIN_TRUE > 0, 1.0, -1.0))
WEIGHTS = _f32([0.5, 1.0, 2.0, 0.0])
MASK = np.array([True, False, True, True])


class _Masked(np.ndarray):
    """An ndarray that can carry a Keras-style ``_keras_mask`` (what a masking layer attaches)."""


def _masked(x, mask):
    out = np.asarray(x).view(_Masked)
    out._keras_mask = np.asarray(mask)
    return out


# -- per-sample references (the shared ones are in reference_table) --------------------------

def ref_cosine(y, p, axis=-1):
    y = y / np.linalg.norm(y, axis=axis, keepdims=True)
    p = p / np.linalg.norm(p, axis=axis, keepdims=True)
    return -np.sum(y * p, axis=axis)


def ref_huber(y, p, delta=1.0):
    e = p - y
    return np.mean(np.where(np.abs(e) <= delta, 0.5 * e ** 2, delta * np.abs(e) - 0.5 * delta ** 2), -1)


def ref_bfce(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
             label_smoothing=0.0):
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    p = sigmoid(p) if from_logits else p
    p_t = y * p + (1 - y) * (1 - p)
    focal = (1 - p_t) ** gamma * bce_elements(y, p)
    if apply_class_balancing:
        focal = (y * alpha + (1 - y) * (1 - alpha)) * focal
    return np.mean(focal, -1)


def ref_cfce(y, p, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    p = softmax(p) if from_logits else p
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return np.sum(alpha * (1 - p) ** gamma * -y * np.log(p), -1)


def ref_cgce(labels, p, q):
    p_true = p[np.arange(len(labels)), labels]
    return (1 - p_true ** q) / q


def ref_dice(y, p, axis=None):
    return 1 - 2 * np.sum(y * p, axis) / (np.sum(y, axis) + np.sum(p, axis) + EPS)


def ref_tversky(y, p, alpha=0.5, beta=0.5, axis=None):
    tp = np.sum(y * p, axis)
    fp = np.sum(y * (1 - p), axis)
    fn = np.sum((1 - y) * p, axis)
    return 1 - tp / (tp + alpha * fp + beta * fn + EPS)


def _lse(x):
    if x.size == 0:
        return -np.inf
    top = np.max(x)
    return -np.inf if top == -np.inf else top + np.log(np.sum(np.exp(x - top)))


def ref_circle(labels, emb, gamma=80.0, margin=0.4, remove_diagonal=True):
    e = emb / np.linalg.norm(emb, axis=-1, keepdims=True)
    d = np.maximum(1 - e @ e.T, 0)
    pos = labels[:, None] == labels[None, :]
    neg = ~pos
    if remove_diagonal:
        pos &= ~np.eye(len(labels), dtype=bool)
    pos_w = np.maximum((margin + d) * pos, 0)
    neg_w = np.maximum((1 + margin - d) * neg, 0)
    pos_t = -gamma * pos_w * (margin - d)
    neg_t = gamma * neg_w * (1 - margin - d)
    out = []
    for i in range(len(labels)):
        z = _lse(pos_t[i][pos[i]]) + _lse(neg_t[i][neg[i]])
        out.append(0.0 if z == -np.inf else np.logaddexp(0.0, z))
    return np.array(out)


def ref_ctc(labels, logits):
    """-log p(labels | logits) by the CTC forward recursion; blank = 0, labels padded with 0."""
    logp = logits - np.log(np.sum(np.exp(logits - logits.max(-1, keepdims=True)), -1,
                                  keepdims=True)) - logits.max(-1, keepdims=True)
    out = []
    for b in range(len(labels)):
        ext = [0]
        for label in labels[b]:
            if label != 0:
                ext += [int(label), 0]
        alpha = np.full(len(ext), -np.inf)
        alpha[0] = logp[b, 0, 0]
        if len(ext) > 1:
            alpha[1] = logp[b, 0, ext[1]]
        for t in range(1, logits.shape[1]):
            new = np.full(len(ext), -np.inf)
            for s in range(len(ext)):
                terms = [alpha[s]]
                if s >= 1:
                    terms.append(alpha[s - 1])
                if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]:
                    terms.append(alpha[s - 2])
                new[s] = np.logaddexp.reduce(terms) + logp[b, t, ext[s]]
            alpha = new
        total = np.logaddexp(alpha[-1], alpha[-2]) if len(ext) > 1 else alpha[-1]
        out.append(-total)
    return np.array(out)


# -- the reduction, by hand -------------------------------------------------------------------

def reduce(values, reduction="sum_over_batch_size", sample_weight=None, mask=None):
    """Keras' weighting and reduction: a mask is rescaled so mean reductions skip masked entries."""
    values = np.asarray(values, dtype="float64")
    weights = np.ones_like(values)
    if mask is not None:
        mask = np.asarray(mask, dtype="float64")
        if reduction in ("sum_over_batch_size", "mean"):
            mask = mask * mask.size / mask.sum()
        weights = weights * mask
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, dtype="float64")
    weighted = values * weights
    if reduction in (None, "none"):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return weighted.sum() / weights.sum()
    return weighted.sum() / weighted.size


def row(id, make, y_true, y_pred, per_sample, reduction="sum_over_batch_size", sample_weight=None,
        mask=None, rtol=1e-5, atol=1e-6):
    """A table row whose expected value is ``per_sample`` weighted and reduced by hand."""
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    if mask is not None:
        y_pred = _masked(y_pred, mask)
    expected = reduce(per_sample, reduction, sample_weight, mask)
    return Case(id, make, [((y_true, y_pred), kwargs)], expected, rtol=rtol, atol=atol)


CTC_LABELS = np.array([[1, 2, 0], [3, 3, 1], [2, 0, 0]], dtype="int32")
CTC_LOGITS = _f32(RNG.normal(size=(3, 7, 4)))
CIRCLE_LABELS = np.array([0, 1, 0, 2, 1, 3], dtype="int32")
CIRCLE_EMB = _f32(RNG.normal(size=(6, 5)))
SEG_TRUE = _f32(RNG.uniform(size=(N, 5)) > 0.4)
SEG_PRED = _f32(RNG.uniform(0.05, 0.95, size=(N, 5)))


def _circle_row(id, make, kwargs, reduction="sum_over_batch_size", sample_weight=None):
    values = ref_circle(CIRCLE_LABELS, CIRCLE_EMB.astype("float64"), **kwargs)
    # A Circle loss leaves the samples whose loss is 0 out of mean reductions.
    mask = values > 0
    expected = reduce(values, reduction, sample_weight, mask)
    call_kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    return Case(id, make, [((CIRCLE_LABELS, CIRCLE_EMB), call_kwargs)], expected, rtol=1e-4,
                atol=1e-4)


SW6 = _f32([1.0, 0.5, 2.0, 1.0, 0.0, 3.0])

CASES = [
    row("mse", lambda: losses.MeanSquaredError(), REG_TRUE, REG_PRED, ref_mse(REG_TRUE, REG_PRED)),
    row("mae_sum_weighted", lambda: losses.MeanAbsoluteError(reduction="sum"), REG_TRUE, REG_PRED,
        ref_mae(REG_TRUE, REG_PRED), "sum", WEIGHTS),
    row("mape_none", lambda: losses.MeanAbsolutePercentageError(reduction="none"), POS_TRUE,
        POS_PRED, ref_mape(POS_TRUE, POS_PRED), "none", rtol=1e-4),
    row("mape_masked", lambda: losses.MeanAbsolutePercentageError(), POS_TRUE, POS_PRED,
        ref_mape(POS_TRUE, POS_PRED), mask=MASK, rtol=1e-4),
    row("msle_mean_with_sample_weight",
        lambda: losses.MeanSquaredLogarithmicError(reduction="mean_with_sample_weight"), POS_TRUE,
        POS_PRED, ref_msle(POS_TRUE, POS_PRED), "mean_with_sample_weight", WEIGHTS),
    row("cosine_weighted", lambda: losses.CosineSimilarity(), REG_TRUE, REG_PRED,
        ref_cosine(REG_TRUE, REG_PRED), sample_weight=WEIGHTS),
    row("cosine_axis0_none", lambda: losses.CosineSimilarity(axis=0, reduction=None), REG_TRUE,
        REG_PRED, ref_cosine(REG_TRUE, REG_PRED, axis=0), None),
    row("huber_delta_masked_weighted", lambda: losses.Huber(delta=0.5), REG_TRUE, REG_PRED,
        ref_huber(REG_TRUE, REG_PRED, 0.5), sample_weight=WEIGHTS, mask=MASK),
    row("huber_default_mean", lambda: losses.Huber(reduction="mean"), REG_TRUE * 2, REG_PRED,
        ref_huber(REG_TRUE * 2, REG_PRED), "mean"),
    row("log_cosh_sum", lambda: losses.LogCosh(reduction="sum"), REG_TRUE, REG_PRED,
        ref_log_cosh(REG_TRUE, REG_PRED), "sum"),
    row("kld_weighted", lambda: losses.KLDivergence(), DIST_TRUE, DIST_PRED,
        ref_kld(DIST_TRUE, DIST_PRED), sample_weight=WEIGHTS),
    row("poisson_mean_with_sample_weight_no_weights",
        lambda: losses.Poisson(reduction="mean_with_sample_weight"), POS_TRUE, POS_PRED,
        ref_poisson(POS_TRUE, POS_PRED), "mean_with_sample_weight"),
    row("bce_logits_smoothing_weighted",
        lambda: losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2), BIN_TRUE, LOGITS,
        ref_bce(BIN_TRUE, LOGITS, True, 0.2), sample_weight=WEIGHTS, rtol=1e-4),
    row("bfce_default", lambda: losses.BinaryFocalCrossentropy(), BIN_TRUE, PROB,
        ref_bfce(BIN_TRUE, PROB), rtol=1e-4),
    row("bfce_balanced_alpha_gamma_logits",
        lambda: losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=1.5,
                                               from_logits=True, reduction="sum"),
        BIN_TRUE, LOGITS, ref_bfce(BIN_TRUE, LOGITS, True, 0.4, 1.5, True), "sum", rtol=1e-4),
    row("bfce_smoothing_masked",
        lambda: losses.BinaryFocalCrossentropy(gamma=3.0, label_smoothing=0.1), BIN_TRUE, PROB,
        ref_bfce(BIN_TRUE, PROB, gamma=3.0, label_smoothing=0.1), mask=MASK, rtol=1e-4),
    row("cce_logits_smoothing", lambda: losses.CategoricalCrossentropy(from_logits=True,
                                                                       label_smoothing=0.1),
        ONE_HOT, LOGITS, ref_cce(ONE_HOT, LOGITS, True, 0.1), rtol=1e-4),
    row("cfce_default_weighted", lambda: losses.CategoricalFocalCrossentropy(), ONE_HOT,
        _f32(softmax(LOGITS)), ref_cfce(ONE_HOT, softmax(LOGITS)), sample_weight=WEIGHTS,
        rtol=1e-4),
    row("cfce_alpha_gamma_logits_smoothing",
        lambda: losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, from_logits=True,
                                                    label_smoothing=0.2, reduction="none"),
        ONE_HOT, LOGITS, ref_cfce(ONE_HOT, LOGITS, 0.5, 1.0, True, 0.2), "none", rtol=1e-4),
    row("cgce_q_weighted", lambda: losses.CategoricalGeneralizedCrossEntropy(q=0.7), LABELS,
        _f32(softmax(LOGITS)), ref_cgce(LABELS, softmax(LOGITS), 0.7), sample_weight=WEIGHTS,
        rtol=1e-4),
    row("scce_logits_masked", lambda: losses.SparseCategoricalCrossentropy(from_logits=True),
        LABELS, LOGITS, ref_scce(LABELS, LOGITS, True), mask=MASK, rtol=1e-4),
    row("hinge_binary_labels", lambda: losses.Hinge(), BIN_TRUE, LOGITS, ref_hinge(BIN_TRUE, LOGITS)),
    row("hinge_signed_labels_sum", lambda: losses.Hinge(reduction="sum"), SIGNED_TRUE, LOGITS,
        ref_hinge(SIGNED_TRUE, LOGITS), "sum"),
    row("squared_hinge_weighted", lambda: losses.SquaredHinge(), BIN_TRUE, LOGITS,
        ref_hinge(BIN_TRUE, LOGITS, squared=True), sample_weight=WEIGHTS),
    row("categorical_hinge_masked", lambda: losses.CategoricalHinge(), ONE_HOT, LOGITS,
        ref_categorical_hinge(ONE_HOT, LOGITS), mask=MASK),
    Case("dice_whole_batch", lambda: losses.Dice(), [((SEG_TRUE, SEG_PRED), {})],
         ref_dice(SEG_TRUE, SEG_PRED)),
    row("dice_axis1_none", lambda: losses.Dice(axis=1, reduction="none"), SEG_TRUE, SEG_PRED,
        ref_dice(SEG_TRUE, SEG_PRED, axis=1), "none"),
    Case("tversky_alpha_beta", lambda: losses.Tversky(alpha=0.3, beta=0.7),
         [((SEG_TRUE, SEG_PRED), {})], ref_tversky(SEG_TRUE, SEG_PRED, 0.3, 0.7)),
    row("tversky_axis1_weighted", lambda: losses.Tversky(alpha=0.8, beta=0.2, axis=1), SEG_TRUE,
        SEG_PRED, ref_tversky(SEG_TRUE, SEG_PRED, 0.8, 0.2, axis=1), sample_weight=WEIGHTS),
    _circle_row("circle_default", lambda: losses.Circle(), {}),
    _circle_row("circle_gamma_margin_sum_weighted",
                lambda: losses.Circle(gamma=10.0, margin=0.25, reduction="sum"),
                {"gamma": 10.0, "margin": 0.25}, "sum", SW6),
    _circle_row("circle_keep_diagonal", lambda: losses.Circle(gamma=5.0, remove_diagonal=False),
                {"gamma": 5.0, "remove_diagonal": False}),
    Case("ctc", lambda: losses.CTC(), [((CTC_LABELS, CTC_LOGITS), {})],
         ref_ctc(CTC_LABELS, CTC_LOGITS.astype("float64")).mean(), rtol=1e-4),
    Case("ctc_none_weighted", lambda: losses.CTC(reduction="none"),
         [((CTC_LABELS, CTC_LOGITS), {"sample_weight": _f32([1.0, 0.5, 2.0])})],
         ref_ctc(CTC_LABELS, CTC_LOGITS.astype("float64")) * [1.0, 0.5, 2.0], rtol=1e-4),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_loss_matches_numpy_reference(case):
    check_loss(case)


def test_every_loss_class_has_a_row():
    covered = {type(case.make()).__name__ for case in CASES}
    classes = {name for name in losses.__all__ if name[:1].isupper()} - {"Loss", "LossFunctionWrapper"}
    assert classes <= covered, f"loss classes without a reference row: {sorted(classes - covered)}"
    reductions = {case.make().reduction for case in CASES}
    assert {"sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None} <= reductions


def test_ctc_matches_torch():
    torch = pytest.importorskip("torch")
    logits = torch.tensor(CTC_LOGITS).log_softmax(-1).transpose(0, 1)
    lengths = torch.tensor([(row != 0).sum() for row in CTC_LABELS])
    expected = torch.nn.functional.ctc_loss(logits, torch.tensor(CTC_LABELS, dtype=torch.long),
                                            torch.full((3,), 7), lengths, blank=0,
                                            reduction="none")
    np.testing.assert_allclose(expected.numpy(), ref_ctc(CTC_LABELS, CTC_LOGITS.astype("float64")),
                               rtol=1e-4)
    from kiln import ops

    np.testing.assert_allclose(ops.convert_to_numpy(losses.ctc(CTC_LABELS, CTC_LOGITS)),
                               expected.numpy(), rtol=1e-4)
