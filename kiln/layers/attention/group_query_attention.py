"""``GroupQueryAttention``: attention where groups of query heads share key/value heads.

Example:
    >>> import kiln
    >>> gqa = kiln.layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    >>> x = kiln.ops.ones((1, 3, 8))
    >>> tuple(gqa(x, x).shape)
    (1, 3, 8)
"""

import math

from kiln import ops
from kiln.layers.activations.softmax import Softmax
from kiln.layers.attention.qkv_base import QKVAttentionBase, check_positive_int
from kiln.layers.regularization.dropout import Dropout


class GroupQueryAttention(QKVAttentionBase):
    """Grouped-query attention (Ainslie et al., 2023).

    ``num_query_heads`` query heads attend through ``num_key_value_heads`` key/value
    heads, each shared by ``num_query_heads // num_key_value_heads`` query heads
    (1 key/value head: multi-query attention; as many as query heads: multi-head
    attention). Sublayers ``query`` (kernel ``(dim, num_query_heads, head_dim)``),
    ``key``/``value`` (``(dim, num_key_value_heads, head_dim)``) and
    ``attention_output`` (``(num_query_heads, head_dim, dim)``), as in Keras.

    Args:
        head_dim: size of each head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key/value heads (divides ``num_query_heads``).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        sliding_window: if set, query ``i`` attends only keys ``j`` with ``|i - j| < sliding_window``.
        flash_attention: None (fused kernel when possible), True (require one) or False.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: passed to the projections.
        use_gate: gated attention; not supported yet (must be False).
        seed: seed of the dropout.

    Call arguments: as ``MultiHeadAttention`` (inputs of rank 3).

    Example:
        >>> import kiln
        >>> gqa = kiln.layers.GroupQueryAttention(2, 4, 1, name="gqa")
        >>> _ = gqa(kiln.ops.ones((1, 3, 6)), kiln.ops.ones((1, 5, 6)))
        >>> [tuple(v.shape) for v in gqa.weights][::2]
        [(6, 4, 2), (6, 1, 2), (6, 1, 2), (4, 2, 6)]
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = self._owner()
        check_positive_int(owner, "head_dim", head_dim)
        check_positive_int(owner, "num_query_heads", num_query_heads)
        check_positive_int(owner, "num_key_value_heads", num_key_value_heads)
        if num_query_heads % num_key_value_heads:
            raise ValueError(f"{owner}: num_query_heads must be divisible by num_key_value_heads; "
                             f"received num_query_heads={num_query_heads}, "
                             f"num_key_value_heads={num_key_value_heads}")
        self._init_common(dropout, use_bias, flash_attention, sliding_window, use_gate,
                          kernel_initializer, bias_initializer, kernel_regularizer,
                          bias_regularizer, activity_regularizer, kernel_constraint,
                          bias_constraint, seed)
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self._scale = 1.0 / math.sqrt(float(head_dim))
        self.feature_dim = None

    # Scores (batch, heads, query steps, key steps) from (key, query); output from (scores, value).
    _dot_equation = "bkuh,bquh->buqk"
    _combine_equation = "buqk,bkuh->bquh"
    _num_attention_axes = 1

    kernel_initializer = property(lambda self: self._kernel_initializer)
    bias_initializer = property(lambda self: self._bias_initializer)
    kernel_regularizer = property(lambda self: self._kernel_regularizer)
    bias_regularizer = property(lambda self: self._bias_regularizer)
    kernel_constraint = property(lambda self: self._kernel_constraint)
    bias_constraint = property(lambda self: self._bias_constraint)

    def _build_sublayers(self, query_shape, value_shape, key_shape):
        query_shape, value_shape, key_shape = self._check_shapes(
            query_shape, value_shape, key_shape, ranks=(3,))
        self.feature_dim = query_shape[-1]
        query_heads = (None, self.num_query_heads, self.head_dim)
        key_value_heads = (None, self.num_key_value_heads, self.head_dim)
        self._query_dense = self._projection("query", "bqm,muh->bquh", query_heads, "uh",
                                             query_shape)
        self._key_dense = self._projection("key", "bkm,mvh->bkvh", key_value_heads, "vh",
                                           key_shape)
        self._value_dense = self._projection("value", "bkm,mvh->bkvh", key_value_heads, "vh",
                                             value_shape)
        self._softmax = Softmax(axis=-1, dtype="float32")
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)
        self._output_dense = self._projection(
            "attention_output", "bquh,uhm->bqm", (None, self.feature_dim), "m",
            (None, None, self.num_query_heads, self.head_dim))

    def _explicit_attention(self, query, key, value, attention_mask, training):
        # Each key/value head serves num_repeats query heads.
        if self.num_repeats > 1:
            key = ops.repeat(key, self.num_repeats, axis=2)
            value = ops.repeat(value, self.num_repeats, axis=2)
        return super()._explicit_attention(query, key, value, attention_mask, training)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        self._check_shapes(query_shape, value_shape, key_shape, ranks=(3,))
        return tuple(query_shape)

    def _scores_shape(self, query_shape, value_shape):
        return (query_shape[0], self.num_query_heads, query_shape[1], value_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "dropout": self._dropout,
            "sliding_window": self._sliding_window,
        })
        config.update(self._common_config())
        return config
