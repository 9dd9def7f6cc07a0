"""kiln.metrics.get/serialize/deserialize know every keras.metrics name.

Every class and function of the Keras 3 reference list resolves by name;
every class survives serialize -> deserialize with the same config; aliases
resolve; unknown names list the valid ones.
"""

import inspect

import pytest

from api_reference import reference_rows
from kiln import metrics

_NOT_IN_CATALOG = {"get", "serialize", "deserialize"}
# Arguments for the classes that have required ones.
_REQUIRED = {
    "IoU": {"num_classes": 3, "target_class_ids": [0, 2]},
    "OneHotIoU": {"num_classes": 3, "target_class_ids": [1]},
    "MeanIoU": {"num_classes": 3},
    "OneHotMeanIoU": {"num_classes": 3},
    "PrecisionAtRecall": {"recall": 0.4},
    "RecallAtPrecision": {"precision": 0.6},
    "SensitivityAtSpecificity": {"specificity": 0.7},
    "SpecificityAtSensitivity": {"sensitivity": 0.3},
    "MeanMetricWrapper": {"fn": metrics.mean_squared_error},
}


def _rows(kind):
    return [r for r in reference_rows(("keras.metrics",))
            if r["kind"] == kind and r["name"] not in _NOT_IN_CATALOG]


CLASS_NAMES = sorted(r["name"] for r in _rows("class"))
FUNCTION_NAMES = sorted(r["name"] for r in _rows("function"))


def _instance(name):
    return getattr(metrics, name)(**_REQUIRED.get(name, {}))


def test_reference_lists_are_not_empty():
    assert len(CLASS_NAMES) > 40 and len(FUNCTION_NAMES) > 20


def test_every_class_name_resolves():
    for name in CLASS_NAMES:
        cls = getattr(metrics, name)
        assert metrics.ALL_OBJECTS_DICT.get(name) is cls, f"{name} missing from the metric catalog"
        needs_args = any(p.default is p.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
                         for p in inspect.signature(cls).parameters.values())
        if name == "Metric" or needs_args:
            continue
        assert type(metrics.get(name)) is cls, name


def test_every_function_name_resolves():
    for name in FUNCTION_NAMES:
        fn = getattr(metrics, name)
        assert metrics.get(name) is fn, name
        assert metrics.deserialize(metrics.serialize(fn)) is fn, name
        assert metrics.serialize(fn) == {"module": "keras.metrics", "class_name": "function",
                                         "config": name, "registered_name": name}


@pytest.mark.parametrize("name", [n for n in CLASS_NAMES if n != "Metric"])
def test_every_class_round_trips(name):
    metric = _instance(name)
    envelope = metrics.serialize(metric)
    assert envelope["class_name"] == name and envelope["module"] == "keras.metrics"
    clone = metrics.deserialize(envelope)
    assert type(clone) is type(metric)
    assert clone.get_config() == metric.get_config()
    assert type(metrics.get(envelope)) is type(metric)


def test_aliases():
    assert metrics.get("mse") is metrics.mean_squared_error
    assert metrics.get("MAE") is metrics.mean_absolute_error
    assert metrics.get("mape") is metrics.mean_absolute_percentage_error
    assert metrics.get("msle") is metrics.mean_squared_logarithmic_error
    assert metrics.get("bce") is metrics.binary_crossentropy


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown metric: 'r2'") as info:
        metrics.get("r2")
    message = str(info.value)
    for name in ("R2Score", "TopKCategoricalAccuracy", "pearson_correlation", "AUC"):
        assert name in message
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.deserialize("top5")


def test_instances_and_callables_pass_through():
    metric = metrics.R2Score()
    assert metrics.get(metric) is metric
    assert metrics.get(None) is None

    def my_metric(y_true, y_pred):
        return y_pred

    assert metrics.get(my_metric) is my_metric
