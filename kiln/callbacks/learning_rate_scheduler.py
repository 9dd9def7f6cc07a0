"""``LearningRateScheduler``: set the learning rate at each epoch from a function.

Example:
    >>> import kiln
    >>> cb = kiln.callbacks.LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)
    >>> cb.schedule(2)
    0.025
"""

import inspect

import numpy as np

from kiln.callbacks.callback import Callback
from kiln.callbacks.reduce_lr_on_plateau import current_learning_rate
from kiln.utils.io_utils import print_msg


def _takes_two_arguments(function):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(positional) >= 2


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch.

    Args:
        schedule: ``schedule(epoch, lr) -> new_lr`` (``epoch`` counts from 0,
            ``lr`` is the current rate as a float); a one-argument
            ``schedule(epoch)`` also works. It must return a float.
        verbose: 1 prints the rate set at each epoch.

    The rate in force is added to each epoch's logs as ``learning_rate``.

    Example:
        >>> import numpy as np, kiln
        >>> model = kiln.Sequential([kiln.Input((1,)), kiln.layers.Dense(1)])
        >>> model.compile(kiln.optimizers.SGD(0.1), "mse")
        >>> halve = kiln.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
        >>> halve.schedule(0, 0.1)
        0.05
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: `schedule` must be callable, received {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = current_learning_rate(self.model, "LearningRateScheduler")
        if _takes_two_arguments(self.schedule):
            learning_rate = self.schedule(epoch, learning_rate)
        else:
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.floating)) and not (
                isinstance(learning_rate, int) and not isinstance(learning_rate, bool)):
            raise ValueError("LearningRateScheduler: the output of the `schedule` function should be a float. "
                             f"Got: {learning_rate!r}")
        self.model.optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(learning_rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model, "LearningRateScheduler")
