"""Losses (``kiln.losses``): Loss classes, per-sample loss functions, ``get``/``serialize``.

``get`` accepts None (kept), a Loss, a callable, an envelope or a name: a
class name gives an instance with defaults, a function name or alias
(``"mse"``, ``"mae"``, ``"bce"``, ``"kld"``, ``"mape"``, ``"msle"``,
``"huber_loss"``, ``"logcosh"``) the function itself.

Example:
    >>> import kiln
    >>> kiln.losses.get("mse") is kiln.losses.mean_squared_error
    True
    >>> type(kiln.losses.get("BinaryCrossentropy")).__name__
    'BinaryCrossentropy'
"""

from kiln.losses.loss import Loss, reduce_weighted_values, squeeze_or_expand_to_same_rank
from kiln.losses.losses import (
    CTC,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    CategoricalHinge,
    Circle,
    CosineSimilarity,
    Dice,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    Tversky,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    categorical_hinge,
    circle,
    cosine_similarity,
    ctc,
    dice,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
    tversky,
)
from kiln.saving import object_lookup

_CLASSES = (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, Huber,
            LogCosh, KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy,
            CategoricalCrossentropy, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy,
            SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky,
            Circle, CTC)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, kl_divergence,
              poisson, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
              categorical_focal_crossentropy, categorical_generalized_cross_entropy,
              sparse_categorical_crossentropy, hinge, squared_hinge, categorical_hinge, dice,
              tversky, circle, ctc)

# Keras' aliases, plus the Keras 2 names that old configs and scripts still use.
ALL_OBJECTS_DICT = object_lookup.name_table(_CLASSES + _FUNCTIONS, {
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence, "kullback_leibler_divergence": kl_divergence,
    "huber_loss": huber, "logcosh": log_cosh,
})


# get: a class name gives a default instance, a function name or alias the function itself.
# deserialize: a name gives what it names (class or function), and a function envelope may use
# an alias. serialize: built-in functions are written under "keras.losses", as Keras does.
# Errors leave out the base classes, which need arguments.
_CATALOG = object_lookup.Catalog("loss", ALL_OBJECTS_DICT, base_class=Loss,
                                 unlisted=("Loss", "LossFunctionWrapper"),
                                 match_function_names=True, module="keras.losses")
get = _CATALOG.get


def serialize(loss):
    """The JSON-friendly form of ``loss`` (an envelope) that :func:`deserialize` turns back into it.

    Example:
        >>> from kiln import losses
        >>> losses.serialize(losses.Huber(delta=2.0))["config"]["delta"]
        2.0
        >>> losses.serialize(losses.hinge)["config"]
        'hinge'
    """
    return _CATALOG.serialize(loss)


def deserialize(name, custom_objects=None):
    """Rebuild a loss from a name or an envelope written by :func:`serialize`.

    Example:
        >>> from kiln import losses
        >>> losses.deserialize("kld") is losses.kl_divergence
        True
        >>> losses.deserialize(losses.serialize(losses.Tversky(alpha=0.3))).alpha
        0.3
    """
    return _CATALOG.deserialize(name, custom_objects=custom_objects)


__all__ = [
    "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "CosineSimilarity", "Huber",
    "LogCosh", "KLDivergence", "Poisson", "BinaryCrossentropy", "BinaryFocalCrossentropy",
    "CategoricalCrossentropy", "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy",
    "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge", "CategoricalHinge", "Dice", "Tversky",
    "Circle", "CTC", "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "cosine_similarity", "huber", "log_cosh", "kl_divergence",
    "poisson", "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_generalized_cross_entropy",
    "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge", "dice",
    "tversky", "circle", "ctc", "get", "serialize", "deserialize", "reduce_weighted_values",
    "squeeze_or_expand_to_same_rank",
]
