"""``AdditiveAttention``: Bahdanau-style attention, scores ``sum(scale * tanh(q + k))``.

Example:
    >>> import kiln
    >>> q, v = kiln.ops.ones((2, 3, 4)), kiln.ops.ones((2, 5, 4))
    >>> tuple(kiln.layers.AdditiveAttention()([q, v]).shape)
    (2, 3, 4)
"""

from kiln import ops
from kiln.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention: ``softmax(sum(scale * tanh(query + key), -1)) @ value``.

    Takes the same inputs, masks and call arguments as ``Attention``.

    Args:
        use_scale: learn a ``scale`` vector of size ``dim`` (Glorot-uniform
            initialized) weighting the summed features; otherwise plain sum.
        dropout: fraction of attention weights dropped in training.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.AdditiveAttention()
        >>> _ = layer([kiln.ops.ones((1, 2, 3)), kiln.ops.ones((1, 4, 3))])
        >>> [tuple(v.shape) for v in layer.weights]
        [(3,)]
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        dim = input_shape[0][-1]
        if self.use_scale:
            if dim is None:
                raise ValueError(
                    f"AdditiveAttention '{self.name}': the query's last dimension must be known "
                    f"to build the scale; received query shape {tuple(input_shape[0])}"
                )
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            summed = ops.multiply(ops.cast(self.scale, ops.dtype(query)), summed)
        return ops.sum(summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
