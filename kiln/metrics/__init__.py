"""Metrics (``kiln.metrics``): stateful Metric classes, metric functions, ``get``/``serialize``.

``get`` follows Keras 3: a class name gives an instance, a function name or
alias (``"mse"``, ``"binary_accuracy"``...) gives the function (wrap it in
:class:`MeanMetricWrapper` to accumulate it). ``"accuracy"``/``"acc"`` are
resolved by the trainer from the loss, not here.

Example:
    >>> import kiln
    >>> kiln.metrics.get("mae") is kiln.metrics.mean_absolute_error
    True
    >>> type(kiln.metrics.get("BinaryAccuracy")).__name__
    'BinaryAccuracy'
"""

import inspect

from kiln.losses.losses import mean_absolute_error, mean_squared_error
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
from kiln.metrics.metric import Metric
from kiln.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from kiln.metrics.regression_metrics import MeanAbsoluteError, MeanSquaredError

_CLASSES = (Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError)
_FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              mean_squared_error, mean_absolute_error)

ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update({
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
})
_GETTABLE = sorted(k for k in ALL_OBJECTS_DICT if k not in ("Metric", "MeanMetricWrapper"))


def serialize(metric):
    """Serialize a metric object or built-in metric function to an envelope.

    Example:
        >>> serialize(Mean())["config"]
        {'name': 'mean', 'dtype': 'float32'}
    """
    from kiln.saving import serialization_lib

    if inspect.isfunction(metric) and ALL_OBJECTS_DICT.get(metric.__name__) is metric:
        return {"module": "keras.metrics", "class_name": "function", "config": metric.__name__,
                "registered_name": metric.__name__}
    return serialization_lib.serialize_kiln_object(metric)


def deserialize(config, custom_objects=None):
    """Rebuild a metric from a name or an envelope.

    Example:
        >>> type(deserialize(serialize(BinaryAccuracy(threshold=0.3)))).__name__
        'BinaryAccuracy'
    """
    from kiln.saving import serialization_lib

    if isinstance(config, str):
        found = serialization_lib.get_registered_object(config, custom_objects, ALL_OBJECTS_DICT)
        if found is None:
            raise ValueError(f"Unknown metric {config!r}. Valid names: {', '.join(_GETTABLE)}")
        return found
    if isinstance(config, dict) and config.get("class_name") == "function" and \
            isinstance(config.get("config"), str) and config["config"] in ALL_OBJECTS_DICT and \
            not (custom_objects and config["config"] in custom_objects):
        return ALL_OBJECTS_DICT[config["config"]]
    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def get(identifier):
    """Resolve a metric identifier: None, a name, a config dict, a Metric or a callable.

    Example:
        >>> get("sparse_categorical_accuracy") is sparse_categorical_accuracy
        True
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            from kiln.saving import serialization_lib

            obj = serialization_lib.get_registered_object(identifier)
        if obj is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}. "
                f"Valid names: {', '.join(_GETTABLE)} (and 'accuracy'/'acc' in compile())"
            )
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r} (expected a string, a dict, a "
        "Metric or a callable)"
    )


__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "mean_squared_error", "mean_absolute_error", "get", "serialize", "deserialize",
]
