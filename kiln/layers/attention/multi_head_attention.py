"""``MultiHeadAttention``: projected multi-head scaled dot-product attention.

Example:
    >>> import kiln
    >>> mha = kiln.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = kiln.ops.ones((1, 3, 8))
    >>> tuple(mha(x, x).shape)
    (1, 3, 8)
    >>> [tuple(v.shape) for v in mha.weights][:2]
    [(8, 2, 4), (2, 4)]
"""

import math
import string

from kiln.layers.activations.softmax import Softmax
from kiln.layers.attention.qkv_base import QKVAttentionBase, check_positive_int
from kiln.layers.regularization.dropout import Dropout


def _letters(start, count):
    return string.ascii_lowercase[start:start + count]


def projection_equation(free_dims, bound_dims, output_dims):
    """``(equation, bias_axes, output_rank)`` of a projection keeping ``free_dims`` axes,
    contracting ``bound_dims`` axes and producing ``output_dims`` new ones.

    Example:
        >>> projection_equation(2, 1, 2)
        ('abc,cde->abde', 'de', 4)
    """
    free = _letters(0, free_dims)
    bound = _letters(free_dims, bound_dims)
    new = _letters(free_dims + bound_dims, output_dims)
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """Einsum equations ``(key . query -> scores, scores . value -> output)`` and the scores rank.

    Projected tensors have shape ``(batch, <other axes>, <attention axes>, heads, channels)``;
    the scores have shape ``(<batch and other axes>, heads, <query axes>, <key axes>)``.

    Example:
        >>> attention_equations(4, (1,))
        ('aecd,abcd->acbe', 'acbe,aecd->abcd', 4)
    """
    target = _letters(0, rank)
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    source = list(target)
    next_letter = rank
    for i in attention_axes:
        source[i] = string.ascii_lowercase[next_letter]
        next_letter += 1
    source = "".join(source)
    product = ("".join(target[i] for i in batch_axes) + "".join(target[i] for i in attention_axes)
               + "".join(source[i] for i in attention_axes))
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


class MultiHeadAttention(QKVAttentionBase):
    """Multi-head attention (Vaswani et al., 2017) with learned projections.

    ``query``, ``key`` and ``value`` are projected by ``EinsumDense`` sublayers
    named ``query``/``key``/``value`` (kernels ``(dim, num_heads, key_dim)``;
    value heads have ``value_dim``), attended per head with scale
    ``1/sqrt(key_dim)``, and projected back by ``attention_output`` (kernel
    ``(num_heads, value_dim, out_dim)``). Without dropout in training and
    without returned scores, ``ops.dot_product_attention`` (each backend's
    fused kernel where it has one) does the attention.

    Args:
        num_heads: number of heads.
        key_dim: size of each query/key head.
        value_dim: size of each value head (None: ``key_dim``).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: output size(s) besides batch and attention axes (None: the
            query's last dimension).
        attention_axes: axes attention runs over (None: all but batch, heads, features).
        sliding_window: if set, query ``i`` attends only keys ``j`` with
            ``|i - j| < sliding_window``.
        flash_attention: None (use a fused kernel when possible), True (require
            one) or False (never).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: passed to the
            projection sublayers.
        use_gate: gated attention; not supported yet (must be False).
        seed: seed of the dropout.

    Call arguments: ``query`` ``(B, T, dim)``, ``value`` ``(B, S, dim)``, optional
    ``key`` (default: value), ``query_mask``/``value_mask``/``key_mask`` (also
    taken from the inputs' Keras masks), ``attention_mask`` ``(B, T, S)`` (True
    = may attend), ``return_attention_scores``, ``training``, ``use_causal_mask``.

    Example:
        >>> import kiln
        >>> mha = kiln.layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha")
        >>> out, scores = mha(kiln.ops.ones((1, 4, 6)), kiln.ops.ones((1, 5, 6)),
        ...                   return_attention_scores=True)
        >>> tuple(out.shape), tuple(scores.shape)
        ((1, 4, 6), (1, 2, 4, 5))
        >>> mha.weights[0].path
        'mha/query/kernel'
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = self._owner()
        check_positive_int(owner, "num_heads", num_heads)
        check_positive_int(owner, "key_dim", key_dim)
        check_positive_int(owner, "value_dim", value_dim, allow_none=True)
        self._init_common(dropout, use_bias, flash_attention, sliding_window, use_gate,
                          kernel_initializer, bias_initializer, kernel_regularizer,
                          bias_regularizer, activity_regularizer, kernel_constraint,
                          bias_constraint, seed)
        if output_shape:
            if isinstance(output_shape, int) and not isinstance(output_shape, bool):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"{owner}: output_shape must be an int, a tuple or a list; "
                                 f"received output_shape={output_shape!r}") from None
            for d in output_shape:
                check_positive_int(owner, "output_shape entries", d)
        if isinstance(attention_axes, int) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"{owner}: attention_axes must be an int, a list or a tuple; received "
                             f"attention_axes={attention_axes!r}")
        if attention_axes is not None:
            attention_axes = tuple(attention_axes)
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._output_shape = output_shape if output_shape else None
        self._attention_axes = attention_axes
        self._scale = 1.0 / math.sqrt(float(key_dim))
        self._axes = None

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    attention_axes = property(lambda self: self._attention_axes)
    # The projections live in public attributes (Keras exposes them as properties), which is
    # also where Keras' weight files keep them: query_dense/, key_dense/, ...
    _query_dense = property(lambda self: self.query_dense)
    _key_dense = property(lambda self: self.key_dense)
    _value_dense = property(lambda self: self.value_dense)
    _output_dense = property(lambda self: self.output_dense)
    _num_attention_axes = property(lambda self: len(self._axes))

    def _resolve_axes(self, projected_rank):
        if self._attention_axes is None:
            return tuple(range(1, projected_rank - 2))
        axes = tuple(a if a >= 0 else projected_rank - 1 + a for a in self._attention_axes)
        bad = [a for a in axes if not 1 <= a < projected_rank - 2]
        if bad or len(set(axes)) != len(axes):
            raise ValueError(
                f"{self._owner()}: attention_axes={self._attention_axes} must name distinct axes of "
                f"the input other than batch and features (1 to {projected_rank - 3} here)"
            )
        return axes

    def _build_sublayers(self, query_shape, value_shape, key_shape):
        query_shape, value_shape, key_shape = self._check_shapes(query_shape, value_shape, key_shape)
        rank = len(query_shape)

        def projection(name, heads_dim, shape):
            equation, bias_axes, out_rank = projection_equation(rank - 1, 1, 2)
            return self._projection(name, equation,
                                    [None] * (out_rank - 3) + [self._num_heads, heads_dim],
                                    bias_axes, shape)

        self.query_dense = projection("query", self._key_dim, query_shape)
        self.key_dense = projection("key", self._key_dim, key_shape)
        self.value_dense = projection("value", self._value_dim, value_shape)
        projected_rank = rank + 1
        self._axes = self._resolve_axes(projected_rank)
        # As in Keras, the config reports the resolved axes once built.
        self._attention_axes = self._axes
        if self._sliding_window is not None and len(self._axes) != 1:
            raise ValueError(f"{self._owner()}: sliding_window needs a single attention axis; "
                             f"attention_axes={self._axes}")
        self._dot_equation, self._combine_equation, scores_rank = attention_equations(
            projected_rank, self._axes)
        self._softmax = Softmax(axis=list(range(scores_rank - len(self._axes), scores_rank)),
                                dtype="float32")
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)
        out_dims = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        equation, bias_axes, out_rank = projection_equation(rank - 1, 2, len(out_dims))
        self.output_dense = self._projection(
            "attention_output", equation, [None] * (out_rank - 1 - len(out_dims)) + out_dims,
            bias_axes, tuple(query_shape[:-1]) + (self._num_heads, self._value_dim))

    def _can_fuse(self, query):
        return len(query.shape) == 4 and self._axes == (1,)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape, key_shape = (
            tuple(query_shape), tuple(value_shape), None if key_shape is None else tuple(key_shape))
        if key_shape is not None and value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{self._owner()}: all dimensions of value and key except the last "
                             f"must be equal; received value shape {value_shape} and key shape "
                             f"{key_shape}")
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def _scores_shape(self, query_shape, value_shape):
        projected_rank = len(query_shape) + 1
        axes = self._axes or self._resolve_axes(projected_rank)
        q_proj = tuple(query_shape[:-1]) + (self._num_heads, self._key_dim)
        v_proj = tuple(value_shape[:-1]) + (self._num_heads, self._value_dim)
        batch_axes = [i for i in range(projected_rank - 1) if i not in axes]
        return ([q_proj[i] for i in batch_axes] + [q_proj[i] for i in axes]
                + [v_proj[i] for i in axes])

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
        })
        config.update(self._common_config())
        return config
