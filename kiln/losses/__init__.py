"""Losses (``kiln.losses``): Loss classes, per-sample loss functions, ``get``/``serialize``.

``get`` accepts None (kept), a Loss, a callable, an envelope or a name: a
class name gives an instance with defaults, a function name or alias
(``"mse"``, ``"mae"``, ``"bce"``) the function itself.

Example:
    >>> import kiln
    >>> kiln.losses.get("mse") is kiln.losses.mean_squared_error
    True
    >>> type(kiln.losses.get("BinaryCrossentropy")).__name__
    'BinaryCrossentropy'
"""

from kiln.losses.loss import Loss, reduce_weighted_values, squeeze_or_expand_to_same_rank
from kiln.losses.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from kiln.saving import object_lookup

_CLASSES = (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, binary_crossentropy,
              categorical_crossentropy, sparse_categorical_crossentropy)

ALL_OBJECTS_DICT = object_lookup.name_table(_CLASSES + _FUNCTIONS, {
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
})


# get: a class name gives a default instance, a function name or alias the function itself.
# deserialize: a name gives what it names (class or function), and a function envelope may use
# an alias. serialize: built-in functions are written under "keras.losses", as Keras does.
# Errors leave out the base classes, which need arguments.
_CATALOG = object_lookup.Catalog("loss", ALL_OBJECTS_DICT, base_class=Loss,
                                 unlisted=("Loss", "LossFunctionWrapper"),
                                 match_function_names=True, module="keras.losses")
get, serialize, deserialize = _CATALOG.get, _CATALOG.serialize, _CATALOG.deserialize


__all__ = [
    "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "mean_squared_error",
    "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "get", "serialize", "deserialize",
    "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
]
