"""``Activation``: applies an activation function as a layer.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Activation("relu")
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([-1.0, 2.0]))).tolist()
    [0.0, 2.0]
"""

from kiln import activations
from kiln.layers.activations.base_activation import BaseActivation


class Activation(BaseActivation):
    """Applies ``activation`` (a name such as ``"relu"`` or a callable) to its input.

    Example:
        >>> Activation("softmax").get_config()["activation"]
        'softmax'
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
