"""``Callback``: hooks into ``fit``, ``evaluate`` and ``predict``.

Example:
    >>> import kiln
    >>> class CountEpochs(kiln.callbacks.Callback):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.count = 0
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         self.count += 1
"""


class Callback:
    """Base class: override any ``on_*`` method; ``self.model`` is the model being trained.

    Example:
        >>> Callback().params
        {}
    """

    def __init__(self):
        self.params = {}
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Alias of on_train_batch_begin kept for compatibility."""

    def on_batch_end(self, batch, logs=None):
        """Alias of on_train_batch_end kept for compatibility."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with the epoch's logs (validation included)."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before an evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after an evaluation batch."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a prediction batch."""

    def on_train_begin(self, logs=None):
        """Called when fit starts."""

    def on_train_end(self, logs=None):
        """Called when fit ends."""

    def on_test_begin(self, logs=None):
        """Called when evaluate starts."""

    def on_test_end(self, logs=None):
        """Called when evaluate ends."""

    def on_predict_begin(self, logs=None):
        """Called when predict starts."""

    def on_predict_end(self, logs=None):
        """Called when predict ends."""
