"""Learning-rate schedules (``kiln.optimizers.schedules``).

Example:
    >>> import kiln
    >>> s = deserialize(serialize(ExponentialDecay(0.1, 100, 0.96)))
    >>> type(s).__name__, s.decay_steps
    ('ExponentialDecay', 100)
"""

from kiln.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
    PolynomialDecay, CosineDecay)}


def serialize(learning_rate_schedule):
    """The schedule's envelope (``module`` ``keras.optimizers.schedules``)."""
    from kiln.saving import serialization_lib

    return serialization_lib.serialize_kiln_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """Rebuild a schedule from its envelope."""
    from kiln.saving import serialization_lib

    if isinstance(config, dict) and config.get("class_name") in ALL_OBJECTS_DICT and \
            not (custom_objects and config["class_name"] in custom_objects):
        return ALL_OBJECTS_DICT[config["class_name"]].from_config(config.get("config") or {})
    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "serialize", "deserialize"]
