"""``BaseActivation``: the frame of the weightless activation layers.

Example:
    >>> import kiln
    >>> isinstance(kiln.layers.ELU(), BaseActivation)
    True
"""

from kiln.layers.layer import Layer


class BaseActivation(Layer):
    """An element-wise layer without weights: built at construction, masks pass through, the
    output shape is the input shape, and the config adds the attributes named in ``_CONFIG``
    (in that order).

    Example:
        >>> import kiln
        >>> kiln.layers.ReLU(max_value=2.0).get_config()["max_value"]
        2.0
    """

    _CONFIG = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({name: getattr(self, name) for name in self._CONFIG})
        return config
