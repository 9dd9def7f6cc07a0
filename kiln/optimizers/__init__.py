"""Optimizers (``kiln.optimizers``): SGD, Adam, AdamW, RMSprop, Adagrad and schedules.

``get`` takes an Optimizer, a name in any case (``"adam"``, ``"SGD"``) or an
envelope; ``deserialize`` takes envelopes only.

Example:
    >>> import kiln
    >>> type(kiln.optimizers.get("adam")).__name__
    'Adam'
    >>> kiln.optimizers.serialize(kiln.optimizers.SGD())["class_name"]
    'SGD'
"""

from kiln.optimizers import legacy, schedules
from kiln.optimizers.adadelta import Adadelta
from kiln.optimizers.adafactor import Adafactor
from kiln.optimizers.adagrad import Adagrad
from kiln.optimizers.adam import Adam, AdamW
from kiln.optimizers.adamax import Adamax
from kiln.optimizers.base_optimizer import Optimizer
from kiln.optimizers.ftrl import Ftrl
from kiln.optimizers.lamb import Lamb
from kiln.optimizers.lion import Lion
from kiln.optimizers.loss_scale_optimizer import LossScaleOptimizer
from kiln.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from kiln.optimizers.muon import Muon
from kiln.optimizers.nadam import Nadam
from kiln.optimizers.rmsprop import RMSprop
from kiln.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from kiln.optimizers.sgd import SGD
from kiln.saving import object_lookup

_CLASSES = (Adam, AdamW, SGD, RMSprop, Adagrad)
_CLASSES += (Adadelta, Adafactor, Adamax, Ftrl, Nadam, Lion, Lamb)
_CLASSES += (Muon, ScheduleFreeAdamW, LossScaleOptimizer, MultiOptimizer)
# Lower-cased class name -> class: "adam", "sgd", "rmsprop", "adamw", "adagrad".
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in _CLASSES}


# Names match in any case ("Adam", "adam"), as in Keras. strict: get() refuses None, classes and
# other callables, since a trainer needs an Optimizer instance. deserialize() takes envelopes only
# (a bare name carries no config) and matches built-in class names whatever module the envelope
# names: Keras' torch backend saves Adam under keras.src.backend.torch.optimizers.torch_adam.
_CATALOG = object_lookup.Catalog("optimizer", ALL_OBJECTS_DICT, base_class=Optimizer,
                                 case_insensitive=True, strict=True, envelopes_only=True,
                                 match_class_names=True)
get, serialize, deserialize = _CATALOG.get, _CATALOG.serialize, _CATALOG.deserialize


def serialize(optimizer):  # noqa: F811 -- Keras' parameter name, over the catalog's `obj`
    """The envelope (``module``, ``class_name``, ``config``) a config stores for ``optimizer``.

    Example:
        >>> import kiln
        >>> envelope = kiln.optimizers.serialize(kiln.optimizers.Lion(learning_rate=0.5))
        >>> envelope["class_name"], envelope["config"]["learning_rate"]
        ('Lion', 0.5)
    """
    return _CATALOG.serialize(optimizer)


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "get",
           "serialize", "deserialize"]
__all__ += ["Muon", "ScheduleFreeAdamW", "LossScaleOptimizer", "MultiOptimizer", "OptimizerMap"]
__all__ += ["Adadelta", "Adafactor", "Adamax", "Ftrl", "Nadam", "Lion", "Lamb", "legacy"]
