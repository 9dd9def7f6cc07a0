"""Metrics (``kiln.metrics``): stateful Metric classes, metric functions, ``get``/``serialize``.

``get`` follows Keras 3: a class name gives an instance, a function name or
alias (``"mse"``, ``"binary_accuracy"``...) gives the function (wrap it in
:class:`MeanMetricWrapper` to accumulate it). ``"accuracy"``/``"acc"`` are
resolved by the trainer from the loss, not here.

Example:
    >>> from kiln import metrics
    >>> metrics.get("mae") is metrics.mean_absolute_error, metrics.get(None)
    (True, None)
    >>> type(metrics.deserialize(metrics.serialize(metrics.BinaryAccuracy(threshold=0.3))))
    <class 'kiln.metrics.accuracy_metrics.BinaryAccuracy'>
"""

from kiln.losses.losses import mean_absolute_error, mean_squared_error
from kiln.losses.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from kiln.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from kiln.metrics.accuracy_metrics import (
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from kiln.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from kiln.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from kiln.metrics.f_score_metrics import F1Score, FBetaScore
from kiln.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from kiln.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from kiln.metrics.metric import Metric
from kiln.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from kiln.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from kiln.metrics.regression_metrics import MeanAbsoluteError, MeanSquaredError
from kiln.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from kiln.saving import object_lookup

_CLASSES = (Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError)
_CLASSES += (TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall, AUC,
             PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
             FBetaScore, F1Score, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU)
_CLASSES += (TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, PearsonCorrelation,
             ConcordanceCorrelation, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
             RootMeanSquaredError, CosineSimilarity, LogCoshError, R2Score)
_FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              mean_squared_error, mean_absolute_error)
_FUNCTIONS += (top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, pearson_correlation,
               concordance_correlation)

_CLASSES += (BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
             KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge)
_FUNCTIONS += (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
               categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence,
               log_cosh, mean_absolute_percentage_error, mean_squared_logarithmic_error, poisson,
               sparse_categorical_crossentropy, squared_hinge)

ALL_OBJECTS_DICT = object_lookup.name_table(_CLASSES + _FUNCTIONS, {
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
})
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
})


# As for losses. The hint: "accuracy" is a compile()-time name (which accuracy it means depends
# on the loss), so an error here should point there rather than leave the user puzzled.
_CATALOG = object_lookup.Catalog("metric", ALL_OBJECTS_DICT, base_class=Metric,
                                 unlisted=("Metric", "MeanMetricWrapper"),
                                 hint=" (and 'accuracy'/'acc' in compile())",
                                 match_function_names=True, module="keras.metrics")


def get(identifier):
    """A metric from a name, a config envelope, a Metric or a function (None gives None).

    A class name gives a default instance; a function name or alias gives the function.

    Example:
        >>> type(get("R2Score")).__name__, get("mape") is mean_absolute_percentage_error
        ('R2Score', True)
    """
    return _CATALOG.get(identifier)


def serialize(metric):
    """The config envelope of a metric (built-in functions are written by name).

    Example:
        >>> serialize(TopKCategoricalAccuracy(k=3))["config"]["k"]
        3
    """
    return _CATALOG.serialize(metric)


def deserialize(config, custom_objects=None):
    """Rebuild a metric (or metric function) from :func:`serialize`'s output or a name.

    Example:
        >>> deserialize(serialize(R2Score(num_regressors=2))).num_regressors
        2
    """
    return _CATALOG.deserialize(config, custom_objects=custom_objects)


__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "mean_squared_error", "mean_absolute_error", "get", "serialize", "deserialize",
]
__all__ += [
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC",
    "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
    "FBetaScore", "F1Score", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU",
]
__all__ += [
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge",
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber", "kl_divergence",
    "log_cosh", "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "poisson",
    "sparse_categorical_crossentropy", "squared_hinge",
]
__all__ += [
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "PearsonCorrelation",
    "ConcordanceCorrelation", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "RootMeanSquaredError", "CosineSimilarity", "LogCoshError", "R2Score",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "pearson_correlation",
    "concordance_correlation",
]
