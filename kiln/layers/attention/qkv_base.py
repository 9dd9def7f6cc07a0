"""What MultiHeadAttention and GroupQueryAttention share: building from the
query/value/key shapes, gathering Keras masks from the inputs, merging masks
into one attention mask, and the masked softmax of the explicit-scores path.

Example:
    >>> import kiln
    >>> m = combined_attention_mask(kiln.ops.ones((1, 3)), kiln.ops.ones((1, 3)), None, None,
    ...                             query_steps=3, key_steps=3, use_causal_mask=True)
    >>> kiln.ops.convert_to_numpy(m).astype(int).tolist()
    [[[1, 0, 0], [1, 1, 0], [1, 1, 1]]]
"""

from kiln import ops, regularizers
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import name_scope
from kiln.layers.attention.attention import causal_mask, check_dropout, to_compute_dtype
from kiln.layers.core.dense import set_weight_options, weight_options_config
from kiln.layers.core.einsum_dense import EinsumDense
from kiln.layers.layer import Layer, _get_mask, _set_mask
from kiln.ops import shape_rules

_INPUT_NAMES = ("query", "value", "key")


def check_positive_int(owner, name, value, allow_none=False):
    """Raise ValueError naming ``owner`` and ``name`` unless ``value`` is a positive int.

    Example:
        >>> check_positive_int("MultiHeadAttention 'mha'", "num_heads", 2)
        2
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer"
                         f"{' or None' if allow_none else ''}; received {name}={value!r}")
    return value


def band_mask(query_steps, key_steps, window):
    """True where ``|i - j| < window`` (the symmetric sliding-window band).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(band_mask(3, 3, 2)).astype(int).tolist()
        [[1, 1, 0], [1, 1, 1], [0, 1, 1]]
    """
    rows = ops.expand_dims(ops.arange(query_steps, dtype="int32"), -1)
    cols = ops.expand_dims(ops.arange(key_steps, dtype="int32"), 0)
    return ops.less(ops.abs(ops.subtract(rows, cols)), window)


def combined_attention_mask(query_mask, value_mask, key_mask, attention_mask, query_steps,
                            key_steps, use_causal_mask=False, sliding_window=None):
    """AND of every mask given, broadcastable to ``(batch, T, S)``; None when there is none.

    ``query_mask`` ``(B, T)`` becomes ``(B, T, 1)``, value/key masks ``(B, S)``
    become ``(B, 1, S)``, the causal and sliding-window masks are ``(1, T, S)``.
    """
    parts = []
    if query_mask is not None:
        parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))
    for mask in (value_mask, key_mask):
        if mask is not None:
            parts.append(ops.expand_dims(ops.cast(mask, "bool"), -2))
    if use_causal_mask:
        parts.append(ops.expand_dims(causal_mask(query_steps, key_steps), 0))
    if sliding_window is not None:
        parts.append(ops.expand_dims(band_mask(query_steps, key_steps, sliding_window), 0))
    if attention_mask is not None:
        parts.insert(0, ops.cast(attention_mask, "bool"))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = ops.logical_and(combined, part)
    return combined


def expand_mask(mask, rank, num_attention_axes):
    """Insert size-1 axes before the query/key attention axes until ``mask`` has ``rank``."""
    axis = -2 * num_attention_axes - 1
    while len(mask.shape) < rank:
        mask = ops.expand_dims(mask, axis)
    return mask


class QKVAttentionBase(Layer):
    """Base of the projected query/key/value attention layers (not exported).

    Subclasses implement ``build(query_shape, value_shape, key_shape=None)``
    and ``call(query, value, key=None, ...)``.

    Example:
        >>> import kiln
        >>> issubclass(kiln.layers.MultiHeadAttention, QKVAttentionBase)
        True
    """

    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)

    def _init_common(self, dropout, use_bias, flash_attention, sliding_window, use_gate,
                     kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                     activity_regularizer, kernel_constraint, bias_constraint, seed):
        owner = self._owner()
        check_dropout(owner, dropout)
        check_positive_int(owner, "sliding_window", sliding_window, allow_none=True)
        if flash_attention not in (None, True, False):
            raise ValueError(f"{owner}: flash_attention must be None, True or False; received "
                             f"flash_attention={flash_attention!r}")
        if flash_attention and dropout > 0:
            raise ValueError(f"{owner}: dropout is not supported with flash_attention=True; set "
                             f"dropout=0.0 (received dropout={dropout!r})")
        if use_gate:
            raise NotImplementedError(f"{owner}: use_gate=True (gated attention) is not supported yet")
        self.supports_masking = True
        self._dropout = dropout
        self._use_bias = use_bias
        self._flash_attention = flash_attention
        self._sliding_window = sliding_window
        self._use_gate = bool(use_gate)
        set_weight_options(self, kernel_initializer, bias_initializer, kernel_regularizer,
                           bias_regularizer, kernel_constraint, bias_constraint, prefix="_")
        # As in Keras, the activity regularizer applies to the projections' outputs, not to
        # this layer's output, so it is kept apart from Layer's own.
        self._proj_activity_regularizer = regularizers.get(activity_regularizer)
        self.seed = seed
        self._build_shapes_dict = None

    def _owner(self):
        return f"{type(self).__name__} '{self.name}'"

    def _sublayer_kwargs(self):
        """Constructor arguments of the projection sublayers; each gets its own initializer copies."""
        return dict(
            kernel_initializer=type(self._kernel_initializer).from_config(
                self._kernel_initializer.get_config()),
            bias_initializer=type(self._bias_initializer).from_config(
                self._bias_initializer.get_config()),
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._proj_activity_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            dtype=self.dtype_policy,
        )

    def _projection(self, name, equation, output_shape, bias_axes, input_shape):
        """An ``EinsumDense`` projection sublayer (biased when ``use_bias``), built for
        ``input_shape``."""
        layer = EinsumDense(equation, output_shape=output_shape,
                            bias_axes=bias_axes if self._use_bias else None, name=name,
                            **self._sublayer_kwargs())
        layer.build(input_shape)
        return layer

    # -- building from several inputs --------------------------------------------------------
    def _maybe_build(self, args, kwargs):
        tensors = dict(zip(_INPUT_NAMES, args))
        for name in _INPUT_NAMES:
            if kwargs.get(name) is not None:
                tensors[name] = kwargs[name]
        shapes = {f"{name}_shape": tuple(shape_rules.shape_of(t))
                  for name, t in tensors.items() if t is not None}
        if "query_shape" not in shapes or "value_shape" not in shapes:
            raise ValueError(f"{self._owner()}: call it with both `query` and `value`; received "
                             f"{sorted(tensors)}")
        self._build_from_shapes(shapes)

    def build(self, query_shape, value_shape, key_shape=None):
        # Sublayer weights are paths under this layer's name, also when build is called directly.
        with name_scope(self.name, caller=self):
            self._build_sublayers(query_shape, value_shape, key_shape)
        self.built = True

    def _build_sublayers(self, query_shape, value_shape, key_shape):
        raise NotImplementedError

    def _build_from_shapes(self, shapes):
        self.build(**shapes)
        self._build_shapes_dict = shapes
        self.built = True
        self._backend_after_build()

    def get_build_config(self):
        if self._build_shapes_dict is None:
            return None
        return {"shapes_dict": {k: tuple(v) for k, v in self._build_shapes_dict.items()}}

    def build_from_config(self, config):
        if not config:
            return
        if "shapes_dict" in config:
            shapes = {k: None if v is None else tuple(v) for k, v in config["shapes_dict"].items()}
        elif config.get("input_shape") is not None:
            shapes = {"query_shape": tuple(config["input_shape"]),
                      "value_shape": tuple(config["input_shape"])}
        else:
            return
        self._build_from_shapes(shapes)

    def _check_shapes(self, query_shape, value_shape, key_shape, ranks=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        owner = self._owner()
        for label, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if ranks is not None and len(shape) not in ranks:
                raise ValueError(f"{owner}: input '{label}' must have rank "
                                 f"{' or '.join(map(str, ranks))}; received shape {shape}")
            if len(shape) < 3:
                raise ValueError(f"{owner}: input '{label}' must have rank >= 3 (batch, steps..., "
                                 f"features); received shape {shape}")
            if shape[-1] is None:
                raise ValueError(f"{owner}: the last dimension of input '{label}' must be known; "
                                 f"received shape {shape}")
        if len(value_shape) != len(query_shape):
            raise ValueError(f"{owner}: query and value must have the same rank; received "
                             f"query shape {query_shape} and value shape {value_shape}")
        if len(key_shape) != len(value_shape) or any(
                a is not None and b is not None and a != b
                for a, b in zip(value_shape[1:-1], key_shape[1:-1])):
            raise ValueError(f"{owner}: all dimensions of value and key except the last must be "
                             f"equal; received value shape {value_shape} and key shape {key_shape}")
        return query_shape, value_shape, key_shape

    # -- calling -------------------------------------------------------------------------
    def __call__(self, query, value, key=None, **kwargs):
        # Keras masks the inputs carry become explicit arguments (graph edges when symbolic).
        for name, tensor in (("query_mask", query), ("value_mask", value), ("key_mask", key)):
            if tensor is not None and kwargs.get(name) is None:
                mask = _get_mask(tensor)
                if mask is not None:
                    kwargs[name] = mask
        if key is not None:
            kwargs["key"] = key
        outputs = super().__call__(query, value, **kwargs)
        query_mask = kwargs.get("query_mask")
        if isinstance(outputs, tuple):
            _clear_mask(outputs[1])
            if query_mask is not None:
                _set_mask(outputs[0], query_mask)
        elif query_mask is not None:
            _set_mask(outputs, query_mask)
        return outputs

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        steps_q, steps_v = ops.shape(query)[1], ops.shape(value)[1]
        return combined_attention_mask(query_mask, value_mask, key_mask, attention_mask, steps_q,
                                       steps_v, use_causal_mask, self._sliding_window)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query, value = self._cast_input(query), self._cast_input(value)
        key = value if key is None else self._cast_input(key)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                    use_causal_mask)
        output, scores = self._compute_attention(
            self._query_dense(query), self._key_dense(key), self._value_dense(value), mask,
            training, return_attention_scores)
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """Attention over projected ``(B, T, N, H)`` tensors -> ``(output, scores or None)``.

        Without scores to return and without dropout in training, the backend's
        ``dot_product_attention`` (a fused kernel where it has one; grouped key/value heads
        as they are) does the work; otherwise ``_explicit_attention`` computes the scores.
        """
        self._check_scores_request(return_attention_scores)
        if not ((self._dropout > 0 and training) or return_attention_scores) and self._can_fuse(query):
            mask = None if attention_mask is None else expand_mask(attention_mask, 4, 1)
            output = ops.dot_product_attention(query, key, value, mask=mask, scale=self._scale,
                                               flash_attention=self._flash_attention)
            return output, None
        return self._explicit_attention(query, key, value, attention_mask, training)

    def _explicit_attention(self, query, key, value, attention_mask, training):
        """Attention with explicit scores -> ``(output, scores)``.

        ``_dot_equation`` contracts ``(key, query)`` into the scores, whose last
        ``_num_attention_axes`` axes are normalized; ``_combine_equation`` contracts
        ``(probabilities, value)`` into the output."""
        query = ops.multiply(query, ops.cast(self._scale, query.dtype))
        scores = ops.einsum(self._dot_equation, key, query)
        mask = None if attention_mask is None else expand_mask(
            attention_mask, len(scores.shape), self._num_attention_axes)
        scores = self._masked_softmax(scores, mask)
        dropped = self._dropout_layer(scores, training=training) if self._dropout > 0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def _masked_softmax(self, scores, mask):
        """Probabilities from ``self._softmax`` (a float32 Softmax layer, so half-precision
        scores are normalized in float32); disallowed entries get 0, also in fully masked rows."""
        dtype = ops.dtype(scores)
        return ops.cast(self._softmax(ops.cast(scores, "float32"), mask=mask), dtype)

    def _can_fuse(self, query):
        return True

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        self._check_scores_request(return_attention_scores)
        output = KerasTensor(self.compute_output_shape(
            query.shape, value.shape, None if key is None else key.shape), dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        scores = KerasTensor(tuple(self._scores_shape(query.shape, value.shape)),
                             dtype=self.compute_dtype)
        return output, scores

    def _cast_input(self, x):
        return None if x is None else to_compute_dtype(x, self.compute_dtype)

    def _check_scores_request(self, return_attention_scores):
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"{self._owner()}: return_attention_scores=True is not supported with "
                             "flash_attention=True; disable flash attention to get the scores")

    def _common_config(self):
        config = weight_options_config(self, self._proj_activity_regularizer, prefix="_")
        config["seed"] = self.seed
        return config


def _clear_mask(tensor):
    try:
        if getattr(tensor, "_keras_mask", None) is not None:
            tensor._keras_mask = None
    except (AttributeError, TypeError):
        pass
