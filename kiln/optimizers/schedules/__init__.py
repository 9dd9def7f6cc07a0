"""Learning-rate schedules (``kiln.optimizers.schedules``).

Example:
    >>> import kiln
    >>> s = deserialize(serialize(ExponentialDecay(0.1, 100, 0.96)))
    >>> type(s).__name__, s.decay_steps
    ('ExponentialDecay', 100)
"""

from kiln.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from kiln.saving import object_lookup

ALL_OBJECTS_DICT = object_lookup.name_table((
    LearningRateSchedule, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
    PolynomialDecay, CosineDecay, CosineDecayRestarts))


# Built-in class names match whatever module the envelope names, as for optimizers.
_CATALOG = object_lookup.Catalog("learning rate schedule", ALL_OBJECTS_DICT, match_class_names=True)
serialize = _CATALOG.serialize
deserialize = _CATALOG.deserialize


__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]
