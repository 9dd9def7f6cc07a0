"""``SwapEMAWeights``: evaluate (and optionally checkpoint) with the optimizer's EMA weights.

Example:
    >>> import kiln
    >>> kiln.callbacks.SwapEMAWeights(swap_on_epoch=True).swap_on_epoch
    True
"""

import numpy as np

from kiln import ops
from kiln.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swap the model's weights with the optimizer's EMA weights around evaluation.

    Before evaluation (``evaluate``, the validation run inside ``fit``, and
    ``predict``) the model's trainable weights and the optimizer's exponential
    moving averages trade places, and trade back afterwards, so metrics are
    computed with the averaged weights. The optimizer must have ``use_ema=True``.

    Args:
        swap_on_epoch: also swap at each epoch end (and back at the next epoch
            start), so callbacks placed after this one, such as
            ``ModelCheckpoint``, see the EMA weights.

    The weights are swapped in place; changing the EMA or model weights in
    other callbacks meanwhile gives undefined results.

    Example:
        >>> import numpy as np, kiln
        >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> model.compile(kiln.optimizers.SGD(0.1, use_ema=True), "mse")
        >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0,
        ...                     callbacks=[kiln.callbacks.SwapEMAWeights(swap_on_epoch=True)])
        >>> len(history.epoch)
        2
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used with an optimizer that sets `use_ema=True`. "
                             f"Received: use_ema={getattr(optimizer, 'use_ema', None)} "
                             f"(optimizer={type(optimizer).__name__})")
        return optimizer

    def _pairs(self):
        optimizer = self._optimizer()
        averages = list(optimizer._model_variables_moving_average)
        if not averages:
            return []  # not built yet: nothing trained, the averages do not exist
        self.model._sync_backend_state()
        return list(zip(optimizer._trainable_variables, averages))

    def _swap_variables(self):
        for variable, average in self._pairs():
            current = np.array(ops.convert_to_numpy(variable), copy=True)
            variable.assign(np.array(ops.convert_to_numpy(average), copy=True))
            average.assign(current)

    def _finalize_ema_values(self):
        # The model now holds the EMA weights and the optimizer the raw ones. Training
        # ends here, and the end of training may copy the averages into the model
        # (`finalize_variable_values`): make the averages the EMA weights too.
        for variable, average in self._pairs():
            average.assign(np.array(ops.convert_to_numpy(variable), copy=True))

    def _swap_in(self):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def _swap_out(self):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_train_begin(self, logs=None):
        self._optimizer()  # fail early when the optimizer keeps no EMA

    def on_epoch_begin(self, epoch, logs=None):
        self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            last_epoch = epoch == self.params.get("epochs", 0) - 1
            if last_epoch or getattr(self.model, "stop_training", False):
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        self._swap_out()
