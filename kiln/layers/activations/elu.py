"""``ELU``: the exponential linear unit as a layer.

Example:
    >>> import kiln
    >>> y = kiln.layers.ELU()(kiln.ops.convert_to_tensor([0.0, 2.0]))
    >>> kiln.ops.convert_to_numpy(y).tolist()
    [0.0, 2.0]
"""

from kiln import activations
from kiln.layers.activations.base_activation import BaseActivation


class ELU(BaseActivation):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: scale of the negative part.

    Example:
        >>> ELU(alpha=0.5).get_config()["alpha"]
        0.5
    """

    _CONFIG = ("alpha",)

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise ValueError(
                f"ELU '{self.name}': `alpha` must be a number; received alpha={alpha!r}")
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)
