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
deserialize = _CATALOG.deserialize


def serialize(learning_rate_schedule):
    """The envelope (``module``, ``class_name``, ``config``) a config stores for a schedule.

    Example:
        >>> envelope = serialize(CosineDecayRestarts(0.1, first_decay_steps=10))
        >>> envelope["class_name"], envelope["config"]["t_mul"]
        ('CosineDecayRestarts', 2.0)
    """
    return _CATALOG.serialize(learning_rate_schedule)


__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]
